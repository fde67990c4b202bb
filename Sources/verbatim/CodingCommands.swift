import ArgumentParser
import Foundation
import VerbatimCoding
import VerbatimEngine

extension AgreementUnit: ExpressibleByArgument {}
extension ThemesJob.Measure: ExpressibleByArgument {}
extension ThemesJob.Table: ExpressibleByArgument {}

/// Runs `body`, printing a ``HumanCodingError`` as `error: …` on stderr and exiting 1.
private func reportingErrors(_ sink: OutputSink? = nil, _ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as HumanCodingError {
    sink?.flush()
    printError(error.description)
    throw ExitCode(1)
  } catch let error as AutomaticCodings.Failure {
    sink?.flush()
    printError(error.description)
    throw ExitCode(1)
  }
}

/// The automatic coder's codings when `--codebook FILE` is given (notes go to stderr).
private func automaticCodings(_ codebook: String?, project: URL, unit: AgreementUnit) throws -> [Coding] {
  guard let codebook else { return [] }
  let loaded = try AutomaticCodings.load(
    codebookAt: codebook, project: project, unit: unit, jobs: ProcessInfo.processInfo.activeProcessorCount)
  printWarnings(loaded.notes.map { "note: \($0)" })
  return loaded.codings
}

private func printWarnings(_ warnings: [String]) {
  for warning in warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
}

/// The key of one coding, shared by `coding add` and `coding remove`.
struct CodingKeyOptions: ParsableArguments {
  @Option(name: .long, help: "The coder's name or initials.")
  var coder: String

  @Option(name: .long, help: ArgumentHelp("The document id (as `verbatim corpus` lists it).", valueName: "ID"))
  var document: Int64

  @Option(name: .long, help: "First UTF-8 byte offset of the passage (inclusive).")
  var start: Int

  @Option(name: .long, help: "UTF-8 byte offset just after the passage (exclusive).")
  var end: Int

  @Option(name: .long, help: ArgumentHelp("The code path (Parent/Child).", valueName: "PATH"))
  var code: String

  func validate() throws {
    if start < 0 { throw ValidationError("--start must be 0 or more.") }
    if end <= start { throw ValidationError("--end must be after --start (end is exclusive).") }
  }
}

struct CodingCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "coding",
    abstract: "Add, remove, list, import and export human codings.",
    discussion: """
      A coding is a coder, a document id, a UTF-8 byte range (start inclusive, end exclusive, \
      on character boundaries) and a code path. The exchange format is CSV with the header \
      coder,document,start,end,code[,memo]. When a re-import changes a document's text, its \
      codings are kept but marked stale: `coding list --stale` shows them, analyses leave them \
      out, and `coding confirm --document ID` accepts them again.
      """,
    subcommands: [
      AddCoding.self, RemoveCoding.self, ListCodings.self, ImportCodings.self, ExportCodings.self,
      ConfirmCodings.self, MemoCommand.self, ListMemos.self,
    ])
}

struct AddCoding: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add", abstract: "Add one coding (the same key again replaces its memo).")

  @OptionGroup var key: CodingKeyOptions

  @Option(name: .long, help: "A note on this coding.")
  var memo: String?

  @Option(name: .long, help: ArgumentHelp("Refuse codes that are not in this codebook.", valueName: "FILE"))
  var codebook: String?

  @OptionGroup var project: ProjectOptions

  func run() throws {
    try reportingErrors {
      let known = try codebook.map { try HumanCodingJobs.knownCodes(codebookAt: $0) }
      let isNew = try HumanCodingJobs.add(
        Coding(coder: key.coder, document: key.document, range: key.start..<key.end, code: key.code, memo: memo),
        knownCodes: known, projectDirectory: project.directory)
      FileHandle.standardError.write(Data((isNew ? "coding: added\n" : "coding: already stored; memo updated\n").utf8))
    }
  }
}

struct RemoveCoding: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remove", abstract: "Remove one coding, given its coder, document, start, end and code.")

  @OptionGroup var key: CodingKeyOptions
  @OptionGroup var project: ProjectOptions

  func run() throws {
    try reportingErrors {
      try HumanCodingJobs.remove(
        coder: key.coder, document: key.document, range: key.start..<key.end, code: key.code,
        projectDirectory: project.directory)
    }
  }
}

struct ListCodings: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List the stored codings.",
    discussion: """
      Columns: coder document path start end code memo created status (status: current, or \
      stale when the document's text changed since the coding was made). Rows by document, \
      start, end, coder, code.
      """)

  @Option(name: .long, help: ArgumentHelp("Only these coders (comma-separated).", valueName: "A,B"))
  var coders: String?

  @Flag(name: .long, help: "Only stale codings.")
  var stale = false

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    try reportingErrors(sink) {
      try HumanCodingJobs.writeList(
        coders: coders.map { Set(splitCoders($0)) }, staleOnly: stale, projectDirectory: project.directory,
        format: format, to: sink)
    }
  }
}

