import Foundation

/// Counts of unordered node pairs: an open-addressing hash table from a packed pair
/// (`low << 32 | high`, `low < high`) to a count, with linear probing.
///
/// Key 0 marks an empty slot; it is the pair (0, 0), which is never counted (no self pairs).
///
/// Pairs of two ids below `denseSide` are counted in a dense triangle instead (ids are given
/// in first-seen order, so frequent words have small ids and most pair occurrences land
/// there): no probing and a small, cache-friendly array.
///
/// - Complexity: O(1) expected per ``add(_:_:_:)``; the table doubles at 1/2 load.
public final class PairTable {
  private let denseSide: Int
  private let dense: UnsafeMutablePointer<UInt32>
  private var keys: UnsafeMutablePointer<UInt64>
  private var values: UnsafeMutablePointer<UInt32>
  private var capacity: Int
  private var shift: UInt64
  /// Distinct pairs stored in the hash part (dense pairs not included).
  public private(set) var count = 0

  /// Creates an empty table with room for about `expected` pairs, counting pairs of ids below
  /// `denseSide` in a dense array (`denseSide²` counters).
  public init(expected: Int = 1 << 12, denseSide: Int = 0) {
    self.denseSide = denseSide
    dense = .allocate(capacity: max(denseSide * denseSide, 1))
    dense.initialize(repeating: 0, count: max(denseSide * denseSide, 1))
    var capacity = 1 << 10
    while capacity < expected * 2 { capacity <<= 1 }
    self.capacity = capacity
    shift = UInt64(64 - capacity.trailingZeroBitCount)
    keys = .allocate(capacity: capacity)
    keys.initialize(repeating: 0, count: capacity)
    values = .allocate(capacity: capacity)
    values.initialize(repeating: 0, count: capacity)
  }

  deinit {
    dense.deallocate()
    keys.deallocate()
    values.deallocate()
  }

  /// Packs a pair in canonical order.
  @inline(__always)
  public static func key(_ first: Int32, _ second: Int32) -> UInt64 {
    first < second
      ? UInt64(UInt32(bitPattern: first)) << 32 | UInt64(UInt32(bitPattern: second))
      : UInt64(UInt32(bitPattern: second)) << 32 | UInt64(UInt32(bitPattern: first))
  }

  /// Adds `amount` to the count of the pair (`first`, `second`), `first != second`.
  @inline(__always)
  public func add(_ first: Int32, _ second: Int32, _ amount: UInt32 = 1) {
    let low = Int(min(first, second))
    let high = Int(max(first, second))
    if high < denseSide {
      dense[low &* denseSide &+ high] &+= amount
      return
    }
    add(key: UInt64(low) << 32 | UInt64(high), amount)
  }

  /// Adds `amount` to the count of a packed pair.
  @inline(__always)
  public func add(key: UInt64, _ amount: UInt32) {
    let mask = capacity - 1
    var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    while true {
      let stored = keys[slot]
      if stored == key {
        values[slot] &+= amount
        return
      }
      if stored == 0 {
        keys[slot] = key
        values[slot] = amount
        count += 1
        if count * 2 > capacity { grow() }
        return
      }
      slot = (slot + 1) & mask
    }
  }

  /// Calls `body` with every stored pair and count (dense pairs first, then slot order; not sorted).
  public func forEach(_ body: (UInt64, UInt32) -> Void) {
    for low in 0..<denseSide {
      let row = dense + low * denseSide
      for high in (low + 1)..<max(denseSide, low + 1) where row[high] != 0 {
        body(UInt64(low) << 32 | UInt64(high), row[high])
      }
    }
    for slot in 0..<capacity where keys[slot] != 0 { body(keys[slot], values[slot]) }
  }

  /// The count of a packed pair (0 when absent).
  public func value(key: UInt64) -> UInt32 {
    let low = Int(key >> 32)
    let high = Int(key & 0xFFFF_FFFF)
    if high < denseSide && low < high { return dense[low * denseSide + high] }
    let mask = capacity - 1
    var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    while true {
      let stored = keys[slot]
      if stored == key { return values[slot] }
      if stored == 0 { return 0 }
      slot = (slot + 1) & mask
    }
  }

  private func grow() {
    let oldKeys = keys
    let oldValues = values
    let oldCapacity = capacity
    capacity <<= 1
    shift -= 1
    keys = .allocate(capacity: capacity)
    keys.initialize(repeating: 0, count: capacity)
    values = .allocate(capacity: capacity)
    values.initialize(repeating: 0, count: capacity)
    let mask = capacity - 1
    for old in 0..<oldCapacity where oldKeys[old] != 0 {
      var slot = Int(truncatingIfNeeded: (oldKeys[old] &* 0x9E37_79B9_7F4A_7C15) >> shift)
      while keys[slot] != 0 { slot = (slot + 1) & mask }
      keys[slot] = oldKeys[old]
      values[slot] = oldValues[old]
    }
    oldKeys.deallocate()
    oldValues.deallocate()
  }
}

