/// The machine-readable output formats of the CLI contract.
public enum TableFormat: String, Sendable, CaseIterable {
  /// A header line, tab-separated, no quoting; tab, newline, CR and backslash in a field are
  /// written `\t`, `\n`, `\r`, `\\`.
  case tsv
  /// RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled, CRLF line ends.
  case csv
  /// One JSON object per line.
  case jsonl
}

/// A cell of a table row.
public enum TableValue: Sendable, Hashable {
  case text(String)
  case integer(Int)
  case number(Double)
  case list([String])
}

/// Writes rows in one ``TableFormat``, with the header (tsv, csv) written first.
public struct TableWriter {
  /// The format written.
  public let format: TableFormat
  /// The column names (also the JSON keys).
  public let columns: [String]
  private let sink: OutputSink

  /// Creates a writer and writes the header line for tsv and csv.
  public init(format: TableFormat, columns: [String], sink: OutputSink) {
    self.format = format
    self.columns = columns
    self.sink = sink
    switch format {
    case .tsv: sink.write(columns.map(Self.escapeTSV).joined(separator: "\t") + "\n")
    case .csv: sink.write(columns.map(Self.escapeCSV).joined(separator: ",") + "\r\n")
    case .jsonl: break
    }
  }

  /// Writes one row; `values` follow `columns`.
  public func write(_ values: [TableValue]) {
    precondition(values.count == columns.count, "row has \(values.count) values for \(columns.count) columns")
    switch format {
    case .tsv:
      sink.write(values.map { Self.escapeTSV(Self.plain($0)) }.joined(separator: "\t") + "\n")
    case .csv:
      sink.write(values.map { Self.escapeCSV(Self.plain($0)) }.joined(separator: ",") + "\r\n")
    case .jsonl:
      var line = "{"
      for (index, value) in values.enumerated() {
        if index > 0 { line += "," }
        line += JSON.quote(columns[index]) + ":" + Self.json(value)
      }
      sink.write(line + "}\n")
    }
  }

  static func plain(_ value: TableValue) -> String {
    switch value {
    case let .text(text): text
    case let .integer(integer): String(integer)
    case let .number(number): JSON.number(number)
    case let .list(items): items.joined(separator: ",")
    }
  }

  static func json(_ value: TableValue) -> String {
    switch value {
    case let .text(text): JSON.quote(text)
    case let .integer(integer): String(integer)
    case let .number(number): JSON.number(number)
    case let .list(items): "[" + items.map(JSON.quote).joined(separator: ",") + "]"
    }
  }

  /// Escapes a TSV field: `\` → `\\`, tab → `\t`, LF → `\n`, CR → `\r`.
  public static func escapeTSV(_ field: String) -> String {
    guard field.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x5C }) else {
      return field
    }
    var result = ""
    for scalar in field.unicodeScalars {
      switch scalar {
      case "\\": result += "\\\\"
      case "\t": result += "\\t"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Quotes a CSV field when RFC 4180 requires it.
  public static func escapeCSV(_ field: String) -> String {
    guard field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
      return field
    }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

/// Minimal JSON writing helpers (RFC 8259).
public enum JSON {
  /// A JSON string literal.
  public static func quote(_ string: String) -> String {
    var result = "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\r": result += "\\r"
      case "\t": result += "\\t"
      default:
        if scalar.value < 0x20 {
          result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
            + String(scalar.value, radix: 16)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }

  /// A JSON number: integers without a fraction, others with up to 17 significant digits.
  public static func number(_ value: Double) -> String {
    guard value.isFinite else { return "null" }
    if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }
}

import Foundation
