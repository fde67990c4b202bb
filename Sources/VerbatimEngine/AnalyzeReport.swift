import Foundation
import VerbatimCoding
import VerbatimCorpus
import VerbatimGraph

/// What the tables and the page both show about codes, computed once: the units and
/// documents of each code (a parent counting its children's units, from the aggregated
/// codings) and a code × group crosstab per metadata field.
struct CodeCounts {
  /// The codes that code some unit, as `UnitCodeMatrix` orders them.
  let codes: [String]
  /// Units in the corpus (at least 1, to divide by).
  let unitTotal: Int
  /// Units coded with each code.
  let units: [String: Int]
  /// Documents with a unit coded with each code.
  let documents: [String: Int]
  /// Units coded with at least one code.
  let codedUnits: Int
  /// The crosstab of each field, in field order.
  let crosstabs: [(field: String, cells: [CodeCrosstabCell])]

  init(aggregated: CodingMaterial, fields: [String]) {
    let matrix = UnitCodeMatrix(units: aggregated.units, codings: aggregated.codings)
    var units: [String: Int] = [:]
    var documents: [String: Set<Int64>] = [:]
    for (unit, codes) in matrix.unitCodes.enumerated() {
      for code in codes {
        units[matrix.codes[code], default: 0] += 1
        documents[matrix.codes[code], default: []].insert(aggregated.units[unit].document)
      }
    }
    codes = matrix.codes
    unitTotal = max(1, aggregated.units.count)
    self.units = units
    self.documents = documents.mapValues(\.count)
    codedUnits = matrix.unitCodes.filter { !$0.isEmpty }.count
    crosstabs = fields.map { field in
      (field, CodeAnalyses.crosstab(units: aggregated.units, codings: aggregated.codings, by: .metadata(field)))
    }
  }
}

/// The tables `verbatim analyze` writes next to `index.html`, each as `NAME.csv` and
/// `NAME.jsonl` (columns as the matching commands print them):
/// - `coded-segments`: `document segment speaker code start end rule` (`verbatim code`);
/// - `code-frequencies`: `code units documents share`;
/// - `theme-cooccurrence`: `code_a code_b segments jaccard c` (`verbatim themes`);
/// - `code-by-FIELD`: `code group units group_units row_percent column_percent chi2 df p`;
/// - `term-frequencies` and `term-specificities-FIELD`: `group term count measure` (`verbatim freq`);
/// - `cooccurrence-NAME-edges`: `source target count measure` (`verbatim cooc`), with the graph
///   as `NAME.gexf` and `NAME.svg`.
struct ReportTables {
  let folder: URL
  let documents: [StoredDocument]
  let material: CodingMaterial
  let counts: CodeCounts
  let automatic: [UnitCoding]
  let codePaths: [String]
  let specificities: [(field: String, rows: [FrequencyRow])]
  let termCounts: [FrequencyRow]
  let graphs: [AnalyzeJob.DrawnGraph]

