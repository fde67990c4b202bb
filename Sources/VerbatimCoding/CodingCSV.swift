import Foundation

/// An RFC 4180 reader: fields separated by commas, records by CRLF or LF, fields with
/// commas, quotes or line breaks quoted (`"a ""b"", c"`), a leading UTF-8 BOM ignored.
///
///     try CSVReader.records(in: "a,\"b,c\"\r\n\"x\ny\",z\n")
///     // [CSVRecord(line: 1, fields: ["a", "b,c"]), CSVRecord(line: 2, fields: ["x\ny", "z"])]
///
/// Blank lines (no characters at all) between records are skipped. Line numbers are those of
/// the file (a quoted field with line breaks makes a record span several lines).
public enum CSVReader {
  /// A syntax error, with the 1-based line where it is.
  public struct SyntaxError: Error, Equatable, CustomStringConvertible {
    /// The 1-based line.
    public var line: Int
    /// What is wrong.
    public var message: String
    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }

    /// Creates an error.
    public init(line: Int, message: String) {
      self.line = line
      self.message = message
    }
  }

  /// Splits `text` into records.
  ///
  /// - Throws: ``SyntaxError`` for a quote left open at the end of the text or text after a
  ///   closing quote (`"a"b`).
  public static func records(in text: String) throws(SyntaxError) -> [CSVRecord] {
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    var records: [CSVRecord] = []
    var fields: [String] = []
    var field = String.UnicodeScalarView()
    var quoted = false  // the current field was quoted
    var inQuotes = false
    var closedQuote = false  // just after the closing quote of the current field
    var line = 1
    var recordLine = 1
    var quoteLine = 1
    var index = 0
    func endRecord() {
      fields.append(String(field))
      if fields.count > 1 || !fields[0].isEmpty || quoted {
        records.append(CSVRecord(line: recordLine, fields: fields))
      }
      fields = []
      field = String.UnicodeScalarView()
      quoted = false
      closedQuote = false
    }
    while index < scalars.count {
      let scalar = scalars[index]
      index += 1
      if inQuotes {
        if scalar == "\"" {
          if index < scalars.count && scalars[index] == "\"" {
            field.append("\"")
            index += 1
          } else {
            inQuotes = false
            closedQuote = true
          }
          continue
        }
        if scalar == "\n" || (scalar == "\r" && !(index < scalars.count && scalars[index] == "\n")) { line += 1 }
        field.append(scalar)
        continue
      }
      switch scalar {
      case ",":
        fields.append(String(field))
        field = String.UnicodeScalarView()
        quoted = false
        closedQuote = false
      case "\r", "\n":
        if scalar == "\r" && index < scalars.count && scalars[index] == "\n" { index += 1 }
        endRecord()
        line += 1
        recordLine = line
      case "\"":
        guard field.isEmpty && !quoted else {
          throw SyntaxError(line: line, message: "a quote inside an unquoted field (quote the whole field and double the quote)")
        }
        quoted = true
        inQuotes = true
        quoteLine = line
      default:
        if closedQuote {
          throw SyntaxError(line: line, message: "text after a closing quote (write a quote inside a field as \"\")")
        }
        field.append(scalar)
      }
    }
    if inQuotes { throw SyntaxError(line: quoteLine, message: "a quoted field is never closed (a missing \")") }
    if !fields.isEmpty || !field.isEmpty || quoted { endRecord() }
    return records
  }
}

/// One CSV record and the file line it starts on.
public struct CSVRecord: Sendable, Hashable {
  /// The 1-based line where the record starts.
  public var line: Int
  /// Its fields, unquoted.
  public var fields: [String]

  /// Creates a record.
  public init(line: Int, fields: [String]) {
    self.line = line
    self.fields = fields
  }
}

/// A problem with one row of a codings CSV file: its line, the field, and what is wrong.
public struct CodingRowProblem: Sendable, Hashable, CustomStringConvertible {
  /// The 1-based line of the row in the file (0 for the file as a whole).
  public var line: Int
  /// The column (`coder`, `document`, `start`, `end`, `code`, `memo`), or empty for the row.
  public var field: String
  /// What is wrong and, where useful, what to do (never transcript text).
  public var message: String

  /// Creates a problem.
  public init(line: Int, field: String, message: String) {
    self.line = line
    self.field = field
    self.message = message
  }

  /// `line N, field: message`.
  public var description: String {
    field.isEmpty ? "line \(line): \(message)" : "line \(line), \(field): \(message)"
  }
}

/// A row of a codings CSV file, checked for syntax but not yet against the project.
public struct CodingRow: Sendable, Hashable {
  /// The 1-based line where the row starts.
  public var line: Int
  /// The coder's name.
  public var coder: String
  /// The document as written: an id, or else a stored path.
  public var document: String
  /// The UTF-8 byte range.
  public var range: Range<Int>
  /// The code path.
  public var code: String
  /// The memo (nil when the column is absent or the cell empty).
  public var memo: String?

  /// Creates a row.
  public init(line: Int, coder: String, document: String, range: Range<Int>, code: String, memo: String? = nil) {
    self.line = line
    self.coder = coder
    self.document = document
    self.range = range
    self.code = code
    self.memo = memo
  }
}

/// The exchange format of human codings: a CSV file with the header
/// `coder,document,start,end,code[,memo]` (BRIEF.md).
///
/// `document` is a document id (or a stored path), `start` and `end` UTF-8 byte offsets into
/// the stored text (`end` exclusive, after `start`), `code` a code path (`Parent/Child`).
/// Columns may come in any order; `memo` is optional; other columns are refused.
public enum CodingCSV {
  /// The columns, in the order ``write(_:)`` writes them.
  public static let columns = ["coder", "document", "start", "end", "code", "memo"]

