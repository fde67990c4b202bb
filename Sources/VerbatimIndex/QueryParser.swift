import Foundation
import VerbatimAnalysis

/// Parses the Verbatim query language into a ``Query``.
///
/// Grammar (keywords are uppercase):
///
///     query   := or
///     or      := and ("OR" and)*
///     and     := unary (["AND"] unary)*          juxtaposition means AND
///     unary   := "NOT" unary | near
///     near    := primary ("NEAR/" number primary)*   left-associative
///     primary := word | "=" word | word "*" | "*" | "\"" words "\""
///              | name ":" value ["*"] | name ":" "\"" text "\"" ["*"] | "(" or ")"
///
/// So `OR` binds loosest, then `AND`, then `NOT`, and `NEAR` binds its two neighbours tightest:
/// `NOT a NEAR/3 b OR c` is `(NOT (a NEAR/3 b)) OR c`.
///
/// Words go through the same chain as the text (``Analyzer/makePipeline()``): `word` becomes
/// the stem of its token, `=word` its term, `word*` a prefix of terms (the term of the text
/// before `*`). A word the chain splits (`l'école`) becomes a phrase of its tokens (the last one
/// a prefix for `l'éco*`); `élu.e.s` is one token whose term is `élu`. Inside quotes, words are
/// separated by spaces and each follows the same rules (`"=les élu*"`); stop words are kept and
/// take a position. A phrase of one word is that word.
///
/// Filters: `speaker:L1`, `speaker:"Interlocuteur 1"`, `ville:lyon`, `ville:ly*`. A filter is a
/// name (a letter, then letters, digits, `_`, `-` or `.`) directly followed by `:` and a value;
/// name and value are lowercased. `speaker` filters on the turn's speaker label, any other name
/// on the document metadata field of that name.
///
/// `NOT` on its own (`NOT a`, `NOT a NOT b`, `x OR NOT y`) means every unit except those; the
/// parser writes it as ``Query/and(_:)`` starting with ``Query/all``. `NOT NOT a` is `a`.
/// `*` alone is every unit; as an operand of `AND` it changes nothing and is dropped.
///
/// Errors are ``IndexError/querySyntax(column:expected:found:)`` with a 1-based column counted
/// in characters of the query:
///
///     try QueryParser().parse("numérique AND (responsable")
///     // throws querySyntax(column: 27, expected: "\")\"", found: "end of query")
public struct QueryParser: Sendable {
  /// The analysis chain applied to query words; use the one the corpus was indexed with.
  public let analyzer: Analyzer

  /// The largest `NEAR/n` distance accepted.
  public static let maximumDistance = 1_000_000

  /// Creates a parser whose words go through `analyzer`.
  public init(analyzer: Analyzer = .french) {
    self.analyzer = analyzer
  }

  /// Parses one query.
  ///
  /// - Throws: ``IndexError/querySyntax(column:expected:found:)`` for an empty query, a missing
  ///   or stray parenthesis, an unterminated quote, an empty phrase, `NEAR/` without a number,
  ///   an operator without an operand, a filter without a value, or a word with no token.
  public func parse(_ text: String) throws(IndexError) -> Query {
    let characters = Array(text)
    let tokens = try QueryLexer(characters: characters).tokenize()
    let pipeline = QueryPipelines.shared.take(analyzer)
    defer { if let pipeline { QueryPipelines.shared.give(pipeline, of: analyzer) } }
    var state = QueryParserState(
      characters: characters, tokens: tokens, words: QueryWordAnalyzer(analyzer: analyzer, pipeline: pipeline))
    return try state.parseQuery()
  }
}

/// Analysis pipelines left by earlier parses, for the next: making one (an ICU word breaker
/// and its buffers) took 1.1 M instructions, most of a query's parse and a third of a
/// first page's time. A parse takes one for itself and gives it back; a few are kept per
/// analyzer, and one whose vocabulary has grown large is dropped.
final class QueryPipelines: @unchecked Sendable {
  static let shared = QueryPipelines()
  /// Pipelines kept per analyzer (parses on more threads at once make their own).
  static let kept = 8
  /// A pipeline whose vocabulary holds more terms is not kept (query words only add to it).
  static let largestVocabulary = 50_000
  private let lock = NSLock()
  private var idle: [Analyzer: [AnalysisPipeline]] = [:]

