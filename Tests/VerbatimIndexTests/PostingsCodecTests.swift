import Testing
import VerbatimTestSupport
@testable import VerbatimIndex

@Suite struct PostingsCodecTests {
  static func roundTrip(_ values: [UInt32]) -> [UInt32]? {
    var output: [UInt8] = []
    BlockCodec.encode(values, into: &output)
    return output.withUnsafeBytes { bytes -> [UInt32]? in
      var cursor = ByteCursor(bytes)
      var decoded: [UInt32] = []
      guard BlockCodec.decode(count: values.count, from: &cursor, into: &decoded), cursor.isAtEnd else { return nil }
      return decoded
    }
  }

  @Test func bitPackingKnownBytes() {
    var output: [UInt8] = []
    [UInt32(1), 2, 3].withUnsafeBufferPointer { BitPacking.pack($0, width: 2, into: &output) }
    #expect(output == [0b0011_1001])
    #expect(BitPacking.byteCount(count: 128, width: 5) == 80)
  }

  /// The word-at-a-time packer against a bit-by-bit reference (bit `i` of value `k` is bit
  /// `k × width + i` of the output, little-endian), every width, counts around word edges,
  /// appended after bytes already in the output.
  @Test func bitPackingMatchesBitByBitReference() {
    var random = SplitMix64(seed: 21)
    for width in 1...32 {
      for count in [1, 2, 7, 8, 63, 64, 65, 127, 128, 129, 300] {
        let values = (0..<count).map { _ in
          width == 32 ? UInt32.random(in: 0...UInt32.max, using: &random)
            : UInt32.random(in: 0..<(UInt32(1) << UInt32(width)), using: &random)
        }
        var reference = [UInt8](repeating: 0, count: (count * width + 7) / 8)
        for (k, value) in values.enumerated() {
          for i in 0..<width where value >> UInt32(i) & 1 == 1 {
            let bit = k * width + i
            reference[bit / 8] |= UInt8(1) << UInt8(bit % 8)
          }
        }
        var output: [UInt8] = [0xAB, 0xCD, 0xEF]
        values.withUnsafeBufferPointer { BitPacking.pack($0, width: width, into: &output) }
        #expect(output == [0xAB, 0xCD, 0xEF] + reference, "width \(width), count \(count)")
      }
    }
  }

  @Test(arguments: [0, 1, 2, 127, 128, 129, 255, 256, 257, 1_000])
  func blockListLengths(_ count: Int) {
    var random = SplitMix64(seed: UInt64(count))
    let values = (0..<count).map { _ in UInt32.random(in: 0...1_000, using: &random) }
    #expect(Self.roundTrip(values) == values)
  }

  @Test func edgeValues() {
    let edges: [UInt32] = [0, 1, 127, 128, UInt32.max]
    #expect(Self.roundTrip(edges) == edges)
    let block = (0..<128).map { edges[$0 % edges.count] }
    #expect(Self.roundTrip(block) == block)
    let zeros = [UInt32](repeating: 0, count: 128)
    var output: [UInt8] = []
    BlockCodec.encode(zeros, into: &output)
    #expect(output == [0, 0], "a block of zeros is its width and exception count alone")
    let maxima = [UInt32](repeating: UInt32.max, count: 129)
    #expect(Self.roundTrip(maxima) == maxima)
  }

  @Test func outliersArePatchedNotWidened() {
    var values = [UInt32](repeating: 3, count: 128)
    values[17] = UInt32.max
    values[100] = 1_000_000
    var output: [UInt8] = []
    BlockCodec.encode(values, into: &output)
    #expect(output.count < 2 + 32 + 2 * 6, "two bits a value plus two exceptions: \(output.count) bytes")
    #expect(Self.roundTrip(values) == values)
    var random = SplitMix64(seed: 17)
    for _ in 0..<200 {
      let values = (0..<Int.random(in: 128...400, using: &random)).map { _ in
        random.next() % 16 == 0 ? UInt32.random(in: 0...UInt32.max, using: &random) : UInt32.random(in: 0...9, using: &random)
      }
      #expect(Self.roundTrip(values) == values)
    }
  }

