import ArgumentParser
import Foundation
import VerbatimAnalysis
import VerbatimEngine
import VerbatimGraph

/// Output formats of `verbatim cooc`: tables or graph files.
enum CoocFormat: String, ExpressibleByArgument, CaseIterable {
  case tsv, csv, jsonl, gexf, graphml, dot, svg
}

extension NodeKind: ExpressibleByArgument {}

/// Which stop list a view drops.
enum StopList: String, ExpressibleByArgument {
  /// The grammatical stop list (articles, pronouns, auxiliaries…).
  case standard
  /// The standard list plus spoken-French fillers, light verbs and vague words (as the report uses).
  case spoken

  var words: Set<String> { self == .spoken ? FrenchStopWords.spoken : FrenchStopWords.default }
}
extension FrequencyMeasure: ExpressibleByArgument {}
extension LexicalStatistics.KeynessCorrection: ExpressibleByArgument {}

/// Options shared by `cooc` and `freq`: node kind, stop words, phrases, filters, workers.
struct NodeSelectionOptions: ParsableArguments {
  @Flag(name: .long, help: "Keep stop words (dropped by default; positions are never renumbered).")
  var keepStopwords = false

  @Option(name: .long, help: "The stop list dropped: standard, or spoken (plus fillers and light verbs, as the report).")
  var stoplist: StopList = .standard

  @Option(name: .long, help: ArgumentHelp("Nodes are stems (labelled by their most frequent term) or exact terms.", valueName: "stem|term"))
  var by: NodeKind = .stem

  @Option(name: .long, help: ArgumentHelp("A phrase counted as one node (repeatable), e.g. --phrase \"numérique responsable\".", valueName: "PHRASE"))
  var phrase: [String] = []

  @Option(name: .customLong("where"), help: ArgumentHelp("Keep documents whose metadata FIELD equals VALUE; speaker=NAME keeps that speaker's turns (repeatable).", valueName: "FIELD=VALUE"))
  var filters: [String] = []

  @Option(name: .long, help: "Worker threads (default: all cores); results do not depend on it.")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @Flag(name: .long, help: "Drop accents from terms (élu → elu) before stemming.")
  var foldAccents = false

  func nodeOptions() -> NodeOptions {
    NodeOptions(
      kind: by, keepsStopWords: keepStopwords, stopWords: stoplist.words, phrases: phrase,
      analyzer: Analyzer(foldsAccents: foldAccents))
  }

  func documentFilters() throws -> [DocumentFilter] {
    var result: [DocumentFilter] = []
    for text in filters {
      do { result.append(try DocumentFilter(parsing: text)) } catch { throw ValidationError(error.description) }
    }
    return result
  }

  func validateCommon() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    _ = try documentFilters()
  }
}