struct ImportCodings: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import codings from a CSV file (coder,document,start,end,code[,memo]).",
    discussion: """
      The import is atomic: a file with any bad row is rejected whole, each bad row is named \
      (line, field, problem), and nothing stored changes. A row whose coding is already stored \
      replaces its memo.
      """)

  @Argument(help: ArgumentHelp("The CSV file.", valueName: "FILE"))
  var file: String

  @Option(name: .long, help: ArgumentHelp("Refuse codes that are not in this codebook.", valueName: "FILE"))
  var codebook: String?

  @OptionGroup var project: ProjectOptions

  func run() throws {
    try reportingErrors {
      let known = try codebook.map { try HumanCodingJobs.knownCodes(codebookAt: $0) }
      let summary = try HumanCodingJobs.importFile(at: file, knownCodes: known, projectDirectory: project.directory)
      FileHandle.standardError.write(
        Data("coding import: \(summary.added) added, \(summary.updated) already stored\n".utf8))
    }
  }
}

struct ExportCodings: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export codings as CSV (coder,document,start,end,code,memo), the format `coding import` reads.")

  @Option(name: .long, help: ArgumentHelp("Only these coders (comma-separated).", valueName: "A,B"))
  var coders: String?

  @Option(name: [.short, .long], help: ArgumentHelp("Write to FILE (atomically) instead of stdout.", valueName: "FILE"))
  var output: String?

  @OptionGroup var project: ProjectOptions

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    try reportingErrors(sink) {
      let (csv, stale) = try HumanCodingJobs.exportCSV(
        coders: coders.map { Set(splitCoders($0)) }, projectDirectory: project.directory)
      if stale > 0 {
        printWarnings([
          "warning: \(stale) exported \(stale == 1 ? "coding is" : "codings are") stale (the document changed since); `verbatim coding list --stale` shows them"
        ])
      }
      if let output { try HumanCodingJobs.writeAtomically(csv, to: output) } else { sink.write(csv) }
    }
  }
}

struct ConfirmCodings: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "confirm",
    abstract: "Accept a document's stale codings against its current text.",
    discussion: "Codings still inside the text and on character boundaries become current; the others stay stale.")

  @Option(name: .long, help: ArgumentHelp("The document id.", valueName: "ID"))
  var document: Int64

  @OptionGroup var project: ProjectOptions

  func run() throws {
    try reportingErrors {
      let result = try HumanCodingJobs.confirm(document: document, projectDirectory: project.directory)
      FileHandle.standardError.write(
        Data("coding confirm: \(result.confirmed) confirmed, \(result.stillStale) still stale\n".utf8))
    }
  }
}

struct MemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "memo", abstract: "Write (or with --delete remove) the memo on a code or a document.")

  @Option(name: .long, help: ArgumentHelp("The code path.", valueName: "PATH"))
  var code: String?

  @Option(name: .long, help: ArgumentHelp("The document id.", valueName: "ID"))
  var document: Int64?

  @Argument(help: "The memo's text.")
  var text: String?

  @Flag(name: .long, help: "Delete the memo.")
  var delete = false

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if (code == nil) == (document == nil) { throw ValidationError("Give either --code PATH or --document ID.") }
    if delete == (text != nil) { throw ValidationError("Give the memo's TEXT, or --delete.") }
  }

  func run() throws {
    try reportingErrors {
      try HumanCodingJobs.setMemo(text, code: code, document: document, projectDirectory: project.directory)
    }
  }
}

struct ListMemos: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "memos", abstract: "List memos: target (code or document), id, memo, updated.")

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    try reportingErrors(sink) { try HumanCodingJobs.writeMemos(projectDirectory: project.directory, format: format, to: sink) }
  }
}

/// Splits `A,B` into coder names (empty parts dropped).
func splitCoders(_ list: String) -> [String] {
  list.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
}

