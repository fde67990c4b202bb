import ArgumentParser
import Foundation
import VerbatimAnalysis
import VerbatimEngine

@main
struct Verbatim: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verbatim",
    abstract: "Qualitative coding and text mining for French interview transcripts.",
    discussion: """
      Results go to stdout, diagnostics to stderr. Exit status: 0 on success, 1 on a data \
      error (the message names the file and offset or line), 64 on a usage error.
      """,
    version: "0.1.0",
    subcommands: [
      Tokens.self,
      Stem.self,
      ImportCommand.self,
      CorpusCommand.self,
      ShowCommand.self,
      IndexCommand.self,
      SearchCommand.self,
      KWICCommand.self,
      CoocCommand.self,
      FreqCommand.self,
      CodeCommand.self,
      CodebookCommand.self,
      CodingCommand.self,
      AgreeCommand.self,
      ThemesCommand.self,
      ExportCommand.self,
      AnalyzeCommand.self,
    ]
  )

  /// Runs the command, mapping errors to the contract's exit codes.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let error as EngineError {
      FileHandle.standardError.write(Data("error: \(error)\n".utf8))
      Foundation.exit(1)
    } catch {
      let code = exitCode(for: error)
      if code == .success || code.rawValue == 0 {
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      let message = fullMessage(for: error)
      FileHandle.standardError.write(Data((message.isEmpty ? "" : message + "\n").utf8))
      Foundation.exit(code == .validationFailure ? 64 : code.rawValue)
    }
  }
}

extension TableFormat: ExpressibleByArgument {}
extension BreakRoute: ExpressibleByArgument {}

/// Options of the analysis chain shared by commands.
struct AnalysisOptions: ParsableArguments {
  @Flag(name: .long, help: "Drop accents from terms (élu → elu) before stemming.")
  var foldAccents = false

  @Option(name: .long, help: ArgumentHelp("How word boundaries are found: rules (ICU's rules replayed, the default), utf16 or utf8 (ICU's iterator).", visibility: .hidden))
  var breakRoute: BreakRoute = Analyzer.french.route

  var analyzer: Analyzer { Analyzer(foldsAccents: foldAccents, route: breakRoute) }
}

struct Tokens: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the French analysis chain and print one row per token.",
    discussion: """
      Columns: position surface term stem start end kind (kind: word, number, symbol); \
      start and end are UTF-8 byte offsets into the file's own bytes, end exclusive. With \
      several files a first column names the file. --count prints only the totals.
      """)

  @Argument(help: "UTF-8 text files to analyse.")
  var files: [String] = []

  @Option(name: .long, help: "Analyse this text instead of files.")
  var text: String?

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @Flag(name: .long, help: "Print only the totals: files bytes tokens.")
  var count = false

  @Option(name: .long, help: "Worker threads for --count (default: all cores).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @OptionGroup var analysis: AnalysisOptions

  func validate() throws {
    if text != nil && !files.isEmpty { throw ValidationError("Give either FILE arguments or --text, not both.") }
    if text == nil && files.isEmpty { throw ValidationError("Give at least one FILE, or --text \"…\".") }
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
  }

  func run() throws {
    let texts: [NamedText] =
      if let text { [NamedText(name: "<text>", bytes: Array(text.utf8))] } else { try TokenJobs.read(paths: files) }
    let sink = OutputSink()
    defer { sink.flush() }
    if count {
      let total = try TokenJobs.count(texts, analyzer: analysis.analyzer, jobs: jobs)
      var columns = ["files", "bytes", "tokens"]
      var row: [TableValue] = [.integer(total.files), .integer(total.bytes), .integer(total.tokens)]
      if format == .jsonl {
        columns += ["seconds", "jobs"]
        row += [.number(total.seconds), .integer(jobs)]
      }
      TableWriter(format: format, columns: columns, sink: sink).write(row)
      return
    }
    try TokenJobs.writeTokens(of: texts, analyzer: analysis.analyzer, format: format, to: sink)
  }
}

struct Stem: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the Snowball 3 French stem of each word, one per line, in order.",
    discussion: "Words come from the arguments, or else one per line from stdin (streamed).")

  @Argument(help: "Words to stem (default: read stdin).")
  var words: [String] = []

  @Flag(name: .long, help: "Apply the chain's NFC and case folding before stemming.")
  var normalize = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Benchmark: stem every line of FILE in memory and print {tokens, seconds} as JSON.", valueName: "FILE"))
  var timeFile: String?

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    if let timeFile {
      let timing = try TokenJobs.timeStemming(wordsIn: timeFile)
      sink.write("{\"tokens\":\(timing.words),\"stem_bytes\":\(timing.stemBytes),\"seconds\":\(timing.seconds)}\n")
      return
    }
    if words.isEmpty {
      try TokenJobs.stemLines(from: .standardInput, normalizing: normalize, analyzer: .french, to: sink)
    } else {
      TokenJobs.stem(words: words, normalizing: normalize, to: sink)
    }
  }
}
