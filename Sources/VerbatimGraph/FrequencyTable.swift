import Foundation

/// How tokens are grouped for frequency tables.
public enum FrequencyGrouping: Sendable, Hashable {
  /// One group, `corpus`.
  case corpus
  /// One group per speaker (turns; text before the first label is speaker "").
  case speaker
  /// One group per value of a document metadata field; documents without it are left out.
  case field(String)

  /// `--by` spelling: nil → corpus, `speaker`, else a field name.
  public init(by: String?) {
    switch by {
    case nil, "": self = .corpus
    case "speaker": self = .speaker
    case let field?: self = .field(field)
    }
  }
}

/// What the `measure` column of `verbatim freq` holds.
public enum FrequencyMeasure: String, Sendable, CaseIterable {
  /// Relative frequency: occurrences per 1,000 kept tokens of the group.
  case count
  /// Lafon's specificity of the group against the whole corpus (signed log10 probability).
  case specificity
  /// quanteda's keyness χ² (Yates by default) of the group against the rest (or a reference group).
  case keyness
  /// quanteda's keyness G² (log-likelihood, Yates by default), same target and reference.
  case g2
  /// TF-IDF with groups as documents: `count × log10(groups / groups holding the word)`.
  case tfidf
}

/// One row of a frequency table.
public struct FrequencyRow: Sendable, Hashable {
  /// The group (field value, speaker, or `corpus`).
  public var group: String
  /// The word's label (most frequent term of the stem, the term, or the phrase).
  public var term: String
  /// Occurrences in the group.
  public var count: Int
  /// The measure's value.
  public var measure: Double
}

/// Word counts per group, exact, over kept tokens (stop words dropped unless kept).
public struct FrequencyTable: Sendable {
  /// Group names, sorted bytewise.
  public var groups: [String]
  /// Node keys, sorted bytewise (ids are indices).
  public var keys: [String]
  /// Node labels.
  public var labels: [String]
  /// Per group: (node id, count) with count > 0, by node id.
  public var counts: [[(node: Int32, count: Int)]]
  /// Kept tokens per group.
  public var groupTotals: [Int]
  /// Kept tokens per node over all groups.
  public var nodeTotals: [Int]
  /// Kept tokens over all groups.
  public var total: Int { groupTotals.reduce(0, +) }

  /// Counts words per group on `jobs` workers; the result does not depend on `jobs`.
  ///
  /// - Throws: ``GraphError/noGroup(field:value:known:)`` when no document has the field,
  ///   or the scan's errors.
  public static func count(
    _ documents: [CorpusDocument], grouping: FrequencyGrouping, options: NodeOptions = NodeOptions(), jobs: Int
  ) throws(GraphError) -> FrequencyTable {
    var names = Set<String>()
    var kept = documents
    switch grouping {
    case .corpus: names = ["corpus"]
    case .speaker: for document in documents { for turn in document.turns { names.insert(turn.speaker) } }
    case let .field(field):
      kept = documents.filter { $0.metadata[field] != nil }
      for document in kept { names.insert(document.metadata[field]!) }
      if kept.isEmpty {
        let known = Set(documents.flatMap(\.metadata.keys)).sorted()
        throw .noGroup(field: field, value: "*", known: known.isEmpty ? ["(no metadata fields)"] : known.map { "\($0)=…" })
      }
    }
    let groups = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var index: [String: Int] = [:]
    for (position, name) in groups.enumerated() { index[name] = position }
    let scan = try CorpusTokens.scan(kept, options: options, needs: [], jobs: jobs) {
      FrequencyCounter(grouping: grouping, groupIndex: index)
    }
    var merged = [[Int32: Int]](repeating: [:], count: groups.count)
    for (worker, counter) in scan.consumers.enumerated() {
      let map = scan.nodes.localToGlobal[worker]
      counter.counts.forEach { key, count in
        let group = Int(key >> 32) - 1
        merged[group][map[Int(key & 0xFFFF_FFFF)], default: 0] += Int(count)
      }
    }
    var nodeTotals = [Int](repeating: 0, count: scan.nodes.keys.count)
    var groupTotals = [Int](repeating: 0, count: groups.count)
    var counts: [[(node: Int32, count: Int)]] = []
    for (group, table) in merged.enumerated() {
      let sorted = table.sorted { $0.key < $1.key }.map { (node: $0.key, count: $0.value) }
      for entry in sorted {
        nodeTotals[Int(entry.node)] += entry.count
        groupTotals[group] += entry.count
      }
      counts.append(sorted)
    }
    return FrequencyTable(
      groups: groups, keys: scan.nodes.keys, labels: scan.nodes.labels, counts: counts, groupTotals: groupTotals,
      nodeTotals: nodeTotals)
  }

