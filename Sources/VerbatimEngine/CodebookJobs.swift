import Foundation
import VerbatimAnalysis
import VerbatimCoding

/// The codebook file formats `verbatim code` and `verbatim codebook convert` know.
public enum CodebookFileFormat: String, Sendable, CaseIterable {
  /// Verbatim's own YAML (`verbatim-codebook: 1`), `.yml`/`.yaml`.
  case verbatim
  /// A quanteda YAML dictionary (`--from quanteda`, `--to quanteda`).
  case quanteda
  /// A LIWC dictionary, `.dic` (read only).
  case liwc
  /// A REFI-QDA codebook, `.qdc`.
  case qdc
}

/// An error reading, converting or writing a codebook file.
public enum CodebookFileError: Error, CustomStringConvertible {
  /// The command line asks for something this build cannot do (exit 64).
  case usage(String)
  /// The codebook is invalid (exit 1); the message names the file, line and element.
  case invalid(CodebookError)
  /// A file could not be read or written (exit 1).
  case io(path: String, reason: String)
  /// A REFI-QDA `.qdc` file is not valid (exit 1); the message names the file, line and element.
  case refi(REFIError)

  /// One line for stderr.
  public var description: String {
    switch self {
    case .usage(let message): message
    case .invalid(let error): error.description
    case .io(let path, let reason): "\(path): \(reason)"
    case .refi(let error): error.description
    }
  }
}

/// Reads and writes codebook files by format; the one switch every codebook file goes through.
///
///     let (book, notes) = try CodebookFiles.read(path: "themes.dic")
///     try CodebookFiles.write(book.codebook, to: "themes.yml")
///
/// `.qdc` (REFI-QDA) goes through `REFICodebook`: it holds no rules, so its codes code nothing
/// until rules are added (a note says so when writing one).
public enum CodebookFiles {
  /// The format a path's extension implies (`.yml`/`.yaml` ours, `.dic` LIWC, `.qdc` REFI-QDA),
  /// unless `explicit` says otherwise.
  ///
  /// - Throws: ``CodebookFileError/usage(_:)`` for an unknown extension.
  public static func format(of path: String, explicit: CodebookFileFormat? = nil) throws(CodebookFileError)
    -> CodebookFileFormat
  {
    if let explicit { return explicit }
    switch URL(fileURLWithPath: path).pathExtension.lowercased() {
    case "yml", "yaml": return .verbatim
    case "dic": return .liwc
    case "qdc": return .qdc
    default:
      throw .usage(
        "\(path): unknown codebook extension; use .yml (Verbatim), .dic (LIWC), .qdc (REFI-QDA), or --from/--to quanteda"
      )
    }
  }

