import Foundation

/// Renders a ``ReportModel`` as one self-contained HTML page.
///
/// The page has no external resource (inline CSS and SVG, no font, no script), prints well
/// (`@media print`: a page break before each section, no navigation), and is accessible:
/// `<html lang>`, one `<h1>` then `<h2>`/`<h3>`, tables with `<caption>` and `<th scope>`,
/// pictures as `<svg role="img">` with `<title>` and `<desc>` plus a table of the same numbers.
/// Every text is escaped. The output is XHTML-compatible (every element closed, void elements
/// written `<meta … />`) and depends only on the model and the language: rendering twice gives
/// the same bytes.
///
///     let html = HTMLReport.render(model)                 // French
///     let english = HTMLReport.render(model, language: .en)
public enum HTMLReport {
  /// The page for `model`, in `language` (French by default).
  public static func render(_ model: ReportModel, language: ReportLanguage = .fr) -> String {
    var page = PageBuilder(model: model, language: language)
    return page.build()
  }
}

/// One heading of the page, for the table of contents.
private struct Heading {
  var level: Int
  var id: String
  var text: String
}

/// Builds the page section by section, collecting headings for the table of contents.
private struct PageBuilder {
  let model: ReportModel
  let language: ReportLanguage
  var headings: [Heading] = []
  var body = ""
  /// The colour of each code path.
  let colours: [String: String]
  /// The appendix anchors that exist: `d3` and `d3-s12`.
  let anchors: Set<String>
  /// For each document, the indices (into its `segments`) that the appendix reproduces.
  let appendixIndices: [Int64: [Int]]
  /// Whether the appendix reproduces only the quoted passages and their neighbours.
  let appendixIsExcerpt: Bool

  init(model: ReportModel, language: ReportLanguage) {
    self.model = model
    self.language = language
    var colours: [String: String] = [:]
    for (index, code) in model.codes.enumerated() where colours[code.path] == nil {
      colours[code.path] = ReportFormatting.colour(code.color, index: index)
    }
    self.colours = colours
    let (indices, isExcerpt) = Self.appendixPlan(model)
    appendixIndices = indices
    appendixIsExcerpt = isExcerpt
    var anchors: Set<String> = []
    for document in model.corpus.documents {
      anchors.insert("d\(document.id)")
      for index in indices[document.id] ?? [] { anchors.insert("d\(document.id)-s\(document.segments[index].ordinal)") }
    }
    self.anchors = anchors
  }

  /// Which segments the appendix shows. Every document's first `appendixSegmentsPerDocument`
  /// segments when they add up to at most `appendixTotalSegments`; otherwise (a large corpus)
  /// only the segments the shown verbatims point to, with `appendixContext` neighbours each side.
  static func appendixPlan(_ model: ReportModel) -> (indices: [Int64: [Int]], isExcerpt: Bool) {
    let limits = model.limits
    let perDocument = max(0, limits.appendixSegmentsPerDocument)
    let total = model.corpus.documents.reduce(0) { $0 + min($1.segments.count, perDocument) }
    var indices: [Int64: [Int]] = [:]
    if total <= max(0, limits.appendixTotalSegments) {
      for document in model.corpus.documents { indices[document.id] = Array(document.segments.indices.prefix(perDocument)) }
      return (indices, false)
    }
    var byDocument: [Int64: ReportDocument] = [:]
    for document in model.corpus.documents where byDocument[document.id] == nil { byDocument[document.id] = document }
    var wanted: [Int64: Set<Int>] = [:]
    let context = max(0, limits.appendixContext)
    for list in model.verbatims {
      for verbatim in list.verbatims.prefix(max(0, limits.verbatimsPerCode)) {
        guard let document = byDocument[verbatim.documentID],
          let index = document.segments.firstIndex(where: { segment in
            verbatim.segment.map { segment.ordinal == $0 } ?? (segment.start <= verbatim.start && verbatim.start < segment.end)
          })
        else { continue }
        let range = max(0, index - context)...min(document.segments.count - 1, index + context)
        wanted[document.id, default: []].formUnion(range)
      }
    }
    for (id, set) in wanted { indices[id] = set.sorted() }
    return (indices, true)
  }

  // MARK: Helpers

  func label(_ key: ReportLabel) -> String { key.text(language) }
  func esc(_ text: String) -> String { ReportFormatting.escape(text) }
  func int(_ value: Int) -> String { ReportFormatting.integer(value, language) }
  func pct(_ share: Double) -> String { ReportFormatting.percent(share, language) }
  func dec(_ value: Double, _ digits: Int = 2) -> String { ReportFormatting.decimal(value, digits: digits, language) }

