import ArgumentParser
import Foundation
import VerbatimEngine

/// `--project DIR`, shared by the commands that work in a project.
struct ProjectOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The project folder (default: $VERBATIM_PROJECT, else ./.verbatim).", valueName: "DIR"))
  var project: String?

  /// The project folder.
  var directory: URL { ProjectLocation.directory(option: project) }
}

/// Prints `error: <message>` on stderr.
func printError(_ message: String) {
  FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}

struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Add or update documents in the project from files and folders.",
    discussion: """
      Folders are walked recursively; hidden files are ignored; unsupported files, README \
      files and metadata.csv files are skipped (metadata.csv rows apply to the files of their \
      folder). Documents are stored under their folder's name (Corpus/a.txt). An unchanged \
      file is left as it is; a changed one is replaced in one transaction and keeps its id; a \
      file that disappeared is reported as vanished and kept. A rejected file prints one \
      error line; the others still import, and the exit status is 1. Files are read, parsed and \
      segmented on --jobs threads and written in order by one. The summary goes to stderr, or \
      with --format jsonl as one object to stdout.

      With --qdpx FILE instead of CORPUS: the plain-text sources of a REFI-QDA project \
      (NVivo, ATLAS.ti, MAXQDA, QualCoder) become documents <archive name>/<source name>, \
      with their cases' and their own variables as metadata, all in one transaction; \
      nothing is stored when the archive is invalid or a document is already in the \
      project. Its codebook and codings go to --codebook-out and --codings-out.
      """)

  @Argument(help: ArgumentHelp("Files and folders to import.", valueName: "CORPUS"))
  var inputs: [String] = []

  @OptionGroup var refi: QDPXImportOptions

  @Option(name: .long, help: ArgumentHelp("The csv column holding the text.", valueName: "NAME"))
  var textColumn: String?

  @Option(
    name: .long,
    help: ArgumentHelp("An extra speaker-label pattern (a regular expression).", valueName: "REGEX"))
  var speakerPattern: String?

  @Option(name: .long, help: "Summary format: jsonl prints one object on stdout; otherwise a summary on stderr.")
  var format: TableFormat = .tsv

  @Option(name: .long, help: "Threads that read, parse and segment files (default: all cores); files are written in order, so the project does not depend on it.")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    try refi.validate(inputs: inputs)
    if refi.qdpx != nil { return }
    if inputs.isEmpty { throw ValidationError("Give at least one file or folder to import.") }
    if let speakerPattern, let problem = ImportJob.problem(withSpeakerPattern: speakerPattern) {
      throw ValidationError(problem)
    }
  }

  func run() throws {
    if refi.qdpx != nil { return try refi.run(projectDirectory: project.directory, jsonl: format == .jsonl) }
    var job = ImportJob(
      inputs: inputs, projectDirectory: project.directory, textColumn: textColumn, speakerPattern: speakerPattern)
    job.jobs = jobs
    let progress = TerminalProgress(label: "import")
    let summary: ImportSummary
    do {
      summary = try job.run(
        diagnostics: { line in
          progress?.finish()
          FileHandle.standardError.write(Data((line + "\n").utf8))
        },
        progress: { done, total in progress?.update(done: done, total: total) })
    } catch {
      progress?.finish()
      printError(error.description)
      throw ExitCode(1)
    }
    progress?.finish()
    if format == .jsonl {
      let sink = OutputSink()
      summary.writeJSONL(to: sink)
      sink.flush()
    } else {
      FileHandle.standardError.write(Data(summary.lines.map { $0 + "\n" }.joined().utf8))
    }
    // Codings on a replaced document are kept; say so when its new text makes them stale.
    if let stale = try? HumanCodingJobs.staleCodings(onPaths: summary.replaced, projectDirectory: project.directory),
      stale.codings > 0
    {
      FileHandle.standardError.write(Data((ImportSummary.staleCodingsWarning(stale) + "\n").utf8))
    }
    if !summary.rejected.isEmpty { throw ExitCode(1) }
  }
}

struct CorpusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "corpus",
    abstract: "List the project's documents, one row each.",
    discussion: """
      Columns: document path speakers turns sentences segments tokens, then one column per \
      metadata field (sorted by name; empty when a document lacks it). Rows in document id order.
      """)

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    do {
      try CorpusQueries.writeDocuments(projectDirectory: project.directory, format: format, to: sink)
    } catch {
      sink.flush()
      printError(error.description)
      throw ExitCode(1)
    }
  }
}

struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Print one document's speaker turns.",
    discussion: """
      Columns: turn speaker start end text; start and end are UTF-8 byte offsets into the \
      stored text, end exclusive. DOCUMENT is an id, a path, or a file name that ends one path.
      """)

  @Argument(help: ArgumentHelp("The document's id or path.", valueName: "DOCUMENT"))
  var document: String

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    do {
      try CorpusQueries.writeTurns(of: document, projectDirectory: project.directory, format: format, to: sink)
    } catch {
      sink.flush()
      printError(error.description)
      throw ExitCode(1)
    }
  }
}
