//
// Tests of the Snowball 3 French stemmer: the official vocabulary (read from ../shared when it
// is there), worked examples, and inputs that must never trap.

import Foundation
import Testing

@testable import VerbatimAnalysis

// MARK: - Helpers

/// `../shared/reference/snowball-french`, found from this file: Tests/VerbatimAnalysisTests/ →
/// the repository → its sibling `shared`.
private let snowballFrenchFolder: URL = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent()  // VerbatimAnalysisTests
  .deletingLastPathComponent()  // Tests
  .deletingLastPathComponent()  // the repository
  .deletingLastPathComponent()
  .appendingPathComponent("shared/reference/snowball-french", isDirectory: true)

private let snowballFilesPresent: Bool =
  FileManager.default.fileExists(atPath: snowballFrenchFolder.appendingPathComponent("french_voc.txt").path)
  && FileManager.default.fileExists(
    atPath: snowballFrenchFolder.appendingPathComponent("french_output.txt").path)

/// The lines of a UTF-8 file, without the empty string after a final newline.
private func vocabularyLines(of url: URL) throws -> [String] {
  let text = try String(contentsOf: url, encoding: .utf8)
  var result = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  if result.last == "" { result.removeLast() }
  return result
}

/// Stems through the byte entry point.
private func stemViaBytes(_ stemmer: inout FrenchStemmer, _ bytes: [UInt8]) -> [UInt8] {
  var output: [UInt8] = []
  bytes.withUnsafeBufferPointer { stemmer.stem(utf8: $0, into: &output) }
  return output
}

/// A seeded generator for reproducible inputs (SplitMix64 from TestSupport.swift).
private struct FrenchStemmerRandom {
  var generator: SplitMix64

  init(state: UInt64) { generator = SplitMix64(seed: state) }

  mutating func next() -> UInt64 { generator.next() }

  mutating func next(below bound: Int) -> Int { generator.next(below: bound) }
}

// MARK: - Tests

