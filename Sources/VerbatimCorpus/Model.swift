import Foundation

/// A typed metadata value: text, integer, or calendar date (`YYYY-MM-DD`).
///
///     MetadataValue.parse("1200")        // .integer(1200)
///     MetadataValue.parse("2023-02-14")  // .date("2023-02-14")
///     MetadataValue.parse("commune")     // .text("commune")
public enum MetadataValue: Sendable, Hashable, Codable, CustomStringConvertible {
  case text(String)
  case integer(Int)
  case date(String)

  /// Infers the type of a raw string: an integer, an ISO date, else text.
  public static func parse(_ raw: String) -> MetadataValue {
    let trimmed = raw.trimmingCharacters(in: .whitespaces)
    if let integer = Int(trimmed), !trimmed.isEmpty { return .integer(integer) }
    if trimmed.count == 10, trimmed.utf8.enumerated().allSatisfy({ index, byte in
      index == 4 || index == 7 ? byte == 0x2D : (0x30...0x39).contains(byte)
    }) {
      return .date(trimmed)
    }
    return .text(raw)
  }

  /// The value as written in tables.
  public var description: String {
    switch self {
    case let .text(text): text
    case let .integer(integer): String(integer)
    case let .date(date): date
    }
  }

  /// The type's name: `text`, `integer` or `date`.
  public var typeName: String {
    switch self {
    case .text: "text"
    case .integer: "integer"
    case .date: "date"
    }
  }
}

/// One speaker turn: who speaks, and where in the stored document text.
public struct Turn: Sendable, Hashable, Codable {
  /// The speaker label as written (`Enquêtrice`, `Interlocuteur 1`), or nil before the first label.
  public var speaker: String?
  /// UTF-8 byte range of what the speaker says (after the label), in the stored text.
  public var range: Range<Int>
  /// UTF-8 byte range of the label itself (`Interlocuteur 1 :`), when there is one.
  public var labelRange: Range<Int>?
  /// Start time in seconds (subtitles, timestamped transcripts).
  public var startTime: Double?
  /// End time in seconds.
  public var endTime: Double?

  /// Creates a turn.
  public init(
    speaker: String?, range: Range<Int>, labelRange: Range<Int>? = nil, startTime: Double? = nil,
    endTime: Double? = nil
  ) {
    self.speaker = speaker
    self.range = range
    self.labelRange = labelRange
    self.startTime = startTime
    self.endTime = endTime
  }
}

/// A document as an importer produces it, before it is stored.
public struct ImportedDocument: Sendable, Hashable {
  /// The path relative to the imported folder (or the file name), `/`-separated; for files
  /// that hold several documents (csv, jsonl), `path#row` or `path#id`.
  public var path: String
  /// The text as stored: decoded, NFC is NOT applied (offsets refer to these bytes), front
  /// matter removed, line ends kept as in the source except CRLF and a lone CR, which become
  /// LF. Subtitles keep their cues' text only (one cue per paragraph); docx and odt give one
  /// line per paragraph.
  public var text: String
  /// Metadata fields, from front matter, metadata.csv, document properties or columns.
  public var metadata: [String: MetadataValue]
  /// Speaker turns covering the text in order.
  public var turns: [Turn]
  /// The source format: txt, md, docx, odt, srt, vtt, csv, jsonl.
  public var format: String
  /// Non-fatal remarks for the user (e.g. "decoded as Windows-1252").
  public var warnings: [String]

  /// Creates a document.
  public init(
    path: String, text: String, metadata: [String: MetadataValue] = [:], turns: [Turn] = [],
    format: String, warnings: [String] = []
  ) {
    self.path = path
    self.text = text
    self.metadata = metadata
    self.turns = turns
    self.format = format
    self.warnings = warnings
  }
}

/// An error raised while importing; every case names the file (and line or entry) and what
/// to do, and never quotes transcript text.
public enum ImportError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case undecodable(path: String, reason: String)
  case unsupported(path: String, reason: String)
  case malformed(path: String, line: Int?, reason: String)
  case empty(path: String)
  case unsafeArchive(path: String, reason: String)

  /// One line for stderr: `path[:line]: reason`.
  public var description: String {
    switch self {
    case let .unreadable(path, reason): "\(path): cannot read: \(reason)"
    case let .undecodable(path, reason): "\(path): cannot decode: \(reason)"
    case let .unsupported(path, reason): "\(path): unsupported: \(reason)"
    case let .malformed(path, line, reason):
      line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)"
    case let .empty(path): "\(path): empty file: nothing to import"
    case let .unsafeArchive(path, reason): "\(path): rejected archive: \(reason)"
    }
  }
}
