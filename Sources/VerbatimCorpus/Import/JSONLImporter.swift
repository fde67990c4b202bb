import Foundation

/// `.jsonl`: one JSON object per line, one document per object.
///
///     {"id": "e01", "text": "Enquêtrice : Bonjour.", "commune": "Brest", "population": 139000}
///     → path#e01, metadata commune (text), population (integer)
///
/// The text field is ``ImportOptions/jsonlTextField`` (`text`); the document is named
/// `path#<id>` from ``ImportOptions/jsonlIDField``, else `id`, else `doc_id` when present,
/// else `path#N` (N: 1-based record). Other fields become metadata: strings typed with
/// ``MetadataValue/parse(_:)``, whole numbers as integers, other numbers and booleans as text,
/// lists of scalars joined by commas, nested objects as dotted keys (`meta.sound_url`); null
/// is left out. This reads the benchmark corpora (`id`, `source`, `text`) and batch
/// pipelines' output.
///
/// An object without the text field but with a `turns` list of `{"speaker", "text"}` objects
/// (the shared corpora's `corpus.jsonl`) becomes `Speaker: text` lines with those turns.
/// Blank lines are skipped; an object whose text is blank is skipped with a warning.
enum JSONLImporter {
  /// Reads a jsonl file.
  static func importLines(
    at url: URL, path: String, options: ImportOptions, parser: SpeakerTurnParser
  ) throws(ImportError) -> [ImportedDocument] {
    let data = try TextDecoding.readData(at: url, path: path)
    return try importLines(data, path: path, options: options, parser: parser)
  }

