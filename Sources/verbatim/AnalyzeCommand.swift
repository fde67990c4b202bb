import ArgumentParser
import Foundation
import VerbatimCoding
import VerbatimEngine

extension ReportLanguage: ExpressibleByArgument {}

struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "The main job: import, index, code, count, and write a report folder.",
    discussion: """
      Imports CORPUS into the project (unchanged files are skipped), indexes it, codes every \
      segment with every codebook, adds the project's human codings, computes code \
      frequencies, theme co-occurrence, code × metadata crosstabs, co-occurrence graphs and \
      term specificities, and writes DIR/index.html with the tables (CSV and JSONL) and graphs \
      (GEXF, SVG). Defaults: CORPUS is Corpus, the codebooks are every .yml/.qdc/.dic file of \
      Codebooks/, DIR is verbatim-report. DIR is replaced only once everything is written, and \
      only if it is a previous report. Set SOURCE_DATE_EPOCH for a fixed report date.
      """)

  @Argument(help: ArgumentHelp("Files and folders to import.", valueName: "CORPUS"))
  var corpus: [String] = []

  @Option(name: .long, help: ArgumentHelp("A codebook file; repeatable (default: every codebook in Codebooks/).", valueName: "FILE"))
  var codebook: [String] = []

  @Option(name: .long, help: ArgumentHelp("The report folder.", valueName: "DIR"))
  var out: String = "verbatim-report"

  @Option(name: .long, help: "The report's language: fr or en.")
  var lang: ReportLanguage = .fr

  @Option(name: .long, help: ArgumentHelp("A key notion for the co-occurrence graphs; repeatable.", valueName: "TERM"))
  var notion: [String] = []

  @Option(name: .long, help: "Worker threads (default: all cores).")
  var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
  }

  func run() throws {
    let corpus = self.corpus.isEmpty ? ["Corpus"] : self.corpus
    var codebooks = codebook
    if codebooks.isEmpty {
      let folder = URL(fileURLWithPath: "Codebooks")
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      codebooks = names.sorted().filter { ["yml", "yaml", "qdc", "dic"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
        .map { folder.appendingPathComponent($0).relativePath }
    }
    var date = Date()
    if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Double(epoch) {
      date = Date(timeIntervalSince1970: seconds)
    }
    let options = AnalyzeOptions(
      corpus: corpus, codebooks: codebooks, output: URL(fileURLWithPath: out).standardizedFileURL,
      project: project.directory, language: lang, jobs: jobs, notions: notion, date: date)
    let steps = ["codebooks", "import", "index", "coding", "statistics", "graphs", "report"]
    let progress = TerminalProgress(label: "analyze")
    let summary: AnalyzeSummary
    do {
      summary = try AnalyzeJob.run(
        options,
        diagnostics: { line in
          progress?.finish()
          FileHandle.standardError.write(Data((line + "\n").utf8))
        },
        progress: { step in progress?.update(done: (steps.firstIndex(of: step) ?? 0) + 1, total: steps.count) })
      progress?.finish()
    } catch {
      progress?.finish()
      printError(error.description)
      throw ExitCode(1)
    }
    for line in summary.importLines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    let message = String(
      format: "analyze: %d documents, %d segments, %d codes (%d segments coded); %d files in %@/ — open %@/index.html\n",
      summary.documents, summary.units, summary.codes, summary.codedUnits, summary.files.count, out, out)
    FileHandle.standardError.write(Data(message.utf8))
  }
}
