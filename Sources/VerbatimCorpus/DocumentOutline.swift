import VerbatimAnalysis

/// What a search needs to know about a document besides its words, in a few hundred bytes:
/// its turns (range and speaker), sentences and segments (range and turn), and metadata as
/// text. The import writes it beside the text (`documents.outline`), and `verbatim index`
/// copies it into the segment files, so a search finds units, speakers and metadata in the
/// index instead of reading rows from the store for every document it visits.
///
/// Encoding (LEB128 varints; `zigzag` for gaps, which never go negative in a valid document
/// but are not trusted to):
///
///     outline  = part(speakers) · part(turns) · part(sentences) · part(segments) · part(metadata)
///     part(x)  = varint byte length · x                  (a reader skips a part in one step)
///     speakers = varint count · count × (varint length · UTF-8)     distinct names, first use first
///     turns    = varint count · count × (zigzag(start − previous end) · varint (end − start) ·
///                                        varint speaker (0: none, k: the k-th name))
///     units    = varint count · count × (varint (zigzag(start − previous end) · 2 + c) ·
///                                        varint (end − start) ·
///                                        [zigzag(turn − previous turn) when c = 1])
///                turns are 1-based ordinals; c = 1 when the unit's turn is not the previous
///                unit's (the first unit's previous turn is 0), so most units take two bytes
///     metadata = varint count · count × (varint length · field · varint length · value)  fields sorted
///
/// Ordinals are implicit (1, 2, …, as the store numbers units). An empty outline (no bytes)
/// is a document without units.
public struct DocumentOutline: Sendable, Hashable {
  /// A turn: its text range and speaker.
  public struct Turn: Sendable, Hashable {
    public var range: Range<Int>
    public var speaker: String?
    public init(range: Range<Int>, speaker: String?) {
      self.range = range
      self.speaker = speaker
    }
  }

  /// A sentence or segment: its text range and the 1-based ordinal of its turn.
  public struct Unit: Sendable, Hashable {
    public var turn: Int
    public var range: Range<Int>
    public init(turn: Int, range: Range<Int>) {
      self.turn = turn
      self.range = range
    }
  }

  /// The kinds of unit an outline holds.
  public enum UnitKind: Int, Sendable, CaseIterable {
    case turn = 1, sentence = 2, segment = 3
  }

  public var turns: [Turn]
  public var sentences: [Unit]
  public var segments: [Unit]
  /// Metadata field → value as text (``MetadataValue/description``).
  public var metadata: [String: String]

  /// Creates an outline.
  public init(turns: [Turn], sentences: [Unit], segments: [Unit], metadata: [String: String]) {
    self.turns = turns
    self.sentences = sentences
    self.segments = segments
    self.metadata = metadata
  }

  /// The outline of an imported document and its units (`TextUnit.turn` is 0-based there).
  public init(document: ImportedDocument, units: DocumentUnits) {
    turns = document.turns.map { Turn(range: $0.range, speaker: $0.speaker) }
    sentences = units.sentences.map { Unit(turn: $0.turn + 1, range: $0.range) }
    segments = units.segments.map { Unit(turn: $0.turn + 1, range: $0.range) }
    metadata = document.metadata.mapValues(\.description)
  }

