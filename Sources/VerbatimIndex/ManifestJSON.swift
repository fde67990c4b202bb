import VerbatimAnalysis

/// The manifest's JSON, written and read directly from and to ``IndexManifest``.
///
/// At 1 GB the manifest holds 96,000 documents (ids, token counts, text sizes, versions):
/// 6.9 MB of JSON, which Foundation's `JSONEncoder` took 0.7 s to write and `JSONDecoder`
/// 0.6 s to read, in every commit and every search that opens the index. This codec writes
/// the bytes `JSONEncoder` writes with `[.sortedKeys, .withoutEscapingSlashes]` (keys in
/// byte order, no spaces, `/` unescaped; `ManifestJSONTests` compares both) and reads any JSON
/// of the manifest's shape: whitespace anywhere, keys in any order, unknown keys skipped,
/// string escapes including `\u` surrogate pairs.
enum ManifestJSON {
  /// The JSON of `manifest`, without a final newline.
  static func encode(_ manifest: IndexManifest) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(64 + manifest.versions.count * 64 + manifest.segments.count * 64)
    out.append(UInt8(ascii: "{"))
    if let keys = manifest.distinctKeys {
      out.append(ascii: "\"distinctKeys\":{\"stems\":")
      appendInteger(Int64(keys.stems), to: &out)
      out.append(ascii: ",\"terms\":")
      appendInteger(Int64(keys.terms), to: &out)
      out.append(ascii: "},")
    }
    out.append(ascii: "\"documentVersions\":{")
    // Keys sorted by their UTF-8 bytes, as `JSONEncoder`'s `.sortedKeys` orders them: the
    // table's own order.
    var first = true
    manifest.versions.forEach { key, value in
      if !first { out.append(UInt8(ascii: ",")) }
      first = false
      appendString(key, to: &out)
      out.append(UInt8(ascii: ":"))
      appendString(value, to: &out)
    }
    out.append(ascii: "},\"formatVersion\":")
    appendInteger(Int64(manifest.formatVersion), to: &out)
    out.append(ascii: ",\"generation\":")
    appendInteger(Int64(manifest.generation), to: &out)
    out.append(ascii: ",\"segmentFormatVersion\":")
    appendInteger(Int64(manifest.segmentFormatVersion), to: &out)
    out.append(ascii: ",\"segments\":[")
    for (index, segment) in manifest.segments.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out.append(ascii: "{\"documentIDs\":")
      appendIntegers(segment.documentIDs, to: &out)
      out.append(ascii: ",\"file\":")
      appendString(Array(segment.file.utf8), to: &out)
      if let textBytes = segment.textBytes {
        out.append(ascii: ",\"textBytes\":")
        appendIntegers(textBytes, to: &out)
      }
      out.append(ascii: ",\"tokenCounts\":")
      appendIntegers(segment.tokenCounts, to: &out)
      out.append(UInt8(ascii: "}"))
    }
    out.append(ascii: "]}")
    return out
  }

  /// Reads a manifest from JSON.
  ///
  /// - Throws: ``Failure`` naming the byte offset and what was expected there.
  static func decode(_ bytes: [UInt8]) throws(Failure) -> IndexManifest {
    try bytes.withUnsafeBufferPointer { buffer throws(Failure) in
      var parser = Parser(bytes: buffer)
      let manifest = try parser.manifest()
      parser.skipWhitespace()
      guard parser.offset == buffer.count else { throw parser.failure("the end of the file") }
      return manifest
    }
  }

  /// Where the JSON stops being a manifest, and what was expected there.
  struct Failure: Error, Equatable {
    var offset: Int
    var expected: String
    var description: String { "expected \(expected) at byte \(offset)" }
  }

  private static func appendString(_ utf8: some Collection<UInt8>, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in utf8 {
      switch byte {
      case UInt8(ascii: "\""): out.append(ascii: "\\\"")
      case UInt8(ascii: "\\"): out.append(ascii: "\\\\")
      case 0x08: out.append(ascii: "\\b")
      case 0x0C: out.append(ascii: "\\f")
      case 0x0A: out.append(ascii: "\\n")
      case 0x0D: out.append(ascii: "\\r")
      case 0x09: out.append(ascii: "\\t")
      case 0..<0x20:
        let hex = Array("0123456789abcdef".utf8)
        out.append(ascii: "\\u00")
        out.append(hex[Int(byte >> 4)])
        out.append(hex[Int(byte & 15)])
      default: out.append(byte)
      }
    }
    out.append(UInt8(ascii: "\""))
  }

  private static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
    out.append(contentsOf: String(value).utf8)
  }

  private static func appendIntegers<T: BinaryInteger>(_ values: [T], to out: inout [UInt8]) {
    out.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      appendInteger(Int64(value), to: &out)
    }
    out.append(UInt8(ascii: "]"))
  }

  private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    func failure(_ expected: String) -> Failure { Failure(offset: offset, expected: expected) }

    mutating func skipWhitespace() {
      while offset < bytes.count {
        switch bytes[offset] {
        case 0x20, 0x09, 0x0A, 0x0D: offset += 1
        default: return
        }
      }
    }

    /// The next byte after whitespace, not consumed; nil at the end.
    mutating func peek() -> UInt8? {
      skipWhitespace()
      return offset < bytes.count ? bytes[offset] : nil
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(Failure) {
      guard peek() == byte else { throw failure(what) }
      offset += 1
    }

    /// Calls `element` for each element between `open` and `close`, separated by commas.
    mutating func list(
      _ open: Unicode.Scalar, _ close: Unicode.Scalar, _ element: (inout Parser) throws(Failure) -> Void
    ) throws(Failure) {
      try expect(UInt8(ascii: open), "'\(open)'")
      if peek() == UInt8(ascii: close) {
        offset += 1
        return
      }
      while true {
        try element(&self)
        guard let next = peek(), next == UInt8(ascii: close) || next == UInt8(ascii: ",") else {
          throw failure("',' or '\(close)'")
        }
        offset += 1
        if next == UInt8(ascii: close) { return }
      }
    }

    /// Calls `body` with each key of an object, positioned at its value.
    mutating func object(_ body: (inout Parser, [UInt8]) throws(Failure) -> Void) throws(Failure) {
      try list("{", "}") { parser throws(Failure) in
        let key = try parser.string()
        try parser.expect(UInt8(ascii: ":"), "':'")
        try body(&parser, key)
      }
    }

    /// Calls `body` for each element of an array, positioned at it.
    mutating func array(_ body: (inout Parser) throws(Failure) -> Void) throws(Failure) {
      try list("[", "]", body)
    }

    /// A JSON integer in `range` (no fraction, no exponent).
    mutating func integer(in range: ClosedRange<Int64>) throws(Failure) -> Int64 {
      skipWhitespace()
      let start = offset
      var negative = false
      if offset < bytes.count && bytes[offset] == UInt8(ascii: "-") {
        negative = true
        offset += 1
      }
      var magnitude: UInt64 = 0
      var digits = 0
      while offset < bytes.count, case let digit = bytes[offset] &- UInt8(ascii: "0"), digit < 10 {
        let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
        let (plus, overflow2) = times.addingReportingOverflow(UInt64(digit))
        guard !overflow1, !overflow2 else {
          offset = start
          throw failure("an integer in \(range)")
        }
        magnitude = plus
        digits += 1
        offset += 1
      }
      let isEnd =
        offset == bytes.count
        || (bytes[offset] != UInt8(ascii: ".") && bytes[offset] != UInt8(ascii: "e") && bytes[offset] != UInt8(ascii: "E"))
      guard digits > 0, isEnd, magnitude <= UInt64(Int64.max) + (negative ? 1 : 0) else {
        offset = start
        throw failure("an integer in \(range)")
      }
      let value = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
      guard range.contains(value) else {
        offset = start
        throw failure("an integer in \(range)")
      }
      return value
    }

    mutating func integers<T: FixedWidthInteger>(_: T.Type) throws(Failure) -> [T] {
      var values: [T] = []
      let range = Int64(T.min)...Int64(clamping: T.max)
      try array { parser throws(Failure) in values.append(T(try parser.integer(in: range))) }
      return values
    }

    /// A JSON string, as UTF-8 bytes.
    mutating func string() throws(Failure) -> [UInt8] {
      var out: [UInt8] = []
      try appendString(to: &out)
      return out
    }

    /// Reads a JSON string and appends its UTF-8 bytes to `out`.
    mutating func appendString(to out: inout [UInt8]) throws(Failure) {
      try expect(UInt8(ascii: "\""), "a string")
      // Most strings (every id and version of a manifest) have no escape: one copy.
      let start = offset
      while offset < bytes.count {
        let byte = bytes[offset]
        if byte == UInt8(ascii: "\"") {
          offset += 1
          out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<(offset - 1)]))
          return
        }
        if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
        offset += 1
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<offset]))
      while true {
        guard offset < bytes.count else { throw failure("the end of the string") }
        let byte = bytes[offset]
        offset += 1
        switch byte {
        case UInt8(ascii: "\""):
          return
        case UInt8(ascii: "\\"):
          guard offset < bytes.count else { throw failure("an escape") }
          let escape = bytes[offset]
          offset += 1
          switch escape {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
              guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
              else { throw failure("a low surrogate escape") }
              offset += 2
              let low = try hex4()
              guard (0xDC00..<0xE000).contains(low) else { throw failure("a low surrogate escape") }
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let value = Unicode.Scalar(scalar) else { throw failure("a Unicode scalar") }
            out.append(contentsOf: Array(String(Character(value)).utf8))
          default:
            offset -= 1
            throw failure("an escape")
          }
        case 0..<0x20:
          offset -= 1
          throw failure("an escaped control character")
        default:
          out.append(byte)
        }
      }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
      guard offset + 4 <= bytes.count else { throw failure("four hex digits") }
      var value: UInt32 = 0
      for _ in 0..<4 {
        let byte = bytes[offset]
        let digit: UInt8
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
        default: throw failure("four hex digits")
        }
        value = value << 4 | UInt32(digit)
        offset += 1
      }
      return value
    }

    /// A JSON string that must be well-formed UTF-8.
    mutating func text() throws(Failure) -> String {
      let start = offset
      let utf8 = try string()
      guard let text = Self.validated(utf8) else {
        offset = start
        throw failure("a UTF-8 string")
      }
      return text
    }

    /// `utf8` as a `String` if it is well-formed UTF-8, checked by the analysis chain's
    /// validator (`String(validating:)` looks up generic metadata at every call).
    static func validated(_ utf8: [UInt8]) -> String? {
      utf8.withUnsafeBufferPointer { buffer in
        UTF8Validation.firstInvalidOffset(buffer) == nil ? String(decoding: buffer, as: UTF8.self) : nil
      }
    }

    /// Reads a JSON string, appends its UTF-8 bytes to `out` and checks them as UTF-8;
    /// otherwise fails at the string's start, expecting `expected`.
    mutating func appendUTF8String(to out: inout [UInt8], expected: String) throws(Failure) {
      let start = offset
      let appended = out.count
      try appendString(to: &out)
      let isUTF8 = out.withUnsafeBufferPointer {
        UTF8Validation.firstInvalidOffset(UnsafeBufferPointer(rebasing: $0[appended...])) == nil
      }
      guard isUTF8 else {
        offset = start
        throw failure(expected)
      }
    }

    /// Skips any JSON value (an unknown key's).
    mutating func skipValue(depth: Int = 0) throws(Failure) {
      guard depth < 64 else { throw failure("less nesting") }
      switch peek() {
      case UInt8(ascii: "{"): try object { parser, _ throws(Failure) in try parser.skipValue(depth: depth + 1) }
      case UInt8(ascii: "["): try array { parser throws(Failure) in try parser.skipValue(depth: depth + 1) }
      case UInt8(ascii: "\""): _ = try string()
      case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
        for word in ["true", "false", "null"] where bytes[offset...].starts(with: word.utf8) {
          offset += word.utf8.count
          return
        }
        throw failure("a value")
      default:
        // A number: JSON's grammar, loosely (the value is not used).
        let start = offset
        while offset < bytes.count, "-+.eE0123456789".utf8.contains(bytes[offset]) { offset += 1 }
        guard offset > start else { throw failure("a value") }
      }
    }

    mutating func manifest() throws(Failure) -> IndexManifest {
      var formatVersion: Int?
      var segmentFormatVersion: Int?
      var generation: Int?
      var segments: [IndexManifest.Segment]?
      var versions = DocumentVersionTable()
      var distinctKeys: IndexManifest.DistinctKeys?
      let small = Int64(Int32.min)...Int64(Int32.max)
      try object { parser, key throws(Failure) in
        switch String(decoding: key, as: UTF8.self) {
        case "formatVersion": formatVersion = Int(try parser.integer(in: small))
        case "segmentFormatVersion": segmentFormatVersion = Int(try parser.integer(in: small))
        case "generation": generation = Int(try parser.integer(in: 0...Int64.max))
        case "documentVersions":
          // Straight into the flat table, no string made; a key given twice keeps its last value.
          var builder = DocumentVersionTable.Builder()
          builder.reserveBytes(parser.bytes.count - parser.offset)
          try parser.list("{", "}") { parser throws(Failure) in
            try builder.withPendingKey { keys throws(Failure) in
              try parser.appendUTF8String(to: &keys, expected: "a UTF-8 key")
            }
            try parser.expect(UInt8(ascii: ":"), "':'")
            parser.skipWhitespace()
            try builder.withPendingValue { values throws(Failure) in
              try parser.appendUTF8String(to: &values, expected: "a UTF-8 string")
            }
            builder.closeEntry()
          }
          versions = builder.finish()
        case "distinctKeys":
          var terms: Int?
          var stems: Int?
          try parser.object { parser, key throws(Failure) in
            switch String(decoding: key, as: UTF8.self) {
            case "terms": terms = Int(try parser.integer(in: 0...Int64.max))
            case "stems": stems = Int(try parser.integer(in: 0...Int64.max))
            default: try parser.skipValue()
            }
          }
          guard let terms, let stems else { throw parser.failure("distinctKeys with terms and stems") }
          distinctKeys = IndexManifest.DistinctKeys(terms: terms, stems: stems)
        case "segments":
          var list: [IndexManifest.Segment] = []
          try parser.array { parser throws(Failure) in list.append(try parser.segment()) }
          segments = list
        default: try parser.skipValue()
        }
      }
      guard let formatVersion else { throw Failure(offset: offset, expected: "the key formatVersion") }
      guard let segmentFormatVersion else { throw Failure(offset: offset, expected: "the key segmentFormatVersion") }
      guard let generation else { throw Failure(offset: offset, expected: "the key generation") }
      guard let segments else { throw Failure(offset: offset, expected: "the key segments") }
      var manifest = IndexManifest(generation: generation, segments: segments, versions: versions, distinctKeys: distinctKeys)
      manifest.formatVersion = formatVersion
      manifest.segmentFormatVersion = segmentFormatVersion
      return manifest
    }

    mutating func segment() throws(Failure) -> IndexManifest.Segment {
      var file: String?
      var ids: [Int64]?
      var tokenCounts: [UInt32]?
      var textBytes: [UInt32]?
      try object { parser, key throws(Failure) in
        switch String(decoding: key, as: UTF8.self) {
        case "file": file = try parser.text()
        case "documentIDs": ids = try parser.integers(Int64.self)
        case "tokenCounts": tokenCounts = try parser.integers(UInt32.self)
        case "textBytes":
          if parser.peek() == UInt8(ascii: "n") {
            try parser.skipValue()
            textBytes = nil
          } else {
            textBytes = try parser.integers(UInt32.self)
          }
        default: try parser.skipValue()
        }
      }
      guard let file, let ids, let tokenCounts else {
        throw Failure(offset: offset, expected: "a segment with file, documentIDs and tokenCounts")
      }
      return IndexManifest.Segment(file: file, documentIDs: ids, tokenCounts: tokenCounts, textBytes: textBytes)
    }
  }
}

extension Array where Element == UInt8 {
  fileprivate mutating func append(ascii text: StaticString) {
    text.withUTF8Buffer { append(contentsOf: $0) }
  }
}
