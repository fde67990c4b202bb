import Foundation
import Testing
@testable import VerbatimAnalysis

/// The rules route (ICU's word rules replayed over UTF-8, `Sources/CICUShim/WordRules.c`) against
/// ICU's own break iterator, the reference: every span end and every span class must be equal,
/// on seeded random strings over every word-break class and on every file of the corpora.
@Suite("Word rules replayed against ICU")
struct WordRulesTests {
  /// Every span (UTF-8 end, class) of `bytes` through one route; whether the rules were used.
  static func spans(_ bytes: [UInt8], route: BreakRoute) throws -> (spans: [Int64], usedRules: Bool) {
    let breaker = try ICUBreaker(kind: .word, route: route)
    var result: [Int64] = []
    var usedRules = false
    var ends = [Int64](repeating: 0, count: 7)  // a small batch: the state must carry over
    var classes = [UInt8](repeating: 0, count: 7)
    try bytes.withUnsafeBufferPointer { text in
      try breaker.setText(text)
      usedRules = breaker.usesRules
      while true {
        let count = ends.withUnsafeMutableBufferPointer { e in
          classes.withUnsafeMutableBufferPointer { c in
            breaker.nextSpans(ends: e.baseAddress!, classes: c.baseAddress!, capacity: 7)
          }
        }
        if count == 0 { break }
        for index in 0..<count { result.append(ends[index] << 8 | Int64(classes[index])) }
      }
    }
    return (result, usedRules)
  }

  /// One character of each class the replay covers, in several scripts, and look-alikes.
  static let covered: [String] = [
    "a", "Z", "é", "É", "ç", "ß", "œ", "ÿ", "α", "Ж", "ا", "ʼ",  // ALetter (ʼ: modifier letter)
    "1", "0", "٣", "۵",  // Numeric
    "_", "\u{202F}", "\u{203F}",  // ExtendNumLet (NNBSP, undertie)
    "'", "’", "‘", ".", "\u{2024}", ",", ";", ":", "·", "\u{2027}", "\u{037E}",  // Mid*, quotes
    " ", "\u{2009}", "\u{3000}", "\u{1680}", "\u{00A0}", "\u{2007}", "\t",  // spaces (some WSegSpace)
    "\n", "\r", "\u{000B}", "\u{000C}", "\u{0085}", "\u{2028}", "\u{2029}",  // CR, LF, Newline
    "\u{0301}", "\u{0327}", "\u{00AD}", "\u{200E}", "\u{FEFF}", "\u{0483}",  // Extend, Format
    "\"", "-", "–", "«", "»", "©", "®", "™", "€", "…", "!", "?", "(", "%", "/", "@", "#", "*", "+",
    "\u{200B}", "\u{2060}",
  ]
  /// Characters the replay hands to ICU.
  static let handedOver: [String] = [
    "ה", "😀", "\u{200D}", "ก", "中", "ア", "ひ", "가", "🇫", "👍", "\u{1F3FB}", "𝔄",
  ]

  static func randomText(_ random: inout SplitMix64, alphabet: [String], maxLength: Int) -> String {
    var text = ""
    for _ in 0..<random.next(below: maxLength + 1) {
      text += alphabet[random.next(below: alphabet.count)]
    }
    return text
  }

