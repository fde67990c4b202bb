internal import CICUShim

/// A bounded cache from short surface forms (≤ 16 UTF-8 bytes) to a 64-bit payload.
///
/// Each bucket is 32 bytes and holds the key inline (two little-endian words, zero-padded),
/// its length, a hash tag and the payload, so a lookup touches one cache line. When the
/// table is half full it stops taking new keys: the frequent surfaces, which arrive early,
/// stay; rare ones go through the slower term table. The cache never changes results, only
/// speed.
///
/// - Complexity: expected O(1) per lookup.
final class SurfaceCache {
  private struct Bucket {
    var low: UInt64
    var high: UInt64
    var tagAndLength: UInt64  // hash high 32 bits | length + 1 (0: empty)
    var value: UInt64
  }

  /// The longest key kept.
  static let maximumKeyLength = 16

  private let buckets: UnsafeMutablePointer<Bucket>
  private let mask: Int
  private let limit: Int
  private(set) var count = 0

  /// Creates a cache holding up to `limit` keys.
  init(limit: Int) {
    var size = 64
    while size < limit * 2 { size <<= 1 }
    buckets = .allocate(capacity: size)
    buckets.initialize(repeating: Bucket(low: 0, high: 0, tagAndLength: 0, value: 0), count: size)
    mask = size - 1
    self.limit = limit
  }

  deinit { buckets.deallocate() }

  /// Bytes held.
  var memoryFootprint: Int { (mask + 1) * MemoryLayout<Bucket>.stride }

  /// Loads a key of `length` ≤ 16 bytes as two zero-padded words. `readable` is how many
  /// bytes may be read from `pointer` (at least `length`).
  @inline(__always)
  static func load(_ pointer: UnsafePointer<UInt8>, _ length: Int, readable: Int) -> (UInt64, UInt64) {
    if readable >= 16 {
      let raw = UnsafeRawPointer(pointer)
      var low = raw.loadUnaligned(as: UInt64.self)
      var high = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
      if length < 8 {
        low &= (1 &<< UInt64(length &* 8)) &- 1
        high = 0
      } else if length < 16 {
        high &= (1 &<< UInt64((length &- 8) &* 8)) &- 1
      }
      return (low, high)
    }
    var low: UInt64 = 0
    var high: UInt64 = 0
    for index in 0..<length {
      if index < 8 {
        low |= UInt64(pointer[index]) << UInt64(index * 8)
      } else {
        high |= UInt64(pointer[index]) << UInt64((index - 8) * 8)
      }
    }
    return (low, high)
  }

  /// Mixes both key words and the length with MurmurHash3's 64-bit finaliser, so that every
  /// input bit reaches the slot bits (words sharing a prefix must not cluster).
  @inline(__always)
  static func hash(_ low: UInt64, _ high: UInt64, _ length: Int) -> UInt64 {
    finalizeHash(low &* 0x9E37_79B9_7F4A_7C15 ^ (high ^ UInt64(length)) &* 0xC2B2_AE3D_27D4_EB4F)
  }

  /// Hints the processor to load the bucket where a lookup with `hash` starts.
  @inline(__always)
  func prefetch(hash: UInt64) {
    vb_prefetch(UnsafeRawPointer(buckets + (Int(truncatingIfNeeded: hash) & mask)))
  }

  /// Looks a key up. Returns the payload, or nil; `slot` is where it would be inserted.
  @inline(__always)
  func find(_ low: UInt64, _ high: UInt64, _ length: Int, hash: UInt64, slot: inout Int) -> UInt64? {
    let tagAndLength = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(length + 1)
    var index = Int(truncatingIfNeeded: hash) & mask
    while true {
      let bucket = buckets + index
      let stored = bucket.pointee.tagAndLength
      if stored == tagAndLength && bucket.pointee.low == low && bucket.pointee.high == high {
        return bucket.pointee.value
      }
      if stored == 0 {
        slot = index
        return nil
      }
      index = (index + 1) & mask
    }
  }

  /// Inserts a key at the slot `find` returned, unless the cache is full.
  @inline(__always)
  func insert(_ low: UInt64, _ high: UInt64, _ length: Int, hash: UInt64, slot: Int, value: UInt64) {
    guard count < limit else { return }
    buckets[slot] = Bucket(
      low: low, high: high, tagAndLength: (hash & 0xFFFF_FFFF_0000_0000) | UInt64(length + 1), value: value)
    count += 1
  }
}