struct CoocCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cooc",
    abstract: "Co-occurrence graph of the project (an ego graph when terms are given).",
    discussion: """
      Counting (BRIEF.md): window:N counts every pair of occurrences 1..N positions apart \
      inside one turn (quanteda's fcm window); sentence, segment, turn and document count each \
      pair of distinct nodes once per unit (IRaMuTeQ's similitude; segment is the default). \
      Nodes are stems labelled by their most frequent term (--by term for exact terms); a \
      TERM with a space ("numérique responsable") is a phrase and becomes one node. Every \
      measure comes from the pair's 2×2 table: count (default), pmi, npmi, loglikelihood (g2, \
      signed), chi2 (signed), jaccard, dice, cosine (ochiai).
      Tables: edges `source target count measure` sorted by measure, count, then labels; \
      --nodes prints `label key frequency degree community` instead. Graph formats (gexf, \
      graphml, dot, svg) write the whole graph to stdout.
      --files DIR counts the .txt files of a folder without a project (one turn per file; \
      window, turn and document scopes only); with --summary it prints one JSON object \
      (documents, bytes, tokens, nodes, pairs, seconds from text in memory to merged counts): \
      the benchmark's form.
      """)

  @Argument(help: ArgumentHelp("Ego terms; the graph keeps them and their neighbours.", valueName: "TERM"))
  var terms: [String] = []

  @Option(name: .long, help: ArgumentHelp("window:N, sentence, segment, turn or document.", valueName: "SCOPE"))
  var scope: String = "segment"

  @Option(name: .long, help: ArgumentHelp("count, pmi, npmi, loglikelihood (g2), chi2, jaccard, dice, cosine (ochiai).", valueName: "M"))
  var measure: String = "count"

  @Option(name: .long, help: "Leave out pairs counted fewer times.")
  var minCount: Int = 1

  @Option(name: .long, help: "Leave out nodes with fewer occurrences (IRaMuTeQ: 3).")
  var minFreq: Int = 3

  @Option(name: .long, help: "Ego graph: the N strongest neighbours of each term; whole graph: each node's N strongest edges.")
  var top: Int?

  @Option(name: .long, help: "Leave out edges whose measure is below X.")
  var threshold: Double?

  @Flag(name: .long, help: "Keep only a maximum spanning tree of the measure (IRaMuTeQ's arbre maximum).")
  var tree = false

  @Flag(name: .long, help: "Detect communities (Louvain, seeded, deterministic).")
  var communities = false

  @Option(name: .long, help: "Seed of the community detection and of the layout.")
  var seed: UInt64 = 1

  @Option(name: .long, help: "tsv, csv, jsonl (edge tables), gexf, graphml, dot or svg.")
  var format: CoocFormat = .tsv

  @Flag(name: .long, help: "Print the node table instead of the edges (tsv, csv, jsonl).")
  var nodes = false

  @Option(name: .long, help: "The SVG picture's title.")
  var title: String?

  @Option(name: .long, help: ArgumentHelp("Count the .txt files of this folder instead of the project.", valueName: "DIR"))
  var files: String?

  @Flag(name: .long, help: "Print only a JSON summary of the counting (sizes and seconds).")
  var summary = false

  @OptionGroup var selection: NodeSelectionOptions
  @OptionGroup var project: ProjectOptions

  func validate() throws {
    try selection.validateCommon()
    do { _ = try CooccurrenceScope(parsing: scope) } catch { throw ValidationError(error.description) }
    if AssociationMeasure.parse(measure) == nil {
      throw ValidationError("--measure \(measure): expected count, pmi, npmi, loglikelihood, chi2, jaccard, dice or cosine.")
    }
    if minCount < 1 { throw ValidationError("--min-count must be at least 1.") }
    if minFreq < 1 { throw ValidationError("--min-freq must be at least 1.") }
    if let top, top < 1 { throw ValidationError("--top must be at least 1.") }
    if nodes && ![.tsv, .csv, .jsonl].contains(format) {
      throw ValidationError("--nodes prints a table: use --format tsv, csv or jsonl.")
    }
  }

  func run() throws {
    let options = GraphJobOptions(
      terms: terms, scope: try CooccurrenceScope(parsing: scope), nodes: selection.nodeOptions(),
      graph: GraphOptions(
        measure: AssociationMeasure.parse(measure)!, minFrequency: minFreq, minCount: minCount, top: top,
        threshold: threshold, tree: tree, communities: communities, seed: seed),
      filters: try selection.documentFilters(), jobs: selection.jobs)
    let sink = OutputSink()
    defer { sink.flush() }
    do {
      let documents: [CorpusDocument]
      if let files {
        documents = try CorpusLoader.load(textFilesIn: URL(fileURLWithPath: files))
      } else {
        documents = try GraphJob.documents(project: project.directory, filters: options.filters)
      }
      if summary {
        sink.write(try GraphJob.count(documents, options: options).json + "\n")
        return
      }
      var graph = try GraphJob.run(documents: documents, options: options)
      switch format {
      case .tsv, .csv, .jsonl:
        let table = TableFormat(rawValue: format.rawValue)!
        if nodes { GraphJob.writeNodes(of: graph, format: table, to: sink) } else {
          GraphJob.writeEdges(of: graph, format: table, to: sink)
        }
      case .gexf, .graphml, .dot:
        if format == .gexf && graph.nodes.count <= 2000 { graph.layout(seed: seed) }
        sink.write(graph.export(GraphFileFormat(rawValue: format.rawValue)!))
      case .svg:
        sink.write(graph.svg(title: title ?? (terms.isEmpty ? "Co-occurrence graph" : terms.joined(separator: ", ")), seed: seed))
      }
    } catch {
      sink.flush()
      printError(error.description)
      throw ExitCode(1)
    }
  }
}