  func colour(of code: String) -> String {
    colours[code] ?? ReportFormatting.palette[abs(code.unicodeScalars.reduce(0) { ($0 &* 31 &+ Int($1.value)) % 1_000_003 }) % 10]
  }

  func documentName(_ document: ReportDocument) -> String { document.title ?? document.path }

  /// The French typographic colon (`Code :`) or the English one (`Code:`).
  func colon() -> String { language == .fr ? "\u{00A0}:" : ":" }

  /// ` lang="xx"` for corpus text when it differs from the page's language, else nothing.
  var textLanguage: String {
    let corpus = model.corpus.language.trimmingCharacters(in: .whitespaces)
    guard !corpus.isEmpty, corpus.lowercased() != language.rawValue else { return "" }
    return " lang=\"\(esc(corpus))\""
  }

  /// Guillemets in French, curly quotes in English.
  func quoted(_ text: String) -> String { language == .fr ? "«\u{00A0}\(text)\u{00A0}»" : "“\(text)”" }

  mutating func heading(_ level: Int, id: String, _ text: String) {
    headings.append(Heading(level: level, id: id, text: text))
    body += "<h\(level) id=\"\(esc(id))\">\(esc(text))</h\(level)>\n"
  }

  mutating func note(_ text: String) { body += "<p class=\"note\">\(esc(text))</p>\n" }

  func metadataValue(_ value: String?) -> String {
    guard let value, !value.isEmpty else { return label(.noValue) }
    return value
  }

  // MARK: Page

  mutating func build() -> String {
    let title = model.generation.title ?? label(.defaultTitle)
    var sectionNumber = 0
    func numbered(_ text: String) -> String {
      sectionNumber += 1
      return "\(sectionNumber). \(text)"
    }
    openSection("corpus", numbered(label(.corpusSection)))
    corpusSection()
    closeSection()
    openSection("codes", numbered(label(.codesSection)))
    codesSection()
    closeSection()
    openSection("cooccurrence", numbered(label(.cooccurrenceSection)))
    cooccurrenceSection()
    closeSection()
    openSection("crosstabs", numbered(label(.crosstabSection)))
    crosstabSection()
    closeSection()
    openSection("verbatims", numbered(label(.verbatimsSection)))
    verbatimsSection()
    closeSection()
    openSection("graphs", numbered(label(.graphsSection)))
    graphsSection()
    closeSection()
    openSection("specificities", numbered(label(.specificitiesSection)))
    specificitiesSection()
    closeSection()
    openSection("appendix", label(.appendixSection))
    appendixSection()
    closeSection()

    var page = "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\" />\n"
    page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
    page += "<meta name=\"generator\" content=\"Verbatim \(esc(model.generation.verbatimVersion))\" />\n"
    page += "<title>\(esc(title))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n"
    page += "<header id=\"top\">\n<h1>\(esc(title))</h1>\n" + generationInfo() + "</header>\n"
    page += tableOfContents()
    page += "<main>\n" + body + "</main>\n</body>\n</html>\n"
    return page
  }

  mutating func openSection(_ id: String, _ title: String) {
    body += "<section class=\"major\" aria-labelledby=\"\(id)\">\n"
    heading(2, id: id, title)
  }

  mutating func closeSection() {
    body += "<p class=\"top\"><a href=\"#toc\">↑ \(esc(label(.backToTop)))</a></p>\n</section>\n"
  }

  func generationInfo() -> String {
    let info = model.generation
    var rows: [(String, String)] = [
      (label(.generatedOn), ReportFormatting.date(info.date, language)),
      (label(.verbatimVersion), info.verbatimVersion),
      (label(.corpusFolder), info.corpusPath),
    ]
    if !info.codebooks.isEmpty { rows.append((label(.codebooks), info.codebooks.joined(separator: ", "))) }
    rows.append((label(.codingUnit), info.unit))
    var html = "<dl class=\"generation\">\n"
    for (term, value) in rows { html += "<div><dt>\(esc(term))</dt><dd>\(esc(value))</dd></div>\n" }
    return html + "</dl>\n"
  }

  func tableOfContents() -> String {
    var html = "<nav class=\"toc\" aria-labelledby=\"toc\">\n<h2 id=\"toc\">\(esc(label(.contents)))</h2>\n<ol>\n"
    var open = false
    for heading in headings {
      if heading.level == 2 {
        if open { html += "</ol></li>\n" }
        html += "<li><a href=\"#\(esc(heading.id))\">\(esc(heading.text))</a><ol>\n"
        open = true
      } else if heading.level == 3 {
        html += "<li><a href=\"#\(esc(heading.id))\">\(esc(heading.text))</a></li>\n"
      }
    }
    if open { html += "</ol></li>\n" }
    // An empty <ol> is valid but noisy: drop them.
    html = html.replacingOccurrences(of: "<ol>\n</ol>", with: "")
    return html + "</ol>\n</nav>\n"
  }

