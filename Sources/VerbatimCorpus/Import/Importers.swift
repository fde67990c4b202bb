import Foundation

/// Choices that change how files are read.
///
///     ImportOptions(csvTextColumn: "reponse", speakerPattern: #"^([A-Z]{2,3}) >"#)
public struct ImportOptions: Sendable, Hashable {
  /// csv: the column that becomes document text (default: `text`, else the column with the
  /// most text). Matched exactly, then ignoring case.
  public var csvTextColumn: String?
  /// jsonl: the field that holds the document text (default `text`).
  public var jsonlTextField: String
  /// jsonl: the field whose value names each document (`path#value`); by default `id`, or
  /// `doc_id`, when present.
  public var jsonlIDField: String?
  /// An extra regular expression for speaker labels at line start, with one capture group for
  /// the name; tried before the built-in conventions (see ``SpeakerTurnParser``).
  public var speakerPattern: String?

  /// Creates options; the defaults suit most files.
  public init(
    csvTextColumn: String? = nil, jsonlTextField: String = "text", jsonlIDField: String? = nil,
    speakerPattern: String? = nil
  ) {
    self.csvTextColumn = csvTextColumn
    self.jsonlTextField = jsonlTextField
    self.jsonlIDField = jsonlIDField
    self.speakerPattern = speakerPattern
  }
}

/// Reads transcript files into ``ImportedDocument``s, choosing the reader by extension.
///
/// | extension | reader |
/// |---|---|
/// | `txt`, `md` | text: encoding detection, YAML front matter, speaker turns |
/// | `docx`, `odt` | paragraphs, line breaks and tabs; document properties as metadata |
/// | `srt`, `vtt` | one turn per cue (or per speaker inside a cue) with its times |
/// | `csv` | one document per row: a text column, the other columns as metadata |
/// | `jsonl` | one document per line: a text field, the other scalar fields as metadata |
///
/// Every reader works in memory (archives are never extracted to disk), never quotes the
/// transcript in an error, and names the file (and line or entry) in every ``ImportError``.
/// A folder's `metadata.csv` is not a document: see ``MetadataCSV``.
public enum Importers {
  /// The extensions ``importFile(at:relativePath:options:)`` reads, lowercase without a dot.
  public static let supportedExtensions: Set<String> = ["txt", "md", "docx", "odt", "srt", "vtt", "csv", "jsonl"]

  /// Imports one file (by extension). `relativePath` is what ImportedDocument.path is built from.
  ///
  /// - Parameters:
  ///   - url: the file to read.
  ///   - relativePath: the path shown to the user and stored (`entretiens/maire.txt`); csv and
  ///     jsonl documents get `#row` or `#id` after it.
  ///   - options: column and field choices, an extra speaker pattern.
  /// - Returns: one document, or one per row or line for csv and jsonl.
  /// - Throws: ``ImportError``, naming `relativePath`: `unsupported` for another extension,
  ///   `unreadable`, `empty`, `undecodable` (binary or broken encodings), `malformed` (with
  ///   the line), `unsafeArchive` (zip-slip names, XML entities, oversized archives).
  public static func importFile(
    at url: URL, relativePath: String, options: ImportOptions
  ) throws(ImportError) -> [ImportedDocument] {
    let format = url.pathExtension.lowercased()
    guard supportedExtensions.contains(format) else {
      throw .unsupported(path: relativePath, reason: unsupportedReason(format))
    }
    let parser = try SpeakerTurnParser(extraPattern: options.speakerPattern)
    switch format {
    case "txt", "md":
      return [try TextImporter.importText(at: url, path: relativePath, format: format, parser: parser)]
    case "docx":
      return [try OfficeImporter.importDocx(at: url, path: relativePath, parser: parser)]
    case "odt":
      return [try OfficeImporter.importOdt(at: url, path: relativePath, parser: parser)]
    case "srt", "vtt":
      return [try SubtitleImporter.importSubtitles(at: url, path: relativePath, format: format, parser: parser)]
    case "csv":
      return try CSVImporter.importRows(at: url, path: relativePath, options: options, parser: parser)
    default:
      return try JSONLImporter.importLines(at: url, path: relativePath, options: options, parser: parser)
    }
  }

  /// What to say about an extension we do not read.
  private static func unsupportedReason(_ format: String) -> String {
    let supported = supportedExtensions.sorted().joined(separator: ", ")
    switch format {
    case "doc": return "old Word .doc files are not read; save the file as .docx (supported: \(supported))"
    case "rtf", "pdf", "pages":
      return ".\(format) files are not read; save the file as .docx or .txt (supported: \(supported))"
    case "": return "no file extension (supported: \(supported))"
    default: return ".\(format) files are not read (supported: \(supported))"
    }
  }
}
