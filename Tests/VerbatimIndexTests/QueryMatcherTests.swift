import Testing
import VerbatimTestSupport
import VerbatimAnalysis
@testable import VerbatimIndex

@Suite struct QueryMatcherTests {
  /// "le chat mange la souris et le chien dort", positions 0…8, written by hand.
  private static let unit = AnalyzedUnit(
    terms: ["le", "chat", "mange", "la", "souris", "et", "le", "chien", "dort"],
    stems: ["le", "chat", "mang", "la", "sour", "et", "le", "chien", "dort"],
    speaker: "L1", metadata: ["Ville": "Saint-Étienne", "age": "34"])

  private static let chat = Query.stem("chat")
  private static let chien = Query.stem("chien")
  private static let lapin = Query.stem("lapin")
  private static let leChat = Query.phrase([.stem("le"), .stem("chat")])

  private func hits(_ query: Query, _ unit: AnalyzedUnit = Self.unit) -> [ClosedRange<Int>]? {
    QueryMatcher(query).matches(unit)
  }

  @Test func wordsPrefixesAndPhrases() {
    #expect(hits(.stem("chat")) == [1...1])
    #expect(hits(.stem("mang")) == [2...2])
    #expect(hits(.stem("mange")) == nil)
    #expect(hits(.term("mange")) == [2...2])
    #expect(hits(.term("le")) == [0...0, 6...6])
    #expect(hits(.prefix("s")) == [4...4])
    #expect(hits(.prefix("ch")) == [1...1, 7...7])
    #expect(hits(.prefix("")) == (0...8).map { $0...$0 })
    #expect(hits(.prefix("chats")) == nil)
    #expect(hits(Self.leChat) == [0...1])
    #expect(hits(.phrase([.stem("chat"), .stem("mang")])) == [1...2])
    #expect(hits(.phrase([.term("le"), .prefix("c")])) == [0...1, 6...7])
    #expect(hits(.phrase([.stem("chat"), .stem("la")])) == nil, "not consecutive")
    #expect(hits(.phrase([.stem("chien"), .stem("dort"), .stem("le")])) == nil, "runs past the end")
    #expect(hits(.phrase([])) == nil)
  }

  @Test func nearMeasuresBetweenNearestEndsInEitherOrder() {
    #expect(hits(.near(Self.chat, Self.chien, distance: 6)) == [1...7])
    #expect(hits(.near(Self.chien, Self.chat, distance: 6)) == [1...7])
    #expect(hits(.near(Self.chat, Self.chien, distance: 5)) == nil)
    #expect(hits(.near(.stem("le"), Self.chien, distance: 1)) == [6...7])
    #expect(hits(.near(.stem("le"), .stem("mang"), distance: 4)) == [0...2, 2...6])
    // A phrase is measured from its nearest end: "le chat" ends at 1, "dort" is at 8.
    #expect(hits(.near(Self.leChat, .stem("dort"), distance: 6)) == nil)
    #expect(hits(.near(Self.leChat, .stem("dort"), distance: 7)) == [0...8])
    #expect(hits(.near(Self.leChat, .phrase([.stem("la"), .stem("sour")]), distance: 2)) == [0...4])
    // Overlapping hits are at distance 0; one token can satisfy both sides.
    #expect(hits(.near(Self.chat, Self.chat, distance: 0)) == [1...1])
    #expect(hits(.near(Self.leChat, Self.chat, distance: 0)) == [0...1])
    // Nested NEAR is measured from the inner hit's ends.
    #expect(hits(.near(.near(Self.chat, .stem("mang"), distance: 1), Self.chien, distance: 5)) == [1...7])
    #expect(hits(.near(.near(Self.chat, .stem("mang"), distance: 1), Self.chien, distance: 4)) == nil)
    // Operands without positions make NEAR fail.
    #expect(hits(.near(Self.chat, .all, distance: 9)) == nil)
    #expect(hits(.near(Self.chat, .field(name: "speaker", value: "l1", isPrefix: false), distance: 9)) == nil)
    #expect(hits(.near(Self.lapin, Self.chat, distance: 9)) == nil)
  }

