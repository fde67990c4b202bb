import Foundation
import Testing
import VerbatimAnalysis
import VerbatimCorpus
import VerbatimEngine
import VerbatimIndex

/// A stand-in for `verbatim analyze` until the lead wires the real modules: imports the shipped
/// `Corpus/`, codes every segment with a small codebook by brute-force query matching
/// (``QueryMatcher``), and fills a ``ReportModel`` with numbers computed here — code
/// frequencies, theme co-occurrence (Jaccard), code × metadata, the segments co-occurring with
/// *numérique responsable*, and per-group terms scored by a signed log-likelihood ratio (G²).
/// It exists to look at a realistic page (`scripts/screenshot-report.sh`); the numbers are
/// honest counts on the real text, but the graph and term measures are simple ones, named as such.
///
/// Set `VERBATIM_REPORT_DEMO_OUT=DIR` to keep `DIR/index.html` (French), `DIR/index.en.html`
/// and `DIR/report.json`.
enum ReportDemo {
  /// The demo codebook: (name, parent index, colour, description, rule).
  static let codes: [(name: String, parent: Int?, color: String, description: String, rule: String)] = [
    ("Équipement", nil, "#1f77b4", "Terminaux des agents et des élus, dotation.", "tablette* OR ordinateur* OR smartphone* OR matériel* OR équip*"),
    ("Renouvellement", 0, "#6baed6", "Renouvellement, seconde vie, reconditionnement.", "renouvel* OR \"seconde vie\" OR reconditionn* OR réemploi"),
    ("Prestataires et mutualisation", nil, "#ff7f0e", "Dépendance aux prestataires, mutualisation avec l’EPCI.", "prestataire* OR mutualis* OR agglo* OR epci OR groupement*"),
    ("Logiciels et données", nil, "#2ca02c", "Logiciels métiers, serveurs, données.", "logiciel* OR donnée* OR serveur* OR hébergement OR héberg*"),
    ("Cybersécurité", nil, "#d62728", "Sécurité des systèmes, audits, attaques.", "cybersécurité OR sécurité OR antivirus OR audit* OR piratage OR gendarmerie"),
    ("Sobriété et environnement", nil, "#17becf", "Impact environnemental, consommation, frugalité.", "sobriété OR écolog* OR carbone OR énergi* OR consommation OR obésité OR frugal* OR environnement*"),
    ("Numérique responsable", nil, "#9467bd", "La notion elle-même, quand elle est nommée.", "\"numérique responsable\""),
    ("Médiation et usagers", nil, "#8c564b", "Citoyens, usagers, accompagnement, formation.", "citoyen* OR usager* OR médiation OR accompagn* OR formation OR former"),
    ("Logiciel libre", 3, "#bcbd22", "Le libre comme choix.", "libre* OR framapad OR \"open source\""),
  ]

  static let fields = ["authority_type", "population_band", "annexe1_row", "roles"]

