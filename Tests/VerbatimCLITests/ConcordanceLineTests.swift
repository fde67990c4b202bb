import Testing
import VerbatimTestSupport
@testable import VerbatimEngine

/// A concordance line decodes only a window of each side of the match; the reference is the
/// definition: flatten the whole side (every character of the turn before or after the
/// match), then keep its last or first `width` characters.
@Suite struct ConcordanceLineTests {
  /// The definition, decoding each whole side.
  static func wholeSideLine(of range: Range<Int>, turn: Range<Int>, in bytes: [UInt8], width: Int) -> SearchQueries.Line {
    let all = 0..<bytes.count
    func text(_ slice: Range<Int>) -> String { String(decoding: bytes[slice.clamped(to: all)], as: UTF8.self) }
    let left = SearchQueries.flatten(text(turn.lowerBound..<max(turn.lowerBound, range.lowerBound)))
    let right = SearchQueries.flatten(text(min(turn.upperBound, range.upperBound)..<turn.upperBound))
    return SearchQueries.Line(
      left: String(left.suffix(width)), match: SearchQueries.flatten(text(range)), right: String(right.prefix(width)))
  }

  /// Pieces whose characters depend on their neighbours: decomposed accents, a combining mark
  /// after a space, CR LF, flags (regional indicators pair up from the start of a run), a ZWJ
  /// family, no-break and ideographic spaces, long runs of whitespace and long words.
  static let pieces: [String] = [
    "a", "mot", "é", "e\u{301}", " \u{301}", " ", "   ", "\n", "\r\n", "\t", "\u{00A0}", "\u{3000}", "🇫🇷", "🇧🇪🇨🇦",
    "👩‍👩‍👧", "’", ".", "Saint-Brieuc", String(repeating: "x", count: 150), String(repeating: " ", count: 90),
    String(repeating: "\n ", count: 40), "l'élu·e·s", "\u{202F}", "\u{2009}", "\u{85}", "\u{2028}", "\u{0600}",
    "\u{00A9}\u{200D}", "\u{00AD}", "\u{1100}\u{1161}", "\u{0903}", "\u{200B}", "\u{301}",
  ]

  /// Pieces whose scalars are each a character whatever their neighbours (the byte scan's
  /// case): accents, typographic quotes and spaces, currency, controls, CR LF.
  static let plainPieces: [String] = [
    "a", "mot", "é", "ß", "Œ", " ", "   ", "\n", "\r\n", "\r", "\t", "\u{00A0}", "\u{202F}", "\u{2009}", "\u{3000}",
    "\u{1680}", "\u{85}", "\u{2028}", "’", "«", "»", "…", "—", "€", "\u{00AD}", "\u{1}", ".", "Saint-Brieuc",
    String(repeating: "x", count: 150), String(repeating: " ", count: 90), String(repeating: "\n ", count: 40),
    "l'élu·e·s",
  ]

  /// 6,000 seeded texts, turns and matches on piece boundaries (where the index's ranges
  /// fall: character boundaries), widths 0–40: the windowed line equals the whole-side one.
  /// A third of the texts mix every piece, a third only plain ones (scanned as bytes), a third
  /// plain ones with a few others (some windows scanned as bytes, some as characters).
  @Test func windowsGiveTheWholeSidesLine() {
    var random = SplitMix64(seed: 0xC0C0_A)
    for round in 0..<6_000 {
      var bytes: [UInt8] = []
      var boundaries = [0]
      let pieceCount = Int.random(in: 1...120, using: &random)
      for _ in 0..<pieceCount {
        let pool = round % 3 == 0 || (round % 3 == 2 && Int.random(in: 0..<40, using: &random) == 0) ? Self.pieces : Self.plainPieces
        bytes += Array(pool.randomElement(using: &random)!.utf8)
        boundaries.append(bytes.count)
      }
      let cuts = (0..<4).map { _ in boundaries.randomElement(using: &random)! }.sorted()
      let turn = cuts[0]..<cuts[3]
      let range = cuts[1]..<cuts[2]
      let width = Int.random(in: 0...40, using: &random)
      let expected = Self.wholeSideLine(of: range, turn: turn, in: bytes, width: width)
      let line = SearchQueries.line(of: range, turn: turn, in: bytes, width: width)
      #expect(line == expected, "round \(round): turn \(turn), range \(range), width \(width)")
    }
  }

  /// Flattening, against its definition by splitting: words separated by one space, a
  /// trailing space when the text ends with whitespace, none at the start; every ASCII
  /// character, Unicode spaces (no-break, ideographic, line separator, next line) and the
  /// pieces above.
  @Test func flattenShowsEachWhitespaceRunAsOneSpace() {
    var random = SplitMix64(seed: 0xF1A7)
    let ascii = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
    let alphabet = ascii + Self.pieces + ["\u{2028}", "\u{85}", "\u{2009}", "\u{1680}", "\u{200B}"]
    for _ in 0..<2_000 {
      let text = (0..<Int.random(in: 0...40, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
      let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      let expected = words + (!words.isEmpty && text.last!.isWhitespace ? " " : "")
      #expect(SearchQueries.flatten(text) == expected, "\(Array(text.unicodeScalars))")
    }
  }

  /// A match outside its turn, a turn past the text's end: the sides are clamped as in the
  /// definition, never out of bounds.
  @Test func rangesOutsideTheTurnOrTheText() {
    let bytes = Array("Bonjour à tous, je suis l'élu.e de la commune.".utf8)
    for (range, turn) in [(5..<7, 10..<20), (30..<35, 0..<10), (40..<60, 0..<100), (0..<3, 0..<0)] {
      for width in [0, 3, 20] {
        #expect(
          SearchQueries.line(of: range, turn: turn, in: bytes, width: width)
            == Self.wholeSideLine(of: range, turn: turn, in: bytes, width: width))
      }
    }
  }
}
