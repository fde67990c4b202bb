import Foundation

/// A `metadata.csv` beside transcript files: one row per file, one column per field.
///
///     fichier;commune;population;date
///     maire.txt;Plouzané;2800;2023-02-14
///     → ["maire.txt": ["commune": .text("Plouzané"), "population": .integer(2800),
///                      "date": .date("2023-02-14")]]
///
/// The first column names a file relative to the csv's folder (whatever its header says);
/// `./` and backslashes are normalised. Delimiter, quoting and encodings as for csv
/// documents. Empty cells are left out. Importers never read this file as a document: skip
/// ``fileName`` when walking a folder.
public enum MetadataCSV {
  /// The name of the metadata file in a folder.
  public static let fileName = "metadata.csv"

  /// Reads a metadata.csv (first column: file name relative to the csv's folder; other columns: fields; values typed with MetadataValue.parse). Errors name the line.
  ///
  /// - Returns: fields by file name.
  /// - Throws: ``ImportError``, naming the csv's path: `malformed` with the line for a row
  ///   with the wrong number of fields, an empty or repeated file name, or an unclosed quote;
  ///   `unreadable`, `empty`, `undecodable` as for text files.
  public static func load(at url: URL) throws(ImportError) -> [String: [String: MetadataValue]] {
    let path = url.path
    let data = try TextDecoding.readData(at: url, path: path)
    let decoded = try TextDecoding.decode(data, path: path)
    let table = try CSVTable(decoded.text, path: path)
    var result: [String: [String: MetadataValue]] = [:]
    var firstLine: [String: Int] = [:]
    for record in table.records {
      let name = normalizedName(record.fields[0])
      guard !name.isEmpty else {
        throw .malformed(path: path, line: record.line, reason: "empty file name in the first column")
      }
      if let first = firstLine[name] {
        throw .malformed(path: path, line: record.line, reason: "this file is already listed on line \(first)")
      }
      firstLine[name] = record.line
      var fields: [String: MetadataValue] = [:]
      for column in record.fields.indices.dropFirst() {
        let value = record.fields[column].trimmingCharacters(in: .whitespacesAndNewlines)
        if !value.isEmpty { fields[table.header[column]] = MetadataValue.parse(value) }
      }
      result[name] = fields
    }
    return result
  }

  /// The fields of one file: its path relative to the csv's folder, matched exactly, then
  /// without its extension (`20130118` lists `20130118.txt`).
  ///
  ///     MetadataCSV.fields(for: "20130118.txt", in: table)  // the row "20130118"
  public static func fields(
    for relativePath: String, in table: [String: [String: MetadataValue]]
  ) -> [String: MetadataValue]? {
    let name = normalizedName(relativePath)
    if let fields = table[name] { return fields }
    let stem = (name as NSString).deletingPathExtension
    return stem == name ? nil : table[stem]
  }

  /// A file name as a key: trimmed, `/`-separated, without a leading `./`.
  static func normalizedName(_ raw: String) -> String {
    var name = raw.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\\", with: "/")
    while name.hasPrefix("./") { name.removeFirst(2) }
    return name
  }
}