  @Test func damagedExceptionsFail() {
    // Width 4, one exception whose high bits overflow 32 bits.
    var bytes: [UInt8] = [4, 1] + [UInt8](repeating: 0, count: 64) + [5]
    Varint.append(UInt32.max, to: &bytes)
    let result = bytes.withUnsafeBytes { raw -> Bool in
      var cursor = ByteCursor(raw)
      var decoded: [UInt32] = []
      return BlockCodec.decode(count: 128, from: &cursor, into: &decoded)
    }
    #expect(!result)
  }

  @Test func seededRandomWidths() {
    var random = SplitMix64(seed: 5)
    for _ in 0..<200 {
      let count = Int.random(in: 0...600, using: &random)
      let width = UInt32.random(in: 0...32, using: &random)
      let values = (0..<count).map { _ in
        width == 32 ? UInt32.random(in: 0...UInt32.max, using: &random)
          : UInt32.random(in: 0..<(UInt32(1) << width), using: &random)
      }
      #expect(Self.roundTrip(values) == values)
    }
  }

  @Test func truncatedBlocksFail() {
    var output: [UInt8] = []
    BlockCodec.encode((0..<129).map { UInt32($0) }, into: &output)
    for cut in [0, 1, 10, output.count - 1] {
      let result = Array(output[..<cut]).withUnsafeBytes { bytes -> Bool in
        var cursor = ByteCursor(bytes)
        var decoded: [UInt32] = []
        return BlockCodec.decode(count: 129, from: &cursor, into: &decoded)
      }
      #expect(!result, "cut at \(cut)")
    }
  }

  static func list(_ documents: [UInt32], _ positions: [[UInt32]]) -> PostingList {
    var list = PostingList()
    list.documents = documents
    for document in positions {
      list.frequencies.append(UInt32(document.count))
      list.positions += document
      list.positionOffsets.append(list.positions.count)
    }
    return list
  }

  static func roundTrip(_ list: PostingList) -> PostingList? {
    var output: [UInt8] = []
    PostingsCodec.encode(
      documents: list.documents, frequencies: list.frequencies, positions: list.positions, into: &output)
    return output.withUnsafeBytes { PostingsCodec.decode($0) }
  }

  @Test func postingListEdges() {
    let empty = Self.list([], [])
    #expect(Self.roundTrip(empty) == empty)
    let one = Self.list([0], [[0]])
    #expect(Self.roundTrip(one) == one)
    let large = Self.list([UInt32.max - 1, UInt32.max], [[UInt32.max - 1, UInt32.max], [0, 127, 128, UInt32.max]])
    #expect(Self.roundTrip(large) == large)
    for count in [127, 128, 129, 257] {
      let documents = (0..<UInt32(count)).map { $0 * 3 }
      let positions = documents.map { document in (0..<(document % 5 + 1)).map { $0 * 7 + document } }
      let list = Self.list(documents, positions)
      #expect(Self.roundTrip(list) == list, "\(count) documents")
    }
  }

  @Test func postingsWithoutPositions() {
    let list = Self.list([1, 4, 9], [[0, 3], [2], [5, 6, 7]])
    var output: [UInt8] = []
    PostingsCodec.encode(
      documents: list.documents, frequencies: list.frequencies, positions: list.positions, into: &output)
    let decoded = output.withUnsafeBytes { PostingsCodec.decode($0, withPositions: false) }
    #expect(decoded?.documents == [1, 4, 9])
    #expect(decoded?.frequencies == [2, 1, 3])
    #expect(decoded?.positions == [])
  }

