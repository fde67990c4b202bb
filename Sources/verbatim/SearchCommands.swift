import ArgumentParser
import Foundation
import VerbatimEngine
import VerbatimIndex

extension SearchUnitKind: ExpressibleByArgument {}

/// Options shared by `search` and `kwic`.
struct QueryOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("A query: words, =exact, prefix*, \"phrases\", a NEAR/5 b, AND, OR, NOT, (…), speaker:L1, field:value."))
  var query: String

  @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Keep units whose document metadata (or speaker) FIELD equals VALUE; repeatable.", valueName: "FIELD=VALUE"))
  var `where`: [String] = []

  @Option(name: .long, help: "The unit a query is evaluated in: segment, sentence or turn.")
  var unit: SearchUnitKind = .segment

  @Option(name: .long, help: "At most N rows.")
  var limit: Int?

  @Option(name: .long, help: "Threads that visit the documents (default: every core); the rows do not depend on it.")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more.") }
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
  }

  /// The parsed query with its filters, and the opened project; exits 1 with a message on error.
  func open() throws -> (query: Query, search: ProjectSearch) {
    do {
      let query = try ProjectSearch.query(query, filters: `where`)
      return (query, try ProjectSearch(project: project.directory, unitKind: unit, jobs: jobs))
    } catch {
      printError(error.description)
      throw ExitCode(1)
    }
  }
}

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Run a query over the index; one row per match, in document order.",
    discussion: """
      Columns: document segment speaker start end text. A phrase or NEAR match is one row \
      spanning its words; a unit matched without words (only filters or NOT) is one row \
      spanning the unit. `segment` is the unit's ordinal (see --unit). Offsets are UTF-8 bytes \
      into the stored text, end exclusive. Needs `verbatim index` after each import.
      """)

  @OptionGroup var options: QueryOptions

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Benchmark: time every `kind<TAB>query` line of FILE (QUERY is ignored; with --limit N, the first N hits of each); one JSON line per kind.",
      valueName: "FILE", visibility: .hidden))
  var timeQueries: String?

  func run() throws {
    if let timeQueries {
      try timeQueryFile(timeQueries)
      return
    }
    let (query, search) = try options.open()
    let sink = OutputSink()
    defer { sink.flush() }
    do {
      try SearchQueries.writeSearch(query, in: search, limit: options.limit, format: format, to: sink)
    } catch {
      sink.flush()
      printError(error.description)
      throw ExitCode(1)
    }
  }
}

extension SearchCommand {
  func timeQueryFile(_ path: String) throws {
    do {
      let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
      // The timed queries read the index only (no text), so the store's cache plays no part.
      let search = try ProjectSearch(project: options.project.directory, unitKind: options.unit, jobs: options.jobs)
      let sink = OutputSink()
      defer { sink.flush() }
      let writer = TableWriter(format: .jsonl, columns: ["kind", "queries", "median_ms", "p99_ms", "hits", "median_hits"], sink: sink)
      for latency in try SearchQueries.timeQueries(lines, in: search, limit: options.limit) {
        writer.write([
          .text(latency.kind), .integer(latency.queries), .number(latency.medianMilliseconds),
          .number(latency.p99Milliseconds), .integer(latency.hits), .number(latency.medianHits),
        ])
      }
    } catch let error as SearchError {
      printError(error.description)
      throw ExitCode(1)
    } catch {
      printError("\(path): cannot read: \(error.localizedDescription)")
      throw ExitCode(1)
    }
  }
}

struct KWICCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kwic",
    abstract: "Print a concordance (keyword in context) of a query.",
    discussion: """
      Columns: document segment speaker left match right; the contexts hold up to --width \
      characters of the match's speaker turn, whitespace shown as single spaces. --format text \
      prints an aligned view for reading.
      """)

  @OptionGroup var options: QueryOptions

  @Option(name: .long, help: "Characters of context on each side.")
  var width: Int = 40

  @Option(name: .long, help: "Output format: tsv, csv, jsonl, or text (aligned, for reading).")
  var format: KWICFormat = .tsv

  enum KWICFormat: String, ExpressibleByArgument {
    case tsv, csv, jsonl, text
  }

  func validate() throws {
    if width < 0 { throw ValidationError("--width must be 0 or more.") }
  }

  func run() throws {
    let (query, search) = try options.open()
    let sink = OutputSink()
    defer { sink.flush() }
    do {
      try SearchQueries.writeKWIC(
        query, in: search, width: width, limit: options.limit, format: TableFormat(rawValue: format.rawValue), to: sink)
    } catch {
      sink.flush()
      printError(error.description)
      throw ExitCode(1)
    }
  }
}