  /// Parses a codings file, checking every row's syntax.
  ///
  /// - Returns: the rows that are well-formed and the problems of the others (one or more per
  ///   bad row, in line order). A file-level problem (bad header, CSV syntax) has no rows.
  public static func parse(_ text: String) -> (rows: [CodingRow], problems: [CodingRowProblem]) {
    let records: [CSVRecord]
    do {
      records = try CSVReader.records(in: text)
    } catch {
      return ([], [CodingRowProblem(line: error.line, field: "", message: error.message)])
    }
    guard let header = records.first else {
      return ([], [CodingRowProblem(line: 1, field: "", message: "the file is empty; expected the header \(headerText)")])
    }
    var position: [String: Int] = [:]
    var problems: [CodingRowProblem] = []
    if header.fields.count == 1 && header.fields[0].contains(";") {
      return ([], [
        CodingRowProblem(
          line: header.line, field: "",
          message: "the header uses semicolons; save the file as comma-separated CSV (header \(headerText))"),
      ])
    }
    for (index, name) in header.fields.enumerated() {
      let key = name.trimmingCharacters(in: .whitespaces).lowercased()
      guard columns.contains(key) else {
        problems.append(
          CodingRowProblem(line: header.line, field: "", message: "unknown column \"\(name)\"; expected \(headerText)"))
        continue
      }
      guard position[key] == nil else {
        problems.append(CodingRowProblem(line: header.line, field: "", message: "column \(key) appears twice"))
        continue
      }
      position[key] = index
    }
    for required in columns.dropLast() where position[required] == nil {
      problems.append(
        CodingRowProblem(line: header.line, field: "", message: "missing column \(required); expected \(headerText)"))
    }
    guard problems.isEmpty else { return ([], problems) }
    var rows: [CodingRow] = []
    for record in records.dropFirst() {
      guard record.fields.count == header.fields.count else {
        problems.append(
          CodingRowProblem(
            line: record.line, field: "",
            message: "has \(record.fields.count) fields, the header \(header.fields.count)"))
        continue
      }
      func value(_ column: String) -> String? { position[column].map { record.fields[$0] } }
      var rowProblems: [CodingRowProblem] = []
      func report(_ field: String, _ message: String) {
        rowProblems.append(CodingRowProblem(line: record.line, field: field, message: message))
      }
      let coder = value("coder") ?? ""
      if let message = problem(withCoder: coder) { report("coder", message) }
      let document = value("document") ?? ""
      if document.isEmpty { report("document", "is empty; give a document id as `verbatim corpus` lists it") }
      let start = Int(value("start") ?? "")
      let end = Int(value("end") ?? "")
      if start == nil { report("start", "is not a whole number of bytes") }
      if end == nil { report("end", "is not a whole number of bytes") }
      if let start, start < 0 { report("start", "is negative") }
      if let start, let end, start >= 0 {
        if end < start {
          report("end", "\(end) is before start \(start)")
        } else if end == start {
          report("end", "equals start (\(start)): the range is empty")
        }
      }
      let code = value("code") ?? ""
      if let message = problem(withCode: code) { report("code", message) }
      let memo = value("memo").flatMap { $0.isEmpty ? nil : $0 }
      if rowProblems.isEmpty, let start, let end {
        rows.append(CodingRow(line: record.line, coder: coder, document: document, range: start..<end, code: code, memo: memo))
      }
      problems += rowProblems
    }
    return (rows, problems)
  }

  /// Writes codings as CSV with the header `coder,document,start,end,code,memo` and CRLF
  /// line ends (RFC 4180), in the order given.
  public static func write(_ codings: [Coding]) -> String {
    var text = columns.joined(separator: ",") + "\r\n"
    for coding in codings {
      let fields = [
        coding.coder, String(coding.document), String(coding.range.lowerBound), String(coding.range.upperBound),
        coding.code, coding.memo ?? "",
      ]
      text += fields.map(quote).joined(separator: ",") + "\r\n"
    }
    return text
  }

  /// Quotes a field when RFC 4180 requires it.
  public static func quote(_ field: String) -> String {
    guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return field
    }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// What is wrong with a coder name, or nil: names are not empty, have no comma (lists of
  /// coders are comma-separated), no control character, no surrounding space, and are not
  /// ``Coding/automaticCoder``, which the automatic coder uses.
  public static func problem(withCoder coder: String) -> String? {
    if coder.isEmpty { return "is empty; give the coder's name or initials" }
    if coder == Coding.automaticCoder { return "\"\(coder)\" is reserved for the automatic coder; choose another name" }
    if coder.contains(",") { return "contains a comma (coder lists are comma-separated); choose another name" }
    if coder.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      return "contains a control character"
    }
    if coder != coder.trimmingCharacters(in: .whitespaces) { return "has leading or trailing spaces" }
    return nil
  }

  /// What is wrong with a code path, or nil: not empty, no empty part (`a//b`, `/a`), no
  /// part with surrounding spaces, no control character.
  public static func problem(withCode code: String) -> String? {
    if code.isEmpty { return "is empty; give a code path such as Parent/Child" }
    let parts = code.components(separatedBy: Code.pathSeparator)
    if parts.contains(where: \.isEmpty) { return "has an empty part (a leading, trailing or doubled /)" }
    if parts.contains(where: { $0 != $0.trimmingCharacters(in: .whitespaces) }) {
      return "has a part with leading or trailing spaces"
    }
    if code.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      return "contains a control character"
    }
    return nil
  }

  private static var headerText: String { "coder,document,start,end,code[,memo]" }
}
