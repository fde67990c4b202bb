import Foundation
import Testing
@testable import VerbatimAnalysis

/// Worked examples of every French rule of the analysis chain (BRIEF.md, "French analysis
/// rules"), in the style of Lucene's `TestFrenchAnalyzer`. Expected values are written by
/// hand from the rules; stems come from the Snowball 3 French algorithm.
@Suite("French analysis chain")
struct FrenchAnalyzerTests {
  // MARK: Elision

  static let elisionsCases: [(String, [String])] = [
    ("l'entretien", ["l", "entretien"]),
    ("L’entretien", ["l", "entretien"]),
    ("qu'il", ["qu", "il"]),
    ("jusqu'à", ["jusqu", "à"]),
    ("jusqu’au bout", ["jusqu", "au", "bout"]),
    ("lorsqu'elle", ["lorsqu", "elle"]),
    ("puisqu'on", ["puisqu", "on"]),
    ("quoiqu'il", ["quoiqu", "il"]),
    ("d'accord", ["d", "accord"]),
    ("j'ai", ["j", "ai"]),
    ("m'a", ["m", "a"]),
    ("n'importe", ["n", "importe"]),
    ("s'il", ["s", "il"]),
    ("t'as", ["t", "as"]),
    ("c'est", ["c", "est"]),
    ("QU’IL", ["qu", "il"]),
    ("D’AUTRES", ["d", "autres"]),
    ("aujourd'hui", ["aujourd'hui"]),
    ("aujourd’hui", ["aujourd'hui"]),
    ("quelqu'un", ["quelqu'un"]),
    ("quelqu’une", ["quelqu'une"]),
    ("prud'hommes", ["prud'hommes"]),
    ("presqu'île", ["presqu'île"]),
    ("d'aujourd'hui", ["d", "aujourd'hui"]),
    ("qu’aujourd’hui", ["qu", "aujourd'hui"]),
    ("l' école", ["l", "école"]),
    ("l'", ["l"]),
  ]

  @Test("elision splits articles and pronouns, keeps fixed forms", arguments: elisionsCases)
  func elision(text: String, terms: [String]) throws {
    try expectAnalyzes(text, terms: terms)
  }

  @Test func elidedFormKeepsItsApostropheInTheSurfaceAndAPosition() throws {
    try expectAnalyzes(
      "L’entretien s'est bien passé", terms: ["l", "entretien", "s", "est", "bien", "passé"],
      surfaces: ["L’", "entretien", "s'", "est", "bien", "passé"],
      ranges: [0..<4, 4..<13, 14..<16, 16..<19, 20..<24, 25..<31], positions: [0, 1, 2, 3, 4, 5],
      stems: ["l", "entretien", "s", "est", "bien", "pass"],
      flags: [.elided, [], .elided, [], [], []])
  }

  // MARK: Inclusive writing

  static let inclusivesCases: [(String, String)] = [
    ("élu.e.s", "élu"),
    ("agent.e.s", "agent"),
    ("chercheur.e.s", "chercheur"),
    ("agent·e·s", "agent"),
    ("citoyen.ne.s", "citoyen"),
    ("étudiant-e-s", "étudiant"),
    ("interlocuteur/trices", "interlocuteur"),
    ("interlocuteurs/trices", "interlocuteurs"),
    ("élu(e)s", "élu"),
    ("ami(e)(s)", "ami"),
    ("directeur.rice.s", "directeur"),
    ("adjoint.e", "adjoint"),
    ("AGENT.E.S", "agent"),
    ("agent•e•s", "agent"),
    ("Élu·E·s", "élu"),
    ("salarié.es", "salarié"),
  ]

  @Test("inclusive writing is one token with the masculine base as term", arguments: inclusivesCases)
  func inclusive(text: String, base: String) throws {
    try expectAnalyzes(text, terms: [base], surfaces: [text], flags: [.inclusive])
  }

  @Test func inclusiveAfterAnElision() throws {
    try expectAnalyzes(
      "l’élu.e.s", terms: ["l", "élu"], surfaces: ["l’", "élu.e.s"], flags: [.elided, .inclusive])
  }