  @Test func booleanOperatorsKeepOnlyPositiveHits() {
    #expect(hits(.and([Self.chat, Self.chien])) == [1...1, 7...7])
    #expect(hits(.and([Self.chat, Self.lapin])) == nil)
    #expect(hits(.and([Self.chat, .not(Self.chien)])) == nil)
    #expect(hits(.and([Self.chat, .not(Self.lapin)])) == [1...1])
    #expect(hits(.and([.all, .not(Self.lapin)])) == [])
    #expect(hits(.and([])) == [])
    #expect(hits(.or([Self.lapin, Self.chien])) == [7...7])
    #expect(hits(.or([Self.lapin, .stem("souris")])) == nil)
    #expect(hits(.or([])) == nil)
    #expect(hits(.or([Self.chat, Self.leChat, Self.chat])) == [0...1, 1...1], "sorted, without duplicates")
    #expect(hits(.or([Self.lapin, .all])) == [])
    #expect(hits(.not(Self.chat)) == nil)
    #expect(hits(.not(Self.lapin)) == [])
    #expect(hits(.not(.not(Self.chat))) == [], "a negation never reports positions")
    #expect(hits(.all) == [])
  }

  @Test func filtersCompareTextIgnoringCase() {
    #expect(hits(.field(name: "speaker", value: "l1", isPrefix: false)) == [])
    #expect(hits(.field(name: "speaker", value: "l2", isPrefix: false)) == nil)
    #expect(hits(.field(name: "speaker", value: "l", isPrefix: true)) == [])
    #expect(hits(.field(name: "ville", value: "saint-étienne", isPrefix: false)) == [])
    #expect(hits(.field(name: "VILLE", value: "SAINT-ÉTIENNE", isPrefix: false)) == [])
    #expect(hits(.field(name: "ville", value: "saint", isPrefix: false)) == nil)
    #expect(hits(.field(name: "ville", value: "saint", isPrefix: true)) == [])
    #expect(hits(.field(name: "age", value: "34", isPrefix: false)) == [])
    #expect(hits(.field(name: "genre", value: "f", isPrefix: false)) == nil, "missing field")
    let silent = AnalyzedUnit(terms: ["oui"], stems: ["oui"])
    #expect(hits(.field(name: "speaker", value: "l1", isPrefix: false), silent) == nil, "no speaker")
    #expect(hits(.and([Self.chat, .field(name: "speaker", value: "l1", isPrefix: false)])) == [1...1])
  }

  @Test func emptyUnit() {
    let empty = AnalyzedUnit(terms: [], stems: [])
    #expect(hits(Self.chat, empty) == nil)
    #expect(hits(.prefix(""), empty) == nil)
    #expect(hits(Self.leChat, empty) == nil)
    #expect(hits(.all, empty) == [])
    #expect(hits(.not(Self.chat), empty) == [])
  }

  // MARK: French, through the parser and the analysis chain

  private func frenchHits(_ query: String, _ text: String, speaker: String? = nil) throws -> [ClosedRange<Int>]? {
    let pipeline = try Analyzer.french.makePipeline()
    let unit = AnalyzedUnit(tokens: pipeline.tokens(in: text), speaker: speaker, metadata: ["Ville": "Lyon"])
    return QueryMatcher(try QueryParser().parse(query)).matches(unit)
  }

