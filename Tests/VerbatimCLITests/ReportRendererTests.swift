import Foundation
import Testing

@testable import VerbatimEngine

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A small hand-built model: two documents, three codes (one a child), a passage with markup
/// characters, multi-byte text and a bad highlight, a capped list of verbatims, a verbatim outside
/// the appendix cap, one graph and one list of specific terms.
enum ReportSample {
  static let tricky = "Il a dit <script>alert(\"x\")</script> & 'ça' — l’équipement"

  static func model(limits: ReportLimits = ReportLimits(verbatimsPerCode: 2, appendixSegmentsPerDocument: 3)) -> ReportModel {
    let first = ReportDocument(
      id: 1, path: "entretiens/commune-a.txt", title: "Entretien avec une élue", metadata: ["authority_type": "commune", "population_band": "1000-2000"],
      speakers: ["Élue", "Enquêtrice"], turnCount: 2, segmentCount: 4, tokenCount: 40,
      segments: [
        ReportSegment(ordinal: 0, turn: 0, speaker: "Enquêtrice", start: 13, end: 40, text: "Et les tablettes des élus ?"),
        ReportSegment(ordinal: 1, turn: 1, speaker: "Élue", start: 48, end: 90, text: "Les tablettes & ordinateurs sont anciens."),
        ReportSegment(ordinal: 2, turn: 1, speaker: "Élue", start: 91, end: 160, text: tricky),
        ReportSegment(ordinal: 3, turn: 1, speaker: "Élue", start: 161, end: 200, text: "On renouvelle le parc tous les cinq ans."),
      ])
    let second = ReportDocument(
      id: 2, path: "entretiens/epci-b.txt", title: nil, metadata: ["authority_type": "EPCI"],
      speakers: [], turnCount: 1, segmentCount: 1, tokenCount: 9,
      segments: [ReportSegment(ordinal: 0, turn: 0, speaker: nil, start: 0, end: 48, text: "Le numérique responsable, c’est la sobriété.")])
    let corpus = ReportCorpus(documents: [first, second], fields: ["authority_type", "population_band"], unitCount: 5)
    let codes = [
      ReportCode(codebook: "Démo", path: "Équipement", name: "Équipement", description: "Terminaux & postes <fixes>", color: "#1f77b4", depth: 0),
      ReportCode(codebook: "Démo", path: "Équipement/Renouvellement", name: "Renouvellement", description: nil, color: "red;x:url(evil)", depth: 1),
      ReportCode(codebook: "Démo", path: "Sobriété", name: "Sobriété", description: "Numérique responsable", color: "#2CA02C", depth: 0),
    ]
    let frequencies = [
      ReportCodeFrequency(code: "Équipement", units: 3, documents: 1, share: 0.6),
      ReportCodeFrequency(code: "Équipement/Renouvellement", units: 1, documents: 1, share: 0.2),
      ReportCodeFrequency(code: "Sobriété", units: 1, documents: 1, share: 0.2),
    ]
    let matrix = ReportCooccurrenceMatrix(
      codes: ["Équipement", "Équipement/Renouvellement", "Sobriété"],
      counts: [[3, 1, 0], [1, 1, 0], [0, 0, 1]], measure: "jaccard",
      values: [[1, 1.0 / 3.0, 0], [1.0 / 3.0, 1, 0], [0, 0, 1]])
    let crosstab = ReportCrosstab(
      field: "authority_type",
      groups: [ReportGroup(value: "commune", documents: 1, units: 4), ReportGroup(value: "EPCI", documents: 1, units: 1)],
      rows: [
        ReportCrosstabRow(code: "Équipement", counts: [3, 0], shares: [0.75, 0]),
        ReportCrosstabRow(code: "Sobriété", counts: [0, 1], shares: [0, 1]),
      ])
    // "tablettes" is bytes 4..<13 of "Les tablettes & ordinateurs…"; "ordinateurs" 16..<27.
    let equipment = ReportCodeVerbatims(
      code: "Équipement",
      verbatims: [
        ReportVerbatim(
          documentID: 1, documentPath: first.path, segment: 1, speaker: "Élue", start: 48, end: 90,
          text: "Les tablettes & ordinateurs sont anciens.",
          highlights: [ReportSpan(start: 16, end: 27), ReportSpan(start: 4, end: 13), ReportSpan(start: 8, end: 12), ReportSpan(start: 30, end: 99)],
          rule: "tablette* OR ordinateur*"),
        ReportVerbatim(
          documentID: 1, documentPath: first.path, segment: 2, speaker: "Élue", start: 91, end: 160, text: tricky,
          // "équipement" starts after "l’" (3 bytes for ’); a span starting inside "é" is dropped.
          highlights: [ReportSpan(start: tricky.utf8.count - "équipement".utf8.count, end: tricky.utf8.count), ReportSpan(start: tricky.utf8.count - "équipement".utf8.count + 1, end: tricky.utf8.count)],
          rule: "équipement"),
        ReportVerbatim(
          documentID: 1, documentPath: first.path, segment: 0, speaker: "Enquêtrice", start: 13, end: 40,
          text: "Et les tablettes des élus ?", highlights: [ReportSpan(start: 7, end: 16)], rule: "tablette*"),
      ], totalCount: 5)
    let renewal = ReportCodeVerbatims(
      code: "Équipement/Renouvellement",
      verbatims: [
        ReportVerbatim(
          documentID: 1, documentPath: first.path, segment: 3, speaker: "Élue", start: 161, end: 200,
          text: "On renouvelle le parc tous les cinq ans.", highlights: [ReportSpan(start: 3, end: 13)], rule: nil)
      ])
    let sobriety = ReportCodeVerbatims(
      code: "Sobriété",
      verbatims: [
        ReportVerbatim(
          documentID: 2, documentPath: second.path, segment: 0, speaker: nil, start: 0, end: 48,
          text: "Le numérique responsable, c’est la sobriété.", highlights: [ReportSpan(start: 3, end: 25)], rule: "\"numérique responsable\"")
      ])
    let svg = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100" width="200" height="100"><title>Graphe</title>\
      <line x1="40" y1="50" x2="160" y2="50" stroke="#333" /><circle cx="40" cy="50" r="8" fill="#1f77b4" />\
      <circle cx="160" cy="50" r="8" fill="#ff7f0e" /><text x="40" y="80">numérique</text><text x="160" y="80">sobriété</text></svg>
      """
    let graph = ReportGraph(
      notion: "numérique responsable", svg: svg, caption: "Cooccurrences par segment, Jaccard",
      altText: "Le terme numérique est lié à sobriété.", measure: "jaccard",
      edges: [ReportGraphEdge(source: "numérique", target: "sobriété", count: 1, measure: 0.5)])
    let unsafe = ReportGraph(
      notion: "danger", svg: "<svg onload=\"alert(1)\"><script>alert(1)</script></svg>", caption: "x", altText: "Rien.",
      measure: "count", edges: [])
    let terms = ReportSpecificTerms(
      field: "authority_type", measure: "specificity",
      groups: [
        ReportTermGroup(value: "commune", terms: [ReportSpecificTerm(term: "tablette", count: 2, score: 1.25)]),
        ReportTermGroup(value: "EPCI", terms: [ReportSpecificTerm(term: "sobriété", count: 1, score: 0.8)]),
      ])
    let generation = ReportGeneration(
      title: "Rapport <démo> & test", date: Date(timeIntervalSince1970: 1_800_000_000), verbatimVersion: "0.1.0",
      corpusPath: "entretiens", codebooks: ["Démo"], unit: "segment")
    return ReportModel(
      generation: generation, corpus: corpus, codes: codes, frequencies: frequencies, cooccurrence: matrix,
      crosstabs: [crosstab], verbatims: [equipment, renewal, sobriety], graphs: [graph, unsafe], specificTerms: [terms],
      limits: limits)
  }
}

/// The text inside each `<mark>` of a node.
private func marks(_ node: XMLNode) -> [String] {
  ((try? node.nodes(forXPath: ".//mark")) ?? []).compactMap(\.stringValue)
}

@Suite("HTML report renderer")
struct ReportRendererTests {
  @Test("the page parses and passes every structural check, in both languages", arguments: ReportLanguage.allCases)
  func structure(language: ReportLanguage) throws {
    let html = HTMLReport.render(ReportSample.model(), language: language)
    let page = try ReportPage(html)
    #expect(page.problems() == [])
    #expect(page.document.rootElement()?.attribute(forName: "lang")?.stringValue == language.rawValue)
    // Sections in order, each an <h2> with its id.
    let sectionIDs = page.nodes("//main/section/h2/@id").compactMap(\.stringValue)
    #expect(sectionIDs == ["corpus", "codes", "cooccurrence", "crosstabs", "verbatims", "graphs", "specificities", "appendix"])
    // The table of contents links every h2 and h3 of the main part, in order.
    let tocTargets = page.nodes("//nav//a/@href").compactMap(\.stringValue)
    let headingIDs = page.nodes("//main//*[self::h2 or self::h3]/@id").compactMap(\.stringValue).map { "#" + $0 }
    #expect(tocTargets == headingIDs)
    // Every table of data: documents, fields, codebook, frequencies, heat map, crosstab, 2 edges tables, 2 term tables.
    #expect(page.elements("table").count == 10)
    #expect(page.elements("blockquote").count == 4)
  }

  @Test("the labels are in the chosen language")
  func languages() throws {
    let french = HTMLReport.render(ReportSample.model())
    let english = HTMLReport.render(ReportSample.model(), language: .en)
    #expect(french == HTMLReport.render(ReportSample.model(), language: .fr))  // French is the default
    #expect(french.contains(">Sommaire</h2>") && french.contains("voir dans le document"))
    #expect(english.contains(">Contents</h2>") && english.contains("see in context"))
    #expect(!english.contains("Sommaire") && !english.contains("voir dans le document"))
    // 1 800 000 000 s after the epoch (`date -u -d @1800000000`: Fri Jan 15 08:00:00 UTC 2027).
    #expect(french.contains("15 janvier 2027 à 08:00 UTC"))
    #expect(english.contains("15 January 2027, 08:00 UTC"))
    // Quoted transcripts keep their own language on an English page.
    #expect(try ReportPage(english).nodes("//blockquote/p[@lang='fr']").count == 4)
    #expect(try ReportPage(french).nodes("//*[@lang='fr']").count == 1)  // only <html>
    for label in ReportLabel.allCases {
      #expect(!label.text(.fr).isEmpty && !label.text(.en).isEmpty)
    }
  }

  @Test("rendering twice gives the same bytes; the model round-trips through JSON")
  func determinism() throws {
    let model = ReportSample.model()
    #expect(HTMLReport.render(model) == HTMLReport.render(model))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(model)
    #expect(try JSONDecoder().decode(ReportModel.self, from: data) == model)
    #expect(try encoder.encode(JSONDecoder().decode(ReportModel.self, from: data)) == data)
  }

  @Test("jsonData is deterministic, ISO dates, and decodes back; write replaces the file atomically")
  func jsonAndWrite() throws {
    let model = ReportSample.model()
    let data = try model.jsonData()
    #expect(try model.jsonData() == data)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"date\" : \"2027-01-15T08:00:00Z\""))
    #expect(try ReportModel.decode(json: data) == model)
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("index.html")
    try "old".write(to: file, atomically: true, encoding: .utf8)
    try HTMLReport.write(model, language: .en, to: file)
    #expect(try String(contentsOf: file, encoding: .utf8) == HTMLReport.render(model, language: .en))
    let missing = directory.appendingPathComponent("no/such/folder/index.html")
    #expect(throws: ReportWriteError.self) { try HTMLReport.write(model, to: missing) }
    do {
      try HTMLReport.write(model, to: missing)
    } catch {
      #expect(error.description.hasPrefix(missing.path + ": cannot write the report"))
    }
  }

  @Test("text with markup characters is escaped and reads back unchanged")
  func escaping() throws {
    let html = HTMLReport.render(ReportSample.model())
    let page = try ReportPage(html)
    #expect(page.elements("script").isEmpty)
    #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;ça&#39;"))
    #expect(page.elements("title").first?.stringValue == "Rapport <démo> & test")
    let segment = page.nodes("//*[@id='d1-s2']").first
    #expect(segment?.stringValue == ReportSample.tricky)
    // An invalid colour never reaches the CSS; the palette colour of its index (1) is used.
    #expect(!html.contains("url(evil)"))
    #expect(html.contains("background:#ff7f0e"))
    #expect(html.contains("background:#2ca02c"))  // a valid colour, lowercased
  }

  @Test("matched words are in <mark> at the right place; bad spans are dropped and overlaps merged")
  func highlights() throws {
    let page = try ReportPage(HTMLReport.render(ReportSample.model()))
    let quotes = page.elements("blockquote")
    #expect(quotes.count == 4)
    #expect(marks(quotes[0]) == ["tablettes", "ordinateurs"])  // (8,12) merged into (4,13); (30,99) out of range
    #expect(quotes[0].elements(forName: "p").first?.stringValue == "Les tablettes & ordinateurs sont anciens.")
    #expect(marks(quotes[1]) == ["équipement"])  // the span starting inside "é" was dropped
    #expect(marks(quotes[2]) == ["renouvelle"])
    #expect(marks(quotes[3]) == ["numérique responsable"])
    // The unit test of the helper: a span ending inside a multi-byte character is dropped.
    #expect(ReportFormatting.validHighlights([ReportSpan(start: 0, end: 1)], in: "été") == [])
    #expect(ReportFormatting.highlighted("a<b", [ReportSpan(start: 1, end: 2)]) == "a<mark>&lt;</mark>b")
  }

  @Test("each verbatim links to its place in the appendix; links resolve; caps are announced")
  func anchorsAndCaps() throws {
    let html = HTMLReport.render(ReportSample.model())
    let page = try ReportPage(html)
    let links = page.nodes("//blockquote//a/@href").compactMap(\.stringValue)
    // Segment 3 of d1 is beyond the appendix cap (3 segments): its verbatim links to the document.
    #expect(links == ["#d1-s1", "#d1-s2", "#d1", "#d2-s0"])
    #expect(page.nodes("//*[@id='d1-s3']").isEmpty)
    #expect(html.contains("… 1 autres segments non affichés"))
    // Équipement: 5 passages in all, 2 shown.
    #expect(html.contains("… 3 autres passages non affichés"))
    #expect(page.nodes("//h3[@id='code-1']").first?.stringValue == "Équipement (5 passages)")
    // The cited document and speaker.
    #expect(page.nodes("//blockquote[1]//cite").first?.stringValue == "Entretien avec une élue")
    #expect(page.nodes("//blockquote//cite").last?.stringValue == "entretiens/epci-b.txt")
    // The rule (a human coding has none).
    #expect(page.nodes("//blockquote//code").compactMap(\.stringValue) == ["tablette* OR ordinateur*", "équipement", "\"numérique responsable\""])
  }

  @Test("a large corpus's appendix keeps only the quoted passages and their neighbours")
  func appendixExcerpt() throws {
    // 5 segments in all > 4: excerpt mode, 0 neighbours; 2 verbatims per code are shown.
    let limits = ReportLimits(verbatimsPerCode: 2, appendixTotalSegments: 4, appendixContext: 0)
    let html = HTMLReport.render(ReportSample.model(limits: limits))
    let page = try ReportPage(html)
    #expect(page.problems() == [])
    // Quoted: d1 segments 1, 2 (Équipement) and 3 (Renouvellement); d2 segment 0. Segment 0 of d1 is left out.
    #expect(page.nodes("//span[@class='segment']/@id").compactMap(\.stringValue) == ["d1-s1", "d1-s2", "d1-s3", "d2-s0"])
    #expect(page.nodes("//blockquote//a/@href").compactMap(\.stringValue) == ["#d1-s1", "#d1-s2", "#d1-s3", "#d2-s0"])
    #expect(html.contains("Corpus volumineux"))
    #expect(html.contains("… 1 autres segments non affichés"))
    // One verbatim per code: d1 segment 2 is no longer quoted, so a gap separates segments 1 and 3.
    let wider = HTMLReport.render(ReportSample.model(limits: ReportLimits(verbatimsPerCode: 1, appendixTotalSegments: 4, appendixContext: 0)))
    let widerPage = try ReportPage(wider)
    #expect(widerPage.problems() == [])
    #expect(widerPage.nodes("//span[@class='segment']/@id").compactMap(\.stringValue) == ["d1-s1", "d1-s3", "d2-s0"])
    #expect(widerPage.nodes("//p[@class='gap']").count == 1)
  }

  @Test("the bar chart, heat map and crosstab carry the numbers")
  func pictures() throws {
    let html = HTMLReport.render(ReportSample.model())
    let page = try ReportPage(html)
    let svgs = page.elements("svg")
    #expect(svgs.count == 2)  // the bar chart and the safe graph; the unsafe one is dropped
    let bars = svgs[0]
    #expect(((try? bars.nodes(forXPath: ".//*[local-name()='rect']")) ?? []).count == 3)
    #expect(((try? bars.nodes(forXPath: ".//*[local-name()='rect']/@fill")) ?? []).compactMap(\.stringValue) == ["#1f77b4", "#ff7f0e", "#2ca02c"])
    let desc = ((try? bars.nodes(forXPath: "./*[local-name()='desc']")) ?? []).first?.stringValue
    #expect(desc == "Équipement\u{00A0}: 3 ; Équipement/Renouvellement\u{00A0}: 1 ; Sobriété\u{00A0}: 1")
    // The longest bar has the full width.
    #expect(((try? bars.nodes(forXPath: ".//*[local-name()='rect']/@width")) ?? []).compactMap(\.stringValue) == ["380", "126.7", "126.7"])
    // The graph: prolog stripped, role and label added.
    #expect(!html.contains("<?xml"))
    #expect(page.attribute(svgs[1], "role") == "img")
    #expect(page.attribute(svgs[1], "aria-label") == "Le terme numérique est lié à sobriété.")
    #expect(html.contains("Pas de dessin pour ce graphe"))
    // Heat map: the numbers are written; the strongest pair is darkest with white text.
    let heat = page.nodes("//table[contains(@class,'heatmap')]//tbody/tr").map { row in
      ((try? row.nodes(forXPath: "./td")) ?? []).compactMap(\.stringValue)
    }
    #expect(heat == [["3", "1", "0"], ["1", "1", "0"], ["0", "0", "1"]])
    #expect(html.contains("style=\"background:hsl(212, 55%, 32%);color:#ffffff\" title=\"Équipement × Équipement/Renouvellement"))
    // Crosstab cells: count and percentage.
    let cells = page.nodes("//table[contains(@class,'crosstab')]//tbody/tr[1]/td").compactMap(\.stringValue)
    #expect(cells == ["3 (75,0\u{202F}%)", "0 (0,0\u{202F}%)"])
    // Documents table: one row per document plus a total.
    let totals = page.nodes("//table[1]/tfoot//td").compactMap(\.stringValue)
    #expect(totals.prefix(5) == ["2 documents", "2", "3", "5", "49"])
  }

  @Test("an empty model still gives every section, with a note")
  func emptyModel() throws {
    let model = ReportModel(
      generation: ReportGeneration(date: Date(timeIntervalSince1970: 0), verbatimVersion: "0.1.0", corpusPath: "Corpus"),
      corpus: ReportCorpus(documents: [], fields: [], unitCount: 0))
    let html = HTMLReport.render(model)
    let page = try ReportPage(html)
    #expect(page.problems() == [])
    #expect(page.nodes("//main/section/h2").count == 8)
    #expect(html.contains("Aucun code n’a été appliqué.") && html.contains("Pas de co-occurrence calculée."))
    #expect(page.elements("title").first?.stringValue == "Rapport d’analyse qualitative")
  }

  @Test("the page checker catches what it checks")
  func checkerFindsProblems() throws {
    let broken = """
      <!DOCTYPE html>
      <html><head><title>x</title><link rel="stylesheet" href="https://example.org/a.css" /></head><body>
      <h1>A</h1><h3 id="a">B</h3><h3 id="a">C</h3><a href="#nowhere">x</a>
      <table><tr><th>h</th></tr></table>
      <svg xmlns="http://www.w3.org/2000/svg"><circle r="1" /></svg><script>1</script>
      </body></html>
      """
    let problems = try ReportPage(broken).problems()
    #expect(problems.contains("<html> has no lang"))
    #expect(problems.contains("heading level jumps from h1 to h3"))
    #expect(problems.contains { $0.hasPrefix("duplicate ids") })
    #expect(problems.contains("link #nowhere has no target"))
    #expect(problems.contains("link to outside the page: https://example.org/a.css"))
    #expect(problems.contains("the page holds <script>") && problems.contains("the page holds <link>"))
    #expect(problems.contains("table 1 has no caption") && problems.contains("table 1 (): <th> without scope"))
    #expect(problems.contains("svg 1 lacks role=img") && problems.contains("svg 1 has no title nor aria-label"))
    #expect(throws: (any Error).self) { try ReportPage("<html><body><p>unclosed</body></html>") }
  }

  @Test("metadata values sort numbers by value, the missing value last")
  func valueOrder() {
    let sorted = ["7000-10000", "", "EPCI", "20000-25000", "commune", "2000-3500"].sorted(by: ReportFormatting.valueOrder)
    #expect(sorted == ["2000-3500", "7000-10000", "20000-25000", "commune", "EPCI", ""])
  }

  @Test("number formats: French and English")
  func numbers() {
    #expect(ReportFormatting.integer(1_234_567, .fr) == "1\u{202F}234\u{202F}567")
    #expect(ReportFormatting.integer(1_234_567, .en) == "1,234,567")
    #expect(ReportFormatting.integer(999, .fr) == "999")
    #expect(ReportFormatting.percent(0.125, .fr) == "12,5\u{202F}%")
    #expect(ReportFormatting.percent(0.125, .en) == "12.5%")
    #expect(ReportFormatting.decimal(-0.0001, digits: 2, .en) == "0.00")
    #expect(ReportFormatting.decimal(.nan, digits: 2, .fr) == "—")
    #expect(ReportFormatting.escape("a\u{0007}b") == "a\u{FFFD}b")
  }

  @Test("xmllint accepts the page as well-formed XML", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint")))
  func xmllint() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("index.html")
    try HTMLReport.render(ReportSample.model(), language: .en).write(to: file, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
    process.arguments = ["--noout", file.path]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(message)")
  }
}
