import ArgumentParser
import Foundation
import VerbatimEngine
import VerbatimIndex

struct IndexCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "index",
    abstract: "Build the positional index of the project's documents.",
    discussion: """
      With CORPUS, imports it first (as `verbatim import`). Every stored document is indexed \
      by --jobs workers, each building whole runs of 8 or 16 MiB of text into segments (flushing \
      early at its share of half of --memory); the commit keeps one segment per run, merging only \
      what changed: the files do not depend on --jobs. One writer at a time. The summary \
      goes to stderr, or with --format jsonl as one object to stdout.
      """)

  @Argument(help: ArgumentHelp("Files and folders to import first.", valueName: "CORPUS"))
  var inputs: [String] = []

  @Option(name: .long, help: "Worker threads (default: all cores).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @Option(
    name: .long,
    help: "Memory budget of the whole build, in MB: half for the workers' in-memory segments, half for the rest.")
  var memory: Int = 512

  @Option(name: .long, help: "Summary format: jsonl prints one object on stdout; otherwise a summary on stderr.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    if memory < 1 { throw ValidationError("--memory must be at least 1 (MB).") }
  }

  func run() throws {
    if !inputs.isEmpty {
      let importCommand = try ImportCommand.parse(inputs + ["--project", project.directory.path])
      try importCommand.run()
    }
    let summary: IndexSummary
    let progress = TerminalProgress(label: "index")
    defer { progress?.finish() }
    do {
      summary = try IndexJob.run(
        project: project.directory, jobs: jobs, memoryBudgetMegabytes: memory,
        progress: progress.map { bar in { done, total in bar.update(done: done, total: total) } })
      progress?.finish()
    } catch {
      progress?.finish()
      printError(error.description)
      throw ExitCode(1)
    }
    let terms = summary.terms
    let stems = summary.stems
    let segments = summary.segments
    let written = summary.segmentsWritten
    if format == .jsonl {
      let sink = OutputSink()
      let writer = TableWriter(
        format: .jsonl,
        columns: [
          "documents", "analysed", "tokens", "terms", "stems", "bytes", "seconds", "mb_per_s", "index_bytes",
          "generation", "jobs", "segments", "segments_written",
        ],
        sink: sink)
      writer.write([
        .integer(summary.documents), .integer(summary.analysedDocuments), .integer(summary.tokens), .integer(terms),
        .integer(stems), .integer(summary.bytes), .number(summary.seconds),
        .number((summary.megabytesPerSecond * 100).rounded() / 100), .integer(summary.indexBytes),
        .integer(summary.generation), .integer(summary.jobs), .integer(segments), .integer(written),
      ])
      sink.flush()
    } else {
      let line = String(
        format:
          "index: %d documents (%d analysed: %.1f MB in %.2f s, %.1f MB/s, %d jobs), %d tokens, %d terms, %d stems; index %.1f MB in %d segments (%d written), generation %d\n",
        summary.documents, summary.analysedDocuments, Double(summary.bytes) / 1e6, summary.seconds,
        summary.megabytesPerSecond, summary.jobs, summary.tokens, terms, stems, Double(summary.indexBytes) / 1e6,
        segments, written, summary.generation)
      FileHandle.standardError.write(Data(line.utf8))
    }
  }
}