  @Test func randomStringsOverEveryClassGiveICUsSpans() throws {
    var random = SplitMix64(seed: 29)
    var mismatches: [String] = []
    for round in 0..<30_000 {
      // Mostly the covered classes, weighted toward letters and digits so that words form.
      let alphabet = round % 3 == 0 ? Self.covered : Self.covered + Array(repeating: "e", count: 20)
        + Array(repeating: "7", count: 8) + ["l'", "’", " "]
      let text = Self.randomText(&random, alphabet: alphabet, maxLength: 24)
      let bytes = Array(text.utf8)
      let (rules, usedRules) = try Self.spans(bytes, route: .rules)
      let (icu, _) = try Self.spans(bytes, route: .utf16)
      #expect(usedRules || bytes.isEmpty)
      if rules != icu, mismatches.count < 10 {
        mismatches.append(text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " "))
      }
    }
    #expect(mismatches.isEmpty, "texts (code points) where the replay differs from ICU: \(mismatches)")
  }

  /// Any BMP character, half of the time, beside the classes that join: catches a character
  /// whose class in ICU's rules differs from its Word_Break property (as `@` and `:` do).
  @Test func randomStringsOverTheWholeBMPGiveICUsSpans() throws {
    var random = SplitMix64(seed: 37)
    var mismatches: [String] = []
    var replayed = 0
    for _ in 0..<40_000 {
      var text = ""
      for _ in 0..<random.next(below: 13) {
        if random.next(below: 2) == 0 {
          var value = UInt32(random.next(below: 0x10000))
          if (0xD800...0xDFFF).contains(value) { value = 0x61 }
          text.unicodeScalars.append(Unicode.Scalar(value)!)
        } else {
          text += Self.covered[random.next(below: Self.covered.count)]
        }
      }
      let bytes = Array(text.utf8)
      let (rules, usedRules) = try Self.spans(bytes, route: .rules)
      if usedRules { replayed += 1 }
      if try rules != Self.spans(bytes, route: .utf16).spans, mismatches.count < 10 {
        mismatches.append(text.unicodeScalars.map { String($0.value, radix: 16) }.joined(separator: " "))
      }
    }
    #expect(mismatches.isEmpty, "texts (code points) where the replay differs from ICU: \(mismatches)")
    #expect(replayed > 8_000, "a quarter of these texts (no CJK, Hangul, Hebrew…) should be replayed")
  }

  @Test func textsWithCharactersOutsideTheReplayGoToICU() throws {
    var random = SplitMix64(seed: 31)
    for _ in 0..<3_000 {
      var text = Self.randomText(&random, alphabet: Self.covered, maxLength: 12)
      text += Self.handedOver[random.next(below: Self.handedOver.count)]
      text += Self.randomText(&random, alphabet: Self.covered, maxLength: 12)
      let bytes = Array(text.utf8)
      let (rules, usedRules) = try Self.spans(bytes, route: .rules)
      #expect(!usedRules)
      #expect(try rules == Self.spans(bytes, route: .utf16).spans)
    }
  }

  @Test func illFormedUTF8IsRefusedAtItsFirstBadByte() throws {
    let breaker = try ICUBreaker(kind: .word, route: .rules)
    for (bytes, offset) in [([0x61, 0x62, 0xFF, 0x63], 2), ([0x61, 0xC3], 1), ([0xED, 0xA0, 0x80], 0),
                            ([0x61, 0xE2, 0x80], 1), ([0xF0, 0x9F, 0x98], 0)] as [([UInt8], Int)] {
      #expect(throws: AnalysisError.invalidUTF8(offset: offset)) {
        try bytes.withUnsafeBufferPointer { try breaker.setText($0) }
      }
    }
  }

  @Test func theShippedCorpusGivesICUsSpans() throws {
    let folder = Fixtures.repository.appendingPathComponent("Corpus")
    let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "txt" || $0.pathExtension == "md" }
    #expect(!files.isEmpty)
    for file in files {
      let bytes = try [UInt8](Data(contentsOf: file))
      let (rules, usedRules) = try Self.spans(bytes, route: .rules)
      #expect(usedRules, "\(file.lastPathComponent) should be broken by the replayed rules")
      #expect(try rules == Self.spans(bytes, route: .utf16).spans, "\(file.lastPathComponent)")
    }
  }

  @Test(.enabled(if: Fixtures.hasShared, "../shared/corpora not found: skipped"))
  func everySharedCorpusFileGivesICUsSpans() throws {
    let files = Fixtures.sharedTextFiles(under: "corpora")
    #expect(files.count > 100)
    var handedOver = 0
    for file in files {
      let bytes = try [UInt8](Data(contentsOf: file))
      let (rules, usedRules) = try Self.spans(bytes, route: .rules)
      if !usedRules { handedOver += 1 }
      #expect(try rules == Self.spans(bytes, route: .utf16).spans, "\(file.lastPathComponent)")
    }
    print("word rules: \(files.count - handedOver) of \(files.count) shared files replayed, \(handedOver) handed to ICU")
  }
}
