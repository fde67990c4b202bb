import Testing
import VerbatimTestSupport
@testable import VerbatimGraph

@Suite struct PairCounterTests {
  /// The radix sort on the low bits (flushes and the merge's buckets), against Swift's sort of
  /// (key, value) pairs: one to four 11-bit passes (even and odd counts: either buffer).
  @Test(arguments: [1, 11, 12, 22, 24, 33, 40])
  func lowBitSortEqualsSwiftSort(bits: Int) {
    var random = SplitMix64(seed: UInt64(bits))
    let count = 3000
    var keys = (0..<count).map { _ in random.next() & ((1 << UInt64(bits)) - 1) }
    var values = (0..<count).map { _ in UInt32(truncatingIfNeeded: random.next()) }
    let expected = zip(keys, values).sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
    var scratchKeys = [UInt64](repeating: 0, count: count)
    var scratchValues = [UInt32](repeating: 0, count: count)
    keys.withUnsafeMutableBufferPointer { keyBuffer in
      values.withUnsafeMutableBufferPointer { valueBuffer in
        scratchKeys.withUnsafeMutableBufferPointer { otherKeys in
          scratchValues.withUnsafeMutableBufferPointer { otherValues in
            let sorted = RadixSort.sortByLowBits(
              keys: keyBuffer.baseAddress!, values: valueBuffer.baseAddress, count: count, bits: bits,
              scratchKeys: otherKeys.baseAddress!, scratchValues: otherValues.baseAddress)
            if sorted != keyBuffer.baseAddress! {  // the result is in the scratch arrays
              keyBuffer.baseAddress!.update(from: otherKeys.baseAddress!, count: count)
              valueBuffer.baseAddress!.update(from: otherValues.baseAddress!, count: count)
            }
          }
        }
      }
    }
    #expect(keys == expected.map(\.0))
    // A stable sort keeps equal keys in input order; compare values as multisets per key.
    var byKey: [UInt64: [UInt32]] = [:]
    for (key, value) in zip(keys, values) { byKey[key, default: []].append(value) }
    for (key, group) in byKey { #expect(group.sorted() == expected.filter { $0.0 == key }.map(\.1).sorted()) }
  }

  /// Seeded random pairs (some ids beyond 2^20, forcing the overflow table), a buffer of 64 so
  /// that flushes and run merges happen often: counts equal a dictionary's.
  @Test(arguments: [1, 2, 3] as [UInt64])
  func countsEqualADictionary(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let counter = PairCounter(capacity: 64, denseSide: 8)
    let table = PairTable(expected: 16, denseSide: 8)
    var expected: [UInt64: UInt32] = [:]
    for _ in 0..<5000 {
      let a = Int32(random.next(below: 40)) + (random.next(below: 50) == 0 ? 1 << 20 : 0)
      var b = Int32(random.next(below: 40))
      if a == b { b += 1 }
      counter.add(a, b)
      table.add(a, b)
      expected[UInt64(min(a, b)) << 32 | UInt64(max(a, b)), default: 0] += 1
    }
    var found: [UInt64: UInt32] = [:]
    counter.forEach { key, count in found[key, default: 0] += count }
    #expect(found == expected)
    var fromTable: [UInt64: UInt32] = [:]
    table.forEach { key, count in fromTable[key, default: 0] += count }
    #expect(fromTable == expected)
    #expect(counter.count == expected.count)
  }

  /// `forEach` leaves the last buffer sorted but unmerged (a pair may come twice: run and tail);
  /// adding after it merges that tail first, through both adding paths (`add` and a window
  /// pass), and the sums still equal a dictionary's after every round.
  @Test func addingAfterForEachLosesNothing() {
    var random = SplitMix64(seed: 11)
    let counter = PairCounter(capacity: 50, denseSide: 4)
    var expected: [UInt64: UInt32] = [:]
    for round in 0..<6 {
      if round % 2 == 0 {
        for _ in 0..<(37 * (round + 1)) {
          let a = Int32(random.next(below: 30))
          var b = Int32(random.next(below: 30))
          if a == b { b += 1 }
          counter.add(a, b)
          expected[UInt64(min(a, b)) << 32 | UInt64(max(a, b)), default: 0] += 1
        }
      } else {
        let nodes = (0..<60).map { _ in Int32(random.next(below: 30)) }
        let positions = (0..<60).map { Int32($0) }
        let turns = [Int32](repeating: 0, count: 60)
        nodes.withUnsafeBufferPointer { nodeBuffer in
          turns.withUnsafeBufferPointer { turnBuffer in
            positions.withUnsafeBufferPointer { positionBuffer in
              counter.addWindows(
                nodes: nodeBuffer, turns: turnBuffer, starts: positionBuffer, ends: positionBuffer, size: 3)
            }
          }
        }
        for i in 0..<60 {
          for j in (i + 1)..<min(60, i + 4) where nodes[i] != nodes[j] {
            expected[UInt64(min(nodes[i], nodes[j])) << 32 | UInt64(max(nodes[i], nodes[j])), default: 0] += 1
          }
        }
      }
      var found: [UInt64: UInt32] = [:]
      counter.forEach { key, count in found[key, default: 0] += count }
      #expect(found == expected, "round \(round)")
    }
    #expect(counter.count == expected.count)
  }
}

@Suite struct TermSlotTests {
  /// The 8-byte slot keeps the stop flag apart from its 31-bit count, and hands the count over
  /// when it is full (the worker adds it to its spill table): no token is lost past 2^31.
  @Test(arguments: [false, true])
  func aFullCountSpillsAndKeepsTheStopFlag(isStop: Bool) {
    var slot = TermSlot(node: 7, isStop: isStop, frequency: 0x7FFF_FFFD)
    #expect(slot.countOne() == 0)
    #expect(slot.frequency == 0x7FFF_FFFE)
    #expect(slot.countOne() == 0x7FFF_FFFF)
    #expect(slot.frequency == 0)
    #expect(slot.isStop == isStop)
    #expect(slot.node == 7)
    #expect(slot.countOne() == 0)
    #expect(slot.frequency == 1)
  }

  /// Sorting a buffer whose high digit is the same in every key skips that pass; the result is
  /// still sorted, in whichever buffer the remaining passes leave it.
  @Test func aSharedDigitIsSkipped() {
    var random = SplitMix64(seed: 9)
    let count = 2000
    var keys = (0..<count).map { _ in (random.next() & 0xFFF) | (0x5 << 24) }
    var scratch = [UInt64](repeating: 0, count: count)
    let expected = keys.sorted()
    var result: [UInt64] = []
    keys.withUnsafeMutableBufferPointer { keyBuffer in
      scratch.withUnsafeMutableBufferPointer { scratchBuffer in
        let sorted = RadixSort.sortByLowBits(
          keys: keyBuffer.baseAddress!, values: nil, count: count, bits: 36,
          scratchKeys: scratchBuffer.baseAddress!, scratchValues: nil)
        result = Array(UnsafeBufferPointer(start: sorted, count: count))
      }
    }
    #expect(result == expected)
  }
}