  /// A pipeline of `analyzer`: one left by an earlier parse, or a new one (`nil` if ICU
  /// cannot be opened).
  func take(_ analyzer: Analyzer) -> AnalysisPipeline? {
    if let pipeline = lock.withLock({ idle[analyzer]?.popLast() }) { return pipeline }
    // A query has few words: a small surface cache (it changes no result) keeps parsing cheap.
    var recipe = analyzer
    recipe.surfaceCacheLimit = 1024
    return try? recipe.makePipeline()
  }

  /// Gives back a pipeline taken by ``take(_:)`` for `analyzer`, which the caller no longer uses.
  func give(_ pipeline: AnalysisPipeline, of analyzer: Analyzer) {
    guard pipeline.vocabulary.termCount <= Self.largestVocabulary else { return }
    lock.withLock {
      if idle[analyzer, default: []].count < Self.kept { idle[analyzer, default: []].append(pipeline) }
    }
  }
}

// MARK: - Lexer

/// A lexical token of a query; `start..<end` are character indices into the query.
struct QueryToken {
  enum Kind: Equatable {
    case word(String)
    case phrase(String)
    case field(name: String, value: String, isPrefix: Bool)
    case openParenthesis
    case closeParenthesis
    case and
    case or
    case not
    case near(Int)
    case end
  }
  var kind: Kind
  var start: Int
  var end: Int
}

/// Splits a query into tokens: runs of characters other than spaces, parentheses and quotes;
/// quoted phrases; filters; keywords.
struct QueryLexer {
  let characters: [Character]

  func tokenize() throws(IndexError) -> [QueryToken] {
    var tokens: [QueryToken] = []
    var index = 0
    while index < characters.count {
      let character = characters[index]
      if character.isWhitespace {
        index += 1
      } else if character == "(" {
        tokens.append(QueryToken(kind: .openParenthesis, start: index, end: index + 1))
        index += 1
      } else if character == ")" {
        tokens.append(QueryToken(kind: .closeParenthesis, start: index, end: index + 1))
        index += 1
      } else if character == "\"" {
        let (content, next) = try quoted(from: index)
        tokens.append(QueryToken(kind: .phrase(content), start: index, end: next))
        index = next
      } else {
        let token = try run(from: index)
        tokens.append(token)
        index = token.end
      }
    }
    tokens.append(QueryToken(kind: .end, start: characters.count, end: characters.count))
    return tokens
  }

  /// Reads `"…"` starting at the opening quote; returns the content and the index after the
  /// closing quote.
  private func quoted(from start: Int) throws(IndexError) -> (String, Int) {
    var index = start + 1
    while index < characters.count, characters[index] != "\"" { index += 1 }
    guard index < characters.count else {
      throw .querySyntax(
        column: characters.count + 1, expected: "\"\\\"\" to close the quote opened at column \(start + 1)",
        found: "end of query")
    }
    return (String(characters[(start + 1)..<index]), index + 1)
  }

  private func endsRun(_ character: Character) -> Bool {
    character.isWhitespace || character == "(" || character == ")" || character == "\""
  }

  private func isFieldName(_ characters: ArraySlice<Character>) -> Bool {
    guard let first = characters.first, first.isLetter else { return false }
    return characters.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
  }

  /// Reads a word, keyword or filter starting at `start`.
  private func run(from start: Int) throws(IndexError) -> QueryToken {
    var index = start
    while index < characters.count, !endsRun(characters[index]) {
      if characters[index] == ":", isFieldName(characters[start..<index]) {
        return try field(name: String(characters[start..<index]), from: start, valueStart: index + 1)
      }
      index += 1
    }
    let text = String(characters[start..<index])
    switch text {
    case "AND": return QueryToken(kind: .and, start: start, end: index)
    case "OR": return QueryToken(kind: .or, start: start, end: index)
    case "NOT": return QueryToken(kind: .not, start: start, end: index)
    default: break
    }
    if text == "NEAR" || text.hasPrefix("NEAR/") {
      return try near(text, start: start, end: index)
    }
    return QueryToken(kind: .word(text), start: start, end: index)
  }

