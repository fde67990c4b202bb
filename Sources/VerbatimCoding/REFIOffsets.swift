import Foundation

/// Converts between UTF-8 byte offsets (Verbatim) and Unicode code-point positions (REFI-QDA
/// `startPosition`/`endPosition`, the first code point being 0) in one text.
///
/// A code point is a Unicode scalar: `é` precomposed is one, `e` + U+0301 two, `😀` one (four
/// UTF-8 bytes, two UTF-16 units), CRLF two.
///
///     let offsets = CodePointOffsets("Été 😀!")
///     offsets.codePointCount                 // 6
///     offsets.utf8Offset(ofCodePoint: 4)     // 6   (the 😀 starts at byte 6)
///     offsets.codePoint(ofUTF8Offset: 10)    // 5   (the ! after the 4-byte 😀)
///     offsets.codePoint(ofUTF8Offset: 7)     // nil (inside the 😀)
///
/// - Complexity: O(*n*) to build; O(1) from code points, O(log *n*) from bytes.
public struct CodePointOffsets: Sendable {
  /// The UTF-8 offset of each code point, plus the text's length at the end.
  private let starts: [Int]

  /// Indexes `text`.
  public init(_ text: String) {
    var starts: [Int] = []
    starts.reserveCapacity(text.utf8.count / 2 + 1)
    var offset = 0
    for scalar in text.unicodeScalars {
      starts.append(offset)
      offset += UTF8.width(scalar)
    }
    starts.append(offset)
    self.starts = starts
  }

  /// The number of code points.
  public var codePointCount: Int { starts.count - 1 }

  /// The text's length in UTF-8 bytes.
  public var utf8Count: Int { starts[starts.count - 1] }

  /// The UTF-8 offset where code point `position` starts (`codePointCount` gives the end);
  /// nil when out of range.
  public func utf8Offset(ofCodePoint position: Int) -> Int? {
    guard position >= 0, position < starts.count else { return nil }
    return starts[position]
  }

  /// The code points of many UTF-8 offsets into `text` (nil for an offset out of range or
  /// inside a character's bytes), in one pass and without a per-character table.
  ///
  /// - Complexity: O(*n* + *k* log *k*) for a text of *n* bytes and *k* offsets.
  public static func codePoints(ofUTF8Offsets offsets: [Int], in text: String) -> [Int?] {
    var result = [Int?](repeating: nil, count: offsets.count)
    let order = offsets.indices.filter { offsets[$0] >= 0 }.sorted { offsets[$0] < offsets[$1] }
    var next = 0
    var codePoint = 0
    var byteOffset = 0
    for byte in text.utf8 {
      guard next < order.count else { break }
      let isStart = byte & 0xC0 != 0x80
      while next < order.count && offsets[order[next]] == byteOffset {
        if isStart { result[order[next]] = codePoint }
        next += 1
      }
      if isStart { codePoint += 1 }
      byteOffset += 1
      // Offsets skipped inside a character stay nil.
      while next < order.count && offsets[order[next]] < byteOffset { next += 1 }
    }
    while next < order.count && offsets[order[next]] == byteOffset {
      result[order[next]] = codePoint
      next += 1
    }
    return result
  }

  /// The code point that starts at UTF-8 `offset` (the text's length gives
  /// ``codePointCount``); nil when the offset is out of range or inside a character's bytes.
  public func codePoint(ofUTF8Offset offset: Int) -> Int? {
    var low = 0
    var high = starts.count - 1
    while low <= high {
      let middle = (low + high) / 2
      let value = starts[middle]
      if value == offset { return middle }
      if value < offset { low = middle + 1 } else { high = middle - 1 }
    }
    return nil
  }
}

/// How a `.qdpx` source's positions count a CRLF line end.
///
/// The standard counts code points, so CRLF is two positions; some exporters (ATLAS.ti, and
/// QualCoder's "MAXQDA" option on texts they normalised) count it as one.
public enum REFILineEndCounting: String, Sendable, Hashable, CaseIterable {
  /// Decide per source (``REFISourceText/detectCounting(selections:)``).
  case automatic = "auto"
  /// CRLF is two positions (the standard).
  case twoPositions = "2"
  /// CRLF is one position.
  case onePosition = "1"
}

