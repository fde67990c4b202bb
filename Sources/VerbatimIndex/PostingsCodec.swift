/// Fixed-width bit packing: `count` values of `width` bits each, little-endian bit order,
/// in exactly `(count × width + 7) / 8` bytes (tantivy's `BitPacker`, without SIMD).
///
///     pack([1, 2, 3], width: 2) → [0b00_11_10_01]
public enum BitPacking {
  /// The number of bits needed for the largest of `values` (0 when all are 0).
  @inlinable
  public static func width(of values: UnsafeBufferPointer<UInt32>) -> Int {
    var union: UInt32 = 0
    for value in values { union |= value }
    return 32 - union.leadingZeroBitCount
  }

  /// The number of bytes `count` values of `width` bits take.
  @inlinable
  public static func byteCount(count: Int, width: Int) -> Int {
    (count * width + 7) / 8
  }

  /// Appends `values` packed at `width` bits each; every value must fit in `width` bits.
  @inlinable
  public static func pack(_ values: UnsafeBufferPointer<UInt32>, width: Int, into output: inout [UInt8]) {
    guard width > 0 else { return }
    precondition(width <= 32, "a width is at most 32 bits")
    // The bytes are made room for once (with 8 bytes of slack), then written a 64-bit word at
    // a time through a pointer: the same little-endian bit order as byte by byte.
    let start = output.count
    let count = byteCount(count: values.count, width: width)
    output.append(contentsOf: repeatElement(0, count: count + 8))
    output.withUnsafeMutableBytes { buffer in
      var out = start
      var accumulator: UInt64 = 0
      var bits = 0
      let step = UInt64(width)
      for value in values {
        accumulator |= UInt64(value) &<< UInt64(bits)
        bits += width
        if bits >= 64 {
          buffer.storeBytes(of: accumulator.littleEndian, toByteOffset: out, as: UInt64.self)
          out += 8
          bits -= 64
          // The value's bits that did not fit (none when it ended exactly on the word).
          accumulator = bits == 0 ? 0 : UInt64(value) &>> (step - UInt64(bits))
        }
      }
      if bits > 0 { buffer.storeBytes(of: accumulator.littleEndian, toByteOffset: out, as: UInt64.self) }
    }
    output.removeLast(8)
  }

  /// Unpacks `count` values of `width` bits from `bytes` at `offset`, appending them to
  /// `output`; the caller has checked that the packed bytes are in range.
  @inlinable
  public static func unpack(
    _ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int, width: Int, into output: inout [UInt32]
  ) {
    guard width > 0 else {
      output.append(contentsOf: repeatElement(0, count: count))
      return
    }
    let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
    let fastLimit = bytes.count - 8
    var bit = 0
    for _ in 0..<count {
      let byteIndex = offset + (bit >> 3)
      let word: UInt64
      if byteIndex <= fastLimit {
        word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
      } else {
        var partial: UInt64 = 0
        var index = 0
        while index < 8 && byteIndex + index < bytes.count {
          partial |= UInt64(bytes[byteIndex + index]) << UInt64(8 * index)
          index += 1
        }
        word = partial
      }
      output.append(UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask))
      bit += width
    }
  }
}

/// A list of `UInt32` in blocks of 128 values, each bit-packed at the width that minimises
/// its size, the few values wider than that patched after it (Lucene's PFOR); the last
/// `count % 128` values are LEB128 varints (tantivy's `BlockSegmentPostings` layout, plus the
/// exceptions). The count itself is stored by the caller.
///
///     per block: u8 width w · u8 exception count e · 128 × w bits (low bits) ·
///                e × (u8 index · varint value >> w)
///     then: varint … varint
public enum BlockCodec {
  /// The number of values in a bit-packed block.
  public static let blockSize = 128

