/// A unit in which queries are evaluated: one segment, sentence or turn of a document.
public struct SearchUnit: Sendable, Hashable {
  /// 1-based ordinal among the document's units of this kind.
  public var ordinal: Int
  /// UTF-8 byte range in the document text.
  public var range: Range<Int>
  /// The speaker of the turn the unit belongs to, if named.
  public var speaker: String?

  /// Creates a unit.
  public init(ordinal: Int, range: Range<Int>, speaker: String?) {
    self.ordinal = ordinal
    self.range = range
    self.speaker = speaker
  }
}

/// What the searcher needs to know about a document besides its postings: its units (sorted,
/// not overlapping) and its metadata as text.
public struct SearchDocument: Sendable, Hashable {
  /// The document id (as in the index and the project store).
  public var id: Int64
  /// Its units, in text order.
  public var units: [SearchUnit]
  /// Metadata field → value, as text.
  public var metadata: [String: String]

  /// Creates a document description.
  public init(id: Int64, units: [SearchUnit], metadata: [String: String]) {
    self.id = id
    self.units = units
    self.metadata = metadata
  }
}

/// One match of a query: a word, phrase or `NEAR` hit inside one unit, or a whole unit when
/// the query matched it without words (only filters or `NOT`).
public struct SearchHit: Sendable, Hashable {
  /// The document id.
  public var document: Int64
  /// The unit the hit lies in.
  public var unit: SearchUnit
  /// The UTF-8 byte range of the hit (the unit's range when ``positions`` is `nil`).
  public var range: Range<Int>
  /// The document-level token positions the hit spans, or `nil` for a match without words.
  public var positions: ClosedRange<Int>?
}

/// Evaluates queries over a committed index, unit by unit, with the semantics of
/// ``QueryMatcher`` (which it is tested against).
///
/// How: the words of the query (stems, terms, prefixes, phrase words) are looked up once in
/// the term and stem dictionaries; their postings give, per document, the positions and UTF-8
/// ranges of every occurrence. Only documents that can match are visited (an `AND` intersects,
/// an `OR` unites; a query that can match without words, such as `NOT a` or `speaker:L1`,
/// visits every document). In a document, occurrences are dealt to the units that contain
/// their first byte, and the query is evaluated on each unit's occurrence lists — only the
/// units that hold an occurrence, unless the query can match a unit without words.
///
///     let searcher = IndexSearcher(snapshot: snapshot) { id in documents[id] }
///     for hit in try searcher.search(QueryParser().parse("\"numérique responsable\"")) { … }
public struct IndexSearcher {
  /// The committed index searched.
  public let snapshot: IndexSnapshot
  private let describe: (Int64) throws -> SearchDocument?

  /// Creates a searcher; `describe` gives a document's units and metadata (or `nil` to skip it).
  public init(snapshot: IndexSnapshot, describe: @escaping (Int64) throws -> SearchDocument?) {
    self.snapshot = snapshot
    self.describe = describe
  }

  /// The hits of `query`, by document id, then start and end offset; at most `limit`.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)`` for a damaged index, or what `describe` throws.
  public func search(_ query: Query, limit: Int? = nil) throws -> [SearchHit] {
    var hits: [SearchHit] = []
    try forEachHit(of: query) { hit in
      hits.append(hit)
      return limit.map { hits.count < $0 } ?? true
    }
    return hits
  }

