import Foundation
import VerbatimAnalysis
import VerbatimCorpus
import VerbatimIndex

/// The unit the automatic coder codes: every segment, sentence, paragraph or speaker turn.
public enum CodingScope: String, Sendable, CaseIterable {
  case segment, sentence, paragraph, turn
}

/// Where a rule matched inside a unit: token positions (0 = the unit's first token) and the
/// UTF-8 range in the document text from the first matched word's start to the last one's end.
public struct CodingHit: Sendable, Hashable {
  /// The matched token positions in the unit (one word, or a phrase/`NEAR` span).
  public var positions: ClosedRange<Int>
  /// The UTF-8 byte range of those words in the document text.
  public var range: Range<Int>
  /// The document text of that range (the matched words, as written).
  public var text: String

  /// Creates a hit.
  public init(positions: ClosedRange<Int>, range: Range<Int>, text: String = "") {
    self.positions = positions
    self.range = range
    self.text = text
  }
}

/// One unit coded by one code, with its provenance: which rule matched, and where.
public struct UnitCoding: Sendable, Hashable {
  /// The document id.
  public var document: Int64
  /// The kind of unit.
  public var scope: CodingScope
  /// The unit's 1-based ordinal in the document (the turn's ordinal for turns).
  public var unit: Int
  /// The 1-based ordinal of the unit's turn.
  public var turn: Int
  /// The unit's UTF-8 byte range in the document text.
  public var range: Range<Int>
  /// The speaker of the unit's turn, if any.
  public var speaker: String?
  /// The code's path.
  public var code: String
  /// The index (0-based) in the code's `rules` of the first rule that matched.
  public var ruleIndex: Int
  /// That rule's text.
  public var rule: String
  /// The rule's hits, sorted; empty when it matched without words (`NOT`, filters).
  public var hits: [CodingHit]

  /// Creates a coded unit.
  public init(
    document: Int64, scope: CodingScope, unit: Int, turn: Int, range: Range<Int>, speaker: String?, code: String,
    ruleIndex: Int, rule: String, hits: [CodingHit]
  ) {
    self.document = document
    self.scope = scope
    self.unit = unit
    self.turn = turn
    self.range = range
    self.speaker = speaker
    self.code = code
    self.ruleIndex = ruleIndex
    self.rule = rule
    self.hits = hits
  }

  /// The same coding as a ``Coding`` by ``Coding/automaticCoder`` over the whole unit; the memo
  /// names the rule.
  public var coding: Coding {
    Coding(
      coder: Coding.automaticCoder, document: document, range: range, code: code,
      memo: "rule \(ruleIndex + 1): \(rule)")
  }
}

/// A document's text units of one scope, with their speakers, ready for ``AutoCoder``.
public struct CodingUnits: Sendable {
  /// One unit.
  public struct Unit: Sendable, Hashable {
    /// 1-based ordinal in the document.
    public var ordinal: Int
    /// 1-based ordinal of its turn.
    public var turn: Int
    /// UTF-8 byte range in the document text.
    public var range: Range<Int>
  }

  /// The scope.
  public var scope: CodingScope
  /// The units, in document order.
  public var units: [Unit]

  /// The units of `document` (its stored sentences, segments or paragraphs, or its turns).
  public static func read(_ scope: CodingScope, of document: StoredDocument, from store: ProjectStore)
    throws(ProjectStoreError) -> CodingUnits
  {
    var stored: [StoredUnit] = []
    if let kind = storedKind(of: scope) { stored = try store.units(documentID: document.id, kind: kind) }
    return CodingUnits(scope, of: document, stored: stored)
  }

  /// The document `id` and its units of `scope`, read in one transaction (a search describes
  /// its documents one after another); `nil` when there is no such document.
  public static func read(_ scope: CodingScope, documentID id: Int64, from store: ProjectStore)
    throws(ProjectStoreError) -> (document: StoredDocument, units: CodingUnits)?
  {
    guard let (document, stored) = try store.document(id: id, units: storedKind(of: scope)) else { return nil }
    return (document, CodingUnits(scope, of: document, stored: stored))
  }

  /// The stored units a scope is read from (`nil`: the document's turns).
  private static func storedKind(of scope: CodingScope) -> ProjectStore.UnitKind? {
    switch scope {
    case .turn: nil
    case .segment: .segment
    case .sentence: .sentence
    case .paragraph: .paragraph
    }
  }