  /// Appends `values` in block form.
  @inlinable
  public static func encode(_ values: UnsafeBufferPointer<UInt32>, into output: inout [UInt8]) {
    let fullBlocks = values.count / blockSize
    if fullBlocks > 0 {
      // Scratch on the stack: most lists are shorter than a block, and the rest should not
      // allocate per block.
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: blockSize) { low in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 33) { histogram in
          for block in 0..<fullBlocks {
            let slice = UnsafeBufferPointer(rebasing: values[(block * blockSize)..<((block + 1) * blockSize)])
            // Patched frame of reference: the width that minimises packed bits plus exceptions.
            histogram.initialize(repeating: 0)
            for value in slice { histogram[32 - value.leadingZeroBitCount] += 1 }
            let maximum = BitPacking.width(of: slice)
            var width = maximum
            var best = 16 * maximum
            var above = 0
            var candidate = maximum
            while candidate > 0 {
              above += histogram[candidate]
              candidate -= 1
              let cost = 16 * candidate + above * (1 + (maximum - candidate + 6) / 7)
              if cost < best {
                best = cost
                width = candidate
              }
            }
            let mask: UInt32 = width == 32 ? .max : (1 << UInt32(width)) &- 1
            var exceptions = 0
            for (index, value) in slice.enumerated() {
              low[index] = value & mask
              if value > mask { exceptions += 1 }
            }
            output.append(UInt8(width))
            output.append(UInt8(exceptions))
            BitPacking.pack(UnsafeBufferPointer(low), width: width, into: &output)
            if exceptions > 0 {
              for (index, value) in slice.enumerated() where value > mask {
                output.append(UInt8(index))
                Varint.append(value >> UInt32(width), to: &output)
              }
            }
          }
        }
      }
    }
    for value in values[(fullBlocks * blockSize)...] {
      Varint.append(value, to: &output)
    }
  }

  /// Appends `values` in block form.
  @inlinable
  public static func encode(_ values: [UInt32], into output: inout [UInt8]) {
    values.withUnsafeBufferPointer { encode($0, into: &output) }
  }

  /// Decodes `count` values from `cursor`, appending them to `output`; `false` when the
  /// bytes are truncated or a width is above 32.
  @inlinable
  public static func decode(count: Int, from cursor: inout ByteCursor, into output: inout [UInt32]) -> Bool {
    let fullBlocks = count / blockSize
    output.reserveCapacity(output.count + count)
    for _ in 0..<fullBlocks {
      guard let width = cursor.readByte(), width <= 32, let exceptions = cursor.readByte(),
        Int(exceptions) <= blockSize
      else { return false }
      let byteCount = BitPacking.byteCount(count: blockSize, width: Int(width))
      guard let range = cursor.skip(byteCount) else { return false }
      let base = output.count
      BitPacking.unpack(cursor.bytes, at: range.lowerBound, count: blockSize, width: Int(width), into: &output)
      for _ in 0..<Int(exceptions) {
        guard let index = cursor.readByte(), Int(index) < blockSize, let high = cursor.readVarint32(),
          width < 32, high >> (32 - UInt32(width)) == 0
        else { return false }
        output[base + Int(index)] |= high << UInt32(width)
      }
    }
    for _ in 0..<(count - fullBlocks * blockSize) {
      guard let value = cursor.readVarint32() else { return false }
      output.append(value)
    }
    return true
  }
}

/// One decoded posting list: the documents containing a key, ascending, and in each the
/// positions where it occurs, with each occurrence's UTF-8 range when asked for.
///
/// Flat arrays keep it compact: the positions of `documents[i]` are
/// `positions[positionOffsets[i]..<positionOffsets[i + 1]]`, and `starts`/`ends` (empty unless
/// ranges were decoded) run parallel to `positions`.
public struct PostingList: Sendable, Hashable {
  /// Segment-local document ordinals, strictly ascending.
  public var documents: [UInt32] = []
  /// Occurrences of the key in each document (≥ 1), parallel to `documents`.
  public var frequencies: [UInt32] = []
  /// Where each document's positions begin in `positions`; one more entry than `documents`.
  public var positionOffsets: [Int] = [0]
  /// Token positions, strictly ascending within each document.
  public var positions: [UInt32] = []
  /// UTF-8 start offset (inclusive) of each occurrence in its document's text.
  public var starts: [UInt32] = []
  /// UTF-8 end offset (exclusive) of each occurrence in its document's text.
  public var ends: [UInt32] = []

  /// An empty list.
  public init() {}

  /// The number of documents.
  public var count: Int { documents.count }

  /// The total number of occurrences.
  public var totalFrequency: Int { positions.count }

  /// The positions of the key in the `index`-th document of the list.
  public func positions(at index: Int) -> ArraySlice<UInt32> {
    positions[positionOffsets[index]..<positionOffsets[index + 1]]
  }

  /// The UTF-8 ranges of the key in the `index`-th document of the list (empty when ranges
  /// were not decoded).
  public func ranges(at index: Int) -> [Range<Int>] {
    guard !starts.isEmpty else { return [] }
    return (positionOffsets[index]..<positionOffsets[index + 1]).map { Int(starts[$0])..<Int(ends[$0]) }
  }
}

