/// Counts of unordered node pairs: an open-addressing hash table from a packed pair
/// (`low << 32 | high`, `low < high`) to a count, with linear probing.
///
/// Key 0 marks an empty slot; it is the pair (0, 0), which is never counted (no self pairs).
///
/// - Complexity: O(1) expected per ``add(_:_:_:)``; the table doubles at 1/2 load.
public final class PairTable {
  private var keys: UnsafeMutablePointer<UInt64>
  private var values: UnsafeMutablePointer<UInt32>
  private var capacity: Int
  private var shift: UInt64
  /// Distinct pairs stored.
  public private(set) var count = 0

  /// Creates an empty table with room for about `expected` pairs.
  public init(expected: Int = 1 << 12) {
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
    add(key: Self.key(first, second), amount)
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

  /// Calls `body` with every stored pair and count, in slot order (not sorted).
  public func forEach(_ body: (UInt64, UInt32) -> Void) {
    for slot in 0..<capacity where keys[slot] != 0 { body(keys[slot], values[slot]) }
  }

  /// The pairs sorted by key (that is by low id, then high id), with their counts.
  public func sorted() -> (keys: [UInt64], counts: [UInt32]) {
    var packed: [UInt64] = []
    packed.reserveCapacity(count)
    for slot in 0..<capacity where keys[slot] != 0 { packed.append(keys[slot]) }
    packed.sort()
    var counts: [UInt32] = []
    counts.reserveCapacity(count)
    for key in packed { counts.append(value(key: key)) }
    return (packed, counts)
  }

  /// The count of a packed pair (0 when absent).
  public func value(key: UInt64) -> UInt32 {
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
