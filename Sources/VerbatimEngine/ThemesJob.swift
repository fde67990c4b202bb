import Foundation
import VerbatimCoding

/// `verbatim themes`: theme frequencies and theme co-occurrence over units.
public enum ThemesJob {
  /// The association written in the `measure` column for pairs of codes.
  public enum Measure: String, Sendable, CaseIterable {
    /// Units coded with both (*n*₁₂).
    case count
    /// *n*₁₂ / (*n*₁ + *n*₂ − *n*₁₂) over units.
    case jaccard
    /// ATLAS.ti's c-coefficient over codings (see ``CodeCooccurrence/cCoefficient``).
    case c
  }

  /// The table `verbatim themes` writes.
  public enum Table: String, Sendable, CaseIterable {
    /// Theme frequencies and co-occurrence (`code_a code_b segments measure`), the default.
    case pairs
    /// Code frequencies per group: `group code units group_units codings`.
    case frequencies
    /// Code × group crosstab: `code group units group_units code_units row_percent
    /// column_percent chi2 df p` (χ² of each code's 2 × k table, repeated on its rows).
    case crosstab
  }

  /// The columns of `--table frequencies`.
  public static let frequencyColumns = ["group", "code", "units", "group_units", "codings"]
  /// The columns of `--table crosstab`.
  public static let crosstabColumns = [
    "code", "group", "units", "group_units", "code_units", "row_percent", "column_percent", "chi2", "df", "p",
  ]

  /// Writes code frequencies per group (``CodeAnalyses/frequencies(units:codings:by:)``).
  public static func writeFrequencies(
    units: [CodingUnit], codings: [Coding], grouping: UnitGrouping, format: TableFormat, to sink: OutputSink
  ) {
    let writer = TableWriter(format: format, columns: frequencyColumns, sink: sink)
    for row in CodeAnalyses.frequencies(units: units, codings: codings, by: grouping) {
      writer.write([
        .text(row.group), .text(row.code), .integer(row.units), .integer(row.groupUnits), .integer(row.codings),
      ])
    }
  }

  /// Writes the code × group crosstab (``CodeAnalyses/crosstab(units:codings:by:)``); χ² and p
  /// are empty where undefined.
  public static func writeCrosstab(
    units: [CodingUnit], codings: [Coding], grouping: UnitGrouping, format: TableFormat, to sink: OutputSink
  ) {
    let writer = TableWriter(format: format, columns: crosstabColumns, sink: sink)
    for cell in CodeAnalyses.crosstab(units: units, codings: codings, by: grouping) {
      writer.write([
        .text(cell.code), .text(cell.group), .integer(cell.units), .integer(cell.groupUnits), .integer(cell.codeUnits),
        .number(cell.rowPercent), .number(cell.columnPercent), AgreementJob.number(cell.chiSquare, format),
        cell.chiSquare == nil ? AgreementJob.number(nil, format) : .integer(cell.degreesOfFreedom),
        AgreementJob.number(cell.pValue, format),
      ])
    }
  }

  /// The columns (`group` first with a grouping).
  public static func columns(grouped: Bool) -> [String] {
    (grouped ? ["group"] : []) + ["code_a", "code_b", "segments", "measure"]
  }

  /// Parses `--by`: `document`, `speaker`, or a metadata field.
  public static func grouping(_ field: String) -> UnitGrouping {
    switch field {
    case "document": .document
    case "speaker": .speaker
    default: .metadata(field)
    }
  }

  /// Writes theme frequencies and co-occurrence, one block per group when `grouping` is
  /// given (groups sorted). In each block: first one row per code with `code_a` = `code_b`
  /// (the theme's frequency: `segments` the units coded with it, `measure` their share of
  /// the block's units), then one row per pair of codes coding at least one unit together
  /// (`code_a` < `code_b`; `segments` = *n*₁₂, `measure` as asked), sorted by codes.
  ///
  /// - Parameters:
  ///   - codings: the codings to count (human codings of the chosen coders, or the
  ///     automatic coder's); a unit is coded with a code when any of them overlaps it.
  public static func write(
    units: [CodingUnit], codings: [Coding], grouping: UnitGrouping?, measure: Measure, format: TableFormat,
    to sink: OutputSink
  ) {
    let writer = TableWriter(format: format, columns: columns(grouped: grouping != nil), sink: sink)
    let matrix = UnitCodeMatrix(units: units, codings: codings)
    var blocks: [(group: String?, units: [Int])] = []
    if let grouping {
      var byGroup: [String: [Int]] = [:]
      for (index, unit) in units.enumerated() { byGroup[grouping.group(of: unit), default: []].append(index) }
      blocks = byGroup.keys.sorted().map { ($0, byGroup[$0]!) }
    } else {
      blocks = [(nil, Array(units.indices))]
    }
    for (group, blockUnits) in blocks {
      let prefix: [TableValue] = group.map { [.text($0)] } ?? []
      let total = blockUnits.count
      var frequency = [Int](repeating: 0, count: matrix.codes.count)
      for unit in blockUnits { for code in matrix.unitCodes[unit] { frequency[code] += 1 } }
      for (code, count) in zip(matrix.codes, frequency) where count > 0 {
        writer.write(
          prefix + [.text(code), .text(code), .integer(count), .number(total > 0 ? Double(count) / Double(total) : 0)])
      }
      for pair in CodeAnalyses.cooccurrences(matrix, codings: codings, units: blockUnits) {
        let value: Double =
          switch measure {
          case .count: Double(pair.units)
          case .jaccard: pair.jaccard
          case .c: pair.cCoefficient
          }
        writer.write(prefix + [.text(pair.codeA), .text(pair.codeB), .integer(pair.units), .number(value)])
      }
    }
  }

  /// Reads the project and writes `verbatim themes` over the human codings of `coders` (nil:
  /// all; `[]`: none) plus `extra` codings (the automatic coder's, for `--codebook`).
  ///
  /// - Returns: warnings for stderr (stale codings left out).
  public static func run(
    projectDirectory: URL, coders: [String]?, unit: AgreementUnit, by field: String?, measure: Measure,
    table: Table = .pairs, extra: [Coding] = [], format: TableFormat, to sink: OutputSink
  ) throws(HumanCodingError) -> [String] {
    guard unit != .character else { throw .request("themes count units: segment, sentence, paragraph or turn") }
    let material = try CodingMaterial.load(
      projectDirectory: projectDirectory, unit: unit, coders: coders.map(Set.init), extra: extra)
    if let coders {
      let available = Set(material.coders).union(extra.map(\.coder))
      for coder in coders where !available.contains(coder) {
        throw .request(
          "unknown coder \(coder); the project's coders are \(material.coders.isEmpty ? "none yet" : material.coders.joined(separator: ", "))"
        )
      }
    }
    switch table {
    case .pairs:
      write(
        units: material.units, codings: material.codings, grouping: field.map(grouping), measure: measure,
        format: format, to: sink)
    case .frequencies:
      writeFrequencies(
        units: material.units, codings: material.codings, grouping: field.map(grouping) ?? .document, format: format,
        to: sink)
    case .crosstab:
      guard let field else { throw .request("--table crosstab needs --by FIELD (a metadata field, speaker or document)") }
      writeCrosstab(units: material.units, codings: material.codings, grouping: grouping(field), format: format, to: sink)
    }
    return material.warnings
  }
}
