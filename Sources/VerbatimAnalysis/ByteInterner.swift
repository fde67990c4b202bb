/// Hashes a byte string, eight bytes at a time (a multiply-xorshift mix in the manner of
/// SplitMix64's finaliser). Not cryptographic; stable across runs and platforms.
@inline(__always)
func hashBytes(_ pointer: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
  var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
  var index = 0
  while index + 8 <= count {
    let word = UnsafeRawPointer(pointer + index).loadUnaligned(as: UInt64.self)
    hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
    hash ^= hash >> 29
    index += 8
  }
  if index < count {
    var word: UInt64 = 0
    var shift: UInt64 = 0
    while index < count {
      word |= UInt64(pointer[index]) << shift
      shift += 8
      index += 1
    }
    hash = (hash ^ word) &* 0x94D0_49BB_1331_11EB
  }
  return finalizeHash(hash)
}

/// MurmurHash3's 64-bit finaliser (`fmix64`): every input bit reaches the low (slot) bits.
@inline(__always)
func finalizeHash(_ value: UInt64) -> UInt64 {
  var hash = value
  hash ^= hash >> 33
  hash = hash &* 0xFF51_AFD7_ED55_8CCD
  hash ^= hash >> 33
  hash = hash &* 0xC4CE_B9FE_1A85_EC53
  hash ^= hash >> 33
  return hash
}

/// An interning table: byte strings in, dense `Int32` ids out, in first-seen order.
///
/// Open addressing with linear probing over a power-of-two slot array; keys live in one
/// growing arena. Manual memory so the hot path has no bounds or uniqueness checks.
///
/// - Complexity: expected O(*k*) per lookup or insertion of a *k*-byte key.
final class ByteInterner {
  /// Slot: the hash's high 32 bits, then id + 1 in the low 32 bits; 0 means empty.
  private var slots: UnsafeMutablePointer<UInt64>
  private var slotMask: Int
  private var hashes: UnsafeMutablePointer<UInt64>
  private var offsets: UnsafeMutablePointer<Int>
  private var lengths: UnsafeMutablePointer<Int32>
  /// A caller-defined 64-bit payload per key (e.g. a term id and a stem id).
  private(set) var values: UnsafeMutablePointer<UInt64>
  private var entryCapacity: Int
  private var arena: UnsafeMutablePointer<UInt8>
  private var arenaCapacity: Int
  private var arenaCount = 0
  /// The number of distinct keys.
  private(set) var count = 0

  init(initialCapacity: Int = 1024) {
    var slotCount = 16
    while slotCount < initialCapacity * 2 { slotCount <<= 1 }
    slots = .allocate(capacity: slotCount)
    slots.initialize(repeating: 0, count: slotCount)
    slotMask = slotCount - 1
    entryCapacity = max(initialCapacity, 8)
    hashes = .allocate(capacity: entryCapacity)
    values = .allocate(capacity: entryCapacity)
    offsets = .allocate(capacity: entryCapacity)
    lengths = .allocate(capacity: entryCapacity)
    arenaCapacity = entryCapacity * 8
    arena = .allocate(capacity: arenaCapacity)
  }

  deinit {
    slots.deallocate()
    hashes.deallocate()
    offsets.deallocate()
    lengths.deallocate()
    values.deallocate()
    arena.deallocate()
  }

  /// Bytes held by the table, for memory budgets.
  var memoryFootprint: Int {
    (slotMask + 1) * 8 + entryCapacity * (8 + 8 + 4 + 8) + arenaCapacity
  }

  /// Removes every key (ids restart at 0), keeping the allocations.
  func removeAll() {
    slots.update(repeating: 0, count: slotMask + 1)
    count = 0
    arenaCount = 0
  }