  @Test func frenchQueries() throws {
    #expect(try frenchHits("\"numérique responsable\"", "Des usages numériques responsables.") == [2...3])
    #expect(try frenchHits("\"numérique responsable\"", "responsables et numériques") == nil)
    #expect(try frenchHits("numérique", "Le Numérique, les numériques") == [1...1, 3...3])
    #expect(try frenchHits("=numériques", "le numérique") == nil)
    #expect(try frenchHits("numérique*", "numériques, numérique, numéro") == [0...0, 1...1])
    #expect(try frenchHits("numéri*", "numériques, numérique, numéro") == [0...0, 1...1])
    #expect(try frenchHits("l'école", "À l’école primaire") == [1...2])
    #expect(try frenchHits("l'école", "une école") == nil)
    #expect(try frenchHits("élu.e.s", "Les élu·e·s et l’élu") == [1...1, 4...4])
    #expect(try frenchHits("\"le parc\"", "renouveler le parc") == [1...2], "stop words take a position")
    #expect(
      try frenchHits(
        "renouvel* NEAR/8 (ordinateur* OR matériel* OR parc)", "il faut renouveler le parc tous les cinq ans")
        == [2...4])
    #expect(try frenchHits("ne NEAR/2 pas", "je ne sais pas") == [1...3], "negation stays searchable")
    #expect(try frenchHits("speaker:\"interlocuteur 1\" parc", "le parc", speaker: "Interlocuteur 1") == [1...1])
    #expect(try frenchHits("ville:ly* NOT parc", "le parc") == nil)
    #expect(try frenchHits("NOT parc", "les ordinateurs") == [])
  }

  // MARK: Agreement with an independent naive evaluation

  /// 200 random units × 50 random queries over a small vocabulary: the matcher agrees with
  /// ``NaiveQueryEvaluation``, and its hits are sorted and unique.
  @Test func agreesWithNaiveEvaluation() {
    var random = SplitMix64(seed: 0x0051_E4C4)
    let units = (0..<200).map { _ in Self.randomUnit(using: &random) }
    let queries = (0..<50).map { _ in Self.randomQuery(depth: 3, using: &random) }
    var matched = 0
    var matchedWithHits = 0
    var failed = 0
    for query in queries {
      let matcher = QueryMatcher(query)
      for unit in units {
        let actual = matcher.matches(unit)
        let expected = NaiveQueryEvaluation.hits(query, unit)
        #expect(actual == expected, "\(query) on \(unit.terms)")
        switch actual {
        case nil: failed += 1
        case let hits?:
          matched += 1
          if !hits.isEmpty { matchedWithHits += 1 }
        }
      }
    }
    // The random cases exercise every outcome.
    #expect(matched > 500 && matchedWithHits > 500 && failed > 500)
  }

  private static let vocabulary: [(term: String, stem: String)] = [
    ("a", "a"), ("ab", "a"), ("abc", "ab"), ("b", "b"), ("ba", "b"), ("c", "c"),
  ]

  private static func randomUnit(using random: inout SplitMix64) -> AnalyzedUnit {
    let words = (0..<random.next(below: 11)).map { _ in vocabulary[random.next(below: vocabulary.count)] }
    let speakers: [String?] = [nil, "L1", "l2", "Interlocuteur 1"]
    var metadata: [String: String] = [:]
    switch random.next(below: 3) {
    case 0: metadata["Ville"] = "Lyon"
    case 1: metadata["ville"] = "lille"
    default: break
    }
    return AnalyzedUnit(
      terms: words.map(\.term), stems: words.map(\.stem), speaker: speakers[random.next(below: speakers.count)],
      metadata: metadata)
  }

  private static func randomPhraseWord(using random: inout SplitMix64) -> PhraseWord {
    let word = vocabulary[random.next(below: vocabulary.count)]
    switch random.next(below: 3) {
    case 0: return .stem(word.stem)
    case 1: return .term(word.term)
    default: return .prefix(["", "a", "ab", "b", "z"][random.next(below: 5)])
    }
  }

  /// Any AST, not only the parser's shapes (nested `and`, bare `not`, `NEAR` over filters).
  private static func randomQuery(depth: Int, using random: inout SplitMix64) -> Query {
    if depth == 0 || random.next(below: 4) == 0 {
      switch random.next(below: 8) {
      case 0, 1:
        switch randomPhraseWord(using: &random) {
        case let .stem(stem): return .stem(stem)
        case let .term(term): return .term(term)
        case let .prefix(prefix): return .prefix(prefix)
        }
      case 2, 3: return .stem(vocabulary[random.next(below: vocabulary.count)].stem)
      case 4, 5: return .phrase((0..<(1 + random.next(below: 3))).map { _ in randomPhraseWord(using: &random) })
      case 6:
        let fields = [("speaker", "l1"), ("speaker", "interlocuteur"), ("ville", "l"), ("VILLE", "lyon"), ("pays", "f")]
        let field = fields[random.next(below: fields.count)]
        return .field(name: field.0, value: field.1, isPrefix: random.next(below: 2) == 0)
      default: return .all
      }
    }
    let operands = (0..<(1 + random.next(below: 3))).map { _ in randomQuery(depth: depth - 1, using: &random) }
    switch random.next(below: 5) {
    case 0: return .and(operands)
    case 1: return .or(operands)
    case 2: return .not(operands[0])
    default:
      return .near(
        operands[0], randomQuery(depth: depth - 1, using: &random), distance: random.next(below: 5))
    }
  }
}

