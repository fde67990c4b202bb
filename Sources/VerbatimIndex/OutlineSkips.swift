import VerbatimCorpus

/// Where to go on decoding a document's outline every 16 units (format 4): a search that wants
/// the unit holding a hit late in a long interview resumes from the mark before it instead of
/// decoding every sentence from the first.
///
///     skips = nothing (no marks) | part(turns) · part(sentences) · part(segments)
///     part  = varint n · n × (u32 previous end · u32 byte offset · u32 previous turn)
///
/// Entry k (0-based) is the stream's ``DocumentOutline/UnitStream/Mark`` before unit 16 (k + 1)
/// of the part: the end and turn of the unit before it, and where its bytes start (from the
/// part's first unit). A part of n units has ⌊(n − 1) / 16⌋ entries. The record stores the
/// skips after the outline, preceded by their byte length.
///
/// Marks are written only for an outline a search may skip through: every part decodes, the
/// turns' speakers are named, and ends (and the units' turns) never go back, so that "the
/// first unit ending after an offset" lies after every mark whose previous end is at most that
/// offset. Any other outline gets no skips, and is decoded from its first unit as before.
public struct OutlineSkips {
  /// Units between two marks (part of the format: a reader computes a mark's unit from it).
  /// Every 32 units, the 30 word queries of the benchmark took 4 % more instructions; every 16,
  /// the index is 1 % larger.
  public static let interval = 16
  static let entrySize = 12

  /// One part's marks, read in place.
  public struct Part {
    let entries: UnsafeRawBufferPointer
    /// How many marks.
    public let count: Int

    /// No marks.
    public static var none: Part { Part(entries: UnsafeRawBufferPointer(start: nil, count: 0), count: 0) }

    /// Mark `k` (before unit 16 (k + 1)).
    public func mark(_ k: Int) -> DocumentOutline.UnitStream.Mark {
      let at = k * OutlineSkips.entrySize
      return DocumentOutline.UnitStream.Mark(
        unit: (k + 1) * OutlineSkips.interval,
        byteOffset: Int(UInt32(littleEndian: entries.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self))),
        previousEnd: Int(UInt32(littleEndian: entries.loadUnaligned(fromByteOffset: at, as: UInt32.self))),
        previousTurn: Int(UInt32(littleEndian: entries.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self))))
    }

    /// The last mark whose units before it all end at or before `offset`, if it lies after
    /// unit `decoded` (else there is nothing to skip): binary search on the previous ends.
    public func lastMark(endingAtOrBefore offset: Int, after decoded: Int) -> DocumentOutline.UnitStream.Mark? {
      var low = 0
      var high = count
      while low < high {
        let middle = (low + high) / 2
        let end = UInt32(littleEndian: entries.loadUnaligned(fromByteOffset: middle * OutlineSkips.entrySize, as: UInt32.self))
        if Int(end) <= offset { low = middle + 1 } else { high = middle }
      }
      guard low > 0, low * OutlineSkips.interval > decoded else { return nil }
      return mark(low - 1)
    }

    /// The last mark at or before unit `index` (0-based), if it lies after unit `decoded`.
    public func lastMark(atOrBefore index: Int, after decoded: Int) -> DocumentOutline.UnitStream.Mark? {
      let k = min(index / OutlineSkips.interval, count) - 1
      guard k >= 0, (k + 1) * OutlineSkips.interval > decoded else { return nil }
      return mark(k)
    }
  }

  /// The marks of the turns, sentences and segments.
  public let turns: Part
  public let sentences: Part
  public let segments: Part

  /// No marks.
  public static var none: OutlineSkips { OutlineSkips(turns: .none, sentences: .none, segments: .none) }

  init(turns: Part, sentences: Part, segments: Part) {
    self.turns = turns
    self.sentences = sentences
    self.segments = segments
  }

  /// Reads skips (the bytes after their length in a record); `nil` when damaged.
  public init?(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else {
      self = .none
      return
    }
    // Three parts, without an array or a cursor: this runs for every document a search
    // visits (through a `ByteCursor` and slices, about 340 instructions a document; with the
    // cursor's `readVarint`, which the optimiser leaves a call, 90 more than this).
    let size = bytes.count
    var offset = 0
    @inline(__always) func part() -> Part? {
      guard offset < size else { return nil }
      var count = Int(base.load(fromByteOffset: offset, as: UInt8.self))
      if count < 0x80 {
        offset &+= 1
      } else {
        var cursor = ByteCursor(bytes, offset: offset)
        guard let value = cursor.readVarint(), value <= UInt64(size / Self.entrySize) else { return nil }
        count = Int(value)
        offset = cursor.offset
      }
      let length = count &* Self.entrySize
      guard length <= size &- offset else { return nil }
      defer { offset &+= length }
      return Part(entries: UnsafeRawBufferPointer(start: base + offset, count: length), count: count)
    }
    guard let turns = part(), let sentences = part(), let segments = part(), offset == size else {
      return nil
    }
    self.init(turns: turns, sentences: sentences, segments: segments)
  }

  /// The skips of an encoded outline (``DocumentOutline``), empty when it has no part of more
  /// than 16 units or when a search may not skip through it (see the type's notes).
  public static func encode(outline bytes: UnsafeRawBufferPointer) -> [UInt8] {
    guard !bytes.isEmpty else { return [] }
    var reader = DocumentOutline.Reader(bytes)
    // Runs for every document indexed: names are counted, not made into strings, and marks
    // go straight into the output.
    var names: [Range<Int>] = []
    guard reader.speakerRanges(into: &names) else { return [] }
    var out: [UInt8] = []
    var any = false
    for part in 0..<3 {
      let isTurn = part == 0
      guard var stream = reader.unitStream() else { return [] }
      Varint.append(UInt64(stream.count > 0 ? (stream.count - 1) / interval : 0), to: &out)
      var lastEnd = 0
      var lastValue = 0
      while !stream.isAtEnd {
        if stream.decoded > 0 && stream.decoded % interval == 0 {
          let mark = stream.mark
          out.appendLittleEndian(UInt32(mark.previousEnd))
          out.appendLittleEndian(UInt32(mark.byteOffset))
          out.appendLittleEndian(UInt32(mark.previousTurn))
          any = true
        }
        guard let (range, value) = stream.next(isTurn: isTurn), range.upperBound >= lastEnd else { return [] }
        if isTurn {
          guard value <= names.count else { return [] }
        } else {
          guard value >= lastValue else { return [] }
          lastValue = value
        }
        lastEnd = range.upperBound
      }
    }
    guard reader.skipPart(), reader.isAtEnd else { return [] }
    return any ? out : []
  }
}
