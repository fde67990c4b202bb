import Foundation

/// RFC 4180 records: quoted fields (with `""` for a quote, and line breaks inside), a
/// delimiter sniffed from the header line (`,`, `;` or tab: the most frequent outside
/// quotes; `,` on a tie), blank lines skipped. Line numbers are the file's lines.
struct CSVTable {
  /// One record and the file line it starts on.
  struct Record {
    var fields: [String]
    var line: Int
  }

  /// The header's fields.
  var header: [String]
  /// The data records, in order.
  var records: [Record]
  /// The delimiter byte.
  var delimiter: UInt8

  /// Parses a decoded text (LF line ends).
  ///
  /// - Throws: ``ImportError/malformed(path:line:reason:)`` for an unterminated quoted field
  ///   or a record whose field count differs from the header's.
  init(_ text: String, path: String) throws(ImportError) {
    let bytes = Array(text.utf8)
    delimiter = Self.sniffDelimiter(bytes)
    var all: [Record] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var inQuotes = false
    var line = 1
    var recordLine = 1
    var index = 0
    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
    }
    func endRecord() {
      endField()
      if !(fields.count == 1 && fields[0].allSatisfy(\.isWhitespace)) {
        all.append(Record(fields: fields, line: recordLine))
      }
      fields = []
    }
    while index < bytes.count {
      let byte = bytes[index]
      if inQuotes {
        if byte == 0x22 {
          if index + 1 < bytes.count && bytes[index + 1] == 0x22 {
            field.append(0x22)
            index += 1
          } else {
            inQuotes = false
          }
        } else {
          if byte == 0x0A { line += 1 }
          field.append(byte)
        }
      } else if byte == 0x22 && field.isEmpty {
        inQuotes = true
      } else if byte == delimiter {
        endField()
      } else if byte == 0x0A {
        endRecord()
        line += 1
        recordLine = line
      } else {
        field.append(byte)
      }
      index += 1
    }
    if inQuotes {
      throw .malformed(path: path, line: recordLine, reason: "a quoted field opened on this line is never closed")
    }
    if !field.isEmpty || !fields.isEmpty { endRecord() }
    guard let first = all.first else { throw .empty(path: path) }
    header = Self.uniqueNames(first.fields)
    records = Array(all.dropFirst())
    for record in records where record.fields.count != header.count {
      throw .malformed(
        path: path, line: record.line,
        reason: "this row has \(record.fields.count) fields but the header has \(header.count)")
    }
  }

  /// The most frequent of `,`, `;` and tab on the first line, outside quotes.
  private static func sniffDelimiter(_ bytes: [UInt8]) -> UInt8 {
    var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
    var inQuotes = false
    for byte in bytes {
      if byte == 0x22 { inQuotes.toggle() }
      if inQuotes { continue }
      if byte == 0x0A { break }
      if counts[byte] != nil { counts[byte, default: 0] += 1 }
    }
    var best: UInt8 = 0x2C
    for candidate: UInt8 in [0x3B, 0x09] where counts[candidate, default: 0] > counts[best, default: 0] {
      best = candidate
    }
    return best
  }

  /// Trimmed header names, blank ones named `column N`, repeated ones suffixed `_2`, `_3`…
  private static func uniqueNames(_ raw: [String]) -> [String] {
    var seen: Set<String> = []
    return raw.enumerated().map { offset, name in
      var base = name.trimmingCharacters(in: .whitespacesAndNewlines)
      if base.isEmpty { base = "column \(offset + 1)" }
      var candidate = base
      var suffix = 2
      while seen.contains(candidate) {
        candidate = "\(base)_\(suffix)"
        suffix += 1
      }
      seen.insert(candidate)
      return candidate
    }
  }

  /// The index of a column, matched exactly and then ignoring case.
  func column(named name: String) -> Int? {
    header.firstIndex(of: name)
      ?? header.firstIndex { $0.compare(name, options: [.caseInsensitive]) == .orderedSame }
  }
}

/// `.csv` survey exports: one document per row.
///
/// The text column (``ImportOptions/csvTextColumn``, else `text`, else the column with the
/// most text) becomes the document text, with speaker turns as in text files; every other
/// non-empty cell becomes typed metadata (``MetadataValue/parse(_:)``), an `id` column
/// included. Documents are named `path#N` (N: 1-based data row) or `path#<id>` when an `id`
/// column exists. Rows whose text is blank are skipped, and the first document's warnings say
/// which.
enum CSVImporter {
  /// Reads a csv file.
  static func importRows(
    at url: URL, path: String, options: ImportOptions, parser: SpeakerTurnParser
  ) throws(ImportError) -> [ImportedDocument] {
    let data = try TextDecoding.readData(at: url, path: path)
    let decoded = try TextDecoding.decode(data, path: path)
    let table = try CSVTable(decoded.text, path: path)
    guard !table.records.isEmpty else { throw .empty(path: path) }
    let textColumn = try textColumn(of: table, options: options, path: path)
    let idColumn = table.column(named: "id").flatMap { $0 == textColumn ? nil : $0 }
    var documents: [ImportedDocument] = []
    var skippedRows: [Int] = []
    var firstLineOfID: [String: Int] = [:]
    for (offset, record) in table.records.enumerated() {
      let row = offset + 1
      let text = record.fields[textColumn]
      if TextDecoding.isBlank(text) {
        skippedRows.append(row)
        continue
      }
      var name = "\(path)#\(row)"
      if let idColumn {
        let id = record.fields[idColumn].trimmingCharacters(in: .whitespaces)
        if !id.isEmpty {
          if let first = firstLineOfID[id] {
            throw .malformed(
              path: path, line: record.line, reason: "the id of this row was already used on line \(first)")
          }
          firstLineOfID[id] = record.line
          name = "\(path)#\(id)"
        }
      }
      var metadata: [String: MetadataValue] = [:]
      for (column, value) in record.fields.enumerated() where column != textColumn {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty { metadata[table.header[column]] = MetadataValue.parse(trimmed) }
      }
      documents.append(
        ImportedDocument(
          path: name, text: text, metadata: metadata, turns: parser.turns(in: text), format: "csv"))
    }
    guard !documents.isEmpty else { throw .empty(path: path) }
    var warnings = decoded.warnings
    if !skippedRows.isEmpty {
      let listed = skippedRows.prefix(20).map(String.init).joined(separator: ", ")
      let more = skippedRows.count > 20 ? " and \(skippedRows.count - 20) more" : ""
      warnings.append("rows with an empty \(table.header[textColumn]) column skipped: \(listed)\(more)")
    }
    documents[0].warnings = warnings
    return documents
  }

  /// The column that holds the text.
  private static func textColumn(
    of table: CSVTable, options: ImportOptions, path: String
  ) throws(ImportError) -> Int {
    if let wanted = options.csvTextColumn {
      guard let column = table.column(named: wanted) else {
        throw .malformed(
          path: path, line: 1,
          reason: "no column named \"\(wanted)\" (columns: \(table.header.joined(separator: ", ")))")
      }
      return column
    }
    if let column = table.column(named: "text") { return column }
    var best = 0
    var bestLength = -1
    for column in table.header.indices {
      let length = table.records.reduce(0) { $0 + $1.fields[column].utf8.count }
      if length > bestLength {
        best = column
        bestLength = length
      }
    }
    return best
  }
}
