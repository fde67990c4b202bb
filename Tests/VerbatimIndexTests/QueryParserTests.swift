import Foundation
import Synchronization
import Testing
import VerbatimTestSupport
import VerbatimAnalysis
@testable import VerbatimIndex

@Suite struct QueryParserTests {
  let parser = QueryParser()

  private static let chat = Query.stem("chat")
  private static let chien = Query.stem("chien")
  private static let souris = Query.stem("sour")

  // MARK: Every form

  @Test(arguments: [
    // Words: by stem, exact, prefix; case and accents follow the chain.
    ("chats", Query.stem("chat")),
    ("Chats", .stem("chat")),
    ("=Chats", .term("chats")),
    ("numérique*", .prefix("numérique")),
    ("Numéri*", .prefix("numéri")),
    ("=numéri*", .prefix("numéri")),
    ("Aujourd’HUI", .stem("aujourd'hui")),
    // Words the chain splits become phrases; inclusive writing is one word.
    ("l'école", .phrase([.stem("l"), .stem("écol")])),
    ("L’école", .phrase([.stem("l"), .stem("écol")])),
    ("=l'école", .phrase([.term("l"), .term("école")])),
    ("l'éco*", .phrase([.stem("l"), .prefix("éco")])),
    ("peut-être", .phrase([.stem("peut"), .stem("être")])),
    ("élu.e.s", .stem("élu")),
    ("élu·e·s", .stem("élu")),
    // Phrases.
    ("\"numérique responsable\"", .phrase([.stem("numer"), .stem("respons")])),
    ("\"=les élu*\"", .phrase([.term("les"), .prefix("élu")])),
    ("\"à l’école\"", .phrase([.stem("à"), .stem("l"), .stem("écol")])),
    ("\"chats\"", .stem("chat")),
    ("\"AND OR\"", .phrase([.stem("and"), .stem("or")])),
    // NEAR.
    ("chat NEAR/5 chien", .near(chat, chien, distance: 5)),
    ("chat NEAR/0 chien", .near(chat, chien, distance: 0)),
    ("\"le chat\" NEAR/3 chien*", .near(.phrase([.stem("le"), .stem("chat")]), .prefix("chien"), distance: 3)),
    (
      "renouvel* NEAR/8 (ordinateur* OR matériel* OR parc)",
      .near(
        .prefix("renouvel"), .or([.prefix("ordinateur"), .prefix("matériel"), .stem("parc")]), distance: 8)
    ),
    // Boolean operators.
    ("chat AND chien", .and([chat, chien])),
    ("chat chien", .and([chat, chien])),
    ("chat OR chien", .or([chat, chien])),
    ("chat NOT chien", .and([chat, .not(chien)])),
    ("chat AND NOT chien", .and([chat, .not(chien)])),
    ("NOT chat", .and([.all, .not(chat)])),
    ("NOT chat NOT chien", .and([.all, .not(chat), .not(chien)])),
    ("NOT NOT chat", chat),
    ("NOT (NOT chat)", chat),
    ("chat OR NOT chien", .or([chat, .and([.all, .not(chien)])])),
    ("*", .all),
    ("* chat", chat),
    ("* OR chat", .or([.all, chat])),
    // Filters.
    ("speaker:L1", .field(name: "speaker", value: "l1", isPrefix: false)),
    ("Speaker:\"Interlocuteur 1\"", .field(name: "speaker", value: "interlocuteur 1", isPrefix: false)),
    ("Ville:Ly*", .field(name: "ville", value: "ly", isPrefix: true)),
    ("ville:\"Saint É\"*", .field(name: "ville", value: "saint é", isPrefix: true)),
    ("date_entretien:2024-03", .field(name: "date_entretien", value: "2024-03", isPrefix: false)),
    ("chat speaker:L1", .and([chat, .field(name: "speaker", value: "l1", isPrefix: false)])),
  ])
  func parsesEveryForm(text: String, expected: Query) throws {
    #expect(try parser.parse(text) == expected)
  }