/// The byte layout of one posting list, and of one document's position → range table.
///
/// A posting list (referenced by a dictionary entry's offset and length):
///
///     varint n (documents)
///     BlockCodec n × (document − previous − 1)        first: the document itself
///     BlockCodec n × (frequency − 1)
///     BlockCodec Σfrequency × (position − previous − 1) first in each document: the position
///
/// A range table (one per document, indexed by position; a position without a token has the
/// empty range at the previous token's end):
///
///     varint slots (last position + 1)   byte mode (0: gaps ≥ 0, 1: zigzag gaps)
///     BlockCodec slots × gap              gap = start − previous end (first: start)
///     BlockCodec slots × (end − start)
///
/// Storing ranges once per token position, rather than inside every term and stem list,
/// costs each token about six bits instead of two or three bytes per list (see
/// `Benchmarks/index-format-notes.md`).
public enum PostingsCodec {
  /// Appends one posting list. `positions` is flat, `frequencies[i]` of them per document,
  /// ascending within each document; `documents` ascending.
  ///
  /// - Precondition: the counts agree and orders are strict (a programmer error otherwise).
  public static func encode(
    documents: [UInt32], frequencies: [UInt32], positions: [UInt32], into output: inout [UInt8]
  ) {
    var gaps: [UInt32] = []
    positions.withUnsafeBufferPointer {
      encode(documents: documents, frequencies: frequencies, positions: $0, into: &output, gaps: &gaps)
    }
  }

  /// ``encode(documents:frequencies:positions:into:)`` with a caller's scratch array for the
  /// gaps (a builder encodes one list per key: no allocation per list) and the positions read
  /// in place (a slice of the builder's sorted positions, not a copy).
  static func encode(
    documents: [UInt32], frequencies: [UInt32], positions: UnsafeBufferPointer<UInt32>, into output: inout [UInt8],
    gaps: inout [UInt32]
  ) {
    precondition(documents.count == frequencies.count, "one frequency per document")
    Varint.append(UInt64(documents.count), to: &output)
    gaps.removeAll(keepingCapacity: true)
    gaps.reserveCapacity(max(documents.count, positions.count))
    var previous: Int64 = -1
    for document in documents {
      precondition(Int64(document) > previous, "documents must be strictly ascending")
      gaps.append(UInt32(Int64(document) - previous - 1))
      previous = Int64(document)
    }
    BlockCodec.encode(gaps, into: &output)
    gaps.removeAll(keepingCapacity: true)
    for frequency in frequencies {
      precondition(frequency >= 1, "a listed document has at least one occurrence")
      gaps.append(frequency - 1)
    }
    BlockCodec.encode(gaps, into: &output)
    // Position gaps, written in place: one resize, no checked append per position.
    gaps.removeAll(keepingCapacity: true)
    gaps.append(contentsOf: repeatElement(0, count: positions.count))
    var index = 0
    gaps.withUnsafeMutableBufferPointer { gaps in
      for frequency in frequencies {
        var previousPosition: Int64 = -1
        precondition(index + Int(frequency) <= positions.count, "Σ frequencies must equal the number of positions")
        for _ in 0..<Int(frequency) {
          let position = Int64(positions[index])
          precondition(position > previousPosition, "positions must be strictly ascending in a document")
          gaps[index] = UInt32(truncatingIfNeeded: position - previousPosition - 1)
          previousPosition = position
          index += 1
        }
      }
    }
    precondition(index == positions.count, "Σ frequencies must equal the number of positions")
    BlockCodec.encode(gaps, into: &output)
  }

  /// Decodes one posting list from `bytes` (exactly the list's bytes); `nil` when damaged.
  ///
  /// - Parameter withPositions: `false` decodes documents and frequencies only.
  public static func decode(_ bytes: UnsafeRawBufferPointer, withPositions: Bool = true) -> PostingList? {
    var cursor = ByteCursor(bytes)
    guard let rawCount = cursor.readVarint(), rawCount <= UInt64(bytes.count) * 128 else { return nil }
    let count = Int(rawCount)
    var list = PostingList()
    var values: [UInt32] = []
    guard BlockCodec.decode(count: count, from: &cursor, into: &values) else { return nil }
    list.documents.reserveCapacity(count)
    var document: Int64 = -1
    for gap in values {
      document += Int64(gap) + 1
      guard document <= Int64(UInt32.max) else { return nil }
      list.documents.append(UInt32(document))
    }
    values.removeAll(keepingCapacity: true)
    guard BlockCodec.decode(count: count, from: &cursor, into: &values) else { return nil }
    list.frequencies.reserveCapacity(count)
    list.positionOffsets.reserveCapacity(count + 1)
    var total = 0
    for value in values {
      guard value < UInt32.max else { return nil }
      list.frequencies.append(value + 1)
      total += Int(value) + 1
      list.positionOffsets.append(total)
    }
    guard withPositions else { return list }
    // A block of 128 takes at least its width byte: a larger total is damage, not a huge list.
    guard total <= (bytes.count - cursor.offset) * 128 else { return nil }
    values.removeAll(keepingCapacity: true)
    guard BlockCodec.decode(count: total, from: &cursor, into: &values) else { return nil }
    list.positions.reserveCapacity(total)
    var index = 0
    for frequency in list.frequencies {
      var position: Int64 = -1
      for _ in 0..<Int(frequency) {
        position += Int64(values[index]) + 1
        guard position <= Int64(UInt32.max) else { return nil }
        list.positions.append(UInt32(position))
        index += 1
      }
    }
    return list
  }

