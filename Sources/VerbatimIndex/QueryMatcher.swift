import VerbatimAnalysis

/// A unit (segment, sentence or turn) as analysed tokens plus its context, for matching.
///
/// Token `i` has term `terms[i]`, stem `stems[i]` and, when known, UTF-8 range `ranges[i]`;
/// positions are the indices `0..<terms.count` (consecutive: stop words and elided forms take a
/// position, as in the index).
public struct AnalyzedUnit: Sendable {
  /// The normalised term of each token.
  public var terms: [String]
  /// The stem of each token (same count as ``terms``).
  public var stems: [String]
  /// The UTF-8 range of each token in the document text, or empty when unknown.
  public var ranges: [Range<Int>]
  /// The speaker label of the turn the unit belongs to, if any.
  public var speaker: String?
  /// The document's metadata, as text (field name → value).
  public var metadata: [String: String]

  /// Creates a unit; `stems` has one entry per term, and `ranges` too unless it is empty.
  public init(
    terms: [String], stems: [String], ranges: [Range<Int>] = [], speaker: String? = nil,
    metadata: [String: String] = [:]
  ) {
    precondition(stems.count == terms.count, "AnalyzedUnit: one stem per term")
    precondition(ranges.isEmpty || ranges.count == terms.count, "AnalyzedUnit: one range per term, or none")
    self.terms = terms
    self.stems = stems
    self.ranges = ranges
    self.speaker = speaker
    self.metadata = metadata
  }

  /// Creates a unit from the tokens of the analysis chain (their order gives the positions).
  ///
  ///     let pipeline = try Analyzer.french.makePipeline()
  ///     let unit = AnalyzedUnit(tokens: pipeline.tokens(in: "L’école numérique"), speaker: "L1")
  public init(tokens: [Token], speaker: String? = nil, metadata: [String: String] = [:]) {
    self.init(
      terms: tokens.map(\.term), stems: tokens.map(\.stem), ranges: tokens.map(\.utf8Range), speaker: speaker,
      metadata: metadata)
  }
}

/// Evaluates a ``Query`` on one ``AnalyzedUnit`` by scanning its tokens: the brute-force
/// reference the index is tested against, and the matcher for automatic coding of small corpora.
///
/// Semantics, for a unit whose tokens are at positions `0..<n`. Every query either fails to
/// match (`nil`) or matches with a list of hits, each a closed range of positions:
/// - ``Query/stem(_:)``: every position whose stem equals it; one hit `p...p` each.
/// - ``Query/term(_:)``: every position whose term equals it.
/// - ``Query/prefix(_:)``: every position whose term starts with it, compared as UTF-8 bytes
///   (as a sorted term dictionary does); the empty prefix matches every token.
/// - ``Query/phrase(_:)``: every start `p` where word `k` matches position `p + k` for each `k`;
///   hit `p...p + count - 1`. An empty phrase matches nothing.
/// - ``Query/near(_:_:distance:)``: for every hit `a` of the left and `b` of the right operand
///   whose distance is at most `distance`, the hit `min(a.lower, b.lower)...max(a.upper, b.upper)`.
///   The distance between two hits is that of their nearest ends: `b.lower − a.upper` when `a`
///   ends before `b` starts, `a.lower − b.upper` in the other order, and 0 when they overlap. For
///   single words it is `|pos(a) − pos(b)|`, so `a NEAR/1 b` is "adjacent, either order", and a
///   token matching both operands is at distance 0 from itself. An operand that matches without
///   positions (a filter, `NOT`, ``Query/all``) gives no hit, so `NEAR` fails.
/// - ``Query/and(_:)``: matches when every operand matches (an empty `and` always matches);
///   hits are the union of the operands' hits. A `NOT` operand removes the units its query
///   matches and adds no hit.
/// - ``Query/or(_:)``: matches when at least one operand matches; hits are the union of the
///   matching operands' hits.
/// - ``Query/not(_:)``: matches, without hits, exactly when its operand does not match.
/// - ``Query/all``: every unit, without hits.
/// - ``Query/field(name:value:isPrefix:)``: with name `speaker`, the unit's ``AnalyzedUnit/speaker``;
///   otherwise the metadata values whose name equals `name` ignoring case (any of them may match). Values are compared
///   as lowercased text (equal, or starting with `value` when `isPrefix`); a missing speaker or
///   field does not match. Matches without hits.
///
/// Hits are returned sorted (by lower, then upper bound) and without duplicates; `[]` means a
/// match without positions (only filters, `NOT` or ``Query/all`` matched).
public struct QueryMatcher: Sendable {
  /// The query evaluated.
  public let query: Query