  // MARK: Corpus

  mutating func corpusSection() {
    let documents = model.corpus.documents
    let speakerCount = Set(documents.flatMap(\.speakers)).count
    let turns = documents.reduce(0) { $0 + $1.turnCount }
    let segments = documents.reduce(0) { $0 + $1.segmentCount }
    let tokens = documents.reduce(0) { $0 + $1.tokenCount }
    body += "<p>\(esc(label(.corpusIntro)))</p>\n<ul class=\"figures\">\n"
    for (value, key) in [(documents.count, ReportLabel.documents), (speakerCount, .speakers), (turns, .turns), (segments, .segments), (tokens, .tokens)] {
      body += "<li><strong>\(int(value))</strong> \(esc(label(key).lowercased()))</li>\n"
    }
    body += "</ul>\n"
    let fields = model.corpus.fields
    body += "<div class=\"scroll\"><table class=\"data\">\n<caption>\(esc(label(.documentsCaption)))</caption>\n<thead><tr>"
    body += "<th scope=\"col\">\(esc(label(.document)))</th><th scope=\"col\">\(esc(label(.path)))</th>"
    body += "<th scope=\"col\">\(esc(label(.speakers)))</th>"
    for key in [ReportLabel.turns, .segments, .tokens] { body += "<th scope=\"col\" class=\"num\">\(esc(label(key)))</th>" }
    for field in fields { body += "<th scope=\"col\">\(esc(field))</th>" }
    body += "</tr></thead>\n<tbody>\n"
    for document in documents {
      let reference = anchors.contains("d\(document.id)") ? "<a href=\"#d\(document.id)\">d\(document.id)</a>" : "d\(document.id)"
      body += "<tr><th scope=\"row\">\(reference)</th><td class=\"docname\">"
      if let title = document.title { body += "<span class=\"doctitle\">\(esc(title))</span> " }
      body += "<code>\(esc(document.path))</code></td>"
      body += "<td class=\"speakers\">\(esc(document.speakers.joined(separator: ", ")))</td>"
      body += "<td class=\"num\">\(int(document.turnCount))</td><td class=\"num\">\(int(document.segmentCount))</td>"
      body += "<td class=\"num\">\(int(document.tokenCount))</td>"
      for field in fields { body += "<td>\(esc(document.metadata[field] ?? ""))</td>" }
      body += "</tr>\n"
    }
    body += "</tbody>\n<tfoot><tr><th scope=\"row\">\(esc(label(.total)))</th><td>\(int(documents.count)) \(esc(label(.documents).lowercased()))</td>"
    body += "<td>\(int(speakerCount))</td><td class=\"num\">\(int(turns))</td><td class=\"num\">\(int(segments))</td>"
    body += "<td class=\"num\">\(int(tokens))</td>"
    body += String(repeating: "<td></td>", count: fields.count)
    body += "</tr></tfoot>\n</table></div>\n"

    guard !fields.isEmpty else { return }
    body += "<table class=\"data\">\n<caption>\(esc(label(.fieldsCaption)))</caption>\n<thead><tr>"
    body += "<th scope=\"col\">\(esc(label(.field)))</th><th scope=\"col\">\(esc(label(.values)))</th></tr></thead>\n<tbody>\n"
    for field in fields {
      var counts: [String: Int] = [:]
      for document in documents { counts[document.metadata[field] ?? "", default: 0] += 1 }
      let values = counts.sorted { ReportFormatting.valueOrder($0.key, $1.key) }
        .map { "\(metadataValue($0.key)) (\(int($0.value)))" }
      body += "<tr><th scope=\"row\">\(esc(field))</th><td>\(esc(values.joined(separator: " · ")))</td></tr>\n"
    }
    body += "</tbody>\n</table>\n"
  }

  // MARK: Codes