/// A `.qdpx` source text as read (BOM removed), its stored form (CRLF and lone CR become LF,
/// as Verbatim's importers store text), and the map from REFI positions to stored UTF-8
/// offsets under either way of counting CRLF.
///
///     let source = REFISourceText("a\r\nbé")
///     source.stored                                       // "a\nbé"
///     source.utf8Offset(ofPosition: 4, counting: .twoPositions)   // 3  ("é" starts at byte 3)
///     source.utf8Offset(ofPosition: 3, counting: .onePosition)    // 3
///
/// It keeps the text's bytes only: positions are converted in batches by one forward pass
/// (``utf8Offsets(ofPositions:counting:)``), so a large corpus costs no per-character table.
public struct REFISourceText: Sendable {
  /// The text as Verbatim stores it: line ends are LF.
  public let stored: String
  /// Whether the original text had a CR (then the two countings differ).
  public let hasCarriageReturns: Bool
  /// The original's UTF-8 bytes, BOM dropped.
  private let original: [UInt8]
  /// Code points of the original (BOM dropped), and its CRLF pairs.
  private let scalarCount: Int
  private let crlfCount: Int

  /// Reads a source's text; a leading U+FEFF (BOM) is dropped and not counted, as tools
  /// that decode with a BOM-aware reader do.
  public init(_ text: String) {
    var bytes = Array(text.utf8)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    var scalars = 0
    var pairs = 0
    var sawCR = false
    for (index, byte) in bytes.enumerated() where byte & 0xC0 != 0x80 {
      scalars += 1
      if byte == 0x0D {
        sawCR = true
        if index + 1 < bytes.count && bytes[index + 1] == 0x0A { pairs += 1 }
      }
    }
    if sawCR {
      var normalized: [UInt8] = []
      normalized.reserveCapacity(bytes.count)
      var index = 0
      while index < bytes.count {
        let byte = bytes[index]
        if byte == 0x0D {
          normalized.append(0x0A)
          if index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
        } else {
          normalized.append(byte)
        }
        index += 1
      }
      stored = String(decoding: normalized, as: UTF8.self)
    } else {
      stored = String(decoding: bytes, as: UTF8.self)
    }
    original = bytes
    scalarCount = scalars
    crlfCount = pairs
    hasCarriageReturns = sawCR
  }

  /// The number of positions under a counting (``REFILineEndCounting/automatic`` counts two).
  public func positionCount(counting: REFILineEndCounting) -> Int {
    counting == .onePosition ? scalarCount - crlfCount : scalarCount
  }

  /// The stored UTF-8 offset of position `position`, or nil when it is out of range.
  public func utf8Offset(ofPosition position: Int, counting: REFILineEndCounting) -> Int? {
    utf8Offsets(ofPositions: [position], counting: counting)[0]
  }

  /// The stored UTF-8 offsets of many positions (nil for those out of range), in one pass.
  ///
  /// Counting two, the position between a CR and its LF maps to the stored LF's offset.
  ///
  /// - Complexity: O(*n* + *k* log *k*) for a text of *n* bytes and *k* positions.
  public func utf8Offsets(ofPositions positions: [Int], counting: REFILineEndCounting) -> [Int?] {
    var result = [Int?](repeating: nil, count: positions.count)
    let order = positions.indices.filter { positions[$0] >= 0 }.sorted { positions[$0] < positions[$1] }
    var next = 0
    var position = 0
    var offset = 0
    func record() {
      while next < order.count && positions[order[next]] == position {
        result[order[next]] = offset
        next += 1
      }
    }
    var index = 0
    while index < original.count && next < order.count {
      let byte = original[index]
      record()
      if byte == 0x0D {
        let isPair = index + 1 < original.count && original[index + 1] == 0x0A
        position += 1
        if isPair {
          if counting != .onePosition {
            record()  // between CR and LF
            position += 1
          }
          index += 2
        } else {
          index += 1
        }
        offset += 1
      } else {
        let width = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
        position += 1
        offset += width
        index += width
      }
    }
    if next < order.count && index >= original.count { record() }
    return result
  }