struct AgreeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agree",
    abstract: "Inter-coder agreement per code and overall.",
    discussion: """
      Columns: code coders units percent kappa alpha. Over every unit of every document that \
      any of the coders coded; a unit counts as coded with a code when a coding of that code \
      overlaps it. A coder who coded nothing in a document counts as missing there. units: \
      units with at least two coders' values (for --unit character, Unicode code points). \
      percent: observed agreement; kappa: Cohen's κ (empty unless exactly two coders); alpha: \
      Krippendorff's α, nominal. The (overall) row pools every unit and code. Empty cells (jsonl: null) are \
      undefined values (no variation). --codebook FILE adds the automatic coder, named \
      verbatim, which codes every unit (its silence means "not coded"). --validate CODER scores \
      CODER against the single other coder of --coders per code: code coder reference \
      true_positives false_positives false_negatives precision recall f1 (e.g. --codebook F \
      --coders verbatim,AB --validate verbatim: the codebook's rules against AB's reading).
      """)

  @Option(name: .long, help: ArgumentHelp("The coders to compare (default: all).", valueName: "A,B…"))
  var coders: String?

  @Option(name: .long, help: "The unit: segment, sentence, paragraph, turn or character.")
  var unit: AgreementUnit = .segment

  @Option(
    name: .customLong("validate"),
    help: ArgumentHelp("Score this coder against the other one of --coders.", valueName: "CODER"))
  var validateCoder: String?

  @Option(name: .long, help: ArgumentHelp("Add the automatic coder (verbatim) with this codebook.", valueName: "FILE"))
  var codebook: String?

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if let validate = validateCoder {
      let list = coders.map(splitCoders) ?? []
      guard list.count == 2, list.contains(validate) else {
        throw ValidationError("--validate CODER needs --coders with CODER and one reference coder.")
      }
    }
  }

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    try reportingErrors(sink) {
      // For --unit character the automatic coder codes segments; their spans cover the characters.
      let automatic = try automaticCodings(codebook, project: project.directory, unit: unit)
      if let validate = validateCoder {
        let reference = splitCoders(coders ?? "").first { $0 != validate } ?? ""
        let (rows, warnings) = try AgreementJob.validate(
          projectDirectory: project.directory, coder: validate, reference: reference, unit: unit, extra: automatic)
        printWarnings(warnings)
        AgreementJob.write(rows, coder: validate, reference: reference, format: format, to: sink)
        return
      }
      var requested = coders.map(splitCoders)
      if codebook != nil, let list = requested, !list.contains(Coding.automaticCoder) {
        requested = list + [Coding.automaticCoder]
      }
      let (rows, warnings) = try AgreementJob.compute(
        projectDirectory: project.directory, coders: requested, unit: unit, extra: automatic,
        complete: codebook == nil ? [] : [Coding.automaticCoder])
      printWarnings(warnings)
      AgreementJob.write(rows, format: format, to: sink)
    }
  }
}

struct ThemesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "themes",
    abstract: "Theme frequencies and theme co-occurrence over units.",
    discussion: """
      Columns: code_a code_b segments measure (with --by, a leading group column and one block \
      per group). Rows with code_a = code_b give a theme's frequency: segments = units coded \
      with it, measure = their share of the units. Then one row per pair of codes that code a \
      unit together: segments = units coded with both, measure = count, jaccard \
      (n12 / (n1 + n2 − n12) over units) or c (ATLAS.ti's c-coefficient over codings). \
      Counts the human codings of the --coder options (default: every coder), or with \
      --codebook FILE the automatic coder's codings (plus those of any --coder). --table \
      frequencies writes group code units group_units codings (groups: --by, default \
      document); --table crosstab (needs --by) writes code group units group_units code_units \
      row_percent column_percent chi2 df p, with Pearson's χ² of each code's coded/not coded × \
      group table.
      """)

  @Option(name: .long, help: ArgumentHelp("Count this coder's codings (repeatable; default: all).", valueName: "NAME"))
  var coder: [String] = []

  @Option(name: .long, help: ArgumentHelp("One block per value of this field (or speaker, document).", valueName: "FIELD"))
  var by: String?

  @Option(name: .long, help: "The unit: segment, sentence, paragraph or turn.")
  var unit: AgreementUnit = .segment

  @Option(name: .long, help: "The pair measure: count, jaccard or c.")
  var measure: ThemesJob.Measure = .jaccard

  @Option(name: .long, help: "The table: pairs (default), frequencies or crosstab.")
  var table: ThemesJob.Table = .pairs

  @Option(name: .long, help: ArgumentHelp("Code the units with this codebook (the automatic coder).", valueName: "FILE"))
  var codebook: String?

  @Option(name: .long, help: "Output format: tsv, csv or jsonl.")
  var format: TableFormat = .tsv

  @OptionGroup var project: ProjectOptions

  func validate() throws {
    if unit == .character { throw ValidationError("--unit character is for `verbatim agree`; themes count units.") }
  }

  func run() throws {
    let sink = OutputSink()
    defer { sink.flush() }
    try reportingErrors(sink) {
      let automatic = try automaticCodings(codebook, project: project.directory, unit: unit)
      let warnings = try ThemesJob.run(
        projectDirectory: project.directory, coders: coder.isEmpty ? (codebook == nil ? nil : []) : coder, unit: unit,
        by: by, measure: measure, table: table, extra: automatic, format: format, to: sink)
      printWarnings(warnings)
    }
  }
}
