import Foundation

/// `.txt` and `.md` files: encoding detection, line ends, YAML front matter, speaker turns.
enum TextImporter {
  /// Reads a text file.
  static func importText(
    at url: URL, path: String, format: String, parser: SpeakerTurnParser
  ) throws(ImportError) -> ImportedDocument {
    let data = try TextDecoding.readData(at: url, path: path)
    return try importText(data, path: path, format: format, parser: parser)
  }

  /// Reads the bytes of a text file.
  static func importText(
    _ data: Data, path: String, format: String, parser: SpeakerTurnParser
  ) throws(ImportError) -> ImportedDocument {
    let decoded = try TextDecoding.decode(data, path: path)
    let split = try FrontMatter.split(decoded.text, path: path)
    if TextDecoding.isBlank(split.body) { throw .empty(path: path) }
    return ImportedDocument(
      path: path, text: split.body, metadata: split.metadata, turns: parser.turns(in: split.body),
      format: format, warnings: decoded.warnings)
  }
}