  private func near(_ text: String, start: Int, end: Int) throws(IndexError) -> QueryToken {
    let numberStart = start + 5
    guard text.hasPrefix("NEAR/") else {
      throw .querySyntax(column: end + 1, expected: "\"/\" and a number after NEAR", found: found(at: end))
    }
    let digits = text.dropFirst(5)
    guard !digits.isEmpty else {
      throw .querySyntax(column: numberStart + 1, expected: "a number", found: found(at: numberStart))
    }
    guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw .querySyntax(column: numberStart + 1, expected: "a number", found: "\"\(digits)\"")
    }
    guard digits.count <= 7, let distance = Int(digits), distance <= QueryParser.maximumDistance else {
      throw .querySyntax(
        column: numberStart + 1, expected: "a number up to \(QueryParser.maximumDistance)", found: "\"\(digits)\"")
    }
    return QueryToken(kind: .near(distance), start: start, end: end)
  }

  /// Reads the value of a filter whose `:` is at `valueStart - 1`.
  private func field(name: String, from start: Int, valueStart: Int) throws(IndexError) -> QueryToken {
    var value: String
    var index: Int
    let isQuoted = valueStart < characters.count && characters[valueStart] == "\""
    if isQuoted {
      (value, index) = try quoted(from: valueStart)
    } else {
      index = valueStart
      while index < characters.count, !endsRun(characters[index]) { index += 1 }
      value = String(characters[valueStart..<index])
    }
    var isPrefix = false
    if !isQuoted, value.hasSuffix("*") {
      value.removeLast()
      isPrefix = true
    } else if index < characters.count, characters[index] == "*" {
      index += 1
      isPrefix = true
    }
    guard !value.isEmpty else {
      throw .querySyntax(column: valueStart + 1, expected: "a value after \"\(name):\"", found: found(at: valueStart))
    }
    return QueryToken(
      kind: .field(name: name.lowercased(), value: value.lowercased(), isPrefix: isPrefix), start: start, end: index)
  }

  /// How the text at `index` is described in an error.
  func found(at index: Int) -> String {
    guard index < characters.count else { return "end of query" }
    if characters[index].isWhitespace { return "a space" }
    var end = index + 1
    if !endsRun(characters[index]) {
      while end < characters.count, !endsRun(characters[end]) { end += 1 }
    }
    return "\"\(String(characters[index..<end]))\""
  }
}

// MARK: - Words

/// Analyses query words with the corpus chain, through the pipeline the parse took.
struct QueryWordAnalyzer {
  let analyzer: Analyzer
  /// The chain the words go through (``QueryPipelines``); `nil` if ICU cannot be opened.
  let pipeline: AnalysisPipeline?

  /// The (term, stem) of each token of `word`. If ICU cannot be opened, the whole word is one
  /// token (normalised, then stemmed), as ``Analyzer/normalize(_:)`` and ``FrenchStemmer`` do.
  func tokens(of word: String) -> [(term: String, stem: String)] {
    if let pipeline {
      return pipeline.tokens(in: word).map { ($0.term, $0.stem) }
    }
    let term = analyzer.normalize(word)
    guard !term.isEmpty else { return [] }
    var stemmer = FrenchStemmer()
    return [(term, stemmer.stem(term))]
  }
}

// MARK: - Parser

struct QueryParserState {
  let characters: [Character]
  let tokens: [QueryToken]
  let words: QueryWordAnalyzer
  var index = 0

  private static let expectedOperand = "a word, a phrase or \"(\""

  init(characters: [Character], tokens: [QueryToken], words: QueryWordAnalyzer) {
    self.characters = characters
    self.tokens = tokens
    self.words = words
  }

  private var current: QueryToken { tokens[index] }

  private func found(_ token: QueryToken) -> String {
    if token.kind == .end { return "end of query" }
    return "\"\(String(characters[token.start..<token.end]))\""
  }

  private func error(expected: String, at token: QueryToken) -> IndexError {
    .querySyntax(column: token.start + 1, expected: expected, found: found(token))
  }

  mutating func parseQuery() throws(IndexError) -> Query {
    let query = try parseOr()
    switch current.kind {
    case .end: return query
    case .closeParenthesis: throw error(expected: "end of query (no \"(\" is open)", at: current)
    default: throw error(expected: "an operator or end of query", at: current)
    }
  }

  private mutating func parseOr() throws(IndexError) -> Query {
    var operands: [Query] = []
    append(try parseAnd(), to: &operands, flattening: \.orOperands)
    while current.kind == .or {
      index += 1
      append(try parseAnd(), to: &operands, flattening: \.orOperands)
    }
    return operands.count == 1 ? operands[0] : .or(operands)
  }

  private func startsOperand(_ kind: QueryToken.Kind) -> Bool {
    switch kind {
    case .word, .phrase, .field, .openParenthesis, .not: true
    default: false
    }
  }

