import Foundation
import Testing

@testable import VerbatimAnalysis

/// The analysis chain's shortcuts against the general path they stand in for.
@Suite("analysis fast paths")
struct FastPathTests {
  /// ICU's NFC and full case folding of `word`: the reference the Latin-1 shortcut must match.
  static func icuTerm(_ word: String) -> String {
    var output: [UInt8] = []
    let bytes = Array(word.utf8)
    let done = bytes.withUnsafeBufferPointer { ICUText.normalize($0, foldCase: true, foldAccents: false, into: &output) }
    #expect(done)
    return String(decoding: output, as: UTF8.self)
  }

  /// Words of ASCII and Latin-1 letters are case-folded without ICU: every letter of
  /// U+00C0…U+00FF (`ß` included, which the shortcut leaves to ICU; `×` and `÷` are symbols),
  /// upper and lower case, alone and between ASCII letters, gives ICU's term.
  @Test func latin1WordsFoldAsICUDoes() throws {
    let pipeline = try Analyzer.french.makePipeline()
    var checked = 0
    for value in UInt32(0xC0)...0xFF {
      let letter = String(Character(Unicode.Scalar(value)!))
      for word in [letter, "A\(letter)B", "ab\(letter)\(letter)CD", "Ä\(letter)É"] {
        let terms = pipeline.tokens(in: word).map(\.term)
        // × and ÷ are symbols, tokens of their own: the breaker splits there.
        var expected: [String] = []
        var piece = ""
        for character in word {
          if character == "×" || character == "÷" {
            if !piece.isEmpty { expected.append(Self.icuTerm(piece)) }
            piece = ""
            expected.append(String(character))
          } else {
            piece.append(character)
          }
        }
        if !piece.isEmpty { expected.append(Self.icuTerm(piece)) }
        #expect(terms == expected, "\(word)")
        checked += 1
      }
    }
    #expect(checked == 64 * 4)
  }

  /// Words of up to three bytes come from a small table after their first sighting: the
  /// same tokens as a fresh pipeline gives them on first sight, however often they recur.
  @Test func shortWordsRepeatTheirFirstAnalysis() throws {
    let words = ["le", "de", "à", "et", "où", "Le", "DE", "À", "ÉTÉ", "été", "t", "va", "y", "l'", "1", "a1"]
    let text = (0..<50).map { words[$0 % words.count] }.joined(separator: " ")
    let repeated = try Analyzer.french.makePipeline().tokens(in: text + " " + text)
    let single = try Analyzer.french.makePipeline().tokens(in: text)
    let firstHalf = Array(repeated.prefix(single.count))
    #expect(firstHalf.map(\.term) == single.map(\.term))
    #expect(firstHalf.map(\.stem) == single.map(\.stem))
    let secondHalf = Array(repeated.suffix(repeated.count - single.count))
    #expect(secondHalf.map(\.term) == single.map(\.term))
    #expect(secondHalf.map(\.stem) == single.map(\.stem))
    for word in words where !word.contains("'") {
      let alone = try Analyzer.french.makePipeline().tokens(in: word).map(\.term)
      let inText = try Analyzer.french.makePipeline().tokens(in: "\(word) \(word) \(word)").map(\.term)
      #expect(inText == alone + alone + alone, "\(word)")
    }
  }
}