/// One worker's pair counter for the counting hot path. Pairs of two ids below 1,024 (first seen,
/// hence mostly frequent words) are counted in place in a dense triangle; other pair keys are
/// appended to a buffer (sequential writes, no cache misses), and each full buffer is
/// radix-sorted, run-length counted and merged into a sorted run of (pair, count). Ids at or
/// above 2^20 (a vocabulary beyond a million types in one worker) go to a ``PairTable``.
///
/// - Complexity: O(1) amortised per ``add(_:_:)``; each flush is linear in the buffer and the run.
public final class PairCounter {
  static let idBits = 20
  static let idLimit: Int32 = 1 << 20
  private let capacity: Int
  private let bufferStorage: LargeBuffer<UInt64>
  private var buffer: UnsafeMutablePointer<UInt64> { bufferStorage.base }
  private var scratchStorage: LargeBuffer<UInt64>?
  private var buffered = 0
  /// The buffer as ``forEach(_:)`` sorted it without merging it into the run (where the sort
  /// left it: the buffer or the scratch space); merged by the next flush.
  private var sortedTail: UnsafeMutablePointer<UInt64>?
  private var maximumID: Int32 = 0
  private var runKeys: [UInt64] = []
  private var runCounts: [UInt32] = []
  private var spareKeys: [UInt64] = []
  private var spareCounts: [UInt32] = []
  private let overflow = PairTable()
  /// Pairs of two ids below `denseSide` (the first-seen, hence mostly the most frequent,
  /// words) are counted in place in a dense triangle: no buffer, no sort.
  private let denseSide: Int
  private let denseStorage: LargeBuffer<UInt32>
  private var dense: UnsafeMutablePointer<UInt32> { denseStorage.base }

  /// Creates a counter whose buffer holds `capacity` pair occurrences (8 bytes each, plus as
  /// much scratch for sorting; pages are touched only as the buffer fills). Measured on 100 MB
  /// (window:4, stop words kept): 4 M entries spent a quarter of the time merging the growing
  /// run; 16 M against 8 M, the same on one worker, but 10 % slower on two (1.94 against
  /// 1.74 s median of 4 alternated runs): every worker's buffer and scratch are fresh pages,
  /// and the kernel zeroing them was a fifth of the run.
  public init(capacity: Int = 1 << 23, denseSide: Int = 1024) {
    self.capacity = capacity
    bufferStorage = LargeBuffer(count: capacity)
    self.denseSide = denseSide
    // Zero pages are handed out lazily, so a small corpus touches little of the triangle.
    denseStorage = LargeBuffer(count: denseSide * denseSide)
  }

  /// Counts one occurrence of the pair (`first`, `second`), `first != second`, both ≥ 0.
  @inline(__always)
  public func add(_ first: Int32, _ second: Int32) {
    if sortedTail != nil { flush() }
    let low = min(first, second)
    let high = max(first, second)
    if Int(high) < denseSide {
      dense[Int(low) &* denseSide &+ Int(high)] &+= 1
      return
    }
    if high >= Self.idLimit {
      overflow.add(low, high)
      return
    }
    if high > maximumID { maximumID = high }
    buffer[buffered] = UInt64(low) << UInt64(Self.idBits) | UInt64(high)
    buffered += 1
    if buffered == capacity { flush() }
  }

  /// Counts every pair of a window pass at once (the hot loop of `window:N`): token `i` pairs
  /// with each later token `j` of the same turn whose start is at most `ends[i] + size`, unless
  /// both are the same node. The same counts as ``add(_:_:)`` on each pair, with the buffer's
  /// fill level and pointers held in registers for the whole pass.
  func addWindows(
    nodes: UnsafeBufferPointer<Int32>, turns: UnsafeBufferPointer<Int32>, starts: UnsafeBufferPointer<Int32>,
    ends: UnsafeBufferPointer<Int32>, size: Int32
  ) {
    if sortedTail != nil { flush() }
    let count = nodes.count
    let buffer = self.buffer
    let dense = self.dense
    let denseSide = self.denseSide
    let capacity = self.capacity
    var buffered = self.buffered
    var maximumID = self.maximumID
    for i in 0..<count {
      let node = nodes[i]
      let turn = turns[i]
      let limit = ends[i] &+ size
      var j = i &+ 1
      while j < count && turns[j] == turn && starts[j] <= limit {
        let other = nodes[j]
        j &+= 1
        if other == node { continue }
        let low = min(node, other)
        let high = max(node, other)
        if Int(high) < denseSide {
          dense[Int(low) &* denseSide &+ Int(high)] &+= 1
        } else if high >= Self.idLimit {
          overflow.add(low, high)
        } else {
          if high > maximumID { maximumID = high }
          buffer[buffered] = UInt64(UInt32(low)) &<< UInt64(Self.idBits) | UInt64(UInt32(high))
          buffered &+= 1
          if buffered == capacity {
            self.buffered = buffered
            self.maximumID = maximumID
            flush()
            buffered = self.buffered
          }
        }
      }
    }
    self.buffered = buffered
    self.maximumID = maximumID
  }