  /// Writes every table and graph; returns the file names.
  func write() throws(AnalyzeError) -> [String] {
    var files: [String] = []
    func table(_ name: String, _ columns: [String], _ rows: [[TableValue]]) throws(AnalyzeError) {
      for format in [TableFormat.csv, .jsonl] {
        let file = "\(name).\(format.rawValue)"
        try AnalyzeJob.writeTable(format: format, columns: columns, rows: rows, to: folder.appendingPathComponent(file))
        files.append(file)
      }
    }
    try table(
      "coded-segments", CodeQueries.columns,
      automatic.map { row in
        [
          .integer(Int(row.document)), .integer(row.unit), .text(row.speaker ?? ""), .text(row.code),
          .integer(row.range.lowerBound), .integer(row.range.upperBound), .text(row.rule),
        ]
      })
    let allCodes = codePaths + counts.codes.filter { !codePaths.contains($0) }
    try table(
      "code-frequencies", ["code", "units", "documents", "share"],
      allCodes.map { code in
        let units = counts.units[code] ?? 0
        return [
          .text(code), .integer(units), .integer(counts.documents[code] ?? 0),
          .number(Double(units) / Double(counts.unitTotal)),
        ]
      })
    try table(
      "theme-cooccurrence", ["code_a", "code_b", "segments", "jaccard", "c"],
      CodeAnalyses.cooccurrences(units: material.units, codings: material.codings).map { pair in
        [.text(pair.codeA), .text(pair.codeB), .integer(pair.units), .number(pair.jaccard), .number(pair.cCoefficient)]
      })
    for (field, cells) in counts.crosstabs {
      try table(
        "code-by-\(AnalyzeJob.fileName(field))",
        ["code", "group", "units", "group_units", "row_percent", "column_percent", "chi2", "df", "p"],
        cells.map { cell in
          [
            .text(cell.code), .text(cell.group), .integer(cell.units), .integer(cell.groupUnits),
            .number(cell.rowPercent), .number(cell.columnPercent), cell.chiSquare.map(TableValue.number) ?? .text(""),
            .integer(cell.degreesOfFreedom), cell.pValue.map(TableValue.number) ?? .text(""),
          ]
        })
    }
    let frequencyRows: ([FrequencyRow]) -> [[TableValue]] = { rows in
      rows.map { [.text($0.group), .text($0.term), .integer($0.count), .number($0.measure)] }
    }
    try table("term-frequencies", FrequencyJob.columns, frequencyRows(termCounts))
    for (field, rows) in specificities {
      try table("term-specificities-\(AnalyzeJob.fileName(field))", FrequencyJob.columns, frequencyRows(rows))
    }
    for drawn in graphs {
      let graph = drawn.graph
      try table(
        "\(drawn.name)-edges", ["source", "target", "count", "measure"],
        graph.edges.map { edge in
          [
            .text(graph.nodes[edge.source].label), .text(graph.nodes[edge.target].label), .integer(edge.count),
            .number(edge.value),
          ]
        })
      try AnalyzeJob.write(graph.gexf(), to: folder.appendingPathComponent("\(drawn.name).gexf"))
      try AnalyzeJob.write(drawn.svg, to: folder.appendingPathComponent("\(drawn.name).svg"))
      files += ["\(drawn.name).gexf", "\(drawn.name).svg"]
    }
    return files
  }
}

