import ArgumentParser
import Foundation
import VerbatimCoding
import VerbatimEngine

extension CodingScope: ExpressibleByArgument {}

/// The codebook formats a user names on the command line.
enum CodebookFormatOption: String, ExpressibleByArgument {
  case verbatim, quanteda, liwc, qdc

  var format: CodebookFileFormat {
    switch self {
    case .verbatim: .verbatim
    case .quanteda: .quanteda
    case .liwc: .liwc
    case .qdc: .qdc
    }
  }
}

/// Prints a codebook error and exits 64 (usage) or 1 (data).
func fail(_ error: CodebookFileError) -> ExitCode {
  printError(error.description)
  if case .usage = error { return ExitCode(64) }
  return ExitCode(1)
}

struct CodeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "code",
    abstract: "Code every unit of the project with a codebook's rules.",
    discussion: """
      Columns: document segment speaker code start end rule: one row per coded unit and code, \
      in document, unit and codebook order. `segment` is the unit's ordinal (segment, sentence, \
      paragraph or turn, as --scope says); start and end its UTF-8 span; rule the first rule of \
      the code that matched. A unit is coded by a code when one of its rules matches and none of \
      its `exclude` rules does. jsonl adds rule_index (1-based), hits (start-end of the \
      matched words) and words (their text). The codebook is validated before anything is \
      written; the output does not depend on --jobs. A code is coded by its own rules only \
      (a child's coding does not code its parent).
      """)

  @Option(name: .long, help: ArgumentHelp("The codebook (.yml, .dic).", valueName: "FILE"))
  var codebook: String

  @Option(
    name: .long,
    help: ArgumentHelp("The codebook's format when the extension is not enough (quanteda).", valueName: "FORMAT"))
  var from: CodebookFormatOption?

  @Option(name: .long, help: "The unit coded: segment, sentence, paragraph or turn.")
  var scope: CodingScope = .segment

  @Option(name: .long, help: "Worker threads (default: all cores).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
  }

  func run() throws {
    let compiled: CompiledCodebook
    do {
      let read = try CodebookFiles.read(path: codebook, format: from?.format)
      compiled = read.codebook
      for note in read.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    } catch {
      throw fail(error)
    }
    let sink = OutputSink()
    defer { sink.flush() }
    let progress = TerminalProgress(label: "code")
    do {
      try CodeQueries.write(
        project: project.directory, codebook: compiled, scope: scope, jobs: jobs, format: format, to: sink,
        progress: { done, total in progress?.update(done: done, total: total) })
      progress?.finish()
    } catch {
      progress?.finish()
      sink.flush()
      printError(error.description)
      throw ExitCode(1)
    }
  }
}

struct CodebookCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "codebook",
    abstract: "Work with codebook files.",
    subcommands: [CodebookConvert.self])
}

struct CodebookConvert: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Convert a codebook between formats, by extension.",
    discussion: """
      .yml is Verbatim's codebook, .dic a LIWC dictionary (read only), .qdc REFI-QDA; a \
      quanteda YAML dictionary is read with --from quanteda and written with --to quanteda. \
      The input is read and validated completely before OUT is written (atomically). What a \
      format cannot hold (a wildcard widened, a rule without a glob form) is listed on stderr.
      """)

  @Argument(help: "The codebook to read.")
  var input: String

  @Argument(help: "The file to write.")
  var output: String

  @Option(name: .long, help: ArgumentHelp("Input format (verbatim, quanteda, liwc, qdc).", valueName: "FORMAT"))
  var from: CodebookFormatOption?

  @Option(name: .long, help: ArgumentHelp("Output format (verbatim, quanteda, qdc).", valueName: "FORMAT"))
  var to: CodebookFormatOption?

  func run() throws {
    do {
      let notes = try CodebookFiles.convert(input: input, output: output, from: from?.format, to: to?.format)
      for note in notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    } catch {
      throw fail(error)
    }
  }
}
