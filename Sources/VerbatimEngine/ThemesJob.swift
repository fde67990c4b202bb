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
    var blocks: [(group: String?, units: [CodingUnit])] = []
    if let grouping {
      var byGroup: [String: [CodingUnit]] = [:]
      for unit in units { byGroup[grouping.group(of: unit), default: []].append(unit) }
      blocks = byGroup.keys.sorted().map { ($0, byGroup[$0]!) }
    } else {
      blocks = [(nil, units)]
    }
    for (group, blockUnits) in blocks {
      let prefix: [TableValue] = group.map { [.text($0)] } ?? []
      let total = blockUnits.count
      let matrix = UnitCodeMatrix(units: blockUnits, codings: codings)
      var frequency = [Int](repeating: 0, count: matrix.codes.count)
      for codes in matrix.unitCodes { for code in codes { frequency[code] += 1 } }
      for (code, count) in zip(matrix.codes, frequency) {
        writer.write(
          prefix + [.text(code), .text(code), .integer(count), .number(total > 0 ? Double(count) / Double(total) : 0)])
      }
      for pair in CodeAnalyses.cooccurrences(units: blockUnits, codings: codings) {
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
  /// all) plus `extra` codings (the automatic coder's, for `--codebook`).
  ///
  /// - Returns: warnings for stderr (stale codings left out).
  public static func run(
    projectDirectory: URL, coders: [String]?, unit: AgreementUnit, by field: String?, measure: Measure,
    extra: [Coding] = [], format: TableFormat, to sink: OutputSink
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
    write(
      units: material.units, codings: material.codings, grouping: field.map(grouping), measure: measure,
      format: format, to: sink)
    return material.warnings
  }
}
