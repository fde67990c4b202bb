import Foundation

/// GUIDs as REFI-QDA writes them: RFC 4122 UUIDs, written lowercase, read case-insensitively.
///
/// New GUIDs are derived, never random: a version-5 (SHA-1, name-based) UUID of a name in
/// Verbatim's namespace, so that the same codebook or project always exports the same file.
///
///     REFIGUID.derived("code:Démo\nÉquipement")   // the same lowercase UUID on every run
///     REFIGUID.normalized("{0B5F1A52-6D8E-4C1F-9C3B-1D2E3F4A5B60}")
///                                                // "0b5f1a52-6d8e-4c1f-9c3b-1d2e3f4a5b60"
public enum REFIGUID {
  /// Verbatim's UUID namespace for version-5 GUIDs (itself the version-5 UUID of the name
  /// `verbatim.refi` in RFC 4122's URL namespace; fixed forever, since it shapes every
  /// derived GUID).
  public static let namespace = "7efb530e-d85c-5d7f-bc4a-65373bb9891f"

  /// The version-5 UUID of `name` in `namespace` (RFC 4122 §4.3), lowercase.
  public static func version5(namespace: String, name: String) -> String {
    guard let namespaceBytes = bytes(of: namespace) else {
      preconditionFailure("REFIGUID.version5: invalid namespace UUID")
    }
    var hash = REFISHA1.digest(namespaceBytes + Array(name.utf8))
    hash[6] = (hash[6] & 0x0F) | 0x50
    hash[8] = (hash[8] & 0x3F) | 0x80
    return format(Array(hash[0..<16]))
  }

  /// The version-5 UUID of `name` in ``namespace``.
  public static func derived(_ name: String) -> String {
    version5(namespace: namespace, name: name)
  }

  /// The GUID in canonical form (lowercase, no braces), or nil when it is not a GUID:
  /// 8-4-4-4-12 hexadecimal digits, optionally in braces (Codebook.xsd's `GUIDType`),
  /// with surrounding whitespace ignored (the schema's type is `xsd:token`).
  public static func normalized(_ text: String) -> String? {
    var trimmed = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    if trimmed.hasPrefix("{") && trimmed.hasSuffix("}") && trimmed.count >= 2 {
      trimmed = trimmed.dropFirst().dropLast()
    }
    let groups = trimmed.split(separator: "-", omittingEmptySubsequences: false)
    guard groups.map(\.utf8.count) == [8, 4, 4, 4, 12] else { return nil }
    for group in groups where !group.utf8.allSatisfy(isHexDigit) { return nil }
    return trimmed.lowercased()
  }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
  }

  /// The 16 bytes of a UUID string, or nil.
  static func bytes(of uuid: String) -> [UInt8]? {
    guard let canonical = normalized(uuid) else { return nil }
    let digits = Array(canonical.utf8.filter { $0 != 0x2D })
    var result: [UInt8] = []
    result.reserveCapacity(16)
    var index = 0
    while index < digits.count {
      guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
      result.append(high << 4 | low)
      index += 2
    }
    return result
  }

  private static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: byte - 0x30
    case 0x61...0x66: byte - 0x61 + 10
    case 0x41...0x46: byte - 0x41 + 10
    default: nil
    }
  }

  private static func format(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for (index, byte) in bytes.enumerated() {
      if index == 4 || index == 6 || index == 8 || index == 10 { out.append(0x2D) }
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}

/// SHA-1 (FIPS 180-4), only for name-based UUIDs; never for security.
enum REFISHA1 {
  /// The 20-byte digest of `message`.
  static func digest(_ message: [UInt8]) -> [UInt8] {
    var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var padded = message
    padded.append(0x80)
    while padded.count % 64 != 56 { padded.append(0) }
    let bitLength = UInt64(message.count) &* 8
    for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
    var words = [UInt32](repeating: 0, count: 80)
    var chunk = 0
    while chunk < padded.count {
      for index in 0..<16 {
        let base = chunk + index * 4
        words[index] =
          UInt32(padded[base]) << 24 | UInt32(padded[base + 1]) << 16 | UInt32(padded[base + 2]) << 8
          | UInt32(padded[base + 3])
      }
      for index in 16..<80 {
        let mixed = words[index - 3] ^ words[index - 8] ^ words[index - 14] ^ words[index - 16]
        words[index] = mixed << 1 | mixed >> 31
      }
      var (a, b, c, d, e) = (state[0], state[1], state[2], state[3], state[4])
      for index in 0..<80 {
        let f: UInt32
        let k: UInt32
        switch index {
        case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
        case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
        case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
        default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
        }
        let temporary = (a << 5 | a >> 27) &+ f &+ e &+ k &+ words[index]
        e = d
        d = c
        c = b << 30 | b >> 2
        b = a
        a = temporary
      }
      state[0] = state[0] &+ a
      state[1] = state[1] &+ b
      state[2] = state[2] &+ c
      state[3] = state[3] &+ d
      state[4] = state[4] &+ e
      chunk += 64
    }
    var digest: [UInt8] = []
    for word in state {
      digest += [UInt8(word >> 24), UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word & 0xFF)]
    }
    return digest
  }
}
