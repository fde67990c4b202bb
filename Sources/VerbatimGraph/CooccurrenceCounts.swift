/// Exact co-occurrence counts of a corpus: every node, every pair that co-occurs, and the
/// margins of each pair's 2×2 table.
///
/// The 2×2 table of a pair (j, k) (``ContingencyTable``):
/// - unit scopes (sentence, segment, turn, document): `n` = units, `a` = units holding both,
///   `a + b` = units holding j, `a + c` = units holding k (IRaMuTeQ's similitude matrix);
/// - windows: the sample is the co-occurrence pairs read in both directions (the symmetric
///   `fcm`), so `n` = 2 × pair occurrences, `a` = pair occurrences of (j, k), `a + b` = pair
///   occurrences involving j (its row sum), `a + c` = those involving k.
public struct CooccurrenceCounts: Sendable {
  /// How pairs were counted.
  public var scope: CooccurrenceScope
  /// Node keys (stems, terms or phrases), sorted bytewise; the node id is the index.
  public var keys: [String]
  /// Node labels (most frequent term, or the phrase).
  public var labels: [String]
  /// Kept-token count per node.
  public var frequencies: [Int]
  /// The margin of each node: units holding it (unit scopes) or pair occurrences involving it (windows).
  public var margins: [Int]
  /// `n` of every 2×2 table.
  public var sampleSize: Int
  /// Pair sources (lower node id), sorted by (source, target).
  public var sources: [Int32]
  /// Pair targets (higher node id).
  public var targets: [Int32]
  /// Pair counts (`a`).
  public var counts: [Int]
  /// Documents counted.
  public var documentCount: Int
  /// Kept tokens counted.
  public var tokenCount: Int
  /// Bytes of text analysed.
  public var byteCount: Int

  /// The 2×2 table of pair `index`.
  public func table(ofPair index: Int) -> ContingencyTable {
    ContingencyTable(
      cooccurrences: counts[index], first: margins[Int(sources[index])], second: margins[Int(targets[index])],
      total: sampleSize)
  }

  /// Counts co-occurrences over `documents` on `jobs` workers; the result does not depend on `jobs`.
  ///
  /// - Throws: ``GraphError/scopeUnavailable(scope:reason:)`` for sentence or segment scopes over
  ///   plain files, or the scan's errors (invalid UTF-8, analysis).
  public static func count(
    _ documents: [CorpusDocument], scope: CooccurrenceScope, options: NodeOptions = NodeOptions(), jobs: Int
  ) throws(GraphError) -> CooccurrenceCounts {
    var needs: UnitNeeds = []
    switch scope {
    case .sentence: needs = .sentences
    case .segment: needs = .segments
    default: break
    }
    if !needs.isEmpty, documents.contains(where: { !$0.hasUnits }) {
      throw .scopeUnavailable(
        scope: scope.description,
        reason: "plain files have no stored sentences or segments; import them into a project, or use window:N, turn or document")
    }
    let scan = try CorpusTokens.scan(documents, options: options, needs: needs, jobs: jobs) {
      CooccurrenceCounter(scope: scope)
    }
    return merge(scan, scope: scope, documentCount: documents.count)
  }

