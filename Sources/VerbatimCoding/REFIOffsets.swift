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
public struct REFISourceText: Sendable {
  /// The text as Verbatim stores it: line ends are LF.
  public let stored: String
  /// Whether the original text had a CR (then the two countings differ).
  public let hasCarriageReturns: Bool
  /// Stored UTF-8 offset of each position when CRLF counts two, plus the end.
  private let twoPositionOffsets: [Int]
  /// Stored UTF-8 offset of each position when CRLF counts one, plus the end.
  private let onePositionOffsets: [Int]

  /// Reads a source's text; a leading U+FEFF (BOM) is dropped and not counted, as tools
  /// that decode with a BOM-aware reader do.
  public init(_ original: String) {
    var scalars = Array(original.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    var stored = String.UnicodeScalarView()
    var two: [Int] = []
    var one: [Int] = []
    two.reserveCapacity(scalars.count + 1)
    one.reserveCapacity(scalars.count + 1)
    var offset = 0
    var sawCR = false
    var index = 0
    while index < scalars.count {
      let scalar = scalars[index]
      if scalar == "\r" {
        sawCR = true
        let isPair = index + 1 < scalars.count && scalars[index + 1] == "\n"
        two.append(offset)
        one.append(offset)
        if isPair {
          two.append(offset)  // between CR and LF: before the stored LF
          index += 1
        }
        stored.append("\n")
        offset += 1
      } else {
        two.append(offset)
        one.append(offset)
        stored.append(scalar)
        offset += UTF8.width(scalar)
      }
      index += 1
    }
    two.append(offset)
    one.append(offset)
    self.stored = String(stored)
    hasCarriageReturns = sawCR
    twoPositionOffsets = two
    onePositionOffsets = one
  }

  /// The number of positions under a counting (``REFILineEndCounting/automatic`` counts two).
  public func positionCount(counting: REFILineEndCounting) -> Int {
    (counting == .onePosition ? onePositionOffsets.count : twoPositionOffsets.count) - 1
  }

  /// The stored UTF-8 offset of position `position`, or nil when it is out of range.
  public func utf8Offset(ofPosition position: Int, counting: REFILineEndCounting) -> Int? {
    let table = counting == .onePosition ? onePositionOffsets : twoPositionOffsets
    guard position >= 0, position < table.count else { return nil }
    return table[position]
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
            if twoPositionOffsets[position] == twoPositionOffsets[position - 1] { total -= 1 }
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

  /// The stored text a selection covers under a counting.
  func excerpt(_ selection: Selection, counting: REFILineEndCounting) -> Substring? {
    guard let start = utf8Offset(ofPosition: selection.start, counting: counting),
      let end = utf8Offset(ofPosition: selection.end, counting: counting), start <= end
    else { return nil }
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