  @Test func seededRandomPostingLists() {
    var random = SplitMix64(seed: 42)
    for _ in 0..<100 {
      let documentCount = Int.random(in: 0...400, using: &random)
      var document: UInt32 = 0
      var documents: [UInt32] = []
      var positions: [[UInt32]] = []
      for index in 0..<documentCount {
        document += (index == 0 ? 0 : 1) + UInt32.random(in: 0...(random.next() % 4 == 0 ? 10_000 : 5), using: &random)
        documents.append(document)
        var position: UInt32 = UInt32.random(in: 0...50, using: &random)
        var inDocument: [UInt32] = []
        for _ in 0..<Int.random(in: 1...(random.next() % 10 == 0 ? 300 : 4), using: &random) {
          inDocument.append(position)
          position += UInt32.random(in: 1...200, using: &random)
        }
        positions.append(inDocument)
      }
      let list = Self.list(documents, positions)
      #expect(Self.roundTrip(list) == list)
    }
  }

  @Test func damagedPostingListsGiveNil() {
    let list = Self.list(Array(0..<200), (0..<200).map { [$0, $0 + 1] })
    var output: [UInt8] = []
    PostingsCodec.encode(
      documents: list.documents, frequencies: list.frequencies, positions: list.positions, into: &output)
    #expect(Array(output.dropLast(3)).withUnsafeBytes { PostingsCodec.decode($0) } == nil)
    var huge: [UInt8] = []
    Varint.append(UInt64.max, to: &huge)
    #expect(huge.withUnsafeBytes { PostingsCodec.decode($0) } == nil)
  }

  @Test func rangeTables() {
    let cases: [([UInt32], [UInt32])] = [
      ([], []),
      ([0], [4]),
      ([0, 4, 14, 14], [4, 13, 14, 20]),  // "L’entretien", an empty slot, …
      ([10, 2], [12, 5]),  // out of order: zigzag mode
      ([0, UInt32.max - 3], [1, UInt32.max]),
    ]
    for (starts, ends) in cases {
      var output: [UInt8] = []
      PostingsCodec.encodeRanges(starts: starts, ends: ends, into: &output)
      output.withUnsafeBytes { bytes in
        var cursor = ByteCursor(bytes)
        var decodedStarts: [UInt32] = [99]
        var decodedEnds: [UInt32] = []
        #expect(PostingsCodec.decodeRanges(from: &cursor, starts: &decodedStarts, ends: &decodedEnds))
        #expect(decodedStarts == starts)
        #expect(decodedEnds == ends)
        #expect(cursor.isAtEnd)
        let table = RangeTable(bytes, at: 0)
        for position in starts.indices {
          let range = table?.range(at: position)
          #expect(range?.start == starts[position] && range?.end == ends[position])
        }
        #expect(table?.range(at: starts.count) == nil)
      }
    }
  }

  @Test func longRangeTablesRandomAccess() {
    var random = SplitMix64(seed: 8)
    var starts: [UInt32] = []
    var ends: [UInt32] = []
    var offset: UInt32 = 0
    for _ in 0..<1_000 {
      offset += UInt32.random(in: 0...(random.next() % 50 == 0 ? 5_000 : 2), using: &random)
      starts.append(offset)
      offset += UInt32.random(in: 0...12, using: &random)
      ends.append(offset)
    }
    var output: [UInt8] = []
    PostingsCodec.encodeRanges(starts: starts, ends: ends, into: &output)
    output.withUnsafeBytes { bytes in
      guard let table = RangeTable(bytes, at: 0) else {
        Issue.record("table header")
        return
      }
      #expect(table.blockCount == 8)
      for position in starts.indices {
        let range = table.range(at: position)
        #expect(range?.start == starts[position] && range?.end == ends[position], "position \(position)")
      }
    }
  }