  private init(_ scope: CodingScope, of document: StoredDocument, stored: [StoredUnit]) {
    self.scope = scope
    units =
      scope == .turn
      ? document.turns.map { Unit(ordinal: $0.ordinal, turn: $0.ordinal, range: $0.turn.range) }
      : stored.map { Unit(ordinal: $0.ordinal, turn: $0.turn, range: $0.range) }
  }
}

/// Codes the units of documents with a compiled codebook: one per worker (not thread-safe).
///
/// How it goes fast: the codebook's words (stems, exact terms, prefixes) become numbered
/// predicates once. Each turn is analysed once with the pipeline's batch API; a per-worker
/// table maps the pipeline's term and stem ids to the predicates they satisfy (filled the first
/// time an id is seen). For each unit, only rules one of whose predicates occurs in it are
/// evaluated, plus rules that can match without any word (`NOT`, filters, `*`). Evaluation
/// follows ``QueryMatcher``'s semantics exactly, on position lists instead of strings.
///
/// A token belongs to the unit its first byte lies in, as the store counts unit tokens; the
/// text is analysed turn by turn, as at import.
public final class AutoCoder {
  /// The codebook run.
  public let codebook: CompiledCodebook
  private let program: RuleProgram
  private let pipeline: AnalysisPipeline

  // Per-worker id tables: predicates satisfied by pipeline term id / stem id.
  private var termPredicates: [[Int32]] = []
  private var stemPredicates: [[Int32]] = []
  /// Whether a term / stem id satisfies any predicate (the common answer is no: one byte read).
  private var termHits: [Bool] = []
  private var stemHits: [Bool] = []

  // Per-unit scratch.
  private var postings: [[Int32]]
  private var touchedPredicates: [Int32] = []
  /// Rules worth evaluating on the current unit (a word of theirs occurs, or they need none).
  private var candidates: [Int32] = []
  private var ruleStamp: [UInt32]
  private var stamp: UInt32 = 0

  /// Makes a coder for one worker.
  ///
  /// - Throws: ``AnalysisError`` when ICU cannot be opened.
  public init(_ codebook: CompiledCodebook, analyzer: Analyzer = .french) throws(AnalysisError) {
    self.codebook = codebook
    program = RuleProgram(codebook)
    pipeline = try analyzer.makePipeline()
    postings = Array(repeating: [], count: program.predicates.count)
    ruleStamp = Array(repeating: 0, count: program.rules.count)
  }

  /// Codes every unit of one document; results in unit order, then code order.
  ///
  /// - Throws: ``AnalysisError`` if the analysis chain fails on the text.
  public func code(_ document: StoredDocument, units: CodingUnits) throws(AnalysisError) -> [UnitCoding] {
    var result: [UnitCoding] = []
    guard !units.units.isEmpty, !program.rules.isEmpty else { return result }
    var metadata: [String: [String]] = [:]
    for (key, value) in document.metadata.sorted(by: { $0.key < $1.key }) {
      metadata[key.lowercased(), default: []].append(value.description.lowercased())
    }
    let context = FilterContext(metadata: metadata)
    var text = document.text
    var failure: AnalysisError?
    text.withUTF8 { (bytes: UnsafeBufferPointer<UInt8>) in
      var tokens: [RawToken] = []
      var unitIndex = 0
      let unitList = units.units
      for turn in document.turns {
        // Units of this turn (they are sorted by range and never cross a turn).
        var first = unitIndex
        while first < unitList.count && unitList[first].turn < turn.ordinal { first += 1 }
        var last = first
        while last < unitList.count && unitList[last].turn == turn.ordinal { last += 1 }
        unitIndex = last
        guard first < last else { continue }
        let range = turn.turn.range.clamped(to: 0..<bytes.count)
        tokens.removeAll(keepingCapacity: true)
        if !range.isEmpty {
          let base = range.lowerBound
          do throws(AnalysisError) {
            try pipeline.analyze(UnsafeBufferPointer(rebasing: bytes[range]), validating: false) { batch in
              for var token in batch {
                token.start += base
                token.end += base
                tokens.append(token)
              }
            }
          } catch {
            failure = error
            return
          }
        }
        let speaker = turn.turn.speaker
        var tokenIndex = 0
        for unit in unitList[first..<last] {
          while tokenIndex < tokens.count && tokens[tokenIndex].start < unit.range.lowerBound { tokenIndex += 1 }
          let start = tokenIndex
          while tokenIndex < tokens.count && tokens[tokenIndex].start < unit.range.upperBound { tokenIndex += 1 }
          codeUnit(
            tokens: tokens[start..<tokenIndex], text: bytes, unit: unit, scope: units.scope, document: document.id,
            speaker: speaker, context: context, into: &result)
        }
      }
    }
    if let failure { throw failure }
    return result
  }