  /// The rows of `verbatim freq`: per group (sorted), the words present in it, sorted by
  /// measure (descending), then count (descending), then label; at most `top` per group.
  ///
  /// - Parameters:
  ///   - reference: for keyness and G², the group every other group is compared with
  ///     (that group gets no rows); nil compares each group with the rest of the corpus.
  ///   - minimumCount: words with fewer occurrences in the whole corpus are left out.
  /// - Throws: ``GraphError/noGroup(field:value:known:)`` for an unknown reference.
  public func rows(
    measure: FrequencyMeasure, top: Int? = nil, reference: String? = nil, minimumCount: Int = 1,
    correction: LexicalStatistics.KeynessCorrection = .default, field: String = "group"
  ) throws(GraphError) -> [FrequencyRow] {
    var referenceIndex: Int?
    if let reference {
      guard let found = groups.firstIndex(of: reference) else {
        throw .noGroup(field: field, value: reference, known: groups)
      }
      referenceIndex = found
    }
    var groupsHolding = [Int](repeating: 0, count: keys.count)
    for group in counts { for entry in group { groupsHolding[Int(entry.node)] += 1 } }
    var referenceCounts: [Int32: Int] = [:]
    if let referenceIndex { for entry in counts[referenceIndex] { referenceCounts[entry.node] = entry.count } }
    let total = self.total
    var result: [FrequencyRow] = []
    for (group, entries) in counts.enumerated() where group != referenceIndex {
      let size = groupTotals[group]
      var rows: [FrequencyRow] = []
      for entry in entries where nodeTotals[Int(entry.node)] >= minimumCount {
        let node = Int(entry.node)
        let value: Double
        switch measure {
        case .count:
          value = size > 0 ? Double(entry.count) * 1000 / Double(size) : 0
        case .specificity:
          value = LexicalStatistics.specificity(
            frequency: entry.count, partSize: size, corpusFrequency: nodeTotals[node], total: total)
        case .keyness, .g2:
          let referenceCount: Int
          let referenceSize: Int
          if let referenceIndex {
            referenceCount = referenceCounts[entry.node] ?? 0
            referenceSize = groupTotals[referenceIndex]
          } else {
            referenceCount = nodeTotals[node] - entry.count
            referenceSize = total - size
          }
          let arguments = (Double(entry.count), Double(referenceCount), Double(size), Double(referenceSize))
          value =
            measure == .keyness
            ? LexicalStatistics.keynessChi2(
              target: arguments.0, reference: arguments.1, targetSize: arguments.2, referenceSize: arguments.3,
              correction: correction)
            : LexicalStatistics.keynessG2(
              target: arguments.0, reference: arguments.1, targetSize: arguments.2, referenceSize: arguments.3,
              correction: correction)
        case .tfidf:
          value = LexicalStatistics.tfidf(count: entry.count, groups: groups.count, groupsWithWord: groupsHolding[node])
        }
        rows.append(FrequencyRow(group: groups[group], term: labels[node], count: entry.count, measure: value))
      }
      rows.sort { left, right in
        if left.measure != right.measure { return left.measure > right.measure || right.measure.isNaN }
        if left.count != right.count { return left.count > right.count }
        return left.term.utf8.lexicographicallyPrecedes(right.term.utf8)
      }
      if let top { rows = Array(rows.prefix(top)) }
      result += rows
    }
    return result
  }
}

/// One worker's counts per (group, local node).
public struct FrequencyCounter: TokenConsumer {
  /// How tokens are grouped.
  public let grouping: FrequencyGrouping
  /// Group name → index.
  public let groupIndex: [String: Int]
  /// Counts keyed `(group + 1) << 32 | local node`.
  public let counts = PairTable()

  /// Creates a counter.
  public init(grouping: FrequencyGrouping, groupIndex: [String: Int]) {
    self.grouping = grouping
    self.groupIndex = groupIndex
  }

  /// Counts one document's kept tokens.
  public mutating func consume(_ tokens: DocumentTokens, of document: CorpusDocument) {
    switch grouping {
    case .corpus, .field:
      let name: String
      if case let .field(field) = grouping { name = document.metadata[field] ?? "" } else { name = "corpus" }
      guard let group = groupIndex[name] else { return }
      let high = UInt64(group + 1) << 32
      for node in tokens.nodes { counts.add(key: high | UInt64(UInt32(bitPattern: node)), 1) }
    case .speaker:
      var groupOfTurn: [UInt64] = []
      for turn in document.turns { groupOfTurn.append(UInt64((groupIndex[turn.speaker] ?? 0) + 1) << 32) }
      for (index, node) in tokens.nodes.enumerated() {
        counts.add(key: groupOfTurn[Int(tokens.turns[index])] | UInt64(UInt32(bitPattern: node)), 1)
      }
    }
  }
}