  /// Imports `corpus` into a fresh project under `workspace` and builds the model.
  static func build(corpus: URL, workspace: URL) throws -> ReportModel {
    let project = workspace.appendingPathComponent("project")
    _ = try ImportJob(inputs: [corpus.path], projectDirectory: project).run()
    let store = try ProjectStore(directory: project, creating: false)
    let pipeline = try Analyzer.french.makePipeline()
    let parser = QueryParser(analyzer: .french)
    let paths = Self.paths()
    let matchers = try codes.map { QueryMatcher(try parser.parse($0.rule)) }
    let notion = QueryMatcher(try parser.parse("\"numérique responsable\""))

    struct Unit {
      var document: ReportDocument
      var segment: ReportSegment
      var tokens: [Token]
      var codes: [Int: [ReportSpan]]
      var isNotion: Bool
    }
    var documents: [ReportDocument] = []
    var units: [Unit] = []
    for summary in try store.documentSummaries() {
      guard let stored = try store.document(id: summary.id) else { continue }
      let text = Array(stored.text.utf8)
      var speakers: [String] = []
      for turn in stored.turns { if let speaker = turn.turn.speaker, !speakers.contains(speaker) { speakers.append(speaker) } }
      let metadata = stored.metadata.mapValues(\.description)
      var document = ReportDocument(
        id: stored.id, path: stored.path, title: metadata["title"], metadata: metadata.filter { fields.contains($0.key) },
        speakers: speakers, turnCount: summary.turnCount, segmentCount: summary.segmentCount, tokenCount: summary.tokenCount)
      let turnSpeakers = Dictionary(stored.turns.map { ($0.ordinal, $0.turn.speaker) }, uniquingKeysWith: { first, _ in first })
      for storedUnit in try store.units(documentID: summary.id, kind: .segment) {
        let passage = String(decoding: text[storedUnit.range], as: UTF8.self)
        let speaker = turnSpeakers[storedUnit.turn] ?? nil
        let segment = ReportSegment(
          ordinal: storedUnit.ordinal, turn: storedUnit.turn, speaker: speaker, start: storedUnit.range.lowerBound,
          end: storedUnit.range.upperBound, text: passage)
        document.segments.append(segment)
        let tokens = pipeline.tokens(in: passage)
        let analyzed = AnalyzedUnit(tokens: tokens, speaker: speaker, metadata: metadata)
        var coded: [Int: [ReportSpan]] = [:]
        for (index, matcher) in matchers.enumerated() {
          guard let hits = matcher.matches(analyzed) else { continue }
          coded[index] = hits.map { ReportSpan(start: tokens[$0.lowerBound].utf8Range.lowerBound, end: tokens[$0.upperBound].utf8Range.upperBound) }
        }
        units.append(Unit(document: document, segment: segment, tokens: tokens, codes: coded, isNotion: notion.matches(analyzed) != nil))
      }
      documents.append(document)
    }
    let unitCount = units.count
    let corpus = ReportCorpus(documents: documents, fields: fields, unitCount: unitCount)

    // Codes and frequencies.
    let reportCodes = codes.enumerated().map { index, code in
      ReportCode(codebook: "Démo numérique responsable", path: paths[index], name: code.name, description: code.description, color: code.color, depth: depth(index))
    }
    var frequencies: [ReportCodeFrequency] = []
    for index in codes.indices {
      let coded = units.filter { $0.codes[index] != nil }
      frequencies.append(ReportCodeFrequency(code: paths[index], units: coded.count, documents: Set(coded.map(\.document.id)).count, share: Double(coded.count) / Double(max(1, unitCount))))
    }
    // Theme co-occurrence, Jaccard = both / (either).
    var counts = Array(repeating: Array(repeating: 0, count: codes.count), count: codes.count)
    for unit in units { for i in unit.codes.keys { for j in unit.codes.keys { counts[i][j] += 1 } } }
    let values = counts.indices.map { i in
      counts.indices.map { j in
        let either = counts[i][i] + counts[j][j] - counts[i][j]
        return either == 0 ? 0 : Double(counts[i][j]) / Double(either)
      }
    }
    let matrix = ReportCooccurrenceMatrix(codes: paths, counts: counts, measure: "jaccard", values: values)
    // Code × metadata.
    let crosstabs = ["authority_type", "population_band"].map { field in
      let groupOf = { (unit: Unit) in unit.document.metadata[field] ?? "" }
      let values = Set(units.map(groupOf)).sorted { ($0.isEmpty ? 1 : 0, Int($0.prefix { $0.isNumber }) ?? Int.max, $0) < ($1.isEmpty ? 1 : 0, Int($1.prefix { $0.isNumber }) ?? Int.max, $1) }
      let groups = values.map { value in
        ReportGroup(value: value, documents: documents.filter { ($0.metadata[field] ?? "") == value }.count, units: units.filter { groupOf($0) == value }.count)
      }
      let rows = codes.indices.map { index in
        let row = values.map { value in units.filter { groupOf($0) == value && $0.codes[index] != nil }.count }
        return ReportCrosstabRow(code: paths[index], counts: row, shares: zip(row, groups).map { Double($0) / Double(max(1, $1.units)) })
      }
      return ReportCrosstab(field: field, groups: groups, rows: rows)
    }
    // Verbatims.
    let verbatims = codes.indices.map { index in
      ReportCodeVerbatims(code: paths[index], verbatims: units.compactMap { unit in
        unit.codes[index].map { spans in
          ReportVerbatim(
            documentID: unit.document.id, documentPath: unit.document.path, segment: unit.segment.ordinal, speaker: unit.segment.speaker,
            start: unit.segment.start, end: unit.segment.end, text: unit.segment.text, highlights: spans, rule: codes[index].rule)
        }
      })
    }
    return ReportModel(
      generation: ReportGeneration(
        title: "Numérique responsable dans les collectivités bretonnes — rapport Verbatim (démo)",
        date: Date(timeIntervalSince1970: 1_796_058_000), verbatimVersion: "0.1.0", corpusPath: "Corpus",
        codebooks: ["Démo numérique responsable"], unit: "segment"),
      corpus: corpus, codes: reportCodes, frequencies: frequencies, cooccurrence: matrix, crosstabs: crosstabs,
      verbatims: verbatims, graphs: [notionGraph(units.map { ($0.tokens, $0.isNotion) })],
      specificTerms: [specificTerms(units.map { ($0.tokens, $0.document.metadata["authority_type"] ?? "") }, field: "authority_type")])
  }