  // MARK: Precedence: NOT > AND > OR; NEAR binds its neighbours; groups and flattening

  @Test(arguments: [
    ("chat chien OR souris", Query.or([.and([chat, chien]), souris])),
    ("chat OR chien souris", .or([chat, .and([chien, souris])])),
    ("chat OR chien AND souris", .or([chat, .and([chien, souris])])),
    ("NOT chat chien", .and([.not(chat), chien])),
    ("NOT chat OR chien", .or([.and([.all, .not(chat)]), chien])),
    ("NOT chat NEAR/2 chien", .and([.all, .not(.near(chat, chien, distance: 2))])),
    ("chat NEAR/2 chien souris", .and([.near(chat, chien, distance: 2), souris])),
    ("chat NEAR/2 chien NEAR/3 souris", .near(.near(chat, chien, distance: 2), souris, distance: 3)),
    ("chat NEAR/2 (chien NEAR/3 souris)", .near(chat, .near(chien, souris, distance: 3), distance: 2)),
    ("chat NEAR/2 chien OR souris", .or([.near(chat, chien, distance: 2), souris])),
    ("(chat OR chien) souris", .and([.or([chat, chien]), souris])),
    ("chat (chien souris)", .and([chat, chien, souris])),
    ("chat OR (chien OR souris)", .or([chat, chien, souris])),
    ("((chat))", chat),
    ("chat (NOT chien)", .and([chat, .not(chien)])),
    ("NOT (chat OR chien) souris", .and([.not(.or([chat, chien])), souris])),
  ])
  func respectsPrecedence(text: String, expected: Query) throws {
    #expect(try parser.parse(text) == expected)
  }

  // MARK: Round trips

  /// Words whose stem is its own stem, so `description` parses back to the same query.
  private static let stableQueries = [
    "chat", "=chats", "tab*", "\"chat =chien écol*\"", "chat NEAR/4 chien", "chat AND chien", "chat OR chien",
    "NOT chat", "chat AND NOT chien", "NOT chat AND NOT chien", "chat OR NOT chien", "*", "* OR chat",
    "speaker:l1", "speaker:\"interlocuteur 1\"", "ville:saint*", "ville:\"saint é\"*",
    "(chat OR chien) NEAR/3 \"le chat\"", "chat NEAR/2 (chien NEAR/3 écol)", "NOT (chat OR chien) AND tablet",
    "(chat OR chien) AND (écol OR tablet)", "NOT chat NEAR/2 chien", "chat NEAR/1 chien NEAR/2 ordin",
    "l'école", "=l'école",
  ]

  @Test(arguments: stableQueries)
  func descriptionParsesBack(text: String) throws {
    let query = try parser.parse(text)
    #expect(try parser.parse(query.description) == query, "\(text) → \(query.description)")
  }

  @Test func describesQueries() throws {
    #expect(try parser.parse("chat chien OR NOT souris").description == "chat AND chien OR NOT sour")
    #expect(try parser.parse("(chat OR chien) souris").description == "(chat OR chien) AND sour")
    #expect(try parser.parse("chat NEAR/2 (chien OR tab*)").description == "chat NEAR/2 (chien OR tab*)")
    #expect(try parser.parse("speaker:\"Interlocuteur 1\"*").description == "speaker:\"interlocuteur 1\"*")
  }

  /// Random query texts from the grammar over stable words: each parses, has the documented
  /// shape, and its description parses back to it.
  @Test func randomQueriesRoundTrip() throws {
    var random = SplitMix64(seed: 0x5EED_0004)
    for _ in 0..<500 {
      let text = Self.randomText(depth: 3, positional: false, using: &random)
      let query = try parser.parse(text)
      #expect(Self.isCanonical(query), "\(text)")
      #expect(try parser.parse(query.description) == query, "\(text) → \(query.description)")
    }
  }