  /// Reads, validates and compiles a codebook file; `notes` lists what a foreign format lost.
  ///
  /// - Throws: ``CodebookFileError``; nothing is returned for an invalid codebook.
  public static func read(path: String, format explicit: CodebookFileFormat? = nil, analyzer: Analyzer = .french)
    throws(CodebookFileError) -> (codebook: CompiledCodebook, notes: [String])
  {
    let format = try format(of: path, explicit: explicit)
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .io(path: path, reason: "cannot read the codebook: \((error as NSError).localizedDescription)")
    }
    return try decode(data, format: format, file: path, analyzer: analyzer)
  }

  /// Decodes and validates a codebook held in memory.
  public static func decode(_ data: Data, format: CodebookFileFormat, file: String, analyzer: Analyzer = .french)
    throws(CodebookFileError) -> (codebook: CompiledCodebook, notes: [String])
  {
    var text: String?
    if format != .qdc {
      guard let decoded = String(data: data, encoding: .utf8) else {
        throw .invalid(CodebookError(file: file, path: "", problem: "not UTF-8 text; convert it (iconv -t UTF-8)"))
      }
      text = decoded.hasPrefix("\u{FEFF}") ? String(decoded.dropFirst()) : decoded
    }
    let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    do {
      switch format {
      case .verbatim:
        return (try CodebookYAML.readCompiled(text ?? "", file: file, analyzer: analyzer), [])
      case .quanteda:
        let imported = try DictionaryFormats.readQuantedaYAML(text ?? "", file: file, name: name)
        return (try CompiledCodebook(imported.codebook, file: file, analyzer: analyzer), imported.notes)
      case .liwc:
        let imported = try DictionaryFormats.readLIWC(text ?? "", file: file, name: name)
        return (try CompiledCodebook(imported.codebook, file: file, analyzer: analyzer), imported.notes)
      case .qdc:
        let (book, warnings) = try REFICodebook.readWithWarnings(data, file: file)
        return (try CompiledCodebook(book, file: file, analyzer: analyzer), warnings)
      }
    } catch let error as CodebookError {
      throw .invalid(error)
    } catch let error as REFIError {
      throw .refi(error)
    } catch let error as CodebookFileError {
      throw error
    } catch {
      throw .io(path: file, reason: "\(error)")
    }
  }

  /// Encodes a codebook; `notes` lists what the format cannot hold.
  public static func encode(_ codebook: Codebook, format: CodebookFileFormat, analyzer: Analyzer = .french)
    throws(CodebookFileError) -> (data: Data, notes: [String])
  {
    switch format {
    case .verbatim:
      return (Data(CodebookYAML.write(codebook).utf8), [])
    case .quanteda:
      let (text, notes) = DictionaryFormats.writeQuantedaYAML(codebook, analyzer: analyzer)
      return (Data(text.utf8), notes)
    case .liwc:
      throw .usage("writing LIWC .dic files is not supported; write .yml (Verbatim) or --to quanteda")
    case .qdc:
      return (REFICodebook.write(codebook), REFICodebook.lostInformation(codebook))
    }
  }

  /// Writes a codebook atomically (a temporary file in the same folder, then a rename).
  @discardableResult
  public static func write(_ codebook: Codebook, to path: String, format explicit: CodebookFileFormat? = nil)
    throws(CodebookFileError) -> [String]
  {
    let format = try format(of: path, explicit: explicit)
    let (data, notes) = try encode(codebook, format: format)
    try writeAtomically(data, to: path)
    return notes
  }

  /// `verbatim codebook convert IN OUT`: reads and validates `input` completely, then writes `output`.
  ///
  /// - Returns: notes on what the conversion could not carry over.
  public static func convert(
    input: String, output: String, from: CodebookFileFormat? = nil, to: CodebookFileFormat? = nil
  ) throws(CodebookFileError) -> [String] {
    let outputFormat = try format(of: output, explicit: to)
    let (compiled, readNotes) = try read(path: input, format: from)
    let (data, writeNotes) = try encode(compiled.codebook, format: outputFormat)
    try writeAtomically(data, to: output)
    return readNotes + writeNotes
  }

  static func writeAtomically(_ data: Data, to path: String) throws(CodebookFileError) {
    // A temporary file beside the target, then a rename, as the other exports do.
    do {
      try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .io(path: path, reason: "cannot write: \((error as NSError).localizedDescription)")
    }
  }

}

/// What `verbatim code` prints.
public enum CodeQueries {
  /// The columns of `verbatim code` (tsv, csv); jsonl adds `rule_index` (1-based), `hits`
  /// (`start-end` UTF-8 ranges of the matched words) and `words` (their text, same order).
  public static let columns = ["document", "segment", "speaker", "code", "start", "end", "rule"]

  /// Codes the project and writes one row per coded unit and code, in document, unit and
  /// codebook order.
  ///
  /// - Throws: ``AutoCodingError``.
  @discardableResult
  public static func write(
    project: URL, codebook: CompiledCodebook, scope: CodingScope, jobs: Int, format: TableFormat, to sink: OutputSink,
    progress: ((Int, Int) -> Void)? = nil
  ) throws(AutoCodingError) -> AutoCodingSummary {
    // The header is written once the project is open: a missing project writes nothing.
    var writer: TableWriter?
    func makeWriter() -> TableWriter {
      if let writer { return writer }
      let made = TableWriter(
        format: format, columns: format == .jsonl ? columns + ["rule_index", "hits", "words"] : columns, sink: sink)
      writer = made
      return made
    }
    let summary = try AutoCodingJob.stream(
      project: project, codebook: codebook, scope: scope, jobs: jobs, progress: progress
    ) { rows in
      let writer = makeWriter()
      for row in rows {
        var values: [TableValue] = [
          .integer(Int(row.document)), .integer(row.unit), .text(row.speaker ?? ""), .text(row.code),
          .integer(row.range.lowerBound), .integer(row.range.upperBound), .text(row.rule),
        ]
        if format == .jsonl {
          values += [
            .integer(row.ruleIndex + 1),
            .list(row.hits.map { "\($0.range.lowerBound)-\($0.range.upperBound)" }),
            .list(row.hits.map(\.text)),
          ]
        }
        writer.write(values)
      }
    }
    _ = makeWriter()
    return summary
  }
}