  static func paths() -> [String] {
    codes.indices.map { index in
      var names = [codes[index].name]
      var parent = codes[index].parent
      while let current = parent {
        names.insert(codes[current].name, at: 0)
        parent = codes[current].parent
      }
      return names.joined(separator: "/")
    }
  }

  static func depth(_ index: Int) -> Int {
    var depth = 0
    var parent = codes[index].parent
    while let current = parent { depth += 1; parent = codes[current].parent }
    return depth
  }

  /// Words kept for the graph and term lists: not stop words, at least three letters.
  private static func content(_ tokens: [Token]) -> [Token] {
    tokens.filter { $0.kind == .word && $0.term.count >= 3 && !FrenchStopWords.default.contains($0.term) && !fillers.contains($0.term) }
  }

  /// Frequent spoken-French words the stop list keeps (demo only, to make the graph readable).
  private static let fillers: Set<String> = [
    "aussi", "bien", "comme", "dire", "fait", "faire", "faut", "peut", "plus", "tout", "tous", "toute", "toutes",
    "très", "alors", "donc", "être", "avoir", "cela", "ça", "quand", "après", "avant", "déjà", "encore", "vraiment",
    "quelque", "chose", "choses", "peu", "beaucoup", "trop", "rien", "autre", "autres", "même", "voilà", "non", "oui",
    "parce", "coup", "truc", "elles", "rires", "vrai", "fois", "jamais", "toujours", "bon", "pense", "sais", "veut",
    "autour", "heure", "monde", "question", "mails", "dit", "moins", "niveau", "côté", "gens",
  ]

  /// Terms that share segments with *numérique responsable*: Jaccard of the segment sets.
  static func notionGraph(_ units: [(tokens: [Token], isNotion: Bool)]) -> ReportGraph {
    let notionStems: Set<String> = ["numer", "respons"]
    var withNotion: [String: Int] = [:], overall: [String: Int] = [:], termCounts: [String: [String: Int]] = [:]
    let notionUnits = units.filter(\.isNotion).count
    for unit in units {
      let stems = Set(content(unit.tokens).map(\.stem)).subtracting(notionStems)
      for token in content(unit.tokens) { termCounts[token.stem, default: [:]][token.term, default: 0] += 1 }
      for stem in stems {
        overall[stem, default: 0] += 1
        if unit.isNotion { withNotion[stem, default: 0] += 1 }
      }
    }
    func label(_ stem: String) -> String {
      (termCounts[stem] ?? [:]).sorted { ($1.value, $0.key) < ($0.value, $1.key) }.first?.key ?? stem
    }
    let edges = withNotion.map { stem, both in
      ReportGraphEdge(source: "numérique responsable", target: label(stem), count: both, measure: Double(both) / Double(notionUnits + overall[stem]! - both))
    }.sorted { ($1.count, $1.measure, $0.target) < ($0.count, $0.measure, $1.target) }
    let drawn = Array(edges.prefix(14))
    // A radial drawing: the notion in the middle, its neighbours on a circle, thicker lines for stronger links.
    let width = 760.0, height = 520.0, cx = width / 2, cy = height / 2, radius = 200.0
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 760 520\" width=\"760\" height=\"520\" font-family=\"sans-serif\" font-size=\"14\" paint-order=\"stroke\">"
    svg += "<title>Termes associés à « numérique responsable »</title>"
    let strongest = drawn.map(\.measure).max() ?? 1
    var labels = ""
    for (index, edge) in drawn.enumerated() {
      let angle = Double(index) / Double(max(1, drawn.count)) * 2 * Double.pi - Double.pi / 2
      let x = cx + radius * cos(angle), y = cy + radius * 0.82 * sin(angle)
      let thickness = 1 + 7 * edge.measure / strongest
      svg += "<line x1=\"\(Int(cx))\" y1=\"\(Int(cy))\" x2=\"\(Int(x))\" y2=\"\(Int(y))\" stroke=\"#7a8ea3\" stroke-width=\"\(String(format: "%.1f", thickness))\" />"
      let anchor = abs(cos(angle)) < 0.2 ? "middle" : (cos(angle) > 0 ? "start" : "end")
      let dx = anchor == "middle" ? 0 : (cos(angle) > 0 ? 12 : -12), dy = anchor == "middle" ? (sin(angle) > 0 ? 24 : -14) : 5
      labels += "<circle cx=\"\(Int(x))\" cy=\"\(Int(y))\" r=\"7\" fill=\"#ff7f0e\" stroke=\"#333\" />"
      labels += "<text x=\"\(Int(x) + dx)\" y=\"\(Int(y) + dy)\" text-anchor=\"\(anchor)\" stroke=\"#fff\" stroke-width=\"4\" fill=\"#111\">\(ReportDemo.escape(edge.target)) (\(edge.count))</text>"
    }
    svg += labels
    svg += "<circle cx=\"\(Int(cx))\" cy=\"\(Int(cy))\" r=\"12\" fill=\"#9467bd\" stroke=\"#333\" />"
    svg += "<text x=\"\(Int(cx))\" y=\"\(Int(cy) + 32)\" text-anchor=\"middle\" font-weight=\"bold\" stroke=\"#fff\" stroke-width=\"5\" fill=\"#111\">numérique responsable</text></svg>"
    let names = drawn.prefix(6).map(\.target).joined(separator: ", ")
    return ReportGraph(
      notion: "numérique responsable", svg: svg,
      caption: "Les \(drawn.count) termes les plus fréquents dans les \(notionUnits) segments qui contiennent « numérique responsable » (entre parenthèses : segments en commun) ; épaisseur : Jaccard des segments (démo).",
      altText: "Graphe en étoile : « numérique responsable » au centre, relié à \(drawn.count) termes ; les plus associés : \(names).",
      measure: "jaccard", edges: edges)
  }