extension AnalyzeJob {
  /// A field name as a file-name part: letters, digits, `-` and `_` kept, anything else `_`.
  static func fileName(_ field: String) -> String {
    String(field.unicodeScalars.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" })
  }

  static func writeTable(format: TableFormat, columns: [String], rows: [[TableValue]], to url: URL) throws(AnalyzeError) {
    let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
      throw .output(path: url.path, reason: "cannot write: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    let sink = OutputSink(descriptor: descriptor)
    let writer = TableWriter(format: format, columns: columns, sink: sink)
    for row in rows { writer.write(row) }
    sink.flush()
  }
}

/// Builds the ``ReportModel`` of `verbatim analyze` from what the job computed.
struct ReportBuilder {
  let options: AnalyzeOptions
  let codebooks: [String]
  let documents: [StoredDocument]
  let summaries: [DocumentSummary]
  let codes: [ReportCode]
  let rules: [String: [String]]
  let material: CodingMaterial
  let aggregated: CodingMaterial
  let counts: CodeCounts
  let automatic: [UnitCoding]
  let fields: [String]
  let specificities: [(field: String, rows: [FrequencyRow])]
  let graphs: [AnalyzeJob.DrawnGraph]

  static let version = "0.1.0"

  func model() -> ReportModel {
    let limits = ReportLimits()
    let texts = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, Array($0.text.utf8)) })
    let paths = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0.path) })
    func text(_ document: Int64, _ range: Range<Int>) -> String {
      guard let bytes = texts[document] else { return "" }
      return String(decoding: bytes[range.clamped(to: 0..<bytes.count)], as: UTF8.self)
    }
    let summaryByID = Dictionary(uniqueKeysWithValues: summaries.map { ($0.id, $0) })
    let unitsByDocument = Dictionary(grouping: material.units, by: \.document)

    let reportDocuments = documents.map { document in
      let summary = summaryByID[document.id]
      let speakers = Array(Set(document.turns.compactMap(\.turn.speaker))).sorted()
      let turnOf: (CodingUnit) -> Int = { unit in
        (document.turns.firstIndex { $0.turn.range.contains(unit.range.lowerBound) } ?? 0) + 1
      }
      return ReportDocument(
        id: document.id, path: document.path, title: document.metadata["title"]?.description,
        metadata: document.metadata.mapValues(\.description), speakers: speakers, turnCount: document.turns.count,
        segmentCount: summary?.segmentCount ?? 0, tokenCount: summary?.tokenCount ?? 0,
        segments: (unitsByDocument[document.id] ?? []).map { unit in
          ReportSegment(
            ordinal: unit.ordinal, turn: turnOf(unit), speaker: unit.speaker, start: unit.range.lowerBound,
            end: unit.range.upperBound, text: text(document.id, unit.range))
        })
    }

    // Frequencies, in codebook order.
    let unitCounts = counts.units
    let frequencies = codes.map { code in
      ReportCodeFrequency(
        code: code.path, units: unitCounts[code.path] ?? 0, documents: counts.documents[code.path] ?? 0,
        share: Double(unitCounts[code.path] ?? 0) / Double(counts.unitTotal))
    }

    // Theme co-occurrence between the top-level themes (each counting its children's units),
    // readable on a page; the full code × code table is in theme-cooccurrence.csv.
    let topDepth = codes.map(\.depth).min() ?? 0
    let themes = Set(codes.filter { $0.depth == topDepth }.map(\.path))
    let used = codes.map(\.path).filter { themes.contains($0) && (unitCounts[$0] ?? 0) > 0 }
    let position = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($1, $0) })
    var pairCounts = [[Int]](repeating: [Int](repeating: 0, count: used.count), count: used.count)
    var values = [[Double]](repeating: [Double](repeating: 0, count: used.count), count: used.count)
    for (index, code) in used.enumerated() {
      pairCounts[index][index] = unitCounts[code] ?? 0
      values[index][index] = 1
    }
    let themeCodings = aggregated.codings.filter { themes.contains($0.code) }
    for pair in CodeAnalyses.cooccurrences(units: material.units, codings: themeCodings) {
      guard let a = position[pair.codeA], let b = position[pair.codeB] else { continue }
      pairCounts[a][b] = pair.units
      pairCounts[b][a] = pair.units
      values[a][b] = pair.jaccard
      values[b][a] = pair.jaccard
    }
    let cooccurrence = used.isEmpty
      ? nil : ReportCooccurrenceMatrix(codes: used, counts: pairCounts, measure: "jaccard", values: values)

    // Code × metadata.
    let crosstabs = counts.crosstabs.map { field, cells in
      let groupNames = Array(Set(material.units.map { $0.metadata[field] ?? "" })).sorted()
      let groups = groupNames.map { value in
        let units = material.units.filter { ($0.metadata[field] ?? "") == value }
        return ReportGroup(value: value, documents: Set(units.map(\.document)).count, units: units.count)
      }
      let rows = codes.map(\.path).map { code in
        let byGroup = Dictionary(uniqueKeysWithValues: cells.filter { $0.code == code }.map { ($0.group, $0) })
        return ReportCrosstabRow(
          code: code, counts: groupNames.map { byGroup[$0]?.units ?? 0 },
          shares: groupNames.map { (byGroup[$0]?.columnPercent ?? 0) / 100 })
      }
      return ReportCrosstab(field: field, groups: groups, rows: rows)
    }

    // Verbatims: the automatic coder's units with their matched words, then human codings.
    var verbatims: [String: [ReportVerbatim]] = [:]
    for row in automatic {
      verbatims[row.code, default: []].append(
        ReportVerbatim(
          documentID: row.document, documentPath: paths[row.document] ?? "", segment: row.unit, speaker: row.speaker,
          start: row.range.lowerBound, end: row.range.upperBound, text: text(row.document, row.range),
          highlights: row.hits.map {
            ReportSpan(start: $0.range.lowerBound - row.range.lowerBound, end: $0.range.upperBound - row.range.lowerBound)
          }, rule: row.rule))
    }
    for coding in material.codings where coding.coder != Coding.automaticCoder {
      let unit = unitsByDocument[coding.document]?.first { $0.range.overlaps(coding.range) }
      verbatims[coding.code, default: []].append(
        ReportVerbatim(
          documentID: coding.document, documentPath: paths[coding.document] ?? "", segment: unit?.ordinal,
          speaker: unit?.speaker, start: coding.range.lowerBound, end: coding.range.upperBound,
          text: text(coding.document, coding.range), rule: "\(coding.coder)"))
    }
    let reportVerbatims = codes.compactMap { code -> ReportCodeVerbatims? in
      guard let all = verbatims[code.path], !all.isEmpty else { return nil }
      return ReportCodeVerbatims(
        code: code.path, verbatims: Array(all.prefix(limits.verbatimsPerCode)), totalCount: all.count)
    }

    let reportGraphs = graphs.map { drawn in
      let graph = drawn.graph
      let isTree = drawn.notion.isEmpty
      let caption =
        isTree
        ? (options.language == .fr
          ? "Analyse de similitude : arbre maximum des \(graph.nodes.count) mots les plus fréquents (cooccurrences par segment)"
          : "Similarity analysis: maximum spanning tree of the \(graph.nodes.count) most frequent words (co-occurrence per segment)")
        : (options.language == .fr
          ? "Mots associés à « \(drawn.notion) » (cooccurrences par segment)"
          : "Words associated with “\(drawn.notion)” (co-occurrence per segment)")
      let strongest = graph.edges.sorted { $0.count > $1.count }.prefix(5).map {
        "\(graph.nodes[$0.source].label)–\(graph.nodes[$0.target].label) (\($0.count))"
      }
      let alt =
        (options.language == .fr
          ? "Graphe de \(graph.nodes.count) mots et \(graph.edges.count) liens ; liens les plus forts : "
          : "Graph of \(graph.nodes.count) words and \(graph.edges.count) links; strongest links: ")
        + strongest.joined(separator: ", ")
      return ReportGraph(
        notion: isTree ? (options.language == .fr ? "similitude" : "similarity") : drawn.notion, svg: drawn.svg,
        caption: caption, altText: alt, measure: graph.measure.rawValue,
        edges: graph.edges.map {
          ReportGraphEdge(
            source: graph.nodes[$0.source].label, target: graph.nodes[$0.target].label, count: $0.count, measure: $0.value)
        })
    }

    let specific = specificities.map { field, rows in
      ReportSpecificTerms(
        field: field, measure: options.language == .fr ? "spécificité (Lafon)" : "specificity (Lafon)",
        groups: Dictionary(grouping: rows, by: \.group).keys.sorted().map { group in
          ReportTermGroup(
            value: group,
            terms: rows.filter { $0.group == group && $0.measure > 0 }.prefix(limits.termsPerGroup).map {
              ReportSpecificTerm(term: $0.term, count: $0.count, score: $0.measure)
            })
        })
    }

    let generation = ReportGeneration(
      title: codebooks.first, date: options.date, verbatimVersion: Self.version,
      corpusPath: options.corpus.joined(separator: ", "), codebooks: options.codebooks.map {
        URL(fileURLWithPath: $0).lastPathComponent
      }, unit: options.scope.rawValue)
    return ReportModel(
      generation: generation,
      corpus: ReportCorpus(documents: reportDocuments, fields: fields, unitCount: material.units.count),
      codes: codes, frequencies: frequencies, cooccurrence: cooccurrence, crosstabs: crosstabs,
      verbatims: reportVerbatims, graphs: reportGraphs, specificTerms: specific, limits: limits)
  }
}