  mutating func codesSection() {
    guard !model.codes.isEmpty else {
      note(label(.noCodes))
      return
    }
    heading(3, id: "codebook", label(.codebookCaption))
    let severalBooks = Set(model.codes.map(\.codebook)).count > 1
    body += "<table class=\"data\">\n<caption>\(esc(label(.codebookCaption))) (\(int(model.codes.count)) \(esc(label(.code).lowercased()))s)</caption>\n<thead><tr>"
    if severalBooks { body += "<th scope=\"col\">\(esc(label(.codebook)))</th>" }
    body += "<th scope=\"col\">\(esc(label(.code)))</th><th scope=\"col\">\(esc(label(.description)))</th></tr></thead>\n<tbody>\n"
    for code in model.codes {
      body += "<tr>"
      if severalBooks { body += "<td>\(esc(code.codebook))</td>" }
      let indent = min(code.depth, 6)
      body += "<th scope=\"row\" class=\"code depth\(indent)\"><span class=\"swatch\" style=\"background:\(colour(of: code.path))\"></span>"
      body += "\(esc(code.name))"
      if code.depth > 0 { body += " <span class=\"path\">(\(esc(code.path)))</span>" }
      body += "</th><td>\(esc(code.description ?? ""))</td></tr>\n"
    }
    body += "</tbody>\n</table>\n"

    heading(3, id: "frequencies", label(.frequenciesHeading))
    let frequencies = model.frequencies
    guard !frequencies.isEmpty else {
      note(label(.noCodes))
      return
    }
    body += barChart(frequencies)
    body += "<table class=\"data\">\n<caption>\(esc(label(.frequenciesCaption))) (\(esc(label(.share).lowercased()))\(esc(colon())) \(int(model.corpus.unitCount)) \(esc(label(.segments).lowercased())))</caption>\n"
    body += "<thead><tr><th scope=\"col\">\(esc(label(.code)))</th><th scope=\"col\" class=\"num\">\(esc(label(.units)))</th>"
    body += "<th scope=\"col\" class=\"num\">\(esc(label(.documents)))</th><th scope=\"col\" class=\"num\">\(esc(label(.share)))</th></tr></thead>\n<tbody>\n"
    for row in frequencies {
      body += "<tr><th scope=\"row\"><span class=\"swatch\" style=\"background:\(colour(of: row.code))\"></span>\(esc(row.code))</th>"
      body += "<td class=\"num\">\(int(row.units))</td><td class=\"num\">\(int(row.documents))</td><td class=\"num\">\(pct(row.share))</td></tr>\n"
    }
    body += "</tbody>\n</table>\n"
  }

  /// A horizontal bar chart of units per code, largest first, in each code's colour.
  func barChart(_ frequencies: [ReportCodeFrequency]) -> String {
    let rows = frequencies.enumerated().sorted { ($1.element.units, $0.offset) < ($0.element.units, $1.offset) }.map(\.element)
    let maximum = max(1, rows.map(\.units).max() ?? 1)
    let labelWidth = 300.0, barWidth = 380.0, rowHeight = 26.0, top = 10.0
    let width = labelWidth + barWidth + 90
    let height = top * 2 + rowHeight * Double(rows.count)
    let title = label(.barChartTitle)
    let summary = rows.map { "\($0.code)\(colon()) \(int($0.units))" }.joined(separator: " ; ")
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-labelledby=\"bars-title bars-desc\" "
    svg += "viewBox=\"0 0 \(ReportFormatting.coordinate(width)) \(ReportFormatting.coordinate(height))\" width=\"\(ReportFormatting.coordinate(width))\" height=\"\(ReportFormatting.coordinate(height))\">\n"
    svg += "<title id=\"bars-title\">\(esc(title))</title>\n<desc id=\"bars-desc\">\(esc(summary))</desc>\n"
    svg += "<line x1=\"\(ReportFormatting.coordinate(labelWidth))\" y1=\"\(ReportFormatting.coordinate(top - 4))\" x2=\"\(ReportFormatting.coordinate(labelWidth))\" y2=\"\(ReportFormatting.coordinate(height - top + 4))\" stroke=\"#555\" />\n"
    for (index, row) in rows.enumerated() {
      let y = top + Double(index) * rowHeight
      let length = row.units == 0 ? 0 : max(1.5, barWidth * Double(row.units) / Double(maximum))
      svg += "<g><title>\(esc(row.code))\(esc(colon())) \(int(row.units)) (\(pct(row.share)))</title>"
      svg += "<text x=\"\(ReportFormatting.coordinate(labelWidth - 8))\" y=\"\(ReportFormatting.coordinate(y + rowHeight * 0.65))\" text-anchor=\"end\">\(esc(ReportFormatting.shortened(row.code, limit: 40)))</text>"
      svg += "<rect x=\"\(ReportFormatting.coordinate(labelWidth))\" y=\"\(ReportFormatting.coordinate(y + 4))\" width=\"\(ReportFormatting.coordinate(length))\" height=\"\(ReportFormatting.coordinate(rowHeight - 8))\" fill=\"\(colour(of: row.code))\" stroke=\"#333\" stroke-width=\"0.5\" />"
      svg += "<text x=\"\(ReportFormatting.coordinate(labelWidth + length + 6))\" y=\"\(ReportFormatting.coordinate(y + rowHeight * 0.65))\">\(int(row.units)) (\(esc(pct(row.share))))</text></g>\n"
    }
    svg += "</svg>\n"
    return "<figure class=\"chart\">\n" + svg + "<figcaption>\(esc(title))</figcaption>\n</figure>\n"
  }