  private static func randomText(depth: Int, positional: Bool, using random: inout SplitMix64) -> String {
    let words = ["chat", "chien", "écol", "=chats", "tab*", "ordin", "\"le chat\"", "\"=les chien*\"", "l'école"]
    let filters = ["speaker:L1", "ville:\"Saint É\"", "ville:ly*", "*"]
    if depth == 0 || random.next(below: 3) == 0 {
      if !positional, random.next(below: 4) == 0 { return filters[random.next(below: filters.count)] }
      return words[random.next(below: words.count)]
    }
    let left = randomText(depth: depth - 1, positional: positional, using: &random)
    let right = randomText(depth: depth - 1, positional: positional, using: &random)
    switch random.next(below: positional ? 4 : 7) {
    case 0: return "(\(left) OR \(right))"
    case 1: return "(\(left) AND \(right))"
    case 2, 3:
      let nearLeft = randomText(depth: depth - 1, positional: true, using: &random)
      let nearRight = randomText(depth: depth - 1, positional: true, using: &random)
      return "(\(nearLeft)) NEAR/\(random.next(below: 6)) (\(nearRight))"
    case 4: return "\(left) \(right)"
    case 5: return "NOT \(left)"
    default: return "\(left) OR NOT \(right)"
    }
  }

  /// The shape ``Query`` documents for parsed queries.
  private static func isCanonical(_ query: Query) -> Bool {
    func isNot(_ query: Query) -> Bool { if case .not = query { true } else { false } }
    switch query {
    case .stem, .term, .prefix, .all, .field: return true
    case let .phrase(words): return words.count >= 2
    case let .near(left, right, _):
      return left.hasPositions && right.hasPositions && isCanonical(left) && isCanonical(right)
    case let .and(operands):
      let positive = operands.filter { !isNot($0) }
      let nested = operands.map { isNot($0) ? $0.negatedOperand : $0 }
      return operands.count >= 2 && !positive.isEmpty
        && !operands.contains { if case .and = $0 { true } else { false } }
        && (!operands.contains(.all) || (operands.first == .all && operands.dropFirst().allSatisfy(isNot)))
        && nested.allSatisfy(isCanonical)
    case let .or(operands):
      return operands.count >= 2 && !operands.contains { if case .or = $0 { true } else { false } }
        && operands.allSatisfy { !isNot($0) && isCanonical($0) }
    case .not: return false
    }
  }

  // MARK: Errors

  private static let operand = "a word, a phrase or \"(\""