  /// A selection as the file gives it, for choosing how CRLF was counted.
  public struct Selection: Sendable, Hashable {
    /// `startPosition`.
    public var start: Int
    /// `endPosition`.
    public var end: Int
    /// The selection's `name`, which several tools fill with the selected text.
    public var name: String?

    /// Creates a selection.
    public init(start: Int, end: Int, name: String?) {
      self.start = start
      self.end = end
      self.name = name
    }
  }

  /// Chooses how this source's positions count CRLF, from its selections.
  ///
  /// Without a CR in the text both countings agree: ``REFILineEndCounting/twoPositions``.
  /// Otherwise each counting gets a score: it is impossible when a selection ends past the
  /// text; each selection whose `name` (trimmed, an ellipsis `…`/`...` at its end dropped)
  /// starts the text the counting selects, whitespace-insensitively, scores 2; each selection
  /// boundary that falls between a CR and its LF (which no tool produces when counting two)
  /// costs 1 to the two-position counting. The standard's two positions win ties.
  public func detectCounting(selections: [Selection]) -> REFILineEndCounting {
    guard hasCarriageReturns else { return .twoPositions }
    let isBetweenCRAndLF = positionsBetweenCRAndLF(
      Set(selections.flatMap { [$0.start, $0.end] }))
    func score(_ counting: REFILineEndCounting) -> Int? {
      let count = positionCount(counting: counting)
      var total = 0
      for selection in selections {
        guard selection.start >= 0, selection.end <= count, selection.start <= selection.end else { return nil }
        if let name = selection.name, let excerpt = excerpt(selection, counting: counting),
          Self.nameMatches(name, excerpt)
        {
          total += 2
        }
        if counting == .twoPositions {
          for position in [selection.start, selection.end] where position > 0 && position < count {
            if isBetweenCRAndLF[position] == true { total -= 1 }
          }
        }
      }
      return total
    }
    switch (score(.twoPositions), score(.onePosition)) {
    case let (two?, one?): return one > two ? .onePosition : .twoPositions
    case (nil, .some): return .onePosition
    default: return .twoPositions
    }
  }

  /// Which of these positions (counting two) fall between a CR and its LF.
  private func positionsBetweenCRAndLF(_ wanted: Set<Int>) -> [Int: Bool] {
    var result: [Int: Bool] = [:]
    var position = 0
    var index = 0
    while index < original.count {
      let byte = original[index]
      if byte == 0x0D && index + 1 < original.count && original[index + 1] == 0x0A {
        if wanted.contains(position + 1) { result[position + 1] = true }
        position += 2
        index += 2
        continue
      }
      position += 1
      index += byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
    }
    return result
  }

  /// The stored text a selection covers under a counting.
  func excerpt(_ selection: Selection, counting: REFILineEndCounting) -> Substring? {
    let offsets = utf8Offsets(ofPositions: [selection.start, selection.end], counting: counting)
    guard let start = offsets[0], let end = offsets[1], start <= end else { return nil }
    let utf8 = stored.utf8
    let lower = utf8.index(utf8.startIndex, offsetBy: start)
    let upper = utf8.index(utf8.startIndex, offsetBy: end)
    return stored[lower..<upper]
  }

  private static func nameMatches(_ name: String, _ excerpt: Substring) -> Bool {
    var cleaned = name.trimmingCharacters(in: .whitespacesAndNewlines)
    for ellipsis in ["...", "…"] where cleaned.hasSuffix(ellipsis) { cleaned.removeLast(ellipsis.count) }
    let wanted = cleaned.unicodeScalars.filter { !$0.properties.isWhitespace }
    guard wanted.count >= 3 else { return false }
    let have = excerpt.unicodeScalars.filter { !$0.properties.isWhitespace }
    return have.starts(with: wanted)
  }
}