  /// Reads the bytes of a jsonl file.
  static func importLines(
    _ data: Data, path: String, options: ImportOptions, parser: SpeakerTurnParser
  ) throws(ImportError) -> [ImportedDocument] {
    var bytes = [UInt8](data)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    if let nul = bytes.firstIndex(of: 0) {
      throw .undecodable(path: path, reason: "NUL byte at offset \(nul): a binary file, not JSON lines")
    }
    var documents: [ImportedDocument] = []
    var skipped: [Int] = []
    var firstLineOfName: [String: Int] = [:]
    var record = 0
    var lineStart = 0
    var lineNumber = 0
    while lineStart < bytes.count {
      lineNumber += 1
      let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
      defer { lineStart = lineEnd + 1 }
      let line = bytes[lineStart..<lineEnd]
      guard line.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0D) }) else { continue }
      record += 1
      let object: [String: Any]
      do {
        guard let parsed = try JSONSerialization.jsonObject(with: Data(line), options: []) as? [String: Any] else {
          throw ImportError.malformed(path: path, line: lineNumber, reason: "not a JSON object")
        }
        object = parsed
      } catch let error as ImportError {
        throw error
      } catch {
        throw .malformed(path: path, line: lineNumber, reason: "invalid JSON")
      }
      guard var document = try document(from: object, path: path, line: lineNumber, options: options, parser: parser)
      else {
        skipped.append(lineNumber)
        continue
      }
      let suffix = try identifier(of: object, record: record, line: lineNumber, options: options, path: path)
      document.path = "\(path)#\(suffix)"
      if let first = firstLineOfName[document.path] {
        throw .malformed(path: path, line: lineNumber, reason: "the id of this line was already used on line \(first)")
      }
      firstLineOfName[document.path] = lineNumber
      documents.append(document)
    }
    guard !documents.isEmpty else { throw .empty(path: path) }
    if !skipped.isEmpty {
      let listed = skipped.prefix(20).map(String.init).joined(separator: ", ")
      let more = skipped.count > 20 ? " and \(skipped.count - 20) more" : ""
      documents[0].warnings.append("lines with an empty \(options.jsonlTextField) skipped: \(listed)\(more)")
    }
    return documents
  }

  /// The document of one object (path set by the caller), or nil when its text is blank.
  private static func document(
    from object: [String: Any], path: String, line: Int, options: ImportOptions, parser: SpeakerTurnParser
  ) throws(ImportError) -> ImportedDocument? {
    let textField = options.jsonlTextField
    var text: String
    var turns: [Turn]?
    var excluded: Set<String> = [textField]
    if let value = object[textField] {
      guard let string = value as? String else {
        throw .malformed(path: path, line: line, reason: "the \"\(textField)\" field is not a string")
      }
      text = TextDecoding.normalizeLineEnds(string)
    } else if let list = object["turns"] as? [Any], list.allSatisfy({ ($0 as? [String: Any])?["text"] is String }) {
      (text, turns) = transcript(fromTurns: list.compactMap { $0 as? [String: Any] })
      excluded.insert("turns")
    } else {
      throw .malformed(path: path, line: line, reason: "no \"\(textField)\" field")
    }
    if TextDecoding.isBlank(text) { return nil }
    var metadata: [String: MetadataValue] = [:]
    for (key, value) in object where !excluded.contains(key) {
      add(value, as: key, depth: 0, to: &metadata)
    }
    return ImportedDocument(
      path: path, text: text, metadata: metadata, turns: turns ?? parser.turns(in: text), format: "jsonl")
  }

  /// `Speaker: text` lines and their turns.
  private static func transcript(fromTurns list: [[String: Any]]) -> (String, [Turn]) {
    var text = ""
    var turns: [Turn] = []
    for (index, item) in list.enumerated() {
      if index > 0 { text += "\n" }
      let speaker = (item["speaker"] as? String).flatMap { $0.isEmpty ? nil : $0 }
      var labelRange: Range<Int>?
      if let speaker {
        let start = text.utf8.count
        text += speaker + ":"
        labelRange = start..<text.utf8.count
        text += " "
      }
      let start = text.utf8.count
      text += TextDecoding.normalizeLineEnds(item["text"] as? String ?? "")
      turns.append(Turn(speaker: speaker, range: start..<text.utf8.count, labelRange: labelRange))
    }
    return (text, turns)
  }

  /// The path suffix of one object.
  private static func identifier(
    of object: [String: Any], record: Int, line: Int, options: ImportOptions, path: String
  ) throws(ImportError) -> String {
    let field = options.jsonlIDField ?? ["id", "doc_id"].first { object[$0] != nil }
    guard let field else { return String(record) }
    guard let value = object[field] else {
      throw .malformed(path: path, line: line, reason: "no \"\(field)\" field for the document id")
    }
    let id: String
    if let string = value as? String {
      id = string.trimmingCharacters(in: .whitespacesAndNewlines)
    } else if let number = value as? NSNumber, !isBoolean(number) {
      id = number.stringValue
    } else {
      throw .malformed(path: path, line: line, reason: "the \"\(field)\" field is not a string or a number")
    }
    guard !id.isEmpty else {
      throw .malformed(path: path, line: line, reason: "the \"\(field)\" field is empty")
    }
    return id
  }

  /// Adds one JSON value as metadata.
  private static func add(_ value: Any, as key: String, depth: Int, to metadata: inout [String: MetadataValue]) {
    if let scalar = scalar(value) {
      metadata[key] = scalar
    } else if let list = value as? [Any] {
      let items = list.compactMap { scalar($0)?.description }
      if !items.isEmpty, items.count == list.count { metadata[key] = .text(items.joined(separator: ", ")) }
    } else if let object = value as? [String: Any], depth < 2 {
      for (inner, innerValue) in object { add(innerValue, as: "\(key).\(inner)", depth: depth + 1, to: &metadata) }
    }
  }

  /// A scalar JSON value as metadata; nil for null, lists and objects.
  private static func scalar(_ value: Any) -> MetadataValue? {
    if let string = value as? String {
      let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
      return trimmed.isEmpty ? nil : MetadataValue.parse(trimmed)
    }
    if let number = value as? NSNumber {
      if isBoolean(number) { return .text(number.boolValue ? "true" : "false") }
      let type = String(cString: number.objCType)
      if ["s", "i", "l", "q", "C", "S", "I", "L", "Q"].contains(type), let integer = Int(exactly: number.int64Value)
      {
        return .integer(integer)
      }
      return .text(number.stringValue)
    }
    return nil
  }

  /// Whether JSONSerialization produced this number from `true` or `false`.
  private static func isBoolean(_ number: NSNumber) -> Bool {
    // JSONSerialization stores booleans as `char` numbers and integers as `int`/`long long`.
    String(cString: number.objCType) == "c"
  }
}