  private mutating func parseAnd() throws(IndexError) -> Query {
    var operands: [Query] = []
    append(try parseUnary(), to: &operands, flattening: \.andOperands)
    while true {
      if current.kind == .and {
        index += 1
        append(try parseUnary(), to: &operands, flattening: \.andOperands)
      } else if startsOperand(current.kind) {
        append(try parseUnary(), to: &operands, flattening: \.andOperands)
      } else {
        break
      }
    }
    // `*` is the identity of AND; a group made only of negations starts from every unit.
    operands.removeAll { $0 == .all }
    if operands.allSatisfy({ if case .not = $0 { true } else { false } }) {
      operands.insert(.all, at: 0)
    }
    return operands.count == 1 ? operands[0] : .and(operands)
  }

  private func append(_ query: Query, to operands: inout [Query], flattening: KeyPath<Query, [Query]?>) {
    if let nested = query[keyPath: flattening] {
      operands.append(contentsOf: nested)
    } else {
      operands.append(query)
    }
  }

  private mutating func parseUnary() throws(IndexError) -> Query {
    guard current.kind == .not else { return try parseNear() }
    index += 1
    let operand = try parseUnary()
    switch operand {
    case let .not(inner): return inner
    case let .and(operands) where operands.count == 2 && operands[0] == .all:
      if case let .not(inner) = operands[1] { return inner }
      return .not(operand)
    default: return .not(operand)
    }
  }

  private mutating func parseNear() throws(IndexError) -> Query {
    var leftToken = current
    var left = try parsePrimary()
    while case let .near(distance) = current.kind {
      if !left.hasPositions { throw error(expected: "a word, a phrase or a prefix before NEAR", at: leftToken) }
      index += 1
      let rightToken = current
      let right = try parsePrimary()
      if !right.hasPositions { throw error(expected: "a word, a phrase or a prefix after NEAR", at: rightToken) }
      left = .near(left, right, distance: distance)
      leftToken = rightToken
    }
    return left
  }

  private mutating func parsePrimary() throws(IndexError) -> Query {
    let token = current
    switch token.kind {
    case let .word(text):
      index += 1
      return try word(text, token: token)
    case let .phrase(text):
      index += 1
      return try phrase(text, token: token)
    case let .field(name, value, isPrefix):
      index += 1
      return .field(name: name, value: value, isPrefix: isPrefix)
    case .openParenthesis:
      index += 1
      let inner = try parseOr()
      guard current.kind == .closeParenthesis else { throw error(expected: "\")\"", at: current) }
      index += 1
      return inner
    default:
      throw error(expected: Self.expectedOperand, at: token)
    }
  }

  /// The phrase words of one written word (`mot`, `=mot`, `mot*`), empty when the chain finds
  /// no token in it.
  private mutating func phraseWords(_ written: Substring) -> [PhraseWord] {
    var text = written
    let isExact = text.hasPrefix("=")
    if isExact { text = text.dropFirst() }
    let isPrefix = text.hasSuffix("*")
    if isPrefix { text = text.dropLast() }
    let analysed = words.tokens(of: String(text))
    return analysed.enumerated().map { offset, token in
      if isPrefix, offset == analysed.count - 1 { return .prefix(token.term) }
      return isExact ? .term(token.term) : .stem(token.stem)
    }
  }

  private func query(_ words: [PhraseWord]) -> Query {
    guard words.count == 1 else { return .phrase(words) }
    switch words[0] {
    case let .stem(stem): return .stem(stem)
    case let .term(term): return .term(term)
    case let .prefix(prefix): return .prefix(prefix)
    }
  }

  private mutating func word(_ text: String, token: QueryToken) throws(IndexError) -> Query {
    if text == "*" { return .all }
    let phrase = phraseWords(Substring(text))
    guard !phrase.isEmpty else {
      throw error(expected: "a word (letters or digits)", at: token)
    }
    return query(phrase)
  }

  private mutating func phrase(_ text: String, token: QueryToken) throws(IndexError) -> Query {
    var phrase: [PhraseWord] = []
    for written in text.split(whereSeparator: \.isWhitespace) {
      phrase.append(contentsOf: phraseWords(written))
    }
    guard !phrase.isEmpty else {
      throw IndexError.querySyntax(
        column: token.start + 1, expected: "a word between the quotes", found: "an empty phrase")
    }
    return query(phrase)
  }
}

extension Query {
  fileprivate var andOperands: [Query]? { if case let .and(operands) = self { operands } else { nil } }
  fileprivate var orOperands: [Query]? { if case let .or(operands) = self { operands } else { nil } }
}