  /// Calls `body` with each hit of `query` in order until it returns `false`.
  public func forEachHit(of query: Query, _ body: (SearchHit) throws -> Bool) throws {
    var occurrences: [Word: [Int64: Occurrences]] = [:]
    for word in Self.words(of: query) where occurrences[word] == nil {
      occurrences[word] = try lookUp(word)
    }
    let matchesWithoutWords = !Self.needsWords(query)
    let candidates = matchesWithoutWords ? nil : Self.candidates(of: query, occurrences)
    let documentIDs = candidates.map { Array($0).sorted() } ?? snapshot.documentIDs
    for id in documentIDs {
      guard let document = try describe(id) else { continue }
      let units = document.units
      // Each word's occurrences in this document, and the unit of each (ascending, since
      // positions and byte offsets ascend together; -1 outside every unit).
      var words: [(word: Word, found: Occurrences, unitOf: [Int32])] = []
      var touched = [Bool](repeating: matchesWithoutWords, count: units.count)
      for (word, byDocument) in occurrences {
        guard let found = byDocument[id] else { continue }
        var unitOf = [Int32](repeating: -1, count: found.positions.count)
        var unit = 0
        for (index, range) in found.ranges.enumerated() {
          while unit < units.count && units[unit].range.upperBound <= range.lowerBound { unit += 1 }
          if unit < units.count && units[unit].range.contains(range.lowerBound) {
            unitOf[index] = Int32(unit)
            touched[unit] = true
          }
        }
        words.append((word, found, unitOf))
      }
      var cursors = [Int](repeating: 0, count: words.count)
      var documentHits: [SearchHit] = []
      for index in units.indices where touched[index] {
        let unit = units[index]
        // Each word's run of occurrences in this unit.
        var lists: [Word: ArraySlice<Int>] = [:]
        var runs: [(found: Occurrences, run: Range<Int>)] = []
        for (slot, entry) in words.enumerated() {
          var cursor = cursors[slot]
          while cursor < entry.unitOf.count && entry.unitOf[cursor] < Int32(index) { cursor += 1 }
          let start = cursor
          while cursor < entry.unitOf.count && entry.unitOf[cursor] == Int32(index) { cursor += 1 }
          cursors[slot] = cursor
          guard start < cursor else { continue }
          lists[entry.word] = entry.found.positions[start..<cursor]
          runs.append((entry.found, start..<cursor))
        }
        let evaluator = UnitEvaluator(query: query, lists: lists, speaker: unit.speaker, metadata: document.metadata)
        guard let found = evaluator.hits() else { continue }
        if found.isEmpty {
          documentHits.append(SearchHit(document: id, unit: unit, range: unit.range, positions: nil))
          continue
        }
        func range(of position: Int) -> Range<Int>? {
          for (occurrences, run) in runs {
            let slice = occurrences.positions[run]
            let at = slice.partitioningIndex { $0 >= position }
            if at < slice.endIndex && slice[at] == position { return occurrences.ranges[at] }
          }
          return nil
        }
        for positions in Set(found) {
          guard let first = range(of: positions.lowerBound), let last = range(of: positions.upperBound) else { continue }
          documentHits.append(
            SearchHit(document: id, unit: unit, range: first.lowerBound..<last.upperBound, positions: positions))
        }
      }
      documentHits.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
      for hit in documentHits where try !body(hit) { return }
    }
  }

  /// The index of the unit whose range contains `offset`, by binary search over the starts.
  static func unitIndex(containing offset: Int, starts: [Int], units: [SearchUnit]) -> Int? {
    var low = 0
    var high = starts.count
    while low < high {
      let middle = (low + high) / 2
      if starts[middle] <= offset { low = middle + 1 } else { high = middle }
    }
    let index = low - 1
    return index >= 0 && units[index].range.contains(offset) ? index : nil
  }

  // MARK: Words and their postings

  /// A word of a query, as looked up in the dictionaries.
  enum Word: Hashable {
    case stem(String), term(String), prefix(String)

    init(_ word: PhraseWord) {
      switch word {
      case let .stem(stem): self = .stem(stem)
      case let .term(term): self = .term(term)
      case let .prefix(prefix): self = .prefix(prefix)
      }
    }
  }

  /// Positions (ascending) and byte ranges of a word in one document.
  struct Occurrences {
    var positions: [Int] = []
    var ranges: [Range<Int>] = []
  }

  static func words(of query: Query) -> [Word] {
    switch query {
    case let .stem(stem): [.stem(stem)]
    case let .term(term): [.term(term)]
    case let .prefix(prefix): [.prefix(prefix)]
    case let .phrase(words): words.map(Word.init)
    case let .near(left, right, _): Self.words(of: left) + Self.words(of: right)
    case let .and(operands), let .or(operands): operands.flatMap(Self.words(of:))
    case let .not(operand): Self.words(of: operand)
    case .all, .field: []
    }
  }

  private func lookUp(_ word: Word) throws(IndexError) -> [Int64: Occurrences] {
    var result: [Int64: Occurrences] = [:]
    for reader in snapshot.segments {
      let lists: [PostingList]
      switch word {
      case let .stem(stem): lists = try reader.postings(forStem: stem).map { [$0] } ?? []
      case let .term(term): lists = try reader.postings(forTerm: term).map { [$0] } ?? []
      case let .prefix(prefix):
        lists = try reader.terms(withPrefix: prefix).map { entry throws(IndexError) in
          try reader.postings(for: entry.info, withRanges: true)
        }
      }
      for list in lists {
        for index in 0..<list.count {
          let id = reader.document(at: Int(list.documents[index])).documentID
          let positions = list.positions(at: index)
          let offset = positions.startIndex
          var found = result[id] ?? Occurrences()
          for (position, slot) in zip(positions, offset..<(offset + positions.count)) {
            found.positions.append(Int(position))
            found.ranges.append(Int(list.starts[slot])..<Int(list.ends[slot]))
          }
          result[id] = found
        }
      }
    }
    if case .prefix = word {
      // Several terms share a prefix: put each document's occurrences back in position order.
      for (id, found) in result {
        let order = found.positions.indices.sorted { found.positions[$0] < found.positions[$1] }
        result[id] = Occurrences(positions: order.map { found.positions[$0] }, ranges: order.map { found.ranges[$0] })
      }
    }
    return result
  }

