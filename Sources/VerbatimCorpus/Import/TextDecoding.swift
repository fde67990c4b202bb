import Foundation

/// Reading files and turning their bytes into the stored text.
///
/// The stored text keeps every character of the source; only line ends change: CRLF and a
/// lone CR become LF, so that offsets are the same whatever system wrote the file.
enum TextDecoding {
  /// A decoded text and the remarks made while decoding it.
  struct Decoded: Sendable {
    /// The text, line ends normalised to LF, byte-order mark dropped.
    var text: String
    /// Non-fatal remarks (e.g. the Windows-1252 fallback).
    var warnings: [String]
  }

  /// Reads a whole file, mapping I/O failures to ``ImportError/unreadable(path:reason:)``.
  static func readData(at url: URL, path: String) throws(ImportError) -> Data {
    try checkReadable(url, path: path)
    do {
      return try Data(contentsOf: url)
    } catch {
      throw .unreadable(path: path, reason: "read failed (\(Self.shortReason(error)))")
    }
  }

  /// Checks that `url` is an existing, readable file.
  static func checkReadable(_ url: URL, path: String) throws(ImportError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      throw .unreadable(path: path, reason: "no such file")
    }
    if isDirectory.boolValue { throw .unreadable(path: path, reason: "is a folder, not a file") }
    guard FileManager.default.isReadableFile(atPath: url.path) else {
      throw .unreadable(path: path, reason: "permission denied")
    }
  }

  /// A short, text-free reason for a Foundation error.
  static func shortReason(_ error: any Error) -> String {
    let nsError = error as NSError
    return "\(nsError.domain) error \(nsError.code)"
  }

  /// Decodes the bytes of a text file.
  ///
  /// UTF-8 with or without a byte-order mark, UTF-16 LE/BE and UTF-32 LE/BE with a
  /// byte-order mark; otherwise, bytes that are not valid UTF-8 are read as Windows-1252 (of
  /// which Latin-1's printable range is a subset) and a warning says so.
  ///
  /// - Throws: ``ImportError/empty(path:)`` for a file of 0 bytes or only whitespace,
  ///   ``ImportError/undecodable(path:reason:)`` for a binary file (NUL bytes) or a broken
  ///   UTF-16/UTF-32 file.
  static func decode(_ data: Data, path: String) throws(ImportError) -> Decoded {
    if data.isEmpty { throw .empty(path: path) }
    let bytes = [UInt8](data)
    var warnings: [String] = []
    let raw: String
    if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) {
      raw = try decodeWide(bytes.dropFirst(4), encoding: .utf32BigEndian, name: "UTF-32 BE", path: path)
    } else if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
      raw = try decodeWide(bytes.dropFirst(4), encoding: .utf32LittleEndian, name: "UTF-32 LE", path: path)
    } else if bytes.starts(with: [0xFE, 0xFF]) {
      raw = try decodeWide(bytes.dropFirst(2), encoding: .utf16BigEndian, name: "UTF-16 BE", path: path)
    } else if bytes.starts(with: [0xFF, 0xFE]) {
      raw = try decodeWide(bytes.dropFirst(2), encoding: .utf16LittleEndian, name: "UTF-16 LE", path: path)
    } else {
      let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
      if let nul = body.firstIndex(of: 0) {
        throw .undecodable(
          path: path,
          reason: "NUL byte at offset \(nul): a binary file, or UTF-16 text without a byte-order mark "
            + "(save it as UTF-8)")
      }
      if let utf8 = String(validating: body, as: UTF8.self) {
        raw = utf8
      } else {
        let firstBad = firstInvalidUTF8Offset(body) + (bytes.count - body.count)
        raw = windows1252(body)
        warnings.append(
          "not valid UTF-8 (first bad byte at offset \(firstBad)): decoded as Windows-1252 "
            + "(Latin-1); save the file as UTF-8 to remove this warning")
      }
    }
    let text = normalizeLineEnds(raw)
    if isBlank(text) { throw .empty(path: path) }
    return Decoded(text: text, warnings: warnings)
  }

  /// Decodes UTF-16 or UTF-32 bytes that followed a byte-order mark.
  private static func decodeWide(
    _ bytes: ArraySlice<UInt8>, encoding: String.Encoding, name: String, path: String
  ) throws(ImportError) -> String {
    let unit = encoding == .utf32BigEndian || encoding == .utf32LittleEndian ? 4 : 2
    guard bytes.count % unit == 0, let text = String(data: Data(bytes), encoding: encoding) else {
      throw .undecodable(path: path, reason: "invalid \(name) despite its byte-order mark")
    }
    if text.utf8.contains(0) {
      throw .undecodable(path: path, reason: "NUL character in \(name) text: a binary file?")
    }
    return text
  }

  /// The byte offset of the first invalid UTF-8 sequence (bytes known to be invalid).
  static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch decoder.decode(&iterator) {
      case let .scalarValue(scalar): offset += UTF8.width(scalar)
      case .emptyInput: return offset
      case .error: return offset
      }
    }
  }

  /// Whether a text holds nothing but whitespace.
  static func isBlank(_ text: String) -> Bool {
    text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
  }

  /// CRLF → LF and lone CR → LF; other characters unchanged.
  static func normalizeLineEnds(_ text: String) -> String {
    guard text.utf8.contains(0x0D) else { return text }
    var output: [UInt8] = []
    output.reserveCapacity(text.utf8.count)
    var previousWasCR = false
    for byte in text.utf8 {
      if byte == 0x0D {
        output.append(0x0A)
        previousWasCR = true
      } else {
        if !(byte == 0x0A && previousWasCR) { output.append(byte) }
        previousWasCR = false
      }
    }
    return String(decoding: output, as: UTF8.self)
  }

  /// Decodes Windows-1252 bytes. The five bytes that code page leaves undefined (0x81, 0x8D,
  /// 0x8F, 0x90, 0x9D) become the C1 control of the same value, as the WHATWG decoder does.
  static func windows1252(_ bytes: ArraySlice<UInt8>) -> String {
    var scalars = String.UnicodeScalarView()
    for byte in bytes {
      if byte >= 0x80 && byte <= 0x9F {
        let value = windows1252High[Int(byte - 0x80)]
        scalars.append(Unicode.Scalar(value) ?? Unicode.Scalar(UInt8(byte)))
      } else {
        scalars.append(Unicode.Scalar(byte))
      }
    }
    return String(scalars)
  }

  /// Windows-1252 code points for bytes 0x80–0x9F.
  private static let windows1252High: [UInt32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
  ]
}