  /// Appends one document's range table; `starts[p]..<ends[p]` is the range of position `p`.
  public static func encodeRanges(starts: [UInt32], ends: [UInt32], into output: inout [UInt8]) {
    precondition(starts.count == ends.count, "one end per start")
    let count = starts.count
    Varint.append(UInt64(count), to: &output)
    starts.withUnsafeBufferPointer { starts in
      ends.withUnsafeBufferPointer { ends in
        var isMonotone = true
        var previousEnd: UInt32 = 0
        for index in 0..<count {
          let start = starts[index]
          let end = ends[index]
          precondition(end >= start, "a range ends after it starts")
          if start < previousEnd { isMonotone = false }
          previousEnd = end
        }
        output.append(isMonotone ? 0 : 1)
        let blockSize = BlockCodec.blockSize
        let blockCount = (count + blockSize - 1) / blockSize
        // The block table first (its offsets are known once each block is packed), then the
        // blocks, packed into one buffer.
        let tableStart = output.count
        output.append(contentsOf: repeatElement(0, count: 8 * blockCount))
        var blocks: [UInt8] = []
        blocks.reserveCapacity(count + 4 * blockCount)
        previousEnd = 0
        let interval = RangeTable.checkpointInterval
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * blockSize + blockSize / interval) { scratch in
          let gaps = UnsafeMutableBufferPointer(rebasing: scratch[0..<blockSize])
          let lengths = UnsafeMutableBufferPointer(rebasing: scratch[blockSize..<(2 * blockSize)])
          let checkpoints = UnsafeMutableBufferPointer(
            rebasing: scratch[(2 * blockSize)..<(2 * blockSize + blockSize / interval)])
          for block in 0..<blockCount {
            precondition(blocks.count <= Int(UInt32.max), "range table over 4 GiB")
            output.withUnsafeMutableBytes { bytes in
              bytes.storeBytes(
                of: UInt32(blocks.count).littleEndian, toByteOffset: tableStart + 8 * block, as: UInt32.self)
              bytes.storeBytes(of: previousEnd.littleEndian, toByteOffset: tableStart + 8 * block + 4, as: UInt32.self)
            }
            let first = block * blockSize
            let slots = min(count, first + blockSize) - first
            var gapBits: UInt32 = 0
            var lengthBits: UInt32 = 0
            let base = previousEnd
            for slot in 0..<slots {
              let start = starts[first + slot]
              let end = ends[first + slot]
              let gap =
                isMonotone
                ? start &- previousEnd : UInt32(truncatingIfNeeded: Varint.zigzag(Int64(start) - Int64(previousEnd)))
              gaps[slot] = gap
              lengths[slot] = end &- start
              gapBits |= gap
              lengthBits |= end &- start
              previousEnd = end
            }
            let gapWidth = 32 - gapBits.leadingZeroBitCount
            let lengthWidth = 32 - lengthBits.leadingZeroBitCount
            if isMonotone {
              // Mode 0: where the running end stands before every 32nd slot (the end of the
              // slot before it), from the base.
              var checkpointBits: UInt32 = 0
              for checkpoint in 0..<((slots - 1) / interval) {
                let value = ends[first + (checkpoint + 1) * interval - 1] - base
                checkpoints[checkpoint] = value
                checkpointBits |= value
              }
              let checkpointWidth = 32 - checkpointBits.leadingZeroBitCount
              blocks.append(UInt8(checkpointWidth))
              BitPacking.pack(
                UnsafeBufferPointer(rebasing: checkpoints[0..<((slots - 1) / interval)]), width: checkpointWidth,
                into: &blocks)
            }
            blocks.append(UInt8(gapWidth))
            BitPacking.pack(UnsafeBufferPointer(rebasing: gaps[0..<slots]), width: gapWidth, into: &blocks)
            blocks.append(UInt8(lengthWidth))
            BitPacking.pack(UnsafeBufferPointer(rebasing: lengths[0..<slots]), width: lengthWidth, into: &blocks)
          }
        }
        output.append(contentsOf: blocks)
      }
    }
  }

  /// Decodes one document's range table into `starts` and `ends` (replacing their contents),
  /// leaving `cursor` after it; `false` when damaged.
  public static func decodeRanges(
    from cursor: inout ByteCursor, starts: inout [UInt32], ends: inout [UInt32]
  ) -> Bool {
    starts.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    guard let table = RangeTable(cursor.bytes, at: cursor.offset) else { return false }
    var blockStarts: [UInt32] = []
    var blockEnds: [UInt32] = []
    for block in 0..<table.blockCount {
      guard let end = table.decode(block: block, starts: &blockStarts, ends: &blockEnds) else { return false }
      starts += blockStarts
      ends += blockEnds
      cursor.offset = end
    }
    if table.blockCount == 0 { cursor.offset = table.blocksStart }
    return true
  }
}