  /// Whether every match of the query needs an occurrence of one of its words in the unit
  /// (`false` for filters, `NOT`, `*`, and `AND`/`OR` that can match without words).
  static func needsWords(_ query: Query) -> Bool {
    switch query {
    case .stem, .term, .prefix, .phrase, .near: true
    case let .and(operands): operands.contains(where: needsWords)
    case let .or(operands): operands.allSatisfy(needsWords)
    case .not, .all, .field: false
    }
  }

  /// The documents that may match a query that needs words, or `nil` for "any document".
  static func candidates(of query: Query, _ occurrences: [Word: [Int64: Occurrences]]) -> Set<Int64>? {
    func documents(_ word: Word) -> Set<Int64> { occurrences[word].map { Set($0.keys) } ?? [] }
    switch query {
    case let .stem(stem): return documents(.stem(stem))
    case let .term(term): return documents(.term(term))
    case let .prefix(prefix): return documents(.prefix(prefix))
    case let .phrase(words):
      var common: Set<Int64>?
      for word in words { common = intersect(common, documents(Word(word))) }
      return common ?? []
    case let .near(left, right, _):
      return intersect(candidates(of: left, occurrences), candidates(of: right, occurrences))
    case let .and(operands):
      return operands.reduce(nil as Set<Int64>?) { intersect($0, candidates(of: $1, occurrences)) }
    case let .or(operands):
      var union: Set<Int64> = []
      for operand in operands {
        guard let found = candidates(of: operand, occurrences) else { return nil }
        union.formUnion(found)
      }
      return union
    case .not, .all, .field: return nil
    }
  }

  private static func intersect(_ a: Set<Int64>?, _ b: Set<Int64>?) -> Set<Int64>? {
    guard let a else { return b }
    guard let b else { return a }
    return a.intersection(b)
  }
}

/// Evaluates a query on the occurrence lists of one unit (positions are document-level, so a
/// phrase is a run of consecutive positions and `NEAR` compares them directly).
private struct UnitEvaluator {
  let query: Query
  /// Word → ascending positions inside the unit.
  let lists: [IndexSearcher.Word: ArraySlice<Int>]
  let speaker: String?
  let metadata: [String: String]

  func hits() -> [ClosedRange<Int>]? { hits(of: query) }

  private func single(_ word: IndexSearcher.Word) -> [ClosedRange<Int>]? {
    guard let positions = lists[word], !positions.isEmpty else { return nil }
    return positions.map { $0...$0 }
  }

  private func hits(of query: Query) -> [ClosedRange<Int>]? {
    switch query {
    case let .stem(stem): return single(.stem(stem))
    case let .term(term): return single(.term(term))
    case let .prefix(prefix): return single(.prefix(prefix))
    case let .phrase(words):
      guard let first = words.first, let starts = lists[IndexSearcher.Word(first)] else { return nil }
      let following = words.dropFirst().map { lists[IndexSearcher.Word($0)] ?? [] }
      let found = starts.filter { start in
        following.enumerated().allSatisfy { offset, positions in positions.containsSorted(start + offset + 1) }
      }
      return found.isEmpty ? nil : found.map { $0...($0 + words.count - 1) }
    case let .near(left, right, distance):
      guard let leftHits = hits(of: left), let rightHits = hits(of: right) else { return nil }
      var found: [ClosedRange<Int>] = []
      for a in leftHits {
        for b in rightHits where QueryMatcher.distance(a, b) <= distance {
          found.append(Swift.min(a.lowerBound, b.lowerBound)...Swift.max(a.upperBound, b.upperBound))
        }
      }
      return found.isEmpty ? nil : found
    case let .and(operands):
      var found: [ClosedRange<Int>] = []
      for operand in operands {
        guard let operandHits = hits(of: operand) else { return nil }
        found += operandHits
      }
      return found
    case let .or(operands):
      let matched = operands.compactMap(hits(of:))
      return matched.isEmpty ? nil : matched.flatMap { $0 }
    case let .not(operand):
      return hits(of: operand) == nil ? [] : nil
    case .all:
      return []
    case let .field(name, value, isPrefix):
      let values =
        name.lowercased() == "speaker"
        ? [speaker].compactMap { $0 } : metadata.filter { $0.key.lowercased() == name.lowercased() }.map(\.value)
      let wanted = value.lowercased()
      let isMatch = values.contains { isPrefix ? $0.lowercased().hasPrefix(wanted) : $0.lowercased() == wanted }
      return isMatch ? [] : nil
    }
  }
}

extension Collection where Element: Comparable, Index == Int {
  /// The first index whose element satisfies `predicate`, for a predicate that is false then
  /// true along the collection (binary search).
  func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
    var low = startIndex
    var high = endIndex
    while low < high {
      let middle = low + (high - low) / 2
      if predicate(self[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// Whether a sorted collection contains `value` (binary search).
  func containsSorted(_ value: Element) -> Bool {
    let index = partitioningIndex { $0 >= value }
    return index < endIndex && self[index] == value
  }
}
