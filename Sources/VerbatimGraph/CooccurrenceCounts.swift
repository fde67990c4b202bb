import Foundation

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
    for (worker, counter) in scan.consumers.enumerated() {
      let map = scan.nodes.localToGlobal[worker]
      for (local, frequency) in counter.unitFrequency.enumerated() { margins[Int(map[local])] += frequency }
      units += counter.units
    }
    let (sources, targets, counts) = PairMerge.sortedPairs(scan)
    let pairOccurrences = counts.reduce(0, +)
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
    tokens.nodes.withUnsafeBufferPointer { nodes in
      tokens.turns.withUnsafeBufferPointer { turns in
        tokens.startPositions.withUnsafeBufferPointer { starts in
          tokens.endPositions.withUnsafeBufferPointer { ends in
            pairs.addWindows(nodes: nodes, turns: turns, starts: starts, ends: ends, size: size)
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

/// Every worker's pairs in global ids, summed and sorted by (source, target), on as many
/// threads as there were workers. Each worker's pairs are packed `low × nodeCount + high` and
/// counted per bucket of their top bits (256 buckets), then, in a second pass, written straight
/// into the worker's stretch of each bucket; each bucket is radix-sorted on the remaining bits
/// and run-length summed on its own, and the buckets are joined in order. Neither the workers'
/// order nor the threads can show in the result.
enum PairMerge {
  /// Calls `body` with each pair of a worker, packed `low × width + high` in global ids.
  static func forEachPacked(
    _ scan: CorpusScan<CooccurrenceCounter>, worker: Int, width: UInt64, _ body: (UInt64, UInt32) -> Void
  ) {
    let map = scan.nodes.localToGlobal[worker]
    scan.consumers[worker].pairs.forEach { key, count in
      let first = UInt64(map[Int(key >> 32)])
      let second = UInt64(map[Int(key & 0xFFFF_FFFF)])
      body(first < second ? first * width + second : second * width + first, count)
    }
  }

  static func sortedPairs(_ scan: CorpusScan<CooccurrenceCounter>) -> (sources: [Int32], targets: [Int32], counts: [Int]) {
    let threads = max(1, scan.consumers.count)
    let width = UInt64(scan.nodes.keys.count)
    let bits = max(1, UInt64.bitWidth - (width * width).leadingZeroBitCount)
    let topBits = min(8, bits)
    let lowBits = bits - topBits
    let bucketCount = 1 << topBits
    // 1. Count each worker's pairs per bucket (bucket b holds the packed keys whose top bits
    //    are b), one worker per thread.
    let workerCount = scan.consumers.count
    let shared = UncheckedBox(scan)
    let histograms = WorkerResults<[Int]>(count: workerCount)
    DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
      var histogram = [Int](repeating: 0, count: bucketCount)
      forEachPacked(shared.value, worker: worker, width: width) { packed, _ in
        histogram[Int(packed >> UInt64(lowBits))] += 1
      }
      histograms[worker] = histogram
    }
    // 2. Each worker writes its keys straight into its own stretch of each bucket (buckets in
    //    order, workers in order inside a bucket), in parallel: no per-worker copy.
    var starts = [Int](repeating: 0, count: bucketCount + 1)
    var offsets = [[Int]](repeating: [], count: workerCount)
    for bucket in 0..<bucketCount {
      var position = starts[bucket]
      for worker in 0..<workerCount {
        if bucket == 0 { offsets[worker] = [Int](repeating: 0, count: bucketCount) }
        offsets[worker][bucket] = position
        position += histograms[worker]![bucket]
      }
      starts[bucket + 1] = position
    }
    let total = starts[bucketCount]
    let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(total, 1))
    let values = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: max(total, 1))
    defer {
      keys.deallocate()
      values.deallocate()
    }
    let destinations = UncheckedBox((keys: keys, values: values, offsets: offsets))
    DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
      let (keys, values, offsets) = destinations.value
      var next = offsets[worker]
      forEachPacked(shared.value, worker: worker, width: width) { packed, count in
        let bucket = Int(packed >> UInt64(lowBits))
        keys[next[bucket]] = packed
        values[next[bucket]] = count
        next[bucket] += 1
      }
    }
    // 3. Sort each bucket on its own (buckets dealt to threads by stride), leave it sorted in
    //    place and count its distinct pairs.
    var distinct = [Int](repeating: 0, count: bucketCount)
    let buffers = UncheckedBox((keys: keys, values: values, starts: starts))
    distinct.withUnsafeMutableBufferPointer { distinctBuffer in
      let distinctCounts = UncheckedBox(distinctBuffer)
      DispatchQueue.concurrentPerform(iterations: threads) { thread in
        let (keys, values, starts) = buffers.value
        var largest = 0
        for bucket in stride(from: thread, to: bucketCount, by: threads) {
          largest = max(largest, starts[bucket + 1] - starts[bucket])
        }
        let scratchKeys = UnsafeMutablePointer<UInt64>.allocate(capacity: max(largest, 1))
        let scratchValues = UnsafeMutablePointer<UInt32>.allocate(capacity: max(largest, 1))
        defer {
          scratchKeys.deallocate()
          scratchValues.deallocate()
        }
        for bucket in stride(from: thread, to: bucketCount, by: threads) {
          let start = starts[bucket]
          let count = starts[bucket + 1] - start
          guard count > 0, let keyBase = keys.baseAddress, let valueBase = values.baseAddress else { continue }
          let sorted = RadixSort.sortByLowBits(
            keys: keyBase + start, values: valueBase + start, count: count, bits: lowBits,
            scratchKeys: scratchKeys, scratchValues: scratchValues)
          if sorted != keyBase + start {  // back from the scratch space (in cache: cheap)
            (keyBase + start).update(from: scratchKeys, count: count)
            (valueBase + start).update(from: scratchValues, count: count)
          }
          var pairs = 1
          for index in (start + 1)..<(start + count) where keys[index] != keys[index - 1] { pairs += 1 }
          distinctCounts.value[bucket] = pairs
        }
      }
    }
    // 4. Sum each bucket's runs straight into the result, at the bucket's offset (no per-bucket
    //    arrays to join).
    var runningStarts = [Int](repeating: 0, count: bucketCount + 1)
    for bucket in 0..<bucketCount { runningStarts[bucket + 1] = runningStarts[bucket] + distinct[bucket] }
    let outputStarts = runningStarts
    let pairCount = outputStarts[bucketCount]
    // The result's pages are first touched by the threads that fill them.
    var targets: [Int32] = []
    var counts: [Int] = []
    let sources = [Int32](unsafeUninitializedCapacity: pairCount) { sourceBuffer, sourceCount in
      targets = [Int32](unsafeUninitializedCapacity: pairCount) { targetBuffer, targetCount in
        counts = [Int](unsafeUninitializedCapacity: pairCount) { countBuffer, countCount in
          let outputs = UncheckedBox((sources: sourceBuffer, targets: targetBuffer, counts: countBuffer))
          DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let (keys, values, starts) = buffers.value
            let (sources, targets, counts) = outputs.value
            for bucket in stride(from: thread, to: bucketCount, by: threads) {
              var index = starts[bucket]
              let end = starts[bucket + 1]
              var output = outputStarts[bucket]
              while index < end {
                let key = keys[index]
                var sum = 0
                while index < end && keys[index] == key {
                  sum += Int(values[index])
                  index += 1
                }
                sources.initializeElement(at: output, to: Int32(truncatingIfNeeded: key / width))
                targets.initializeElement(at: output, to: Int32(truncatingIfNeeded: key % width))
                counts.initializeElement(at: output, to: sum)
                output += 1
              }
            }
          }
          countCount = pairCount
        }
        targetCount = pairCount
      }
      sourceCount = pairCount
    }
    return (sources, targets, counts)
  }
}