@Suite("FrenchStemmer")
struct FrenchStemmerTests {
  @Test(
    "all 21,655 words of the official Snowball French vocabulary",
    .enabled(if: snowballFilesPresent, "../shared not found (needs ../shared/reference/snowball-french)")
  )
  func officialVocabulary() throws {
    let words = try vocabularyLines(of: snowballFrenchFolder.appendingPathComponent("french_voc.txt"))
    let expected = try vocabularyLines(of: snowballFrenchFolder.appendingPathComponent("french_output.txt"))
    #expect(words.count == 21_655)
    #expect(words.count == expected.count)

    var stemmer = FrenchStemmer()
    var mismatches: [String] = []
    var mismatchCount = 0
    for (word, stem) in zip(words, expected) {
      let got = stemmer.stem(word)
      let gotBytes = stemViaBytes(&stemmer, Array(word.utf8))
      if got != stem || gotBytes != Array(stem.utf8) {
        mismatchCount += 1
        if mismatches.count < 20 {
          let bytesText = String(decoding: gotBytes, as: UTF8.self)
          mismatches.append("\(word): expected \(stem), got \(got) (bytes: \(bytesText))")
        }
      }
    }
    #expect(
      mismatchCount == 0,
      "\(mismatchCount) of \(words.count) differ; first: \(mismatches.joined(separator: "; "))")
  }

  /// Worked examples: the literature's (Snowball's page, Lucene's tests), words of the
  /// vocabulary, and the Snowball 3 changes (2.2 results in comments).
  @Test(
    "worked examples, through both entry points",
    arguments: [
      ("chevaux", "cheval"),
      ("continuellement", "continuel"),
      ("nationalités", "national"),
      ("généralement", "général"),
      ("passé", "pass"),
      ("travaillons", "travaillon"),
      ("travailler", "travaill"),
      ("émotions", "émot"),
      ("sécuritaires", "sécuritair"),
      ("majestueusement", "majestu"),
      ("ennuyeux", "ennui"),
      ("naïveté", "naïvet"),
      ("noël", "noël"),
      ("aujourd'hui", "aujourd'hui"),
      ("créations", "création"),
      // Snowball 3 only (Snowball 2.2 in parentheses):
      ("l'embrouille", "embrouill"),  // (l'embrouill) elisions first
      ("d'abord", "abord"),  // (d'abord)
      ("qu'il", "il"),  // (qu'il)
      ("genoux", "genou"),  // (genoux) -oux → -ou after b h j l n p
      ("mauvais", "mauvais"),  // (mauv)
      ("palais", "palais"),  // (pal)
      ("niais", "niais"),  // (ni)
      ("française", "franc"),  // (français) -aise, -aises like -ais
    ])
  func workedExample(word: String, stem: String) {
    var stemmer = FrenchStemmer()
    #expect(stemmer.stem(word) == stem)
    #expect(stemViaBytes(&stemmer, Array(word.utf8)) == Array(stem.utf8))
  }

  @Test("the byte entry point appends to what is already in the output")
  func appendsToOutput() {
    var stemmer = FrenchStemmer()
    var output = Array("x ".utf8)
    Array("chevaux".utf8).withUnsafeBufferPointer { stemmer.stem(utf8: $0, into: &output) }
    output.append(0x20)
    Array("généralement".utf8).withUnsafeBufferPointer { stemmer.stem(utf8: $0, into: &output) }
    #expect(String(decoding: output, as: UTF8.self) == "x cheval général")
  }

  @Test("empty input, single letters, digits and other scripts pass through safely")
  func edgeInputs() {
    var stemmer = FrenchStemmer()
    #expect(stemmer.stem("") == "")
    #expect(stemViaBytes(&stemmer, []).isEmpty)
    let cases: [(String, String)] = [
      ("a", "a"), ("y", "y"), ("s", "s"), ("é", "é"), ("ë", "ë"), ("ï", "ï"), ("'", "'"),
      ("l'", "l'"), ("qu'", "qu'"), ("2013", "2013"), ("3,5", "3,5"), ("日本語", "日本語"),
      ("привет", "привет"), ("🙂", "🙂"), ("e\u{301}té", "e\u{301}té"),
    ]
    for (word, stem) in cases {
      #expect(stemmer.stem(word) == stem, "\(word)")
      #expect(stemViaBytes(&stemmer, Array(word.utf8)) == Array(stem.utf8), "\(word)")
    }
    // Every scalar of the Latin ranges alone is its own stem, except the algorithm's internal
    // markers: as in Snowball, the postlude lowercases I, U, Y and drops a lone H.
    let markers: [UInt32: String] = [0x48: "", 0x49: "i", 0x55: "u", 0x59: "y"]
    for value in UInt32(0x20)...0x24F {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let word = String(Character(scalar))
      #expect(stemmer.stem(word) == markers[value, default: word], "U+\(String(value, radix: 16))")
    }
  }

  @Test("seeded random strings never trap and both entry points agree")
  func randomStrings() {
    let alphabet: [Unicode.Scalar] = Array(
      "aeiouyqscdjlmnptrxvbgzHIUY'éèêëïîâàôûùçüÿœ0- 日жπ🙂\u{301}\u{0}".unicodeScalars)
    var random = FrenchStemmerRandom(state: 0x5EED_F00D)
    var stemmer = FrenchStemmer()
    for round in 0..<20_000 {
      var word = String.UnicodeScalarView()
      let length = round < 200 ? 40 + random.next(below: 200) : random.next(below: 14)
      for _ in 0..<length { word.append(alphabet[random.next(below: alphabet.count)]) }
      let text = String(word)
      let viaString = stemmer.stem(text)
      let viaBytes = stemViaBytes(&stemmer, Array(text.utf8))
      #expect(Array(viaString.utf8) == viaBytes, "\(text.debugDescription)")
      #expect(viaString.unicodeScalars.count <= text.unicodeScalars.count + 1)
    }
  }

  @Test("ill-formed UTF-8 is repaired like String(decoding:as:) before stemming")
  func illFormedBytes() {
    var random = FrenchStemmerRandom(state: 42)
    var stemmer = FrenchStemmer()
    let pieces: [[UInt8]] = [
      [0xFF], [0xC3], [0xC3, 0xA9], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
      [0xF0, 0x9F, 0x99, 0x82], Array("ment".utf8), Array("eaux".utf8), Array("l'".utf8), [0x80],
    ]
    for _ in 0..<5_000 {
      var bytes: [UInt8] = []
      for _ in 0..<random.next(below: 6) { bytes += pieces[random.next(below: pieces.count)] }
      let repaired = String(decoding: bytes, as: UTF8.self)
      #expect(stemViaBytes(&stemmer, bytes) == Array(stemmer.stem(repaired).utf8))
    }
  }

  @Test("one stemmer value per task: concurrent stemming gives the same stems")
  func concurrentUse() async {
    let words = ["chevaux", "continuellement", "nationalités", "généralement", "travaillons"]
    let expected = ["cheval", "continuel", "national", "général", "travaillon"]
    await withTaskGroup(of: [String].self) { group in
      for _ in 0..<4 {
        group.addTask {
          var stemmer = FrenchStemmer()
          var last: [String] = []
          for _ in 0..<500 { last = words.map { stemmer.stem($0) } }
          return last
        }
      }
      for await result in group { #expect(result == expected) }
    }
  }
}