/// A second, deliberately different evaluation of the documented semantics: hits as sets of
/// (first, last) pairs; NEAR distance as the smallest |p − q| over every pair of positions of
/// the two hits; fields by scanning every metadata entry.
private enum NaiveQueryEvaluation {
  struct Hit: Hashable {
    var first: Int
    var last: Int
  }

  static func hits(_ query: Query, _ unit: AnalyzedUnit) -> [ClosedRange<Int>]? {
    guard let hits = evaluate(query, unit) else { return nil }
    return hits.sorted { $0.first != $1.first ? $0.first < $1.first : $0.last < $1.last }.map { $0.first...$0.last }
  }

  static func wordMatches(_ word: PhraseWord, _ position: Int, _ unit: AnalyzedUnit) -> Bool {
    switch word {
    case let .stem(stem): return unit.stems[position] == stem
    case let .term(term): return unit.terms[position] == term
    case let .prefix(prefix):
      let term = Array(unit.terms[position].utf8)
      let start = Array(prefix.utf8)
      return term.count >= start.count && Array(term[0..<start.count]) == start
    }
  }

  static func evaluate(_ query: Query, _ unit: AnalyzedUnit) -> Set<Hit>? {
    let count = unit.terms.count
    var hits = Set<Hit>()
    switch query {
    case let .stem(stem): return evaluate(.phrase([.stem(stem)]), unit)
    case let .term(term): return evaluate(.phrase([.term(term)]), unit)
    case let .prefix(prefix): return evaluate(.phrase([.prefix(prefix)]), unit)
    case let .phrase(words):
      if words.isEmpty { return nil }
      for start in 0..<count where start + words.count <= count {
        var all = true
        for (offset, word) in words.enumerated() where !wordMatches(word, start + offset, unit) { all = false }
        if all { hits.insert(Hit(first: start, last: start + words.count - 1)) }
      }
      return hits.isEmpty ? nil : hits
    case let .near(left, right, distance):
      let leftHits = evaluate(left, unit) ?? []
      let rightHits = evaluate(right, unit) ?? []
      for a in leftHits {
        for b in rightHits {
          var smallest = Int.max
          for p in a.first...a.last {
            for q in b.first...b.last { smallest = min(smallest, abs(p - q)) }
          }
          if smallest <= distance { hits.insert(Hit(first: min(a.first, b.first), last: max(a.last, b.last))) }
        }
      }
      return hits.isEmpty ? nil : hits
    case let .and(operands):
      for operand in operands {
        guard let operandHits = evaluate(operand, unit) else { return nil }
        hits.formUnion(operandHits)
      }
      return hits
    case let .or(operands):
      let results = operands.compactMap { evaluate($0, unit) }
      if results.isEmpty { return nil }
      for result in results { hits.formUnion(result) }
      return hits
    case let .not(operand):
      return evaluate(operand, unit) == nil ? [] : nil
    case .all:
      return []
    case let .field(name, value, isPrefix):
      var candidates: [String] = []
      if name.lowercased() == "speaker" {
        if let speaker = unit.speaker { candidates.append(speaker) }
      } else {
        for (key, fieldValue) in unit.metadata where key.lowercased() == name.lowercased() {
          candidates.append(fieldValue)
        }
      }
      for candidate in candidates {
        let text = candidate.lowercased()
        let wanted = value.lowercased()
        if text == wanted || (isPrefix && text.hasPrefix(wanted)) { return [] }
      }
      return nil
    }
  }
}