  @Test(arguments: [
    ("numérique AND (responsable", 27, "\")\"", "end of query"),
    ("(chat OR chien", 15, "\")\"", "end of query"),
    ("", 1, operand, "end of query"),
    ("   ", 4, operand, "end of query"),
    ("chat NEAR/x chien", 11, "a number", "\"x\""),
    ("chat NEAR/ chien", 11, "a number", "a space"),
    ("chat NEAR/", 11, "a number", "end of query"),
    ("chat NEAR chien", 10, "\"/\" and a number after NEAR", "a space"),
    ("chat NEAR/99999999 chien", 11, "a number up to 1000000", "\"99999999\""),
    ("chat)", 5, "end of query (no \"(\" is open)", "\")\""),
    ("écoles)", 7, "end of query (no \"(\" is open)", "\")\""),
    ("\"chat chien", 12, "\"\\\"\" to close the quote opened at column 1", "end of query"),
    ("speaker:\"Interlocuteur 1", 25, "\"\\\"\" to close the quote opened at column 9", "end of query"),
    ("chat \"\"", 6, "a word between the quotes", "an empty phrase"),
    ("\" , \"", 1, "a word between the quotes", "an empty phrase"),
    ("chat AND", 9, operand, "end of query"),
    ("OR chat", 1, operand, "\"OR\""),
    ("chat AND OR chien", 10, operand, "\"OR\""),
    ("NOT", 4, operand, "end of query"),
    ("()", 2, operand, "\")\""),
    ("NEAR/5 chat", 1, operand, "\"NEAR/5\""),
    ("speaker:", 9, "a value after \"speaker:\"", "end of query"),
    ("ville: lyon", 7, "a value after \"ville:\"", "a space"),
    ("chat NEAR/3 speaker:L1", 13, "a word, a phrase or a prefix after NEAR", "\"speaker:L1\""),
    ("(NOT chat) NEAR/3 chien", 1, "a word, a phrase or a prefix before NEAR", "\"(\""),
    ("chat .", 6, "a word (letters or digits)", "\".\""),
  ])
  func reportsColumnAndExpectation(text: String, column: Int, expected: String, found: String) {
    #expect(throws: IndexError.querySyntax(column: column, expected: expected, found: found)) {
      try parser.parse(text)
    }
  }

  @Test func errorMessageSaysWhere() {
    do {
      _ = try parser.parse("numérique AND (responsable")
      Issue.record("expected a syntax error")
    } catch {
      #expect(error.description == "query, column 27: expected \")\", found end of query")
    }
  }

  // MARK: Analyzer

  @Test func followsTheAnalyzersAccentFolding() throws {
    let folding = QueryParser(analyzer: Analyzer(foldsAccents: true))
    #expect(try folding.parse("=École") == .term("ecole"))
    #expect(try folding.parse("Numéri*") == .prefix("numeri"))
    #expect(try parser.parse("=École") == .term("école"))
  }

  /// Parses reuse analysis pipelines (`QueryPipelines`): every parse, in turn or on four
  /// threads at once, with two analyzers interleaved, gives what a parse through a pipeline of
  /// its own gives (the reference: the parser state fed a freshly made pipeline).
  @Test func reusedPipelinesParseAsFreshOnes() throws {
    let texts = Self.stableQueries + [
      "Élu.e.s", "agent·e·s", "aujourd’hui", "jusqu'à", "\"numérique responsable\"", "L'ÉCOLE*", "c'est-à-dire",
      "porte-parole NEAR/3 élus", "=Numériques OR sobriété",
    ]
    let parsers = [parser, QueryParser(analyzer: Analyzer(foldsAccents: true))]
    func fresh(_ text: String, _ analyzer: Analyzer) throws -> Query {
      let characters = Array(text)
      let tokens = try QueryLexer(characters: characters).tokenize()
      let words = QueryWordAnalyzer(analyzer: analyzer, pipeline: try analyzer.makePipeline())
      var state = QueryParserState(characters: characters, tokens: tokens, words: words)
      return try state.parseQuery()
    }
    let expected = try parsers.map { parser in try texts.map { try fresh($0, parser.analyzer) } }
    #expect(expected[0] != expected[1], "the two analyzers should differ on some query")
    for _ in 0..<3 {
      for (index, text) in texts.enumerated() {
        for (which, parser) in parsers.enumerated() {
          #expect(try parser.parse(text) == expected[which][index], "\(text)")
        }
      }
    }
    let mismatches = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: 4) { thread in
      for round in 0..<20 {
        for (index, text) in texts.enumerated() {
          let which = (thread + round + index) % 2
          if (try? parsers[which].parse(text)) != expected[which][index] { mismatches.withLock { $0 += 1 } }
        }
      }
    }
    #expect(mismatches.withLock { $0 } == 0)
  }

  @Test func hasPositionsDescribesNearOperands() {
    #expect(Query.or([.stem("a"), .phrase([.stem("b"), .stem("c")])]).hasPositions)
    #expect(!Query.and([.stem("a"), .not(.stem("b"))]).hasPositions)
    #expect(!Query.field(name: "speaker", value: "l1", isPrefix: false).hasPositions)
    #expect(!Query.all.hasPositions)
  }
}

extension Query {
  fileprivate var negatedOperand: Query {
    if case let .not(operand) = self { operand } else { self }
  }
}