  /// The encoded outline (the format above). Deterministic: the same outline, the same bytes.
  public func encoded() -> [UInt8] {
    var speakerIndex: [String: Int] = [:]
    var speakerNames: [String] = []
    for turn in turns {
      if let speaker = turn.speaker, speakerIndex[speaker] == nil {
        speakerNames.append(speaker)
        speakerIndex[speaker] = speakerNames.count
      }
    }
    var out: [UInt8] = []
    var part: [UInt8] = []
    func close() {
      Self.appendVarint(UInt64(part.count), to: &out)
      out += part
      part.removeAll(keepingCapacity: true)
    }
    Self.appendVarint(UInt64(speakerNames.count), to: &part)
    for name in speakerNames { Self.appendString(name, to: &part) }
    close()
    Self.appendVarint(UInt64(turns.count), to: &part)
    var previousEnd = 0
    for turn in turns {
      Self.appendVarint(Self.zigzag(turn.range.lowerBound - previousEnd), to: &part)
      Self.appendVarint(UInt64(turn.range.count), to: &part)
      Self.appendVarint(UInt64(turn.speaker.flatMap { speakerIndex[$0] } ?? 0), to: &part)
      previousEnd = turn.range.upperBound
    }
    close()
    for units in [sentences, segments] {
      Self.appendVarint(UInt64(units.count), to: &part)
      var previousEnd = 0
      var previousTurn = 0
      for unit in units {
        let turnChanges: UInt64 = unit.turn == previousTurn ? 0 : 1
        Self.appendVarint(Self.zigzag(unit.range.lowerBound - previousEnd) << 1 | turnChanges, to: &part)
        Self.appendVarint(UInt64(unit.range.count), to: &part)
        if turnChanges == 1 { Self.appendVarint(Self.zigzag(unit.turn - previousTurn), to: &part) }
        previousEnd = unit.range.upperBound
        previousTurn = unit.turn
      }
      close()
    }
    Self.appendVarint(UInt64(metadata.count), to: &part)
    for (field, value) in metadata.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
      Self.appendString(field, to: &part)
      Self.appendString(value, to: &part)
    }
    close()
    return out
  }

  /// Decodes a whole outline; `nil` when the bytes are damaged. Empty bytes: no units.
  public init?(decoding bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else {
      self.init(turns: [], sentences: [], segments: [], metadata: [:])
      return
    }
    var reader = Reader(bytes)
    guard let speakers = reader.speakers(), let turns = reader.turns(speakers: speakers),
      let sentences = reader.units(), let segments = reader.units(), let metadata = reader.metadata(),
      reader.isAtEnd
    else { return nil }
    self.init(turns: turns, sentences: sentences, segments: segments, metadata: metadata)
  }

  /// Reads an outline's parts in order without decoding the ones skipped.
  public struct Reader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    /// A reader at the start of `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Whether every part was read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// The speakers' names (the first part).
    public mutating func speakers() -> [String]? {
      var ranges: [Range<Int>] = []
      guard speakerRanges(into: &ranges) else { return nil }
      return ranges.map { Self.name(in: bytes, $0) }
    }

    /// The speakers' names (the first part) as byte ranges of the outline, into `ranges`
    /// (emptied first), each checked as UTF-8 (unless not `validating`) but not made a
    /// `String`: the form for a searcher, which makes a name only for the units that hold a
    /// hit, and then checks it (``validName(in:_:)``) instead of every name of every document
    /// it visits.
    public mutating func speakerRanges(into ranges: inout [Range<Int>], validating: Bool = true) -> Bool {
      if !ranges.isEmpty { ranges.removeAll(keepingCapacity: true) }
      guard let end = partEnd(), let count = varint(), offset <= end else { return false }
      for _ in 0..<min(count, UInt64(end - offset)) {
        guard let length = varint(), offset <= end, length <= UInt64(end - offset) else { return false }
        let range = offset..<(offset + Int(length))
        if validating {
          let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
          let name = UnsafeBufferPointer(start: slice.baseAddress?.assumingMemoryBound(to: UInt8.self), count: slice.count)
          guard UTF8Validation.firstInvalidOffset(name) == nil else { return false }
        }
        ranges.append(range)
        offset = range.upperBound
      }
      return ranges.count == Int(count) && offset == end
    }

    /// The name at `range` of an outline's bytes (from ``speakerRanges(into:validating:)``).
    public static func name(in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
      String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The name at `range`, or `nil` when it is not UTF-8 (a name read without validating).
    public static func validName(in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
      let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
      let name = UnsafeBufferPointer(start: slice.baseAddress?.assumingMemoryBound(to: UInt8.self), count: slice.count)
      guard UTF8Validation.firstInvalidOffset(name) == nil else { return nil }
      return String(decoding: slice, as: UTF8.self)
    }

    /// The turns (the second part).
    public mutating func turns(speakers: [String]) -> [Turn]? {
      guard var stream = unitStream() else { return nil }
      var turns: [Turn] = []
      while !stream.isAtEnd {
        guard let (range, speaker) = stream.next(isTurn: true), speaker <= speakers.count else { return nil }
        turns.append(Turn(range: range, speaker: speaker == 0 ? nil : speakers[speaker - 1]))
      }
      return turns
    }

    /// Skips one part (turns, sentences or segments) without decoding it.
    public mutating func skipPart() -> Bool {
      guard let end = partEnd() else { return false }
      offset = end
      return true
    }

    /// The units of the next part (sentences, then segments), appended to `ranges` and `turns`
    /// (which are emptied first): the allocation-free form for a searcher's scratch buffers.
    public mutating func units(ranges: inout [Range<Int>], turns: inout [Int]) -> Bool {
      ranges.removeAll(keepingCapacity: true)
      turns.removeAll(keepingCapacity: true)
      guard var stream = unitStream() else { return false }
      while !stream.isAtEnd {
        guard let (range, turn) = stream.next(isTurn: false) else { return false }
        ranges.append(range)
        turns.append(turn)
      }
      return true
    }

    /// A lazy decoder over the next part (turns, sentences or segments), which this reader
    /// skips: the part's units come one at a time from ``UnitStream/next()``, so a search that
    /// needs only the units up to its last hit decodes no further. `nil` when the part's
    /// length or count is damaged.
    public mutating func unitStream() -> UnitStream? {
      guard let end = partEnd(), let count = varint(), offset <= end, count <= UInt64(end - offset),
        count > 0 || offset == end
      else { return nil }
      let stream = UnitStream(bytes: bytes, offset: offset, end: end, count: Int(count))
      offset = end
      return stream
    }

    /// The units of the next part (sentences, then segments).
    public mutating func units() -> [Unit]? {
      var ranges: [Range<Int>] = []
      var turns: [Int] = []
      guard units(ranges: &ranges, turns: &turns) else { return nil }
      return zip(turns, ranges).map { Unit(turn: $0, range: $1) }
    }

    /// The metadata (the last part).
    public mutating func metadata() -> [String: String]? {
      guard let end = partEnd(), let count = varint() else { return nil }
      var metadata: [String: String] = [:]
      var read = 0
      while read < Int(min(count, UInt64(end))) && offset < end {
        guard let field = string(end: end), let value = string(end: end) else { return nil }
        metadata[field] = value
        read += 1
      }
      guard read == Int(count), offset == end else { return nil }
      return metadata
    }

    @inline(__always)
    private mutating func partEnd() -> Int? {
      guard let length = varint(), length <= UInt64(bytes.count - offset) else { return nil }
      return offset + Int(length)
    }

    private mutating func string(end: Int) -> String? {
      guard let length = varint(), offset <= end, length <= UInt64(end - offset) else { return nil }
      let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
      offset += Int(length)
      return String(validating: slice, as: UTF8.self)
    }

    @inline(__always)
    private mutating func varint() -> UInt64? {
      DocumentOutline.varint(bytes, at: &offset, end: bytes.count)
    }
  }

  /// The units of one part (turns, sentences or segments), decoded one at a time
  /// (``Reader/unitStream()``).
  public struct UnitStream {
    private let bytes: UnsafeRawBufferPointer
    private var offset: Int
    private let end: Int
    /// How many units the part holds.
    public let count: Int
    /// How many ``next()`` has returned.
    public private(set) var decoded = 0
    private var previousEnd = 0
    private var previousTurn = 0
    /// Where the first unit's bytes start.
    private let first: Int

    init(bytes: UnsafeRawBufferPointer, offset: Int, end: Int, count: Int) {
      self.bytes = bytes
      self.offset = offset
      self.end = end
      self.count = count
      first = offset
    }

    /// Whether every unit was returned.
    public var isAtEnd: Bool { decoded == count }

    /// Where a stream stands: what it needs to go on decoding from a unit without the units
    /// before it (an index keeps one every few units, to skip to the unit it wants).
    public struct Mark: Sendable, Hashable {
      /// How many units come before (the next unit's 0-based index).
      public var unit: Int
      /// Where the next unit's bytes start, from the first unit's.
      public var byteOffset: Int
      /// The end of the unit before (0 for the first).
      public var previousEnd: Int
      /// For sentences and segments, the turn of the unit before (0 for the first).
      public var previousTurn: Int
      public init(unit: Int, byteOffset: Int, previousEnd: Int, previousTurn: Int) {
        self.unit = unit
        self.byteOffset = byteOffset
        self.previousEnd = previousEnd
        self.previousTurn = previousTurn
      }
    }

    /// Where this stream stands now.
    public var mark: Mark {
      Mark(unit: decoded, byteOffset: offset - first, previousEnd: previousEnd, previousTurn: previousTurn)
    }

    /// Goes on from `mark` (of this part, taken by ``mark`` on a stream of the same bytes);
    /// `false`, the stream unchanged, when the mark cannot be one: past the part's units or
    /// bytes, or with values out of range.
    public mutating func resume(at mark: Mark) -> Bool {
      guard mark.unit >= 0, mark.unit <= count, mark.byteOffset >= 0, mark.byteOffset <= end - first,
        mark.unit < count || mark.byteOffset == end - first,
        mark.previousEnd >= 0, mark.previousEnd <= Int(Int32.max), mark.previousTurn >= 0,
        mark.previousTurn <= Int(Int32.max)
      else { return false }
      decoded = mark.unit
      offset = first + mark.byteOffset
      previousEnd = mark.previousEnd
      previousTurn = mark.previousTurn
      return true
    }

    /// The next unit: its range and, for a turn, its speaker number (0: none, k: the k-th
    /// name), for a sentence or segment, its turn's 1-based ordinal. `nil` past the last unit
    /// (``isAtEnd``) or when the bytes are damaged.
    public mutating func next(isTurn: Bool) -> (range: Range<Int>, value: Int)? {
      // One unit: the batch decoder with room for one (`past: .min` stops after the first).
      var range = 0..<0
      var value = 0
      let written = withUnsafeMutablePointer(to: &range) { range in
        withUnsafeMutablePointer(to: &value) { value in
          decode(
            past: .min, isTurn: isTurn, into: UnsafeMutableBufferPointer(start: range, count: 1),
            values: UnsafeMutableBufferPointer(start: value, count: 1))
        }
      }
      return written == 1 ? (range, value) : nil
    }

    /// Decodes units into `ranges` and `values` (appended; the same values as ``next(isTurn:)``)
    /// until one ends after `offset` or the part ends: what a search asks for before each hit,
    /// in one call instead of one per unit. `false` when the bytes are damaged.
    ///
    /// Units go through a buffer on the stack and into the arrays a buffer at a time: an
    /// `append` per unit checked the arrays' uniqueness for each.
    public mutating func decode(
      past offset: Int, isTurn: Bool, ranges: inout [Range<Int>], values: inout [Int]
    ) -> Bool {
      let capacity = 64
      return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: capacity) { rangeBuffer in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { valueBuffer in
          while true {
            guard let written = decode(past: offset, isTurn: isTurn, into: rangeBuffer, values: valueBuffer) else {
              return false
            }
            ranges.append(contentsOf: UnsafeBufferPointer(rebasing: rangeBuffer[..<written]))
            values.append(contentsOf: UnsafeBufferPointer(rebasing: valueBuffer[..<written]))
            if written < capacity || isAtEnd || rangeBuffer[written - 1].upperBound > offset { return true }
          }
        }
      }
    }

    /// Decodes units until one ends after `offset` or the part ends, as ``decode(past:isTurn:ranges:values:)``
    /// does, and returns only the last one decoded (its 0-based index is ``decoded`` − 1): a
    /// search looking for the unit of each hit in turn keeps nothing else. `nil` when no unit
    /// is left (``isAtEnd``) or the bytes are damaged.
    public mutating func last(past offset: Int, isTurn: Bool) -> (range: Range<Int>, value: Int)? {
      guard !isAtEnd else { return nil }
      var range = 0..<0
      var value = 0
      let written = withUnsafeMutablePointer(to: &range) { range in
        withUnsafeMutablePointer(to: &value) { value in
          decode(
            past: offset, isTurn: isTurn, into: UnsafeMutableBufferPointer(start: range, count: 1),
            values: UnsafeMutableBufferPointer(start: value, count: 1), keepingLast: true)
        }
      }
      return written == 1 ? (range, value) : nil
    }

    /// The same, into buffers: at most as many units as they hold, or (`keepingLast`) as many
    /// as it takes, each written over the one before at index 0. Returns how many were
    /// written, `nil` when the bytes are damaged.
    @inline(__always)
    private mutating func decode(
      past offset: Int, isTurn: Bool, into ranges: UnsafeMutableBufferPointer<Range<Int>>,
      values: UnsafeMutableBufferPointer<Int>, keepingLast: Bool = false
    ) -> Int? {
      guard let base = bytes.baseAddress else { return decoded == count ? 0 : nil }
      let capacity = min(ranges.count, values.count)
      var written = 0
      var at = self.offset
      var decoded = self.decoded
      var previousEnd = self.previousEnd
      var previousTurn = self.previousTurn
      defer {
        self.offset = at
        self.decoded = decoded
        self.previousEnd = previousEnd
        self.previousTurn = previousTurn
      }
      // One or two bytes are the common cases (gaps under 128, lengths under 16,384: a
      // segment is usually longer than 127 bytes); longer ones take the loop.
      @inline(__always) func varint() -> UInt64? {
        if at + 1 < end {
          let byte = base.load(fromByteOffset: at, as: UInt8.self)
          if byte < 0x80 {
            at += 1
            return UInt64(byte)
          }
          let next = base.load(fromByteOffset: at + 1, as: UInt8.self)
          if next < 0x80 {
            at += 2
            return UInt64(byte & 0x7F) | UInt64(next) << 7
          }
        }
        return DocumentOutline.varint(bytes, at: &at, end: end)
      }
      while decoded < count && (keepingLast || written < capacity) {
        guard let head = varint(), let length = varint(), length <= UInt64(Int32.max) else { return nil }
        let value: Int
        let gap: UInt64
        if isTurn {
          guard let speaker = varint(), speaker <= UInt64(Int32.max) else { return nil }
          gap = head
          value = Int(speaker)
        } else {
          gap = head >> 1
          if head & 1 == 1 {
            guard let turnGap = varint(), let turn = DocumentOutline.add(previousTurn, DocumentOutline.unzigzag(turnGap))
            else { return nil }
            previousTurn = turn
          }
          value = previousTurn
        }
        guard let start = DocumentOutline.add(previousEnd, DocumentOutline.unzigzag(gap)) else { return nil }
        decoded += 1
        // The last unit must end its part exactly.
        guard decoded < count || at == end else { return nil }
        previousEnd = start + Int(length)
        if keepingLast {
          ranges.baseAddress!.pointee = start..<previousEnd
          values.baseAddress!.pointee = value
          written = 1
        } else {
          (ranges.baseAddress! + written).initialize(to: start..<previousEnd)
          (values.baseAddress! + written).initialize(to: value)
          written += 1
        }
        if previousEnd > offset { break }
      }
      return written
    }

  }

  /// The LEB128 varint at `offset` (moved past it) if it ends before `end`.
  @inline(__always)
  fileprivate static func varint(_ bytes: UnsafeRawBufferPointer, at offset: inout Int, end: Int) -> UInt64? {
    // One byte, the common case (a part's length and count, a name's length).
    if offset < end {
      let byte = bytes[offset]
      if byte < 0x80 {
        offset += 1
        return UInt64(byte)
      }
    }
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while offset < end && shift < 64 {
      let byte = bytes[offset]
      offset += 1
      value |= UInt64(byte & 0x7F) << shift
      if byte < 0x80 { return value }
      shift += 7
    }
    return nil
  }

  fileprivate static func unzigzag(_ value: UInt64) -> Int64 {
    Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
  }

  /// `base + delta` when it stays within 0…Int32.max (offsets and ordinals of a document).
  fileprivate static func add(_ base: Int, _ delta: Int64) -> Int? {
    let sum = Int64(base) + delta
    return sum >= 0 && sum <= Int64(Int32.max) ? Int(sum) : nil
  }

  private static func zigzag(_ value: Int) -> UInt64 {
    UInt64(bitPattern: Int64((value << 1) ^ (value >> 63)))
  }

  private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  private static func appendString(_ string: String, to bytes: inout [UInt8]) {
    appendVarint(UInt64(string.utf8.count), to: &bytes)
    bytes += string.utf8
  }
}