  /// Compares `length` bytes at two addresses, eight at a time.
  @inline(__always)
  private static func equalBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
    var index = 0
    while index + 8 <= length {
      if UnsafeRawPointer(a + index).loadUnaligned(as: UInt64.self)
        != UnsafeRawPointer(b + index).loadUnaligned(as: UInt64.self)
      {
        return false
      }
      index += 8
    }
    while index < length {
      if a[index] != b[index] { return false }
      index += 1
    }
    return true
  }

  /// The id of the key, or -1.
  @inline(__always)
  func find(_ key: UnsafePointer<UInt8>, _ length: Int, hash: UInt64) -> Int32 {
    let tag = hash & 0xFFFF_FFFF_0000_0000
    var slot = Int(truncatingIfNeeded: hash) & slotMask
    while true {
      let entry = slots[slot]
      if entry == 0 { return -1 }
      if entry & 0xFFFF_FFFF_0000_0000 == tag {
        let id = Int(entry & 0xFFFF_FFFF) - 1
        if Int(lengths[id]) == length && Self.equalBytes(arena + offsets[id], key, length) {
          return Int32(id)
        }
      }
      slot = (slot + 1) & slotMask
    }
  }

  /// The id of the key, inserting it when new; `isNew` tells which.
  @inline(__always)
  func intern(_ key: UnsafePointer<UInt8>, _ length: Int, hash: UInt64, isNew: inout Bool) -> Int32 {
    let tag = hash & 0xFFFF_FFFF_0000_0000
    var slot = Int(truncatingIfNeeded: hash) & slotMask
    while true {
      let entry = slots[slot]
      if entry == 0 { break }
      if entry & 0xFFFF_FFFF_0000_0000 == tag {
        let id = Int(entry & 0xFFFF_FFFF) - 1
        if Int(lengths[id]) == length && Self.equalBytes(arena + offsets[id], key, length) {
          isNew = false
          return Int32(id)
        }
      }
      slot = (slot + 1) & slotMask
    }
    isNew = true
    return insert(key, length, hash: hash, slot: slot)
  }

  /// Sets the payload of key `id`.
  @inline(__always)
  func setValue(_ value: UInt64, for id: Int32) { values[Int(id)] = value }

  /// Interns a key given as a buffer.
  func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
    var isNew = false
    guard let base = key.baseAddress, key.count > 0 else {
      var empty: UInt8 = 0
      return withUnsafePointer(to: &empty) { pointer in
        intern(pointer, 0, hash: hashBytes(pointer, 0), isNew: &isNew)
      }
    }
    return intern(base, key.count, hash: hashBytes(base, key.count), isNew: &isNew)
  }

  private func insert(_ key: UnsafePointer<UInt8>, _ length: Int, hash: UInt64, slot: Int) -> Int32 {
    if count == entryCapacity { growEntries() }
    if arenaCount + length > arenaCapacity { growArena(minimum: arenaCount + length) }
    let id = count
    (arena + arenaCount).update(from: key, count: length)
    offsets[id] = arenaCount
    lengths[id] = Int32(length)
    hashes[id] = hash
    values[id] = 0
    arenaCount += length
    count += 1
    slots[slot] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1)
    if count * 2 > slotMask + 1 { growSlots() }
    return Int32(id)
  }

  /// The bytes of key `id`; valid until the next insertion.
  @inline(__always)
  func bytes(_ id: Int32) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: arena + offsets[Int(id)], count: Int(lengths[Int(id)]))
  }

  /// The key `id` as a String (keys are UTF-8).
  func string(_ id: Int32) -> String {
    String(decoding: bytes(id), as: UTF8.self)
  }

  private func growEntries() {
    let newCapacity = entryCapacity * 2
    func grow<T>(_ pointer: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
      let grown = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
      grown.moveInitialize(from: pointer, count: count)
      pointer.deallocate()
      return grown
    }
    hashes = grow(hashes)
    values = grow(values)
    offsets = grow(offsets)
    lengths = grow(lengths)
    entryCapacity = newCapacity
  }

  private func growArena(minimum: Int) {
    var newCapacity = arenaCapacity * 2
    while newCapacity < minimum { newCapacity *= 2 }
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    grown.update(from: arena, count: arenaCount)
    arena.deallocate()
    arena = grown
    arenaCapacity = newCapacity
  }

  private func growSlots() {
    let slotCount = (slotMask + 1) * 2
    slots.deallocate()
    slots = .allocate(capacity: slotCount)
    slots.initialize(repeating: 0, count: slotCount)
    slotMask = slotCount - 1
    for id in 0..<count {
      var slot = Int(truncatingIfNeeded: hashes[id]) & slotMask
      while slots[slot] != 0 { slot = (slot + 1) & slotMask }
      slots[slot] = (hashes[id] & 0xFFFF_FFFF_0000_0000) | UInt64(id + 1)
    }
  }
}

