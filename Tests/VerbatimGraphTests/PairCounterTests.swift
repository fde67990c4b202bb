import Testing
import VerbatimTestSupport
@testable import VerbatimGraph

@Suite struct PairCounterTests {
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

  @Test func radixSortSortsKeysWithValues() {
    var random = SplitMix64(seed: 9)
    var keys = (0..<1000).map { _ in random.next() % 1_000_000_007 }
    var values = keys.map { UInt32(truncatingIfNeeded: $0 &* 3) }
    radixSort(&keys, &values, maximum: 1_000_000_007)
    #expect(keys == keys.sorted())
    #expect(zip(keys, values).allSatisfy { UInt32(truncatingIfNeeded: $0 &* 3) == $1 })
  }
}
