/// LEB128 variable-length integers: seven bits per byte, low bits first, the high bit set on
/// every byte but the last.
///
///     0 → [0x00],  127 → [0x7F],  128 → [0x80, 0x01],  300 → [0xAC, 0x02]
///
/// The baseline codec of the segment format: counts, tails of posting blocks, dictionary
/// fields. Decoding is bounds-checked through ``ByteCursor``.
public enum Varint {
  /// Appends `value` to `output` in LEB128.
  ///
  /// - Complexity: O(1) (at most ten bytes).
  @inlinable
  public static func append(_ value: UInt64, to output: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
      output.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    output.append(UInt8(truncatingIfNeeded: rest))
  }

  /// Appends a 32-bit `value` in LEB128.
  @inlinable
  public static func append(_ value: UInt32, to output: inout [UInt8]) {
    append(UInt64(value), to: &output)
  }

  /// The number of bytes `value` takes in LEB128 (1 to 10).
  @inlinable
  public static func encodedCount(_ value: UInt64) -> Int {
    let bits = 64 - (value | 1).leadingZeroBitCount
    return (bits + 6) / 7
  }

  /// Maps a signed value to an unsigned one so that small magnitudes stay small
  /// (0 → 0, −1 → 1, 1 → 2, −2 → 3…).
  @inlinable
  public static func zigzag(_ value: Int64) -> UInt64 {
    UInt64(bitPattern: (value << 1) ^ (value >> 63))
  }

  /// The inverse of ``zigzag(_:)``.
  @inlinable
  public static func unzigzag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
  }
}

/// A bounds-checked forward reader over bytes that something else keeps alive (a mapped
/// file, an array inside `withUnsafeBytes`).
///
/// Every read returns `nil` instead of running past the end or accepting an over-long
/// varint, so a damaged file becomes an ``IndexError/corrupt(file:reason:)``, never a trap.
public struct ByteCursor {
  /// The bytes being read.
  public let bytes: UnsafeRawBufferPointer
  /// The offset of the next byte to read.
  public var offset: Int

  /// Creates a cursor at `offset` in `bytes`.
  @inlinable
  public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
    self.bytes = bytes
    self.offset = offset
  }

  /// Whether every byte has been read.
  @inlinable
  public var isAtEnd: Bool { offset >= bytes.count }

  /// Reads one LEB128 value of at most 64 bits, or `nil` if truncated or over-long.
  @inlinable
  public mutating func readVarint() -> UInt64? {
    // One byte: a record's lengths and counts mostly are (a search reads several per document).
    if offset < bytes.count {
      let byte = bytes[offset]
      if byte < 0x80 {
        offset += 1
        return UInt64(byte)
      }
    }
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while offset < bytes.count {
      let byte = bytes[offset]
      offset += 1
      if shift == 63 && byte > 1 { return nil }
      result |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return result }
      shift += 7
      if shift > 63 { return nil }
    }
    return nil
  }

  /// Reads one LEB128 value that must fit in 32 bits.
  @inlinable
  public mutating func readVarint32() -> UInt32? {
    // Fast path: one byte.
    if offset < bytes.count {
      let byte = bytes[offset]
      if byte < 0x80 {
        offset += 1
        return UInt32(byte)
      }
    }
    guard let value = readVarint(), value <= UInt64(UInt32.max) else { return nil }
    return UInt32(value)
  }

  /// Reads one byte.
  @inlinable
  public mutating func readByte() -> UInt8? {
    guard offset < bytes.count else { return nil }
    defer { offset += 1 }
    return bytes[offset]
  }

  /// Reads a little-endian `UInt32`.
  @inlinable
  public mutating func readUInt32() -> UInt32? {
    guard offset >= 0, bytes.count - offset >= 4 else { return nil }
    defer { offset += 4 }
    return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  /// Reads a little-endian `UInt64`.
  @inlinable
  public mutating func readUInt64() -> UInt64? {
    guard offset >= 0, bytes.count - offset >= 8 else { return nil }
    defer { offset += 8 }
    return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// Skips `count` bytes and returns their range, or `nil` if fewer remain.
  @inlinable
  public mutating func skip(_ count: Int) -> Range<Int>? {
    guard count >= 0, offset >= 0, bytes.count - offset >= count else { return nil }
    defer { offset += count }
    return offset..<(offset + count)
  }
}

/// Little-endian fixed-width writes for headers, footers and block indexes.
extension Array where Element == UInt8 {
  /// Appends `value` as four little-endian bytes.
  mutating func appendLittleEndian(_ value: UInt32) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }

  /// Appends `value` as eight little-endian bytes.
  mutating func appendLittleEndian(_ value: UInt64) {
    Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
  }
}
