import Foundation
import Testing
@testable import VerbatimAnalysis

/// Property checks of the chain over every file of `../shared/corpora` (real spoken French,
/// parliamentary debates, novels): offsets round-trip, nothing but punctuation and spaces is
/// dropped, and terms derive from their surfaces by the documented rules.
@Suite("Shared corpora", .enabled(if: Fixtures.hasShared, "../shared/corpora not found: skipped"))
struct SharedCorporaTests {
  @Test func everyTokenOfEveryFileRoundTrips() throws {
    let files = Fixtures.sharedTextFiles(under: "corpora")
    #expect(files.count > 100)
    let pipeline = try Analyzer.french.makePipeline()
    var totalTokens = 0
    var problems: [String] = []
    var checkedPairs: Set<String> = []  // surface, flags and term already checked
    for file in files {
      let bytes = try [UInt8](Data(contentsOf: file))
      var tokens: [RawToken] = []
      try bytes.withUnsafeBufferPointer { buffer in
        try pipeline.analyze(buffer) { tokens.append(contentsOf: $0) }
      }
      totalTokens += tokens.count
      var previousEnd = 0
      for (index, token) in tokens.enumerated() {
        guard token.start >= previousEnd, token.end > token.start, token.end <= bytes.count,
          token.position == Int32(index)
        else {
          problems.append("\(file.lastPathComponent): token \(index) has bad offsets or position")
          break
        }
        // What lies between two tokens holds no letters and no digits, except a dropped
        // euphonic t (`va-t-il`) or a t' written for it.
        let gap = String(decoding: bytes[previousEnd..<token.start], as: UTF8.self)
        let gapLetters = gap.unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        if !gapLetters.isEmpty && !(gapLetters.count == 1 && (gapLetters.first == "t" || gapLetters.first == "T")) {
          problems.append("\(file.lastPathComponent): letters dropped before byte \(token.start)")
        }
        // Offsets fall on scalar boundaries and the term derives from the surface.
        guard let surface = String(validating: bytes[token.start..<token.end], as: UTF8.self) else {
          problems.append("\(file.lastPathComponent): token at byte \(token.start) splits a character")
          break
        }
        let term = pipeline.vocabulary.term(token.termID)
        let pair = "\(surface)\u{0}\(token.flags.rawValue)\u{0}\(term)"
        if !checkedPairs.contains(pair) && !Self.termDerives(term, from: surface, flags: token.flags) {
          problems.append("\(file.lastPathComponent): term does not derive from its surface at byte \(token.start)")
        }
        checkedPairs.insert(pair)
        previousEnd = token.end
      }
      if problems.count > 20 { break }
    }
    #expect(problems.isEmpty, "\(problems.prefix(20))")
    #expect(totalTokens > 1_000_000)
  }

  /// The documented relation between a surface and its term.
  static func termDerives(_ term: String, from surface: String, flags: TokenFlags) -> Bool {
    let folded = surface.precomposedStringWithCanonicalMapping.lowercased()
      .replacingOccurrences(of: "’", with: "'").replacingOccurrences(of: "ʼ", with: "'")
    let loose = { (text: String) in
      text.folding(options: [.caseInsensitive], locale: nil).precomposedStringWithCanonicalMapping
    }
    if flags.contains(.elided) { return folded == term + "'" }
    if flags.contains(.inclusive) { return loose(folded).hasPrefix(loose(term)) }
    if flags.contains(.thousandsJoined) {
      return folded.unicodeScalars.filter { !["\u{00A0}", "\u{202F}", "\u{2009}"].contains($0) }
        .map(String.init).joined() == term
    }
    return loose(folded) == loose(term)
  }
}
