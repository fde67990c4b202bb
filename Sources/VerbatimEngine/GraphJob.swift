import Dispatch
import Foundation
import VerbatimAnalysis
import VerbatimCorpus
import VerbatimGraph

/// Everything `verbatim cooc` (and the report's ego graph) asks for.
public struct GraphJobOptions: Sendable {
  /// Ego terms (a term with a space is a phrase and becomes one node); empty: the whole graph.
  public var terms: [String]
  /// How pairs are counted.
  public var scope: CooccurrenceScope
  /// Stems or terms, stop words, extra phrases.
  public var nodes: NodeOptions
  /// Measure, minimums, top-k, threshold, tree, communities.
  public var graph: GraphOptions
  /// `--where FIELD=VALUE` filters.
  public var filters: [DocumentFilter]
  /// Worker threads.
  public var jobs: Int

  /// Creates options with IRaMuTeQ's similitude defaults (segment scope, count, min frequency 3).
  public init(
    terms: [String] = [], scope: CooccurrenceScope = .segment, nodes: NodeOptions = NodeOptions(),
    graph: GraphOptions = GraphOptions(), filters: [DocumentFilter] = [],
    jobs: Int = ProcessInfo.processInfo.activeProcessorCount
  ) {
    self.terms = terms
    self.scope = scope
    self.nodes = nodes
    self.graph = graph
    self.filters = filters
    self.jobs = jobs
  }
}

/// Timing and size of a counting run (`verbatim cooc --summary`).
public struct CooccurrenceSummary: Sendable {
  /// The counts.
  public var counts: CooccurrenceCounts
  /// Seconds from documents in memory to merged, sorted counts.
  public var seconds: Double
  /// Workers used.
  public var jobs: Int

  /// One JSON object: documents, bytes, tokens, nodes, pairs, pair_occurrences, seconds, jobs.
  public var json: String {
    let occurrences = counts.counts.reduce(0, +)
    return "{\"documents\":\(counts.documentCount),\"bytes\":\(counts.byteCount),\"tokens\":\(counts.tokenCount),"
      + "\"nodes\":\(counts.keys.count),\"pairs\":\(counts.counts.count),\"pair_occurrences\":\(occurrences),"
      + "\"scope\":\(JSON.quote(counts.scope.description)),\"seconds\":\(JSON.number(seconds)),\"jobs\":\(jobs),"
      + "\"MB_per_s\":\(JSON.number((Double(counts.byteCount) / 1e6 / max(seconds, 1e-9) * 100).rounded() / 100))}"
  }
}

/// Co-occurrence graphs over a project (or a folder of text files).
public enum GraphJob {
  /// The project's documents after the filters.
  public static func documents(project: URL, filters: [DocumentFilter]) throws(GraphError) -> [CorpusDocument] {
    try CorpusLoader.load(project: project, filters: filters)
  }

  /// Counts co-occurrences of `documents`, with the ego terms' phrases added to the nodes.
  public static func count(_ documents: [CorpusDocument], options: GraphJobOptions) throws(GraphError)
    -> CooccurrenceSummary
  {
    var nodes = options.nodes
    nodes.phrases += options.terms.filter { $0.contains(" ") && !nodes.phrases.contains($0) }
    let start = DispatchTime.now().uptimeNanoseconds
    let counts = try CooccurrenceCounts.count(documents, scope: options.scope, options: nodes, jobs: options.jobs)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return CooccurrenceSummary(counts: counts, seconds: seconds, jobs: max(1, min(options.jobs, documents.count)))
  }

  /// The node keys of the ego terms: a phrase's words joined by a space, else the word's stem
  /// (or term with ``NodeKind/term``).
  ///
  /// - Throws: ``GraphError/badOption(option:reason:)`` for a term that is not in the counts.
  public static func egoKeys(_ terms: [String], in counts: CooccurrenceCounts, nodes: NodeOptions) throws(GraphError)
    -> [String]
  {
    guard !terms.isEmpty else { return [] }
    let pipeline: AnalysisPipeline
    do { pipeline = try nodes.analyzer.makePipeline() } catch { throw .analysis(path: "<term>", error) }
    let known = Set(counts.keys)
    var result: [String] = []
    for term in terms {
      let tokens = pipeline.tokens(in: term).filter { $0.kind != .symbol }
      guard !tokens.isEmpty else { throw .badOption(option: "TERM \(term)", reason: "no word in this term") }
      let words = tokens.map { nodes.kind == .stem ? $0.stem : $0.term }
      let key = words.joined(separator: " ")
      guard known.contains(key) else {
        throw .badOption(
          option: "TERM \(term)",
          reason: "does not occur in the counted text (after --where filters and stop words); check its spelling or use --keep-stopwords")
      }
      result.append(key)
    }
    return result
  }

  /// Counts and cuts the graph: what `verbatim cooc` prints and what the report draws.
  ///
  ///     let graph = try GraphJob.run(project: url, options: GraphJobOptions(terms: ["numérique responsable"]))
  ///     let picture = graph.svg(title: "numérique responsable")
  public static func run(project: URL, options: GraphJobOptions) throws(GraphError) -> CooccurrenceGraph {
    try run(documents: documents(project: project, filters: options.filters), options: options)
  }

  /// Like ``run(project:options:)`` over documents already loaded.
  public static func run(documents: [CorpusDocument], options: GraphJobOptions) throws(GraphError) -> CooccurrenceGraph {
    let counts = try count(documents, options: options).counts
    var graphOptions = options.graph
    graphOptions.egoKeys = try egoKeys(options.terms, in: counts, nodes: options.nodes)
    return CooccurrenceGraph.build(counts, options: graphOptions)
  }

  /// The columns of the edge table.
  public static let edgeColumns = ["source", "target", "count", "measure"]
  /// The columns of the node table (`--nodes`).
  public static let nodeColumns = ["label", "key", "frequency", "degree", "community"]

  /// Writes the edges (`source target count measure`, labels) in the graph's order.
  public static func writeEdges(of graph: CooccurrenceGraph, format: TableFormat, to sink: OutputSink) {
    let writer = TableWriter(format: format, columns: edgeColumns, sink: sink)
    for edge in graph.edges {
      writer.write([
        .text(graph.nodes[edge.source].label), .text(graph.nodes[edge.target].label), .integer(edge.count),
        .number(edge.value),
      ])
    }
  }

  /// Writes the nodes (`label key frequency degree community`) in label order; `community`
  /// is empty unless communities were computed.
  public static func writeNodes(of graph: CooccurrenceGraph, format: TableFormat, to sink: OutputSink) {
    var degree = [Int](repeating: 0, count: graph.nodes.count)
    for edge in graph.edges {
      degree[edge.source] += 1
      degree[edge.target] += 1
    }
    let writer = TableWriter(format: format, columns: nodeColumns, sink: sink)
    for (index, node) in graph.nodes.enumerated() {
      writer.write([
        .text(node.label), .text(node.key), .integer(node.frequency), .integer(degree[index]),
        node.community.map { .integer($0) } ?? .text(""),
      ])
    }
  }
}