/// One document's position → range table read in place, a block of 128 positions at a time:
/// KWIC on a rare word in a long interview decodes one block, not the whole document.
///
///     varint slots · u8 mode (0: gaps ≥ 0, 1: zigzag gaps)
///     per block: u32 byte offset of the block (from the first block) · u32 end of the
///                previous range (the base its first gap counts from)
///     per block: [mode 0: u8 checkpoint width · packed checkpoints] ·
///                u8 gap width · packed gaps · u8 length width · packed lengths
///
/// gap = start − previous range's end; length = end − start. A position without a token has
/// the empty range at the previous token's end. Checkpoint j (1 ≤ j ≤ (slots in the block − 1)
/// / 32) is the end of the range before slot 32 j, minus the block's base: a lone position is
/// summed on from the checkpoint before it, not from the start of its block (format 4).
public struct RangeTable {
  /// Slots between two checkpoints of a mode-0 block.
  static let checkpointInterval = 32

  /// Where one block's packed fields lie (``blockLayout(_:)``).
  fileprivate struct BlockLayout {
    var base: UInt32
    var count: Int
    var checkpointWidth: UInt8
    var checkpointBytes: Range<Int>
    var gapWidth: UInt8
    var gapBytes: Range<Int>
    var lengthWidth: UInt8
    var lengthBytes: Range<Int>
  }

  /// The bytes holding the table (a whole ranges section, typically).
  public let bytes: UnsafeRawBufferPointer
  /// The number of positions described.
  public let slotCount: Int
  /// The number of 128-position blocks.
  public let blockCount: Int
  /// Offset of the first block in `bytes`.
  public let blocksStart: Int
  private let tableStart: Int
  fileprivate let isZigzag: Bool

  /// Whether starts never go back (mode 0: every range starts at or after the previous one's
  /// end), so that positions and byte offsets ascend together.
  public var isMonotone: Bool { !isZigzag }

  /// Reads the header of the table at `offset`; `nil` when damaged.
  public init?(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
    var cursor = ByteCursor(bytes, offset: offset)
    guard let slots = cursor.readVarint(), slots <= UInt64(bytes.count) * 128, let mode = cursor.readByte(), mode <= 1
    else { return nil }
    self.bytes = bytes
    slotCount = Int(slots)
    blockCount = (slotCount + BlockCodec.blockSize - 1) / BlockCodec.blockSize
    isZigzag = mode == 1
    tableStart = cursor.offset
    guard cursor.skip(8 * blockCount) != nil else { return nil }
    blocksStart = cursor.offset
  }