  // MARK: - One unit

  private func learnTerms(through id: Int) {
    while termPredicates.count <= id {
      let list = program.predicates(forTerm: pipeline.vocabulary.term(Int32(termPredicates.count)))
      termPredicates.append(list)
      termHits.append(!list.isEmpty)
    }
  }

  private func learnStems(through id: Int) {
    while stemPredicates.count <= id {
      let list = program.predicates(forStem: pipeline.vocabulary.stem(Int32(stemPredicates.count)))
      stemPredicates.append(list)
      stemHits.append(!list.isEmpty)
    }
  }

  /// Notes that the predicates in `list` hold at `position` of the current unit.
  @inline(__always) private func record(_ list: [Int32], at position: Int32) {
    for predicate in list {
      if postings[Int(predicate)].isEmpty {
        touchedPredicates.append(predicate)
        for rule in program.rulesOfPredicate[Int(predicate)] where ruleStamp[Int(rule)] != stamp {
          ruleStamp[Int(rule)] = stamp
          candidates.append(rule)
        }
      }
      postings[Int(predicate)].append(position)
    }
  }

  private func codeUnit(
    tokens: ArraySlice<RawToken>, text: UnsafeBufferPointer<UInt8>, unit: CodingUnits.Unit, scope: CodingScope,
    document: Int64, speaker: String?,
    context: FilterContext, into result: inout [UnitCoding]
  ) {
    for predicate in touchedPredicates { postings[Int(predicate)].removeAll(keepingCapacity: true) }
    touchedPredicates.removeAll(keepingCapacity: true)
    stamp &+= 1
    if stamp == 0 {
      for index in ruleStamp.indices { ruleStamp[index] = 0 }
      stamp = 1
    }
    candidates.removeAll(keepingCapacity: true)
    var position: Int32 = 0
    for token in tokens {
      let term = Int(token.termID)
      if term >= termHits.count { learnTerms(through: term) }
      if termHits[term] { record(termPredicates[term], at: position) }
      let stem = Int(token.stemID)
      if stem >= stemHits.count { learnStems(through: stem) }
      if stemHits[stem] { record(stemPredicates[stem], at: position) }
      position += 1
    }
    for rule in program.rulesWithoutWords where ruleStamp[Int(rule)] != stamp {
      ruleStamp[Int(rule)] = stamp
      candidates.append(rule)
    }
    guard !candidates.isEmpty else { return }
    // Rule ids follow the codebook (each code's rules, then its exclusions): sorted candidates
    // come grouped by code, in codebook order, each group's rules in file order.
    candidates.sort()
    let evaluation = Evaluation(
      postings: postings, context: FilterContext(metadata: context.metadata, speaker: speaker?.lowercased()))
    var start = 0
    while start < candidates.count {
      let codeIndex = program.codeOfRule[Int(candidates[start])]
      var end = start + 1
      while end < candidates.count && program.codeOfRule[Int(candidates[end])] == codeIndex { end += 1 }
      defer { start = end }
      var matched: (rule: Int32, hits: [ClosedRange<Int>])?
      for rule in candidates[start..<end] where !program.isExclusion[Int(rule)] {
        if let hits = evaluation.hits(program.rules[Int(rule)].node) {
          matched = (rule, hits)
          break
        }
      }
      guard let matched else { continue }
      let excluded = candidates[start..<end].contains { rule in
        program.isExclusion[Int(rule)] && evaluation.hits(program.rules[Int(rule)].node) != nil
      }
      if excluded { continue }
      let code = program.codes[Int(codeIndex)]
      let ruleIndex = code.rules.firstIndex(of: matched.rule)!
      let hits = RuleProgram.sortedUnique(matched.hits).map { positions in
        let range =
          tokens[tokens.startIndex + positions.lowerBound].start..<tokens[tokens.startIndex + positions.upperBound].end
        return CodingHit(
          positions: positions, range: range,
          text: String(decoding: UnsafeBufferPointer(rebasing: text[range]), as: UTF8.self))
      }
      result.append(
        UnitCoding(
          document: document, scope: scope, unit: unit.ordinal, turn: unit.turn, range: unit.range, speaker: speaker,
          code: code.path, ruleIndex: ruleIndex, rule: program.rules[Int(matched.rule)].text,
          hits: hits))
    }
  }
}

