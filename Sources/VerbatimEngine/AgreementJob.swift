import Foundation
import VerbatimCoding

/// `verbatim agree`: inter-coder agreement per code and overall.
public enum AgreementJob {
  /// The columns of `verbatim agree`.
  public static let columns = ["code", "coders", "units", "percent", "kappa", "alpha"]
  /// The columns of `verbatim agree --validate`.
  public static let validationColumns = [
    "code", "coder", "reference", "true_positives", "false_positives", "false_negatives", "precision", "recall", "f1",
  ]
  /// The `code` cell of the pooled row.
  public static let overallLabel = "(overall)"

  /// Computes agreement of `coders` (nil: every human coder in the store) by `unit`, over the
  /// stored human codings and `extra` codings (such as the automatic coder's, whose coder
  /// name must then be listed in `coders`).
  ///
  /// - Parameter complete: coders whose silence in a document means "nothing applies" rather
  ///   than "not coded" (the automatic coder).
  /// - Returns: the rows (codes sorted, then `(overall)`) and warnings for stderr.
  public static func compute(
    projectDirectory: URL, coders requested: [String]?, unit: AgreementUnit, extra: [Coding] = [],
    complete: Set<String> = []
  ) throws(HumanCodingError) -> (rows: [AgreementRow], warnings: [String]) {
    let material = try CodingMaterial.load(
      projectDirectory: projectDirectory, unit: unit, coders: requested.map(Set.init), extra: extra)
    let available = Set(material.coders).union(extra.map(\.coder))
    let coders = requested ?? Array(Set(material.coders).union(extra.map(\.coder))).sorted()
    for coder in coders where !available.contains(coder) {
      throw .request(
        "unknown coder \(coder); the project's coders are \(material.coders.isEmpty ? "none yet" : material.coders.joined(separator: ", "))"
      )
    }
    guard Set(coders).count >= 2, Set(coders).count == coders.count else {
      throw .request(
        Set(coders).count == coders.count
          ? "agreement needs at least two coders; the project has \(material.coders.isEmpty ? "none" : material.coders.joined(separator: ", ")); import codings with `verbatim coding import FILE`"
          : "a coder is listed twice in --coders")
    }
    let rows =
      unit == .character
      ? Agreement.overCharacters(texts: material.texts, codings: material.codings, coders: coders, complete: complete)
      : Agreement.overUnits(material.units, codings: material.codings, coders: coders, complete: complete)
    return (rows, material.warnings)
  }

  /// Writes agreement rows: `code coders units percent kappa alpha`; κ is empty unless
  /// exactly two coders are compared, and any undefined statistic is empty (jsonl: null).
  public static func write(_ rows: [AgreementRow], format: TableFormat, to sink: OutputSink) {
    let writer = TableWriter(format: format, columns: columns, sink: sink)
    for row in rows {
      writer.write([
        .text(row.code ?? overallLabel), .list(row.coders), .integer(row.units), number(row.percent, format),
        number(row.kappa, format), number(row.alpha, format),
      ])
    }
  }

  /// Scores `coder` against `reference` per code by unit (precision, recall, F1), over the
  /// units of the documents the reference coded.
  public static func validate(
    projectDirectory: URL, coder: String, reference: String, unit: AgreementUnit, extra: [Coding] = []
  ) throws(HumanCodingError) -> (rows: [CodeValidation], warnings: [String]) {
    guard unit != .character else { throw .request("--validate works by segment, sentence, paragraph or turn") }
    let material = try CodingMaterial.load(
      projectDirectory: projectDirectory, unit: unit, coders: [coder, reference], extra: extra)
    let available = Set(material.coders).union(extra.map(\.coder))
    for name in [coder, reference] where !available.contains(name) {
      throw .request("unknown coder \(name); the project's coders are \(material.coders.joined(separator: ", "))")
    }
    // Only documents the reference coded are judged (elsewhere the reference is silent).
    let judged = Set(material.codings.filter { $0.coder == reference }.map(\.document))
    let rows = CodeAnalyses.validate(
      units: material.units.filter { judged.contains($0.document) }, checked: material.codings.filter { $0.coder == coder },
      reference: material.codings.filter { $0.coder == reference })
    return (rows, material.warnings)
  }

  /// Writes validation rows.
  public static func write(
    _ rows: [CodeValidation], coder: String, reference: String, format: TableFormat, to sink: OutputSink
  ) {
    let writer = TableWriter(format: format, columns: validationColumns, sink: sink)
    for row in rows {
      writer.write([
        .text(row.code), .text(coder), .text(reference), .integer(row.truePositives), .integer(row.falsePositives),
        .integer(row.falseNegatives), number(row.precision, format), number(row.recall, format), number(row.f1, format),
      ])
    }
  }

  /// A statistic's cell: the number, or when undefined an empty cell (tsv, csv) or JSON
  /// `null` (jsonl, where `TableWriter` writes a non-finite number as `null`).
  static func number(_ value: Double?, _ format: TableFormat) -> TableValue {
    guard let value, value.isFinite else { return format == .jsonl ? .number(.nan) : .text("") }
    return .number(value)
  }
}