  // MARK: Theme co-occurrence

  mutating func cooccurrenceSection() {
    guard let matrix = model.cooccurrence, !matrix.codes.isEmpty,
      matrix.counts.count == matrix.codes.count, matrix.counts.allSatisfy({ $0.count == matrix.codes.count })
    else {
      note(label(.noCooccurrence))
      return
    }
    body += "<p>\(esc(label(.cooccurrenceIntro))) \(esc(label(.diagonalNote)))</p>\n"
    let size = matrix.codes.count
    func value(_ row: Int, _ column: Int) -> Double {
      row < matrix.values.count && column < matrix.values[row].count ? matrix.values[row][column] : .nan
    }
    var strongest = 0.0
    for row in 0..<size { for column in 0..<size where row != column && value(row, column).isFinite { strongest = max(strongest, value(row, column)) } }
    body += "<div class=\"scroll\"><table class=\"data heatmap\">\n<caption>\(esc(label(.cooccurrenceCaption))) ; \(esc(label(.measure).lowercased()))\(esc(colon())) \(esc(matrix.measure))</caption>\n"
    body += "<thead><tr><th scope=\"col\">\(esc(label(.code)))</th>"
    for code in matrix.codes { body += "<th scope=\"col\" class=\"vertical\"><span>\(esc(code))</span></th>" }
    body += "</tr></thead>\n<tbody>\n"
    for row in 0..<size {
      body += "<tr><th scope=\"row\"><span class=\"swatch\" style=\"background:\(colour(of: matrix.codes[row]))\"></span>\(esc(matrix.codes[row]))</th>"
      for column in 0..<size {
        let count = matrix.counts[row][column]
        let measure = value(row, column)
        let hint = "\(matrix.codes[row]) × \(matrix.codes[column])\(colon()) \(int(count)) ; \(matrix.measure) \(dec(measure))"
        if row == column {
          body += "<td class=\"num diag\" title=\"\(esc(hint))\">\(int(count))</td>"
        } else {
          let (background, text) = ReportFormatting.shade(strongest > 0 && measure.isFinite ? measure / strongest : 0)
          body += "<td class=\"num\" style=\"background:\(background);color:\(text)\" title=\"\(esc(hint))\">\(int(count))</td>"
        }
      }
      body += "</tr>\n"
    }
    body += "</tbody>\n</table></div>\n"
  }

  // MARK: Code × metadata

  mutating func crosstabSection() {
    guard !model.crosstabs.isEmpty else {
      note(label(.noCrosstab))
      return
    }
    body += "<p>\(esc(label(.crosstabIntro)))</p>\n"
    for (index, table) in model.crosstabs.enumerated() {
      heading(3, id: "crosstab-\(index + 1)", "\(label(.crosstabCaption)) \(table.field)")
      let strongest = table.rows.flatMap(\.shares).filter(\.isFinite).max() ?? 0
      body += "<div class=\"scroll\"><table class=\"data crosstab\">\n<caption>\(esc(label(.crosstabCaption))) \(esc(quoted(table.field)))</caption>\n"
      body += "<thead><tr><th scope=\"col\">\(esc(label(.code)))</th>"
      for group in table.groups {
        body += "<th scope=\"col\">\(esc(metadataValue(group.value)))<span class=\"size\">\(int(group.documents)) \(esc(label(.groupSize))), \(int(group.units)) \(esc(label(.segments).lowercased()))</span></th>"
      }
      body += "</tr></thead>\n<tbody>\n"
      for row in table.rows {
        body += "<tr><th scope=\"row\"><span class=\"swatch\" style=\"background:\(colour(of: row.code))\"></span>\(esc(row.code))</th>"
        for column in 0..<table.groups.count {
          let count = column < row.counts.count ? row.counts[column] : 0
          let share = column < row.shares.count ? row.shares[column] : .nan
          let (background, text) = ReportFormatting.shade(strongest > 0 && share.isFinite ? share / strongest : 0)
          body += "<td class=\"num\" style=\"background:\(background);color:\(text)\">\(int(count)) <span class=\"share\">(\(pct(share)))</span></td>"
        }
        body += "</tr>\n"
      }
      body += "</tbody>\n</table></div>\n"
    }
  }