  static func merge(_ scan: CorpusScan<CooccurrenceCounter>, scope: CooccurrenceScope, documentCount: Int)
    -> CooccurrenceCounts
  {
    let nodeCount = scan.nodes.keys.count
    var margins = [Int](repeating: 0, count: nodeCount)
    var units = 0
    // Every worker's pairs in global ids, packed `low × nodeCount + high`, then one radix sort
    // and a run-length sum: the order of workers and slots cannot show in the result.
    var packed: [UInt64] = []
    var values: [UInt32] = []
    let pairTotal = scan.consumers.reduce(0) { $0 + $1.pairs.count }
    packed.reserveCapacity(pairTotal)
    values.reserveCapacity(pairTotal)
    let width = UInt64(nodeCount)
    for (worker, counter) in scan.consumers.enumerated() {
      let map = scan.nodes.localToGlobal[worker]
      counter.pairs.forEach { key, count in
        let first = UInt64(map[Int(key >> 32)])
        let second = UInt64(map[Int(key & 0xFFFF_FFFF)])
        packed.append(first < second ? first * width + second : second * width + first)
        values.append(count)
      }
      for (local, frequency) in counter.unitFrequency.enumerated() { margins[Int(map[local])] += frequency }
      units += counter.units
    }
    radixSort(&packed, &values, maximum: width * width)
    var sources: [Int32] = []
    var targets: [Int32] = []
    var counts: [Int] = []
    sources.reserveCapacity(packed.count)
    targets.reserveCapacity(packed.count)
    counts.reserveCapacity(packed.count)
    var pairOccurrences = 0
    var index = 0
    while index < packed.count {
      let key = packed[index]
      var sum = 0
      while index < packed.count && packed[index] == key {
        sum += Int(values[index])
        index += 1
      }
      sources.append(Int32(key / width))
      targets.append(Int32(key % width))
      counts.append(sum)
      pairOccurrences += sum
    }
    var sampleSize = units
    if !scope.isUnitScope {
      margins = [Int](repeating: 0, count: nodeCount)
      for index in 0..<counts.count {
        margins[Int(sources[index])] += counts[index]
        margins[Int(targets[index])] += counts[index]
      }
      sampleSize = 2 * pairOccurrences
    }
    return CooccurrenceCounts(
      scope: scope, keys: scan.nodes.keys, labels: scan.nodes.labels, frequencies: scan.nodes.frequencies,
      margins: margins, sampleSize: sampleSize, sources: sources, targets: targets, counts: counts,
      documentCount: documentCount, tokenCount: scan.tokenCount, byteCount: scan.byteCount)
  }
}

/// One worker's co-occurrence accumulator (local node ids).
public struct CooccurrenceCounter: TokenConsumer {
  /// How pairs are counted.
  public let scope: CooccurrenceScope
  /// Pair counts in local ids.
  public let pairs = PairCounter()
  /// Units holding each local node (unit scopes).
  public private(set) var unitFrequency: [Int] = []
  /// Units seen (unit scopes).
  public private(set) var units = 0
  private var scratch: [Int32] = []

  /// Creates a counter.
  public init(scope: CooccurrenceScope) { self.scope = scope }

  /// Counts one document.
  public mutating func consume(_ tokens: DocumentTokens, of document: CorpusDocument) {
    switch scope {
    case let .window(size): countWindows(tokens, size: Int32(size))
    case .sentence:
      units += document.sentences.count
      countUnits(tokens.nodes, unitOf: tokens.sentences)
    case .segment:
      units += document.segments.count
      countUnits(tokens.nodes, unitOf: tokens.segments)
    case .turn:
      units += document.turns.count
      countUnits(tokens.nodes, unitOf: tokens.turns)
    case .document:
      units += 1
      countUnits(tokens.nodes, unitOf: nil)
    }
  }

  private func countWindows(_ tokens: DocumentTokens, size: Int32) {
    let count = tokens.nodes.count
    tokens.nodes.withUnsafeBufferPointer { nodes in
      tokens.turns.withUnsafeBufferPointer { turns in
        tokens.startPositions.withUnsafeBufferPointer { starts in
          tokens.endPositions.withUnsafeBufferPointer { ends in
            for i in 0..<count {
              let node = nodes[i]
              let turn = turns[i]
              let limit = ends[i] + size
              var j = i + 1
              while j < count && turns[j] == turn && starts[j] <= limit {
                if nodes[j] != node { pairs.add(node, nodes[j]) }
                j += 1
              }
            }
          }
        }
      }
    }
  }

  private mutating func countUnits(_ nodes: [Int32], unitOf: [Int32]?) {
    var start = 0
    while start < nodes.count {
      var end = start + 1
      let unit = unitOf?[start] ?? 0
      while end < nodes.count && (unitOf?[end] ?? 0) == unit { end += 1 }
      if unit >= 0 { countUnit(nodes[start..<end]) }
      start = end
    }
  }

  private mutating func countUnit(_ nodes: ArraySlice<Int32>) {
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: nodes)
    scratch.sort()
    var write = 0
    for read in 0..<scratch.count where read == 0 || scratch[read] != scratch[read - 1] {
      scratch[write] = scratch[read]
      write += 1
    }
    if let highest = scratch[..<write].last, Int(highest) >= unitFrequency.count {
      unitFrequency.append(contentsOf: repeatElement(0, count: Int(highest) + 1 - unitFrequency.count))
    }
    for i in 0..<write {
      unitFrequency[Int(scratch[i])] += 1
      for j in (i + 1)..<max(write, i + 1) { pairs.add(scratch[i], scratch[j]) }
    }
  }
}