  @Test func inclusiveWritingFromTheSeedReport() throws {
    // Seed report, Introduction: "la réflexion des chercheur.e.s du GIS Marsouin".
    try expectAnalyzes(
      "la réflexion des chercheur.e.s du GIS Marsouin",
      terms: ["la", "réflexion", "des", "chercheur", "du", "gis", "marsouin"])
    // Seed report: "nos interlocuteurs/trices d’aborder".
    try expectAnalyzes(
      "nos interlocuteurs/trices d’aborder", terms: ["nos", "interlocuteurs", "d", "aborder"])
    // Seed report: "un EPCI qui compte plus de 700 agent.e.s".
    try expectAnalyzes(
      "un EPCI qui compte plus de 700 agent.e.s",
      terms: ["un", "epci", "qui", "compte", "plus", "de", "700", "agent"],
      kinds: [.word, .word, .word, .word, .word, .word, .number, .word])
  }

  static let notInclusiveCases: [(String, [String])] = [
    ("prends-le", ["prends", "le"]),
    ("dit-elle", ["dit", "elle"]),
    ("il/elle", ["il", "elle"]),
    ("et/ou", ["et", "ou"]),
    ("www.exemple.fr", ["www.exemple.fr"]),
    ("élu (e)", ["élu", "e"]),
  ]

  @Test("look-alikes of inclusive writing stay apart", arguments: notInclusiveCases)
  func notInclusive(text: String, terms: [String]) throws {
    try expectAnalyzes(text, terms: terms)
  }

  // MARK: Hyphens, clitics, euphonic t

  static let hyphensCases: [(String, [String])] = [
    ("peut-être", ["peut", "être"]),
    ("c'est-à-dire", ["c", "est", "à", "dire"]),
    ("c’est-à-dire", ["c", "est", "à", "dire"]),
    ("va-t-il", ["va", "il"]),
    ("a-t-on", ["a", "on"]),
    ("Aime-t-elle", ["aime", "elle"]),
    ("va-t’il", ["va", "il"]),
    ("est-ce", ["est", "ce"]),
    ("Saint-Brieuc", ["saint", "brieuc"]),
    ("la lettre t", ["la", "lettre", "t"]),
    ("vis-à-vis", ["vis", "à", "vis"]),
  ]

  @Test("hyphenated compounds split, euphonic t dropped", arguments: hyphensCases)
  func hyphen(text: String, terms: [String]) throws {
    try expectAnalyzes(text, terms: terms)
  }

  @Test func compoundPartsAreFlaggedAndEuphonicTTakesNoPosition() throws {
    try expectAnalyzes(
      "peut-être va-t-il", terms: ["peut", "être", "va", "il"], positions: [0, 1, 2, 3],
      flags: [.compoundPart, .compoundPart, .compoundPart, .compoundPart])
  }

  // MARK: Numbers and symbols

  @Test func decimalCommaIsKept() throws {
    try expectAnalyzes("3,5", terms: ["3,5"], kinds: [.number])
  }

  @Test func thousandsWithNoBreakSpacesAreJoined() throws {
    try expectAnalyzes("20\u{202F}000", terms: ["20000"], surfaces: ["20\u{202F}000"], flags: [.thousandsJoined])
    try expectAnalyzes("20\u{00A0}000", terms: ["20000"], surfaces: ["20\u{00A0}000"], flags: [.thousandsJoined])
    try expectAnalyzes("20\u{2009}000", terms: ["20000"], flags: [.thousandsJoined])
    try expectAnalyzes("1\u{202F}000\u{202F}000,50", terms: ["1000000,50"], kinds: [.number])
  }

  @Test func anASCIISpaceSeparatesTwoNumbers() throws {
    try expectAnalyzes("20 000", terms: ["20", "000"], kinds: [.number, .number])
  }

  @Test func aYearIsNotJoinedToTheNextGroup() throws {
    try expectAnalyzes("2023\u{00A0}000", terms: ["2023", "000"])
  }