  /// Per group, the terms over-used relative to the other groups, by signed G² (Dunning's log-likelihood).
  static func specificTerms(_ units: [(tokens: [Token], group: String)], field: String) -> ReportSpecificTerms {
    var counts: [String: [String: Int]] = [:]
    for unit in units { for token in content(unit.tokens) { counts[unit.group, default: [:]][token.term, default: 0] += 1 } }
    var total: [String: Int] = [:]
    for (_, terms) in counts { for (term, count) in terms { total[term, default: 0] += count } }
    let corpusSize = Double(total.values.reduce(0, +))
    let groups = counts.keys.sorted { ($0.isEmpty ? 1 : 0, $0) < ($1.isEmpty ? 1 : 0, $1) }.map { group in
      let terms = counts[group]!
      let groupSize = Double(terms.values.reduce(0, +))
      let scored = terms.compactMap { term, count -> ReportSpecificTerm? in
        let a = Double(count), b = Double(total[term]!) - a, c = groupSize - a, d = corpusSize - groupSize - b
        let expected = groupSize * (a + b) / corpusSize
        guard a >= 3, a > expected else { return nil }
        func part(_ observed: Double, _ expected: Double) -> Double { observed > 0 ? observed * log(observed / expected) : 0 }
        let n = corpusSize
        let g2 = 2 * (part(a, (a + b) * (a + c) / n) + part(b, (a + b) * (b + d) / n) + part(c, (c + d) * (a + c) / n) + part(d, (c + d) * (b + d) / n))
        return ReportSpecificTerm(term: term, count: count, score: g2)
      }.sorted { ($1.score, $0.term) < ($0.score, $1.term) }
      return ReportTermGroup(value: group, terms: Array(scored.prefix(15)))
    }
    return ReportSpecificTerms(field: field, measure: "G²", groups: groups)
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }
}

@Suite("HTML report on the shipped corpus (demo model)")
struct ReportDemoTests {
  @Test("a realistic page from Corpus/ passes every check and shows every code")
  func shippedCorpus() throws {
    let workspace = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: workspace) }
    let model = try ReportDemo.build(corpus: repositoryRoot.appendingPathComponent("Corpus"), workspace: workspace)
    #expect(model.corpus.documents.count == 10)
    let html = HTMLReport.render(model)
    let english = HTMLReport.render(model, language: .en)
    for page in [try ReportPage(html), try ReportPage(english)] {
      #expect(page.problems() == [])
      // One heading per code in the verbatims section, and as many quotes as shown passages.
      #expect(page.nodes("//section[h2/@id='verbatims']/h3").count == ReportDemo.codes.count)
      let shown = model.verbatims.reduce(0) { $0 + min($1.verbatims.count, model.limits.verbatimsPerCode) }
      #expect(page.elements("blockquote").count == shown)
      #expect(page.nodes("//section[h2/@id='appendix']//span[@class='segment']").count == model.corpus.unitCount)
    }
    // Every code was applied at least once on this corpus; the notion has its own passages.
    #expect(model.frequencies.allSatisfy { $0.units > 0 })
    #expect(model.verbatims.first { $0.code == "Numérique responsable" }.map { $0.verbatims.count >= 3 } == true)
    #expect(model.graphs.first.map { $0.edges.count >= 5 } == true)
    #expect(HTMLReport.render(model) == html)

    if let out = ProcessInfo.processInfo.environment["VERBATIM_REPORT_DEMO_OUT"], !out.isEmpty {
      let directory = URL(fileURLWithPath: out)
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try HTMLReport.write(model, to: directory.appendingPathComponent("index.html"))
      try HTMLReport.write(model, language: .en, to: directory.appendingPathComponent("index.en.html"))
      try model.jsonData().write(to: directory.appendingPathComponent("report.json"))
    }
  }
}