  /// Where block `block`'s bit-packed gaps and lengths lie, read from its table entry and
  /// headers; `nil` when damaged.
  fileprivate func blockLayout(_ block: Int) -> BlockLayout? {
    // Direct loads, each bounded by hand: the block table's 8 × blockCount bytes were checked
    // by `init`, the rest is checked here (a cursor per field took about 155 instructions a
    // block, and a lone word's hits mostly lie in different blocks).
    guard block >= 0, block < blockCount, let base = bytes.baseAddress else { return nil }
    let size = bytes.count
    let entry = tableStart &+ 8 &* block
    let relative = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: entry, as: UInt32.self)))
    let blockBase = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: entry &+ 4, as: UInt32.self))
    let count = min(BlockCodec.blockSize, slotCount &- block &* BlockCodec.blockSize)
    var offset = blocksStart &+ relative
    /// The packed field of `fields` values after the width byte at `offset`; `nil` past the end.
    @inline(__always)
    func field(_ fields: Int) -> (width: UInt8, bytes: Range<Int>)? {
      guard offset < size else { return nil }
      let width = base.load(fromByteOffset: offset, as: UInt8.self)
      guard width <= 32 else { return nil }
      let start = offset &+ 1
      let length = (fields &* Int(width) &+ 7) &>> 3
      guard length <= size &- start else { return nil }
      offset = start &+ length
      return (width, start..<offset)
    }
    var checkpoints: (width: UInt8, bytes: Range<Int>) = (0, offset..<offset)
    if !isZigzag {
      guard let packed = field((count &- 1) / Self.checkpointInterval) else { return nil }
      checkpoints = packed
    }
    guard let gaps = field(count), let lengths = field(count) else { return nil }
    return BlockLayout(
      base: blockBase, count: count, checkpointWidth: checkpoints.width, checkpointBytes: checkpoints.bytes,
      gapWidth: gaps.width, gapBytes: gaps.bytes, lengthWidth: lengths.width, lengthBytes: lengths.bytes)
  }

  /// The range of one position, decoding only the start of its block (no allocation); `nil`
  /// when `position` is out of range or the table is damaged. (A ``Walker`` for one position.)
  ///
  /// - Complexity: O(*p* mod 128).
  public func range(at position: Int) -> (start: UInt32, end: UInt32)? {
    var walker = Walker(self)
    return walker.range(at: position)
  }

  /// ``range(at:)`` through ``scan``, which checks every range on the way: for zigzag gaps
  /// and for a block without 8 readable bytes after it.
  fileprivate func checkedRange(at position: Int) -> (start: UInt32, end: UInt32)? {
    guard position >= 0, position < slotCount else { return nil }
    guard let layout = blockLayout(position / BlockCodec.blockSize) else { return nil }
    let count = position % BlockCodec.blockSize + 1
    var result: (start: UInt32, end: UInt32) = (0, 0)
    guard scan(layout, count: count, { _, start, end in result = (start, end) }) == count else { return nil }
    return result
  }

  /// Reads the ranges of a document's positions in turn: each one sums on from the previous
  /// one or from the checkpoint before it, whichever is nearer (at most 31 slots). A search
  /// asks for its hits' positions in ascending order, so the slots of a block are read once
  /// for all its hits, and nothing is stored for the slots between them.
  public struct Walker {
    let table: RangeTable
    private var block = -1
    /// The next slot of `block` the running sum stands before, and the end of the range
    /// before it (the block's base at slot 0).
    private var slot = 0
    private var previousEnd: UInt64 = 0
    /// The block's base (the end of the range before its first slot).
    private var blockBase: UInt64 = 0
    private var checkpointStart = 0
    private var checkpointWidth = 0
    private var checkpointMask: UInt64 = 0
    private var gapStart = 0
    private var lengthStart = 0
    private var gapWidth = 0
    private var lengthWidth = 0
    private var gapMask: UInt64 = 0
    private var lengthMask: UInt64 = 0
    /// Fields of each kind that one 64-bit load gives ``sum`` (⌊57 / width⌋, worked out once
    /// per block: a division at every sum took 5 % of this function's time).
    private var gapsPerWord = 0
    private var lengthsPerWord = 0
    /// Whether the fast path applies to `block`: mode 0 and 8 readable bytes after it.
    private var isFast = false
    /// ``RangeTable/pairMasks``, taken once per walker (a static's lazy initialisation is
    /// checked at every access).
    private let pairMasks = RangeTable.pairMasks

    init(_ table: RangeTable) { self.table = table }

    /// The range of `position`; `nil` when it is out of range or the table is damaged.
    public mutating func range(at position: Int) -> (start: UInt32, end: UInt32)? {
      guard position >= 0, position < table.slotCount else { return nil }
      let wanted = position / BlockCodec.blockSize
      let index = position % BlockCodec.blockSize
      if wanted != block || index < slot {
        guard let layout = table.blockLayout(wanted) else { return nil }
        block = wanted
        slot = 0
        previousEnd = UInt64(layout.base)
        blockBase = previousEnd
        checkpointStart = layout.checkpointBytes.lowerBound
        checkpointWidth = Int(layout.checkpointWidth)
        checkpointMask = (1 << UInt64(checkpointWidth)) - 1
        gapStart = layout.gapBytes.lowerBound
        lengthStart = layout.lengthBytes.lowerBound
        gapWidth = Int(layout.gapWidth)
        lengthWidth = Int(layout.lengthWidth)
        gapMask = (1 << UInt64(gapWidth)) - 1
        lengthMask = (1 << UInt64(lengthWidth)) - 1
        gapsPerWord = gapWidth > 0 ? 57 / gapWidth : 0
        lengthsPerWord = lengthWidth > 0 ? 57 / lengthWidth : 0
        isFast = !table.isZigzag && layout.lengthBytes.upperBound + 8 <= table.bytes.count
      }
      guard isFast, let base = table.bytes.baseAddress else {
        // Zigzag gaps, or a block at the very end of the bytes: the checked way.
        return table.checkedRange(at: position)
      }
      let checkpoint = index / RangeTable.checkpointInterval
      if checkpoint * RangeTable.checkpointInterval > slot {
        // A checkpoint lies between the running sum and `index` (mode 0 has one before
        // every 32nd slot of the block): start from it.
        slot = checkpoint * RangeTable.checkpointInterval
        previousEnd =
          blockBase
          + RangeTable.packedField(
            base, checkpointStart, bit: (checkpoint - 1) * checkpointWidth, mask: checkpointMask)
      }
      // Mode 0: gaps and lengths are never negative, so two running sums with no check on the
      // way (128 values of at most 32 bits cannot overflow a UInt64).
      var end = previousEnd
      if slot < index {
        end += RangeTable.sum(
          base, gapStart, slot..<index, width: gapWidth, perWord: gapsPerWord, mask: gapMask, pairMasks: pairMasks)
          + RangeTable.sum(
            base, lengthStart, slot..<index, width: lengthWidth, perWord: lengthsPerWord, mask: lengthMask,
            pairMasks: pairMasks)
      }
      let start = end + RangeTable.packedField(base, gapStart, bit: index * gapWidth, mask: gapMask)
      end = start + RangeTable.packedField(base, lengthStart, bit: index * lengthWidth, mask: lengthMask)
      guard end <= UInt64(UInt32.max) else { return nil }
      slot = index + 1
      previousEnd = end
      return (UInt32(start), UInt32(end))
    }
  }

  /// The sum of the packed fields `slots` of `width` bits from `start`: one unaligned 64-bit
  /// load per `perWord` = ⌊57 / width⌋ fields (at least 57 bits are whole after the shift),
  /// then shifts and masks, instead of a load per field.
  @inline(__always)
  fileprivate static func sum(
    _ base: UnsafeRawPointer, _ start: Int, _ slots: Range<Int>, width: Int, perWord: Int, mask: UInt64,
    pairMasks: UnsafePointer<UInt64>
  ) -> UInt64 {
    guard width > 0 else { return 0 }
    // Wrapping arithmetic: at most 128 fields of at most 32 bits, and offsets inside the block.
    let shift = UInt64(truncatingIfNeeded: width)
    var bit = slots.lowerBound &* width
    var remaining = slots.count
    var total: UInt64 = 0
    while remaining > 0 {
      var word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: start &+ (bit &>> 3), as: UInt64.self))
      word &>>= UInt64(truncatingIfNeeded: bit & 7)
      var fields = remaining < perWord ? remaining : perWord
      remaining &-= fields
      bit &+= fields &* width
      if width <= 8 {
        // Fields added in pairs, then pairs of pairs, in place: a field of at most 8 bits
        // leaves room in its lane for the sums (⌈log₂ fields⌉ steps instead of one per field).
        let used = fields &* width
        var sums = word & ((1 &<< UInt64(truncatingIfNeeded: used)) &- 1)
        var lane = width
        var step = (width &- 1) &* 6
        while lane < used {
          let even = pairMasks[step]
          sums = (sums & even) &+ ((sums &>> UInt64(truncatingIfNeeded: lane)) & even)
          lane &<<= 1
          step &+= 1
        }
        total &+= sums
        continue
      }
      repeat {
        total &+= word & mask
        word &>>= shift
        fields &-= 1
      } while fields > 0
    }
    return total
  }

  /// For a field width w of 1…8 bits and a step k of 0…5, entry (w − 1) × 6 + k: the lanes of
  /// w × 2ᵏ bits that start every w × 2ᵏ⁺¹ bits (the even lanes of step k of ``sum``). Made
  /// once and never freed (a pointer, so that reading it checks no bounds).
  nonisolated(unsafe) fileprivate static let pairMasks: UnsafePointer<UInt64> = {
    let masks = Self.makePairMasks()
    let table = UnsafeMutablePointer<UInt64>.allocate(capacity: masks.count)
    table.initialize(from: masks, count: masks.count)
    return UnsafePointer(table)
  }()

  /// The entries of ``pairMasks``.
  static func makePairMasks() -> [UInt64] {
    (1...8).flatMap { width in
      (0..<6).map { step in
        let lane = width << step
        guard lane < 64 else { return UInt64.max }
        var mask: UInt64 = 0
        var start = 0
        while start < 64 {
          mask |= ((1 << UInt64(lane)) - 1) << UInt64(start)
          start += 2 * lane
        }
        return mask
      }
    }
  }

  /// A walker over this table's ranges (``Walker``).
  public func walker() -> Walker { Walker(self) }

  /// Calls `body(index, start, end)` for the first `count` ranges of a block, in order, and
  /// returns how many it passed: fewer than `count` when a range would go below 0 or past
  /// `UInt32.max` (damage).
  ///
  /// One loop reads both packed fields of each slot (a single unaligned 64-bit load each when
  /// the table has 8 bytes after the block, as all but a section's last block do).
  @inline(__always)
  private func scan(_ layout: BlockLayout, count: Int, _ body: (Int, UInt32, UInt32) -> Void
  ) -> Int {
    let gapWidth = Int(layout.gapWidth)
    let lengthWidth = Int(layout.lengthWidth)
    let gapStart = layout.gapBytes.lowerBound
    let lengthStart = layout.lengthBytes.lowerBound
    let gapMask: UInt64 = (1 << UInt64(gapWidth)) - 1
    let lengthMask: UInt64 = (1 << UInt64(lengthWidth)) - 1
    var previousEnd = Int64(layout.base)
    if layout.lengthBytes.upperBound + 8 <= bytes.count, let base = bytes.baseAddress {
      var gapBit = 0
      var lengthBit = 0
      for index in 0..<count {
        let raw = Self.packedField(base, gapStart, bit: gapBit, mask: gapMask)
        let length = Int64(Self.packedField(base, lengthStart, bit: lengthBit, mask: lengthMask))
        gapBit += gapWidth
        lengthBit += lengthWidth
        let start = previousEnd + (isZigzag ? Varint.unzigzag(raw) : Int64(raw))
        let end = start + length
        guard start >= 0, end <= Int64(UInt32.max) else { return index }
        body(index, UInt32(start), UInt32(end))
        previousEnd = end
      }
      return count
    }
    for index in 0..<count {
      let raw = Self.extract(bytes, at: gapStart, index: index, width: gapWidth)
      let start = previousEnd + (isZigzag ? Varint.unzigzag(UInt64(raw)) : Int64(raw))
      let end = start + Int64(Self.extract(bytes, at: lengthStart, index: index, width: lengthWidth))
      guard start >= 0, end <= Int64(UInt32.max) else { return index }
      body(index, UInt32(start), UInt32(end))
      previousEnd = end
    }
    return count
  }

  /// The field of `mask`'s width at bit `bit` of the packed bytes from `start`: one unaligned
  /// 64-bit load (the caller checked that 8 bytes follow the packed bytes).
  @inline(__always)
  fileprivate static func packedField(_ base: UnsafeRawPointer, _ start: Int, bit: Int, mask: UInt64) -> UInt64 {
    let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: start + (bit >> 3), as: UInt64.self))
    return (word >> UInt64(bit & 7)) & mask
  }

  @inline(__always)
  private static func extract(_ bytes: UnsafeRawBufferPointer, at offset: Int, index: Int, width: Int) -> UInt32 {
    guard width > 0 else { return 0 }
    let bit = index * width
    let byteIndex = offset + (bit >> 3)
    var word: UInt64 = 0
    if byteIndex + 8 <= bytes.count {
      word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
    } else {
      var shift: UInt64 = 0
      for position in byteIndex..<bytes.count {
        word |= UInt64(bytes[position]) << shift
        shift += 8
      }
    }
    return UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & ((1 << UInt64(width)) - 1))
  }

  /// Decodes block `block` (positions `128 × block ..< 128 × (block + 1)`) into `starts` and
  /// `ends`, replacing their contents; returns the offset just past the block, or `nil` when
  /// damaged.
  public func decode(block: Int, starts: inout [UInt32], ends: inout [UInt32]) -> Int? {
    starts.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    guard block >= 0, block < blockCount else { return nil }
    guard let layout = blockLayout(block) else { return nil }
    let count = layout.count
    starts.append(contentsOf: repeatElement(0, count: count))
    ends.append(contentsOf: repeatElement(0, count: count))
    let decoded = starts.withUnsafeMutableBufferPointer { starts in
      ends.withUnsafeMutableBufferPointer { ends in
        scan(layout, count: count) { index, start, end in
          starts[index] = start
          ends[index] = end
        }
      }
    }
    guard decoded == count else { return nil }
    return layout.lengthBytes.upperBound
  }
}