  // MARK: Verbatims

  mutating func verbatimsSection() {
    body += "<p>\(esc(label(.verbatimsIntro)))</p>\n"
    var lists: [String: ReportCodeVerbatims] = [:]
    for list in model.verbatims where lists[list.code] == nil { lists[list.code] = list }
    var order = model.codes.map(\.path)
    let known = Set(order)
    order += model.verbatims.map(\.code).filter { !known.contains($0) }
    guard !order.isEmpty else {
      note(label(.noVerbatims))
      return
    }
    let documents = Dictionary(model.corpus.documents.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    for (index, code) in order.enumerated() {
      let list = lists[code]
      let total = list?.totalCount ?? 0
      heading(3, id: "code-\(index + 1)", "\(code) (\(int(total)) \(label(.passages)))")
      if let description = model.codes.first(where: { $0.path == code })?.description, !description.isEmpty {
        body += "<p class=\"description\">\(esc(description))</p>\n"
      }
      guard let list, !list.verbatims.isEmpty else {
        note(label(.noVerbatims))
        continue
      }
      let shown = list.verbatims.prefix(max(0, model.limits.verbatimsPerCode))
      for verbatim in shown {
        body += "<blockquote class=\"verbatim\" style=\"border-left-color:\(colour(of: code))\">\n"
        body += "<p\(textLanguage)>\(ReportFormatting.highlighted(verbatim.text, verbatim.highlights))</p>\n<footer>— "
        let name = documents[verbatim.documentID].map(documentName) ?? verbatim.documentPath
        body += "<cite>\(esc(name))</cite>"
        if let speaker = verbatim.speaker, !speaker.isEmpty { body += ", \(esc(speaker))" }
        body += " <span class=\"where\">(d\(verbatim.documentID), \(esc(verbatim.documentPath)), \(int(verbatim.start))–\(int(verbatim.end)))</span>"
        if let target = linkTarget(verbatim) {
          body += " · <a href=\"#\(target)\">\(esc(label(.seeInContext)))</a>"
        } else {
          body += " · <span class=\"where\">\(esc(label(.notInAppendix)))</span>"
        }
        if let rule = verbatim.rule {
          body += " · \(esc(label(.rule)))\(esc(colon())) <code>\(esc(rule))</code>"
        } else {
          body += " · \(esc(label(.humanCoding)))"
        }
        body += "</footer>\n</blockquote>\n"
      }
      let hidden = list.totalCount - shown.count
      if hidden > 0 { note("… \(int(hidden)) \(label(.moreVerbatims))") }
    }
  }

  /// The appendix anchor for a verbatim: its segment, else its document, else none.
  func linkTarget(_ verbatim: ReportVerbatim) -> String? {
    if let segment = verbatim.segment, anchors.contains("d\(verbatim.documentID)-s\(segment)") {
      return "d\(verbatim.documentID)-s\(segment)"
    }
    if let document = model.corpus.documents.first(where: { $0.id == verbatim.documentID }),
      let index = (appendixIndices[document.id] ?? []).first(where: { index in
        document.segments[index].start <= verbatim.start && verbatim.start < document.segments[index].end
      })
    {
      return "d\(document.id)-s\(document.segments[index].ordinal)"
    }
    return anchors.contains("d\(verbatim.documentID)") ? "d\(verbatim.documentID)" : nil
  }

  // MARK: Graphs

  mutating func graphsSection() {
    guard !model.graphs.isEmpty else {
      note(label(.noGraphs))
      return
    }
    body += "<p>\(esc(label(.graphsIntro)))</p>\n"
    for (index, graph) in model.graphs.enumerated() {
      heading(3, id: "graph-\(index + 1)", quoted(graph.notion))
      if let svg = ReportFormatting.inlineSVG(graph.svg, label: graph.altText) {
        body += "<figure class=\"graph\">\n\(svg)\n<figcaption>\(esc(graph.caption))</figcaption>\n</figure>\n"
        body += "<p class=\"alt\">\(esc(graph.altText))</p>\n"
      } else {
        note(label(.noDrawing))
        body += "<p class=\"alt\">\(esc(graph.altText))</p>\n"
      }
      let shown = graph.edges.prefix(max(0, model.limits.edgesPerGraph))
      body += "<table class=\"data\">\n<caption>\(esc(label(.edgesCaption))) \(esc(quoted(graph.notion)))</caption>\n<thead><tr>"
      body += "<th scope=\"col\">\(esc(label(.source)))</th><th scope=\"col\">\(esc(label(.target)))</th>"
      body += "<th scope=\"col\" class=\"num\">\(esc(label(.count)))</th><th scope=\"col\" class=\"num\">\(esc(graph.measure))</th></tr></thead>\n<tbody>\n"
      for edge in shown {
        body += "<tr><th scope=\"row\">\(esc(edge.source))</th><td>\(esc(edge.target))</td><td class=\"num\">\(int(edge.count))</td><td class=\"num\">\(dec(edge.measure, 3))</td></tr>\n"
      }
      body += "</tbody>\n</table>\n"
      if graph.edges.count > shown.count { note("… \(int(graph.edges.count - shown.count)) \(label(.moreEdges))") }
    }
  }

  // MARK: Specific terms

  mutating func specificitiesSection() {
    guard !model.specificTerms.isEmpty else {
      note(label(.noSpecificities))
      return
    }
    body += "<p>\(esc(label(.specificitiesIntro)))</p>\n"
    for (index, field) in model.specificTerms.enumerated() {
      heading(3, id: "specific-\(index + 1)", "\(label(.specificitiesCaption)) \(field.field)")
      body += "<div class=\"side\">\n"
      for group in field.groups {
        body += "<table class=\"data terms\">\n<caption>\(esc(field.field)) = \(esc(metadataValue(group.value)))</caption>\n<thead><tr>"
        body += "<th scope=\"col\">\(esc(label(.term)))</th><th scope=\"col\" class=\"num\">\(esc(label(.count)))</th>"
        body += "<th scope=\"col\" class=\"num\">\(esc(field.measure))</th></tr></thead>\n<tbody>\n"
        let terms = group.terms.prefix(max(0, model.limits.termsPerGroup))
        if terms.isEmpty {
          body += "<tr><td colspan=\"3\">\(esc(label(.noSpecificities)))</td></tr>\n"
        }
        for term in terms {
          body += "<tr><th scope=\"row\">\(esc(term.term))</th><td class=\"num\">\(int(term.count))</td><td class=\"num\">\(dec(term.score))</td></tr>\n"
        }
        body += "</tbody>\n</table>\n"
      }
      body += "</div>\n"
    }
  }

  // MARK: Appendix

  mutating func appendixSection() {
    body += "<p>\(esc(label(.appendixIntro)))</p>\n"
    if appendixIsExcerpt { note(label(.appendixExcerpt)) }
    for document in model.corpus.documents {
      heading(3, id: "d\(document.id)", "d\(document.id) — \(documentName(document))")
      body += "<p class=\"where\"><code>\(esc(document.path))</code>"
      let values = model.corpus.fields.compactMap { field in document.metadata[field].map { "\(field)\(colon()) \($0)" } }
      if !values.isEmpty { body += " · \(esc(values.joined(separator: " · ")))" }
      body += "</p>\n"
      let shown = appendixIndices[document.id] ?? []
      var currentTurn: Int?
      var previous: Int?
      for index in shown {
        let segment = document.segments[index]
        if let previous, index != previous + 1 {
          // A gap in an excerpt: close the turn and mark the cut.
          if currentTurn != nil { body += "</p>\n" }
          currentTurn = nil
          body += "<p class=\"gap\">[…]</p>\n"
        }
        previous = index
        if segment.turn != currentTurn {
          if currentTurn != nil { body += "</p>\n" }
          currentTurn = segment.turn
          let speaker = segment.speaker.flatMap { $0.isEmpty ? nil : $0 } ?? label(.unnamedSpeaker)
          body += "<p class=\"turn\"\(textLanguage)><span class=\"speaker\">\(esc(speaker))\(esc(colon()))</span> "
        }
        body += "<span class=\"segment\" id=\"d\(document.id)-s\(segment.ordinal)\">\(esc(segment.text))</span> "
      }
      if currentTurn != nil { body += "</p>\n" }
      let hidden = max(document.segmentCount, document.segments.count) - shown.count
      if hidden > 0 { note("… \(int(hidden)) \(label(.moreSegments))") }
    }
  }

  // MARK: Style

  static let css = """
    :root { color-scheme: light; }
    body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; font-size: 15px; line-height: 1.5;
      color: #1a1a1a; background: #fff; max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
    h1 { font-size: 1.9rem; margin: 0.5rem 0 0.8rem; }
    h2 { font-size: 1.45rem; border-bottom: 2px solid #2b5d8a; padding-bottom: 0.2rem; margin-top: 2.5rem; color: #173f63; }
    h3 { font-size: 1.12rem; margin-top: 1.8rem; color: #173f63; }
    dl.generation { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0 0 1rem; }
    dl.generation div { display: contents; }
    dl.generation dt { font-weight: bold; }
    dl.generation dd { margin: 0; }
    nav.toc { background: #f3f6f9; border: 1px solid #d5dee7; padding: 0.5rem 1.2rem; }
    nav.toc h2 { border: 0; margin-top: 0.5rem; font-size: 1.2rem; }
    nav.toc ol { list-style: none; padding-left: 0.4rem; }
    nav.toc ol ol { font-size: 0.92em; columns: 2; column-gap: 2.5rem; padding-left: 1.4rem; margin-bottom: 0.3rem; }
    nav.toc li li { break-inside: avoid; text-indent: -1em; padding-left: 1em; }
    ul.figures { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; }
    ul.figures strong { font-size: 1.25em; color: #173f63; }
    .scroll { overflow-x: auto; }
    table.data { border-collapse: collapse; margin: 0.8rem 0 1.2rem; font-size: 0.9em; }
    table.data caption { text-align: left; font-weight: bold; padding: 0.3rem 0; caption-side: top; }
    table.data th, table.data td { border: 1px solid #c4ccd4; padding: 0.25rem 0.5rem; vertical-align: top; text-align: left; }
    table.data thead th { background: #e9eef3; }
    table.data tfoot th, table.data tfoot td { background: #f3f6f9; font-weight: bold; }
    table.data th[scope="row"] { font-weight: normal; background: #fafbfc; }
    .num { text-align: right !important; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .swatch { display: inline-block; width: 0.8em; height: 0.8em; border: 1px solid #333; margin-right: 0.4em; vertical-align: baseline; }
    .depth1 { padding-left: 1.6rem !important; } .depth2 { padding-left: 2.8rem !important; } .depth3 { padding-left: 4rem !important; }
    .depth4, .depth5, .depth6 { padding-left: 5.2rem !important; }
    .path, .where, .size, .share { color: #555; font-size: 0.88em; }
    .doctitle { display: block; }
    figure { margin: 1rem 0; }
    figcaption { font-size: 0.9em; color: #444; font-style: italic; }
    svg.chart { max-width: 100%; height: auto; font-family: inherit; font-size: 13px; }
    figure.graph svg { max-width: 100%; height: auto; border: 1px solid #d5dee7; }
    table.heatmap th.vertical { vertical-align: bottom; white-space: nowrap; }
    table.heatmap th.vertical span { writing-mode: vertical-rl; transform: rotate(180deg); display: inline-block; max-height: 26em;
      overflow: hidden; text-overflow: ellipsis; }
    table.heatmap td { min-width: 2.4em; text-align: center; }
    td.diag { background: #e4e4e4; font-weight: bold; border: 2px solid #888 !important; }
    td .share { color: inherit; opacity: 0.85; }
    th.num { white-space: normal; }
    td.docname { min-width: 16em; }
    td.speakers { min-width: 10em; }
    table.crosstab th span.size { display: block; font-weight: normal; }
    blockquote.verbatim { margin: 0.8rem 0 1rem; padding: 0.4rem 1rem; border-left: 5px solid #2b5d8a; background: #f8f9fa; }
    blockquote.verbatim p { margin: 0.2rem 0; }
    blockquote.verbatim footer { font-size: 0.88em; color: #333; }
    mark { background: #ffe36e; color: #000; padding: 0 0.1em; font-weight: bold; }
    .description, .note, .alt { color: #444; }
    .note { font-style: italic; }
    .alt { font-size: 0.9em; }
    .side { display: flex; flex-wrap: wrap; gap: 0 1.5rem; align-items: flex-start; }
    p.turn { margin: 0.4rem 0; }
    p.gap { margin: 0.2rem 0; color: #666; }
    .speaker { font-weight: bold; }
    .segment:target { background: #fff3b0; outline: 2px solid #d4a017; }
    h3:target { background: #fff3b0; }
    p.top { font-size: 0.85em; text-align: right; }
    a { color: #1d5a94; }
    @page { size: A4; margin: 14mm 12mm; }
    @media print {
      body { max-width: none; padding: 0; font-size: 10pt; }
      nav.toc, p.top { display: none; }
      section.major { break-before: page; }
      h2, h3 { break-after: avoid; }
      blockquote, figure, tr, table.terms { break-inside: avoid; }
      a { color: inherit; text-decoration: none; }
      .scroll { overflow: visible; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }

    """
}
