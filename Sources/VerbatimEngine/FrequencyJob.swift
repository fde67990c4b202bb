import Foundation
import VerbatimCorpus
import VerbatimGraph

/// Everything `verbatim freq` (and the report's specific terms) asks for.
public struct FrequencyJobOptions: Sendable {
  /// `--by FIELD` (or `speaker`); nil: the whole corpus as one group.
  public var by: String?
  /// The `measure` column.
  public var measure: FrequencyMeasure
  /// At most this many rows per group.
  public var top: Int?
  /// For keyness and G²: compare every group with this one instead of the rest of the corpus.
  public var reference: String?
  /// Words with fewer occurrences in the whole corpus are left out.
  public var minimumCount: Int
  /// quanteda's keyness correction.
  public var correction: LexicalStatistics.KeynessCorrection
  /// Stems or terms, stop words, phrases.
  public var nodes: NodeOptions
  /// `--where FIELD=VALUE` filters.
  public var filters: [DocumentFilter]
  /// Worker threads.
  public var jobs: Int

  /// Creates options: counts of the whole corpus by default.
  public init(
    by: String? = nil, measure: FrequencyMeasure = .count, top: Int? = nil, reference: String? = nil,
    minimumCount: Int = 1, correction: LexicalStatistics.KeynessCorrection = .default,
    nodes: NodeOptions = NodeOptions(), filters: [DocumentFilter] = [],
    jobs: Int = ProcessInfo.processInfo.activeProcessorCount
  ) {
    self.by = by
    self.measure = measure
    self.top = top
    self.reference = reference
    self.minimumCount = minimumCount
    self.correction = correction
    self.nodes = nodes
    self.filters = filters
    self.jobs = jobs
  }
}

/// Frequency tables, specificities and keyness over a project.
public enum FrequencyJob {
  /// The columns of `verbatim freq`.
  public static let columns = ["group", "term", "count", "measure"]

  /// The rows of `verbatim freq`, per group (sorted), strongest measure first.
  ///
  ///     // The 10 most specific terms of each authority type (for the report):
  ///     try FrequencyJob.run(project: url, options: FrequencyJobOptions(by: "authority_type", measure: .specificity, top: 10))
  public static func run(project: URL, options: FrequencyJobOptions) throws(GraphError) -> [FrequencyRow] {
    try run(documents: CorpusLoader.load(project: project, filters: options.filters), options: options)
  }

  /// Like ``run(project:options:)`` over documents already loaded.
  public static func run(documents: [CorpusDocument], options: FrequencyJobOptions) throws(GraphError) -> [FrequencyRow] {
    if options.reference != nil && options.measure != .keyness && options.measure != .g2 {
      throw .badOption(option: "--reference", reason: "only applies to --measure keyness or g2")
    }
    let table = try FrequencyTable.count(
      documents, grouping: FrequencyGrouping(by: options.by), options: options.nodes, jobs: options.jobs)
    return try table.rows(
      measure: options.measure, top: options.top, reference: options.reference, minimumCount: options.minimumCount,
      correction: options.correction, field: options.by ?? "group")
  }

  /// Writes rows as `group term count measure`.
  public static func write(_ rows: [FrequencyRow], format: TableFormat, to sink: OutputSink) {
    let writer = TableWriter(format: format, columns: columns, sink: sink)
    for row in rows {
      writer.write([.text(row.group), .text(row.term), .integer(row.count), .number(row.measure)])
    }
  }
}