  @Test func symbolsAreTokensAndPunctuationIsNot() throws {
    try expectAnalyzes(
      "10 % de 20 € + 5", terms: ["10", "%", "de", "20", "€", "+", "5"],
      kinds: [.number, .symbol, .word, .number, .symbol, .symbol, .number])
    try expectAnalyzes("… « » ; : ! ? — ( )", terms: [])
  }

  @Test func frenchSpacingBeforePunctuationIsNotPartOfTheWord() throws {
    try expectAnalyzes(
      "Bonjour\u{202F}! Interlocuteur\u{202F}1\u{202F}: oui", terms: ["bonjour", "interlocuteur", "1", "oui"],
      surfaces: ["Bonjour", "Interlocuteur", "1", "oui"])
  }

  @Test func ordinalsStayWhole() throws {
    try expectAnalyzes("le 3e étage", terms: ["le", "3e", "étage"])
  }

  // MARK: Case, normalisation, accents

  @Test func frenchCaseFolding() throws {
    try expectAnalyzes("ÉCOLE Œuvre ÇA", terms: ["école", "œuvre", "ça"])
  }

  @Test func nfdInputGivesNFCTermsAndOriginalOffsets() throws {
    let decomposed = "e\u{301}cole re\u{301}sume\u{301}"
    try expectAnalyzes(
      decomposed, terms: ["école", "résumé"], surfaces: ["e\u{301}cole", "re\u{301}sume\u{301}"],
      ranges: [0..<7, 8..<18])
  }

  @Test func accentFoldingIsAnOption() throws {
    try expectAnalyzes("élu Été", terms: ["élu", "été"])
    try expectAnalyzes("élu Été", terms: ["elu", "ete"], analyzer: Analyzer(foldsAccents: true))
  }

  @Test func bothApostrophesGiveTheSameTerms() throws {
    let pipeline = try Analyzer.french.makePipeline()
    let straight = pipeline.tokens(in: "l'usage d'aujourd'hui").map(\.term)
    let curly = pipeline.tokens(in: "l’usage d’aujourd’hui").map(\.term)
    #expect(straight == curly)
    #expect(straight == ["l", "usage", "d", "aujourd'hui"])
  }

  @Test func stemsUnifyInflections() throws {
    try expectAnalyzes(
      "numérique responsable Numériques responsables",
      terms: ["numérique", "responsable", "numériques", "responsables"],
      stems: ["numer", "respons", "numer", "respons"])
  }

  // MARK: Edge cases

  @Test func emptyAndBlankInputs() throws {
    try expectAnalyzes("", terms: [])
    try expectAnalyzes("   \n\t ", terms: [])
  }

