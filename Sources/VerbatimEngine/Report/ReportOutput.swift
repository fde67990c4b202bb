import Foundation

extension ReportModel {
  /// The model as JSON: keys sorted, dates in ISO 8601, pretty-printed, so that the same model
  /// always gives the same bytes (for `report.json` next to `index.html`).
  public func jsonData() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    var data = try encoder.encode(self)
    data.append(0x0A)
    return data
  }

  /// Reads a model written by ``jsonData()``.
  public static func decode(json data: Data) throws -> ReportModel {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(ReportModel.self, from: data)
  }
}

/// An error writing the report's files.
public struct ReportWriteError: Error, CustomStringConvertible {
  /// The file that could not be written.
  public var path: String
  /// Why.
  public var reason: String

  /// One line for stderr.
  public var description: String { "\(path): cannot write the report: \(reason)" }
}

extension HTMLReport {
  /// Renders `model` and writes it to `file` atomically (a temporary file in the same folder,
  /// then a rename), so a reader never sees half a page and a failed write keeps the old one.
  ///
  /// - Throws: ``ReportWriteError`` naming the file.
  public static func write(_ model: ReportModel, language: ReportLanguage = .fr, to file: URL) throws(ReportWriteError) {
    do {
      try Data(render(model, language: language).utf8).write(to: file, options: .atomic)
    } catch {
      throw ReportWriteError(path: file.path, reason: error.localizedDescription)
    }
  }
}
