import ArgumentParser
import Foundation
import VerbatimCoding
import VerbatimEngine

extension REFILineEndCounting: ExpressibleByArgument {}

/// Writes lines to stderr.
private func printLines(_ lines: [String]) {
  guard !lines.isEmpty else { return }
  FileHandle.standardError.write(Data(lines.map { $0 + "\n" }.joined().utf8))
}

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export the project for other QDA tools (REFI-QDA .qdpx: NVivo, ATLAS.ti, MAXQDA, QualCoder).",
    discussion: """
      Writes a .qdpx (a zip of project.qde and sources/<guid>.txt): every document as a \
      plain-text source, its metadata as a case with variables, every human coding (current, \
      with its coder and memo), and with --codebook FILE (any codebook format) the codebook \
      and the automatic coder's codings of every segment (coder verbatim). Codes keep their GUIDs; missing ones are derived \
      from the codebook name and code path, so the same project exports the same bytes. \
      Codebook rules (queries) have no place in REFI-QDA and are not written. The file is \
      written atomically; a summary goes to stderr.
      """)

  @Option(name: .long, help: ArgumentHelp("The .qdpx file to write.", valueName: "FILE"))
  var qdpx: String?

  @Option(name: .long, help: ArgumentHelp("The codebook to include, with its automatic codings.", valueName: "FILE"))
  var codebook: String?

  @Option(name: .long, help: ArgumentHelp("The REFI project name (default: the file's base name).", valueName: "NAME"))
  var name: String?

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    guard let qdpx else { throw ValidationError("Give the file to write: --qdpx FILE.") }
    if URL(fileURLWithPath: qdpx).pathExtension.lowercased() != "qdpx" {
      throw ValidationError("--qdpx: the file name must end in .qdpx.")
    }
  }

  func run() throws {
    guard let qdpx else { throw ValidationError("Give the file to write: --qdpx FILE.") }
    do {
      var book: Codebook?
      var warnings: [String] = []
      if let codebook {
        let loaded = try REFIExchange.loadCodebook(at: codebook)
        book = loaded.codebook
        warnings += loaded.warnings.map { "warning: \($0)" }
        warnings += REFICodebook.lostInformation(loaded.codebook).filter { !$0.contains("no codes") }.map {
          "warning: \(codebook): \($0)"
        }
      }
      var codings = try HumanCodingJobs.codings(coders: nil, projectDirectory: project.directory).filter { !$0.isStale }
        .map(\.coding)
      if let codebook {
        let automatic = try AutomaticCodings.load(
          codebookAt: codebook, project: project.directory, unit: .segment,
          jobs: ProcessInfo.processInfo.activeProcessorCount)
        codings += automatic.codings
      }
      let summary = try REFIExchange.exportArchive(
        projectDirectory: project.directory, to: URL(fileURLWithPath: qdpx), name: name, codebook: book, codings: codings)
      warnings += summary.warnings.map { "warning: \($0)" }
      printLines(
        warnings + [
          "export: \(summary.documents) documents, \(summary.variables) variables, \(summary.codes) codes, "
            + "\(summary.codings) codings → \(qdpx)"
        ])
    } catch {
      printError(String(describing: error))
      throw ExitCode(1)
    }
  }
}

/// The `--qdpx` options of `verbatim import`.
struct QDPXImportOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Import a REFI-QDA project (.qdpx) instead of CORPUS: its text sources become documents.", valueName: "FILE"))
  var qdpx: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With --qdpx: write the archive's codings to FILE (csv: coder,document,start,end,code,memo).",
      valueName: "FILE"))
  var codingsOut: String?

  @Option(
    name: .long, help: ArgumentHelp("With --qdpx: write the archive's codebook to FILE (.qdc).", valueName: "FILE"))
  var codebookOut: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With --qdpx: how the file's positions count a CRLF: auto (detect per source), 2 (the standard), 1.",
      valueName: "N"))
  var crlfPositions: REFILineEndCounting = .automatic

  /// Usage problems, given the CORPUS arguments.
  func validate(inputs: [String]) throws {
    guard qdpx != nil else {
      if codingsOut != nil || codebookOut != nil || crlfPositions != .automatic {
        throw ValidationError("--codings-out, --codebook-out and --crlf-positions go with --qdpx.")
      }
      return
    }
    if !inputs.isEmpty { throw ValidationError("Give either CORPUS or --qdpx FILE, not both.") }
    if let codebookOut, URL(fileURLWithPath: codebookOut).pathExtension.lowercased() != "qdc" {
      throw ValidationError("--codebook-out: the file name must end in .qdc.")
    }
  }

  /// Runs `verbatim import --qdpx FILE`.
  func run(projectDirectory: URL, jsonl: Bool) throws {
    guard let qdpx else { return }
    do {
      let outcome = try REFIExchange.importArchive(
        at: URL(fileURLWithPath: qdpx), file: qdpx, projectDirectory: projectDirectory, counting: crlfPositions)
      if let codingsOut {
        try REFIExchange.writeAtomically(
          Data(REFIExchange.codingsCSV(outcome.codings).utf8), to: URL(fileURLWithPath: codingsOut))
      }
      var warnings = outcome.warnings.map { "warning: \($0)" }
      if let codebookOut {
        if outcome.codebook.codes.isEmpty {
          warnings.append("warning: \(qdpx): the archive has no codes; \(codebookOut) was not written")
        } else {
          try REFIExchange.writeAtomically(REFICodebook.write(outcome.codebook), to: URL(fileURLWithPath: codebookOut))
        }
      }
      // Human codings join the project's coding store; the automatic coder's are recomputed
      // from a codebook by `code`, `themes`, `agree` and `analyze`, so they are not stored.
      let human = outcome.codings.filter { $0.coder != Coding.automaticCoder }
      if human.count < outcome.codings.count {
        warnings.append(
          "note: \(qdpx): \(outcome.codings.count - human.count) codings by the automatic coder (verbatim) were not stored; they are recomputed from a codebook")
      }
      if !human.isEmpty {
        let store = try HumanCodingJobs.open(projectDirectory)
        let rows = human.enumerated().map { index, coding in
          CodingRow(
            line: index + 1, coder: coding.coder, document: String(coding.document), range: coding.range,
            code: coding.code, memo: coding.memo)
        }
        _ = try store.importRows(rows, source: qdpx)
      }
      printLines(warnings)
      let codes = outcome.codebook.flattened.count
      if jsonl {
        let sink = OutputSink()
        TableWriter(format: .jsonl, columns: ["imported", "codes", "codings", "imported_paths"], sink: sink).write([
          .integer(outcome.documents.count), .integer(codes), .integer(outcome.codings.count),
          .list(outcome.documents.map(\.path)),
        ])
        sink.flush()
      } else {
        printLines([
          "import: \(outcome.documents.count) documents, \(codes) codes, \(outcome.codings.count) codings from \(qdpx)"
        ])
      }
    } catch {
      printError(String(describing: error))
      throw ExitCode(1)
    }
  }
}