  /// Calls `body` with every pair (`low << 32 | high`) and its count.
  ///
  /// The last buffer is sorted but not merged into the run (the merge of the workers sums equal
  /// pairs anyway): a pair may come twice, once from the run and once from that tail.
  public func forEach(_ body: (UInt64, UInt32) -> Void) {
    if buffered > 0 && sortedTail == nil { sortedTail = sortBuffer() }
    for low in 0..<denseSide {
      let row = dense + low * denseSide
      for high in (low + 1)..<max(denseSide, low + 1) where row[high] != 0 {
        body(UInt64(low) << 32 | UInt64(high), row[high])
      }
    }
    let mask = UInt64(1 << Self.idBits) - 1
    for index in runKeys.indices {
      let key = runKeys[index]
      body((key >> UInt64(Self.idBits)) << 32 | (key & mask), runCounts[index])
    }
    if let tail = sortedTail {
      var index = 0
      while index < buffered {
        let key = tail[index]
        var count: UInt32 = 0
        while index < buffered && tail[index] == key {
          count &+= 1
          index += 1
        }
        body((key >> UInt64(Self.idBits)) << 32 | (key & mask), count)
      }
    }
    overflow.forEach(body)
  }

  /// Distinct pairs counted so far (after a flush of the buffer).
  public var count: Int {
    flush()
    var denseCount = 0
    for index in 0..<(denseSide * denseSide) where dense[index] != 0 { denseCount += 1 }
    return denseCount + runKeys.count + overflow.count
  }

  /// Sorts the buffer (LSD radix sort, at most 12 bits a pass, with a scratch space as large as
  /// the buffer); returns where the sorted keys are.
  private func sortBuffer() -> UnsafeMutablePointer<UInt64> {
    let bits = Self.idBits + (Int32.bitWidth - maximumID.leadingZeroBitCount)
    if scratchStorage == nil { scratchStorage = LargeBuffer(count: capacity) }
    return RadixSort.sortByLowBits(
      keys: buffer, values: nil, count: buffered, bits: bits, scratchKeys: scratchStorage!.base, scratchValues: nil)
  }

  private func flush() {
    guard buffered > 0 else { return }
    let source = sortedTail ?? sortBuffer()
    sortedTail = nil
    do {
      // Run-length count the sorted buffer, then merge it into the run (into the spare arrays,
      // which then swap with the run: no allocation once they are large enough).
      var keys = spareKeys
      var counts = spareCounts
      spareKeys = []
      spareCounts = []
      keys.removeAll(keepingCapacity: true)
      counts.removeAll(keepingCapacity: true)
      // Reserve what the merge can produce, no more: the arrays are fresh pages the kernel
      // must zero, and a flush's buffer holds several occurrences of most pairs.
      var distinct = 1
      for index in 1..<buffered where source[index] != source[index - 1] { distinct += 1 }
      keys.reserveCapacity(runKeys.count + distinct)
      counts.reserveCapacity(runKeys.count + distinct)
      var index = 0
      var runIndex = 0
      while index < buffered || runIndex < runKeys.count {
        let next: UInt64
        if index < buffered && (runIndex == runKeys.count || source[index] <= runKeys[runIndex]) {
          next = source[index]
        } else {
          next = runKeys[runIndex]
        }
        var total: UInt32 = 0
        while index < buffered && source[index] == next {
          total &+= 1
          index += 1
        }
        if runIndex < runKeys.count && runKeys[runIndex] == next {
          total &+= runCounts[runIndex]
          runIndex += 1
        }
        keys.append(next)
        counts.append(total)
      }
      swap(&runKeys, &keys)
      swap(&runCounts, &counts)
      spareKeys = keys
      spareCounts = counts
    }
    buffered = 0
  }
}