struct FreqCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "freq",
    abstract: "Term frequency tables by metadata group or speaker, with specificities and keyness.",
    discussion: """
      Columns: group term count measure. Groups: the values of --by FIELD (documents without \
      the field are left out), speakers with --by speaker, else one group `corpus`. Terms are \
      stems labelled by their most frequent term (--nodes term for exact terms), stop words \
      dropped unless --keep-stopwords. Measures: count (per 1,000 tokens of the group), \
      specificity (Lafon, signed log10 of the exact hypergeometric tail, as TXM), keyness \
      (quanteda's signed χ², Yates by default) and g2 (quanteda's signed log-likelihood) of \
      each group against the rest of the corpus or --reference VALUE, tfidf (groups as \
      documents). Rows: per group in sorted order, strongest measure first; --top N per group.
      """)

  @Option(name: .customLong("by"), help: ArgumentHelp("Group by this metadata field, or speaker.", valueName: "FIELD"))
  var groupField: String?

  @Option(name: .long, help: "count, specificity, keyness, g2 or tfidf.")
  var measure: FrequencyMeasure = .count

  @Option(name: .long, help: "At most N rows per group.")
  var top: Int?

  @Option(name: .long, help: ArgumentHelp("keyness/g2: compare each group with this group, not the rest.", valueName: "VALUE"))
  var reference: String?

  @Option(name: .long, help: "Leave out words with fewer occurrences in the corpus.")
  var minCount: Int = 1

  @Option(name: .long, help: "keyness/g2 correction: default (Yates), yates, williams or none.")
  var correction: LexicalStatistics.KeynessCorrection = .default

  @Option(name: .customLong("nodes"), help: ArgumentHelp("Count stems or exact terms.", valueName: "stem|term"))
  var nodeKind: NodeKind = .stem

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @Flag(name: .long, help: "Keep stop words.")
  var keepStopwords = false

  @Option(name: .long, help: "The stop list dropped: standard, or spoken (plus fillers and light verbs, as the report).")
  var stoplist: StopList = .standard

  @Option(name: .long, help: ArgumentHelp("A phrase counted as one word (repeatable).", valueName: "PHRASE"))
  var phrase: [String] = []

  @Option(name: .customLong("where"), help: ArgumentHelp("Keep documents whose metadata FIELD equals VALUE; speaker=NAME keeps that speaker's turns (repeatable).", valueName: "FIELD=VALUE"))
  var filters: [String] = []

  @Option(name: .long, help: "Worker threads (default: all cores); results do not depend on it.")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    if let top, top < 1 { throw ValidationError("--top must be at least 1.") }
    if minCount < 1 { throw ValidationError("--min-count must be at least 1.") }
    for text in filters {
      do { _ = try DocumentFilter(parsing: text) } catch { throw ValidationError(error.description) }
    }
    if reference != nil && measure != .keyness && measure != .g2 {
      throw ValidationError("--reference only applies to --measure keyness or g2.")
    }
    if reference != nil && groupField == nil { throw ValidationError("--reference needs --by FIELD.") }
  }

  func run() throws {
    var parsedFilters: [DocumentFilter] = []
    for text in filters { parsedFilters.append(try DocumentFilter(parsing: text)) }
    let options = FrequencyJobOptions(
      by: groupField, measure: measure, top: top, reference: reference, minimumCount: minCount, correction: correction,
      nodes: NodeOptions(kind: nodeKind, keepsStopWords: keepStopwords, stopWords: stoplist.words, phrases: phrase),
      filters: parsedFilters,
      jobs: jobs)
    let sink = OutputSink()
    defer { sink.flush() }
    do {
      FrequencyJob.write(try FrequencyJob.run(project: project.directory, options: options), format: format, to: sink)
    } catch {
      sink.flush()
      printError(error.description)
      throw ExitCode(1)
    }
  }
}