  /// A table cut anywhere reads as damaged, never as other ranges: each position of every
  /// prefix of a seeded table (both modes) gives its own range or `nil`, through a walker and
  /// alone; the prefix is copied to a buffer of its own size, so a read past it would be a read
  /// out of bounds (address sanitizer) or garbage (a wrong range).
  @Test func truncatedRangeTablesGiveTheirRangesOrNil() {
    var random = SplitMix64(seed: 21)
    for zigzag in [false, true] {
      var starts: [UInt32] = []
      var ends: [UInt32] = []
      var offset: UInt32 = 3
      for index in 0..<300 {
        offset += UInt32(random.next() % (index % 37 == 0 ? 900 : 3))
        if zigzag && index % 50 == 49 { offset -= 2 }
        starts.append(offset)
        offset += UInt32(random.next() % 14)
        ends.append(offset)
      }
      var output: [UInt8] = []
      PostingsCodec.encodeRanges(starts: starts, ends: ends, into: &output)
      var readable = 0
      for cut in 0..<output.count {
        let prefix = UnsafeMutableRawBufferPointer.allocate(byteCount: cut, alignment: 1)
        defer { prefix.deallocate() }
        output.withUnsafeBytes { prefix.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<cut])) }
        guard let table = RangeTable(UnsafeRawBufferPointer(prefix), at: 0) else { continue }
        var walker = table.walker()
        for position in starts.indices {
          for range in [walker.range(at: position), table.range(at: position)] {
            guard let range else { continue }
            readable += 1
            #expect(range.start == starts[position] && range.end == ends[position], "cut \(cut), position \(position)")
          }
        }
      }
      // Most cuts leave whole blocks before them to read.
      #expect(readable > starts.count * 10, "zigzag \(zigzag)")
    }
  }

  /// A walker gives, for any sequence of positions (ascending runs, jumps back, repeats, out
  /// of range), what the decoded arrays hold: seeded tables in both modes, with and without
  /// readable bytes after the last block (the fast path and the checked one).
  @Test func walkersMatchTheDecodedTables() {
    var random = SplitMix64(seed: 12)
    for round in 0..<400 {
      let count = Int(random.next() % 700)
      var starts: [UInt32] = []
      var ends: [UInt32] = []
      var offset: UInt32 = UInt32(random.next() % 40)
      let zigzag = round % 4 == 3
      // Every packed width from 1 to 9 bits and a few wider ones, for gaps and lengths.
      let gapLimits: [UInt64] = [2, 3, 4, 8, 16, 32, 64, 128, 256, 512, 3_000]
      let lengthLimits: [UInt64] = [1, 2, 3, 5, 9, 14, 17, 33, 65, 129, 257, 300, 70_000]
      let gapLimit = gapLimits[Int(random.next() % UInt64(gapLimits.count))]
      let lengthLimit = lengthLimits[Int(random.next() % UInt64(lengthLimits.count))]
      for _ in 0..<count {
        offset += UInt32(random.next() % (random.next() % 40 == 0 ? gapLimit : 3))
        if zigzag && offset > 20 && random.next() % 10 == 0 { offset -= 20 }
        starts.append(offset)
        offset += UInt32(random.next() % lengthLimit)
        ends.append(offset)
      }
      var output: [UInt8] = []
      PostingsCodec.encodeRanges(starts: starts, ends: ends, into: &output)
      if round % 2 == 0 { output += [0, 0, 0, 0, 0, 0, 0, 0, 0] }
      output.withUnsafeBytes { bytes in
        guard let table = RangeTable(bytes, at: 0) else {
          Issue.record("table header, round \(round)")
          return
        }
        #expect(table.isMonotone == zip(starts.dropFirst(), ends).allSatisfy { $0 >= $1 }, "round \(round)")
        var walker = table.walker()
        var position = 0
        for _ in 0..<(2 * count + 5) {
          switch random.next() % 10 {
          case 0: position = Int(random.next() % UInt64(count + 3))  // anywhere, maybe past the end
          case 1: break  // the same again
          default: position += Int(random.next() % 40)
          }
          let range = walker.range(at: position)
          if position < count {
            #expect(range?.start == starts[position] && range?.end == ends[position], "round \(round), position \(position)")
          } else {
            #expect(range == nil, "round \(round), position \(position) past \(count)")
            position = 0
          }
        }
      }
    }
  }
}