// MARK: - The compiled program

/// A filter's view of a unit: lowercased metadata (field → value) and speaker.
struct FilterContext {
  /// Lowercased field name → the lowercased values of the fields of that name (any may match).
  var metadata: [String: [String]]
  var speaker: String?
}

/// A rule as a tree over numbered word predicates.
indirect enum RuleNode: Sendable {
  case word(Int32)
  case phrase([Int32])
  case near(RuleNode, RuleNode, Int)
  case and([RuleNode])
  case or([RuleNode])
  case not(RuleNode)
  case all
  case field(name: String, value: String, isPrefix: Bool)
}

/// The codebook's rules over a shared table of word predicates.
struct RuleProgram: Sendable {
  struct Rule: Sendable {
    var text: String
    var node: RuleNode
    /// Whether the rule may match a unit in which none of its words occurs.
    var matchesWithoutWords: Bool
  }
  struct CodeRules: Sendable {
    var path: String
    var rules: [Int32]
    var exclude: [Int32]
  }

  private(set) var predicates: [PhraseWord] = []
  private var predicateIDs: [PhraseWord: Int32] = [:]
  private(set) var rules: [Rule] = []
  private(set) var rulesOfPredicate: [[Int32]] = []
  private(set) var codes: [CodeRules] = []
  /// The index in ``codes`` of each rule's code.
  private(set) var codeOfRule: [Int32] = []
  /// Whether each rule is an exclusion.
  private(set) var isExclusion: [Bool] = []
  /// The rules that may match a unit where none of their words occurs, sorted.
  private(set) var rulesWithoutWords: [Int32] = []
  private var stems: [String: [Int32]] = [:]
  private var terms: [String: [Int32]] = [:]
  private var prefixes: [(prefix: [UInt8], id: Int32)] = []

  init(_ codebook: CompiledCodebook) {
    for code in codebook.codes {
      var entry = CodeRules(path: code.path, rules: [], exclude: [])
      for rule in code.rules {
        entry.rules.append(add(rule))
        codeOfRule.append(Int32(codes.count))
        isExclusion.append(false)
      }
      for rule in code.exclude {
        entry.exclude.append(add(rule))
        codeOfRule.append(Int32(codes.count))
        isExclusion.append(true)
      }
      codes.append(entry)
    }
    for (word, id) in predicateIDs {
      switch word {
      case .stem(let stem): stems[stem, default: []].append(id)
      case .term(let term): terms[term, default: []].append(id)
      case .prefix(let prefix): prefixes.append((Array(prefix.utf8), id))
      }
    }
    rulesWithoutWords = rules.indices.filter { rules[$0].matchesWithoutWords }.map { Int32($0) }
    for key in stems.keys { stems[key]!.sort() }
    for key in terms.keys { terms[key]!.sort() }
    prefixes.sort { $0.id < $1.id }
  }

  private mutating func add(_ rule: CompiledCodebook.Rule) -> Int32 {
    let id = Int32(rules.count)
    var used: Set<Int32> = []
    let node = compile(rule.query, used: &used)
    rules.append(Rule(text: rule.text, node: node, matchesWithoutWords: Self.matchesWithoutWords(rule.query)))
    for predicate in used.sorted() { rulesOfPredicate[Int(predicate)].append(id) }
    return id
  }

  private mutating func predicate(_ word: PhraseWord) -> Int32 {
    if let id = predicateIDs[word] { return id }
    let id = Int32(predicates.count)
    predicates.append(word)
    predicateIDs[word] = id
    rulesOfPredicate.append([])
    return id
  }

  private mutating func compile(_ query: Query, used: inout Set<Int32>) -> RuleNode {
    switch query {
    case .stem(let stem):
      let id = predicate(.stem(stem))
      used.insert(id)
      return .word(id)
    case .term(let term):
      let id = predicate(.term(term))
      used.insert(id)
      return .word(id)
    case .prefix(let prefix):
      let id = predicate(.prefix(prefix))
      used.insert(id)
      return .word(id)
    case .phrase(let words):
      let ids = words.map { predicate($0) }
      used.formUnion(ids)
      return .phrase(ids)
    case .near(let left, let right, let distance):
      return .near(compile(left, used: &used), compile(right, used: &used), distance)
    case .and(let operands): return .and(operands.map { compile($0, used: &used) })
    case .or(let operands): return .or(operands.map { compile($0, used: &used) })
    case .not(let operand): return .not(compile(operand, used: &used))
    case .all: return .all
    case .field(let name, let value, let isPrefix):
      return .field(name: name.lowercased(), value: value.lowercased(), isPrefix: isPrefix)
    }
  }

