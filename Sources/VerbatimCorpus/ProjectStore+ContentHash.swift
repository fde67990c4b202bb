/// XXH64 (Yann Collet's xxHash, 64-bit, seed 0) of a file's bytes: how the project store
/// tells an unchanged file from a changed one.
///
/// The algorithm follows the xxHash specification (`doc/xxhash_spec.md`, "XXH64"): four
/// accumulators over 32-byte stripes, then 8-, 4- and 1-byte tails and the final avalanche.
/// It is stable across machines and versions (little-endian reads on every platform), fast
/// (several GB/s), and not cryptographic: it detects edits, not tampering. Stored as
/// `xxh64:` and 16 lowercase hex digits, so the algorithm can change later.
///
///     ContentHash.xxh64([])                    // 0xef46db3751d8e999
///     ContentHash.string(Array("abc".utf8))    // "xxh64:44bc2cf5ad770999"
public enum ContentHash {
  private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
  private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
  private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
  private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

  /// The stored form of a hash: `xxh64:` and 16 lowercase hex digits.
  public static func string(_ bytes: some Collection<UInt8>) -> String {
    let hex = String(xxh64(bytes), radix: 16)
    return "xxh64:" + String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// XXH64 with seed 0 of `bytes`.
  ///
  /// - Complexity: O(*n*).
  public static func xxh64(_ bytes: some Collection<UInt8>) -> UInt64 {
    if let result = bytes.withContiguousStorageIfAvailable({ hash($0) }) { return result }
    return Array(bytes).withUnsafeBufferPointer { hash($0) }
  }

  private static func hash(_ input: UnsafeBufferPointer<UInt8>) -> UInt64 {
    let count = input.count
    var offset = 0
    var result: UInt64
    if count >= 32 {
      var accumulator1 = prime1 &+ prime2
      var accumulator2 = prime2
      var accumulator3: UInt64 = 0
      var accumulator4 = 0 &- prime1
      while offset + 32 <= count {
        accumulator1 = round(accumulator1, read64(input, offset))
        accumulator2 = round(accumulator2, read64(input, offset + 8))
        accumulator3 = round(accumulator3, read64(input, offset + 16))
        accumulator4 = round(accumulator4, read64(input, offset + 24))
        offset += 32
      }
      result = rotate(accumulator1, 1) &+ rotate(accumulator2, 7) &+ rotate(accumulator3, 12)
        &+ rotate(accumulator4, 18)
      result = merge(result, accumulator1)
      result = merge(result, accumulator2)
      result = merge(result, accumulator3)
      result = merge(result, accumulator4)
    } else {
      result = prime5
    }
    result &+= UInt64(count)
    while offset + 8 <= count {
      result ^= round(0, read64(input, offset))
      result = rotate(result, 27) &* prime1 &+ prime4
      offset += 8
    }
    if offset + 4 <= count {
      result ^= UInt64(read32(input, offset)) &* prime1
      result = rotate(result, 23) &* prime2 &+ prime3
      offset += 4
    }
    while offset < count {
      result ^= UInt64(input[offset]) &* prime5
      result = rotate(result, 11) &* prime1
      offset += 1
    }
    result ^= result >> 33
    result &*= prime2
    result ^= result >> 29
    result &*= prime3
    result ^= result >> 32
    return result
  }

  @inline(__always) private static func round(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
    rotate(accumulator &+ lane &* prime2, 31) &* prime1
  }

  @inline(__always) private static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
    (accumulator ^ round(0, lane)) &* prime1 &+ prime4
  }

  @inline(__always) private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
    (value << bits) | (value >> (64 - bits))
  }

  @inline(__always) private static func read64(_ input: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(input[offset + index]) << (8 * UInt64(index)) }
    return value
  }

  @inline(__always) private static func read32(_ input: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UInt32 {
    var value: UInt32 = 0
    for index in 0..<4 { value |= UInt32(input[offset + index]) << (8 * UInt32(index)) }
    return value
  }
}
