/// UTF-8 validation that reports where the input goes wrong.
public enum UTF8Validation {
  /// Returns the byte offset of the first ill-formed sequence, or `nil` when `bytes` is
  /// well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
  ///
  ///     [0x61, 0xC3, 0xA9] → nil,   [0x61, 0xFF] → 1,   [0xC3] → 0
  ///
  /// - Complexity: O(*n*); ASCII runs are skipped eight bytes at a time.
  public static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let count = bytes.count
    var index = 0
    while index < count {
      // Fast skip over ASCII, a word at a time.
      while index + 8 <= count {
        let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
        if word & 0x8080_8080_8080_8080 != 0 { break }
        index += 8
      }
      if index >= count { break }
      let lead = base[index]
      if lead < 0x80 { index += 1; continue }
      var length = 0
      var lower: UInt8 = 0x80
      var upper: UInt8 = 0xBF
      switch lead {
      case 0xC2...0xDF: length = 2
      case 0xE0: length = 3; lower = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED: length = 3; upper = 0x9F
      case 0xF0: length = 4; lower = 0x90
      case 0xF1...0xF3: length = 4
      case 0xF4: length = 4; upper = 0x8F
      default: return index
      }
      if index + length > count { return index }
      let second = base[index + 1]
      if second < lower || second > upper { return index }
      var k = 2
      while k < length {
        if base[index + k] & 0xC0 != 0x80 { return index }
        k += 1
      }
      index += length
    }
    return nil
  }
}