  /// Whether `query` can match a unit where none of its words occurs (a sound over-approximation).
  static func matchesWithoutWords(_ query: Query) -> Bool {
    switch query {
    case .stem, .term, .prefix, .phrase, .near: false
    case .and(let operands): operands.allSatisfy(matchesWithoutWords)
    case .or(let operands): operands.contains(where: matchesWithoutWords)
    case .not, .all, .field: true
    }
  }

  /// The predicates a term satisfies (exact terms and prefixes), sorted.
  func predicates(forTerm term: String) -> [Int32] {
    var result = terms[term] ?? []
    if !prefixes.isEmpty {
      let bytes = Array(term.utf8)
      for (prefix, id) in prefixes where bytes.starts(with: prefix) { result.append(id) }
    }
    return result.sorted()
  }

  /// The stem predicates a stem satisfies.
  func predicates(forStem stem: String) -> [Int32] { stems[stem] ?? [] }

  static func sortedUnique(_ hits: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
    Set(hits).sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
  }
}

/// Evaluates rule trees on one unit's predicate positions, with ``QueryMatcher``'s semantics.
struct Evaluation {
  let postings: [[Int32]]
  let context: FilterContext

  @inline(__always) private func contains(_ predicate: Int32, at position: Int) -> Bool {
    let list = postings[Int(predicate)]
    var low = 0
    var high = list.count
    let target = Int32(position)
    while low < high {
      let middle = (low + high) >> 1
      if list[middle] < target { low = middle + 1 } else { high = middle }
    }
    return low < list.count && list[low] == target
  }

  /// The distance between two hits, between their nearest ends (0 when they overlap).
  static func distance(_ a: ClosedRange<Int>, _ b: ClosedRange<Int>) -> Int {
    if a.upperBound < b.lowerBound { return b.lowerBound - a.upperBound }
    if b.upperBound < a.lowerBound { return a.lowerBound - b.upperBound }
    return 0
  }

  func hits(_ node: RuleNode) -> [ClosedRange<Int>]? {
    switch node {
    case .word(let predicate):
      let list = postings[Int(predicate)]
      return list.isEmpty ? nil : list.map { Int($0)...Int($0) }
    case .phrase(let words):
      guard let first = words.first else { return nil }
      var hits: [ClosedRange<Int>] = []
      for start in postings[Int(first)] {
        let p = Int(start)
        var all = true
        for k in 1..<max(1, words.count) where !contains(words[k], at: p + k) {
          all = false
          break
        }
        if all { hits.append(p...(p + words.count - 1)) }
      }
      return hits.isEmpty ? nil : hits
    case .near(let left, let right, let maximum):
      guard let leftHits = hits(left), let rightHits = hits(right) else { return nil }
      var hits: [ClosedRange<Int>] = []
      for a in leftHits {
        for b in rightHits where Self.distance(a, b) <= maximum {
          hits.append(min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound))
        }
      }
      return hits.isEmpty ? nil : hits
    case .and(let operands):
      var hits: [ClosedRange<Int>] = []
      for operand in operands {
        guard let operandHits = self.hits(operand) else { return nil }
        hits.append(contentsOf: operandHits)
      }
      return hits
    case .or(let operands):
      var hits: [ClosedRange<Int>] = []
      var matched = false
      for operand in operands {
        if let operandHits = self.hits(operand) {
          matched = true
          hits.append(contentsOf: operandHits)
        }
      }
      return matched ? hits : nil
    case .not(let operand):
      return hits(operand) == nil ? [] : nil
    case .all:
      return []
    case .field(let name, let value, let isPrefix):
      let values: [String] = name == "speaker" ? (context.speaker.map { [$0] } ?? []) : (context.metadata[name] ?? [])
      let isMatch = values.contains { isPrefix ? $0.hasPrefix(value) : $0 == value }
      return isMatch ? [] : nil
    }
  }
}