  @Test func invalidUTF8NamesTheByteOffset() throws {
    let pipeline = try Analyzer.french.makePipeline()
    let bytes: [UInt8] = Array("élu ".utf8) + [0xFF] + Array(" suite".utf8)
    #expect(throws: AnalysisError.invalidUTF8(offset: 5)) {
      try bytes.withUnsafeBufferPointer { buffer in try pipeline.tokens(inUTF8: buffer) }
    }
    let truncated: [UInt8] = Array("abc".utf8) + [0xC3]
    #expect(throws: AnalysisError.invalidUTF8(offset: 3)) {
      try truncated.withUnsafeBufferPointer { buffer in try pipeline.tokens(inUTF8: buffer) }
    }
  }

  @Test func utf8ValidationAgreesWithTheStandardLibrary() {
    var generator = SplitMix64(seed: 7)
    for _ in 0..<5_000 {
      let length = Int.random(in: 0..<12, using: &generator)
      let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let ours = bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) }
      let reference = String(validating: bytes, as: UTF8.self)
      #expect((ours == nil) == (reference != nil), "bytes \(bytes)")
    }
  }

  /// The same, on seeded byte strings made of the bytes where UTF-8's rules change (overlong
  /// leads, surrogates, the end of Unicode, stray continuations) and on the encodings of random
  /// scalars, whole or cut short: random bytes are almost never valid past the first few.
  @Test func utf8ValidationAgreesWithTheStandardLibraryAtTheEdges() {
    var random = SplitMix64(seed: 44)
    let edges: [UInt8] = [
      0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
      0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF,
    ]
    var valid = 0
    for round in 0..<200_000 {
      var bytes: [UInt8] = []
      for _ in 0..<random.next(below: 7) {
        if round % 2 == 0 {
          bytes.append(edges[random.next(below: edges.count)])
        } else if let scalar = Unicode.Scalar(UInt32(random.next(below: 0x110000))) {
          bytes += Array(String(Character(scalar)).utf8)
          if random.next(below: 4) == 0 { bytes.removeLast() }
        }
      }
      let expected = bytes.withUnsafeBytes { String(validating: $0, as: UTF8.self) != nil }
      #expect(bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) == nil } == expected, "\(bytes)")
      if expected && bytes.contains(where: { $0 >= 0x80 }) { valid += 1 }
    }
    #expect(valid > 10_000, "many valid multi-byte strings")
  }

  @Test func bothBreakRoutesGiveIdenticalTokens() throws {
    let text = "L’élu.e.s a-t-il 20\u{202F}000 € ? c’est-à-dire d'aujourd'hui, 3,5 % e\u{301}te\u{301} 🙂 日本語"
    let utf8 = try Analyzer(route: .utf8).makePipeline().tokens(in: text)
    let utf16 = try Analyzer(route: .utf16).makePipeline().tokens(in: text)
    #expect(utf8 == utf16)
    #expect(!utf8.isEmpty)
  }

  @Test func seededRandomStringsNeverCrashAndOffsetsRoundTrip() throws {
    let alphabet: [String] = [
      "a", "é", "E", "’", "'", ".", "·", "-", "/", "(", ")", "t", "l", "qu", "s", "e", " ", "\u{202F}",
      "\u{00A0}", "0", "7", ",", "€", "%", "\u{301}", "🙂", "\n", "日", "ß", "İ",
    ]
    for seed in UInt64(0)..<300 {
      var generator = SplitMix64(seed: seed)
      let length = Int.random(in: 0..<40, using: &generator)
      let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
      let pipeline = try Analyzer.french.makePipeline()
      let tokens = pipeline.tokens(in: text)
      let bytes = Array(text.utf8)
      var previousEnd = 0
      for (index, token) in tokens.enumerated() {
        #expect(token.utf8Range.lowerBound >= previousEnd, "seed \(seed)")
        #expect(String(decoding: bytes[token.utf8Range], as: UTF8.self) == token.surface, "seed \(seed)")
        #expect(token.position == index, "seed \(seed)")
        #expect(!token.term.isEmpty || token.surface.isEmpty == false, "seed \(seed)")
        previousEnd = token.utf8Range.upperBound
      }
    }
  }

  @Test func tokensSpanningBatchesAndRefillsStayConsistent() throws {
    // Longer than the span buffer (4,096) and the token batch (1,024): checks the refill logic.
    let sentence = "L’élu.e.s a-t-il vu 20\u{202F}000 agent·e·s aujourd’hui ? "
    let text = String(repeating: sentence, count: 900)
    let pipeline = try Analyzer.french.makePipeline()
    let tokens = pipeline.tokens(in: text)
    let perSentence = pipeline.tokens(in: sentence).map(\.term)
    #expect(perSentence == ["l", "élu", "a", "il", "vu", "20000", "agent", "aujourd'hui"])
    #expect(tokens.count == perSentence.count * 900)
    #expect(tokens.map(\.term) == Array(repeating: perSentence, count: 900).flatMap { $0 })
  }

  @Test func stopWordsAreAResourceAndKeepNegationOutOfTheIndex() {
    let stop = FrenchStopWords.default
    #expect(stop.contains("les"))
    #expect(stop.contains("qu"))
    #expect(stop.contains("ne") && stop.contains("pas"))
    #expect(!stop.contains("numérique"))
    #expect(FrenchStopWords.parse("# comment\nle # inline\n\nla\n") == ["le", "la"])
  }
}
