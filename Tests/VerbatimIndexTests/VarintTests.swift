import Testing
import VerbatimTestSupport
@testable import VerbatimIndex

@Suite struct VarintTests {
  static let edges: [UInt64] = [
    0, 1, 127, 128, 255, 300, 16_383, 16_384, UInt64(UInt32.max) - 1, UInt64(UInt32.max),
    UInt64(UInt32.max) + 1, UInt64.max >> 1, UInt64.max,
  ]

  @Test func knownEncodings() {
    var output: [UInt8] = []
    Varint.append(UInt64(0), to: &output)
    Varint.append(UInt64(127), to: &output)
    Varint.append(UInt64(128), to: &output)
    Varint.append(UInt64(300), to: &output)
    #expect(output == [0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02])
    var max: [UInt8] = []
    Varint.append(UInt32.max, to: &max)
    #expect(max == [0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
  }

  @Test(arguments: edges) func edgeValuesRoundTrip(_ value: UInt64) {
    var output: [UInt8] = []
    Varint.append(value, to: &output)
    #expect(output.count == Varint.encodedCount(value))
    output.withUnsafeBytes { bytes in
      var cursor = ByteCursor(bytes)
      #expect(cursor.readVarint() == value)
      #expect(cursor.isAtEnd)
    }
  }

  @Test func varint32RejectsLargerValues() {
    var output: [UInt8] = []
    Varint.append(UInt64(UInt32.max) + 1, to: &output)
    output.withUnsafeBytes { bytes in
      var cursor = ByteCursor(bytes)
      #expect(cursor.readVarint32() == nil)
    }
  }

  @Test func truncatedAndOverlongInputsGiveNil() {
    [UInt8]([0x80]).withUnsafeBytes { bytes in
      var cursor = ByteCursor(bytes)
      #expect(cursor.readVarint() == nil)
    }
    [UInt8](repeating: 0xFF, count: 11).withUnsafeBytes { bytes in
      var cursor = ByteCursor(bytes)
      #expect(cursor.readVarint() == nil)
    }
    // Ten bytes whose last carries more than bit 63.
    ([UInt8](repeating: 0xFF, count: 9) + [0x02]).withUnsafeBytes { bytes in
      var cursor = ByteCursor(bytes)
      #expect(cursor.readVarint() == nil)
    }
    [UInt8]([1, 2, 3]).withUnsafeBytes { bytes in
      var cursor = ByteCursor(bytes)
      #expect(cursor.readUInt32() == nil)
      #expect(cursor.skip(4) == nil)
      #expect(cursor.skip(3) == 0..<3)
      #expect(cursor.readByte() == nil)
    }
  }

  @Test func zigzag() {
    for value: Int64 in [0, -1, 1, -2, 2, Int64.max, Int64.min, 1_000_000, -1_000_000] {
      #expect(Varint.unzigzag(Varint.zigzag(value)) == value)
    }
    #expect(Varint.zigzag(-1) == 1)
    #expect(Varint.zigzag(1) == 2)
  }

  @Test func seededRandomValuesRoundTrip() {
    var random = SplitMix64(seed: 11)
    var values: [UInt64] = []
    for _ in 0..<5_000 {
      let bits = UInt64.random(in: 0...64, using: &random)
      values.append(bits == 64 ? random.next() : random.next() & ((1 << bits) - 1))
    }
    var output: [UInt8] = []
    for value in values { Varint.append(value, to: &output) }
    output.withUnsafeBytes { bytes in
      var cursor = ByteCursor(bytes)
      var decoded: [UInt64] = []
      while !cursor.isAtEnd, let value = cursor.readVarint() { decoded.append(value) }
      #expect(decoded == values)
    }
  }
}