  /// Creates a matcher for `query`.
  public init(_ query: Query) {
    self.query = query
  }

  /// Whether the unit matches, and the matched token index ranges (for KWIC and provenance): one
  /// per phrase/NEAR/word hit, sorted, in token positions. `nil` = no match; `[]` = matched
  /// without positions (e.g. only `NOT` or filters).
  ///
  /// - Complexity: O(*n* × size of the query) for words and phrases; `NEAR` compares every pair
  ///   of hits of its operands.
  public func matches(_ unit: AnalyzedUnit) -> [ClosedRange<Int>]? {
    Self.hits(of: query, in: unit).map(Self.sortedUnique)
  }

  private static func sortedUnique(_ hits: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
    Set(hits).sorted { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }
  }

  private static func positions(in unit: AnalyzedUnit, where matches: (Int) -> Bool) -> [ClosedRange<Int>]? {
    let hits = unit.terms.indices.filter(matches).map { $0...$0 }
    return hits.isEmpty ? nil : hits
  }

  private static func matches(_ word: PhraseWord, at position: Int, in unit: AnalyzedUnit) -> Bool {
    switch word {
    case let .stem(stem): unit.stems[position] == stem
    case let .term(term): unit.terms[position] == term
    case let .prefix(prefix): unit.terms[position].utf8.starts(with: prefix.utf8)
    }
  }

  /// The distance between two hits, measured between their nearest ends (0 when they overlap).
  static func distance(_ a: ClosedRange<Int>, _ b: ClosedRange<Int>) -> Int {
    if a.upperBound < b.lowerBound { return b.lowerBound - a.upperBound }
    if b.upperBound < a.lowerBound { return a.lowerBound - b.upperBound }
    return 0
  }

  private static func hits(of query: Query, in unit: AnalyzedUnit) -> [ClosedRange<Int>]? {
    switch query {
    case let .stem(stem):
      return positions(in: unit) { matches(.stem(stem), at: $0, in: unit) }
    case let .term(term):
      return positions(in: unit) { matches(.term(term), at: $0, in: unit) }
    case let .prefix(prefix):
      return positions(in: unit) { matches(.prefix(prefix), at: $0, in: unit) }
    case let .phrase(words):
      guard !words.isEmpty, words.count <= unit.terms.count else { return nil }
      var hits: [ClosedRange<Int>] = []
      for start in 0...(unit.terms.count - words.count)
      where words.indices.allSatisfy({ matches(words[$0], at: start + $0, in: unit) }) {
        hits.append(start...(start + words.count - 1))
      }
      return hits.isEmpty ? nil : hits
    case let .near(left, right, maximum):
      guard let leftHits = hits(of: left, in: unit), let rightHits = hits(of: right, in: unit) else { return nil }
      var hits: [ClosedRange<Int>] = []
      for a in leftHits {
        for b in rightHits where distance(a, b) <= maximum {
          hits.append(min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound))
        }
      }
      return hits.isEmpty ? nil : hits
    case let .and(operands):
      var hits: [ClosedRange<Int>] = []
      for operand in operands {
        guard let operandHits = Self.hits(of: operand, in: unit) else { return nil }
        hits.append(contentsOf: operandHits)
      }
      return hits
    case let .or(operands):
      var hits: [ClosedRange<Int>] = []
      var matched = false
      for operand in operands {
        if let operandHits = Self.hits(of: operand, in: unit) {
          matched = true
          hits.append(contentsOf: operandHits)
        }
      }
      return matched ? hits : nil
    case let .not(operand):
      return Self.hits(of: operand, in: unit) == nil ? [] : nil
    case .all:
      return []
    case let .field(name, value, isPrefix):
      let values: [String]
      if name.lowercased() == "speaker" {
        values = unit.speaker.map { [$0] } ?? []
      } else {
        values = unit.metadata.filter { $0.key.lowercased() == name.lowercased() }.map(\.value)
      }
      let wanted = value.lowercased()
      let isMatch = values.contains { actual in
        isPrefix ? actual.lowercased().hasPrefix(wanted) : actual.lowercased() == wanted
      }
      return isMatch ? [] : nil
    }
  }
}
