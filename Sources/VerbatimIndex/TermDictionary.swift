/// Where a key's posting list is and how often the key occurs (tantivy's `TermInfo`).
public struct TermInfo: Sendable, Hashable {
  /// Byte offset of the posting list from the start of the postings section.
  public var postingsOffset: UInt64
  /// Byte length of the posting list.
  public var postingsLength: UInt64
  /// The number of documents containing the key.
  public var documentFrequency: UInt32
  /// The number of occurrences of the key (≥ `documentFrequency`).
  public var totalFrequency: UInt64

  /// Creates an entry.
  public init(postingsOffset: UInt64, postingsLength: UInt64, documentFrequency: UInt32, totalFrequency: UInt64) {
    self.postingsOffset = postingsOffset
    self.postingsLength = postingsLength
    self.documentFrequency = documentFrequency
    self.totalFrequency = totalFrequency
  }
}

/// One key of a dictionary with its entry.
public struct DictionaryEntry: Sendable, Hashable {
  /// The key's UTF-8 bytes (a normalised term or a stem).
  public var key: [UInt8]
  /// Where its postings are and its frequencies.
  public var info: TermInfo

  /// The key as a string.
  public var string: String { String(decoding: key, as: UTF8.self) }
}

/// Builds the bytes of a ``TermDictionary`` from keys given in ascending byte order.
///
/// Layout (all offsets relative to the section start; integers little-endian):
///
///     u32 keyCount   u32 blockCount   blockCount × u32 block offset (from the first block)
///     blocks of 16 entries, each entry:
///       varint shared prefix with the previous key (0 for a block's first key)
///       varint suffix length, suffix bytes
///       varint zigzag(postings offset − furthest end so far) (a block's first: the offset)
///       varint postings length, varint document frequency,
///       varint total frequency − document frequency
///
/// A block's first key is stored whole, so binary search reads it directly (Lucene's
/// block tree and tantivy's sstable front-code the same way). Lists (or, for terms, term
/// records) laid out in key order cost one byte of offset; an entry pointing back at an
/// earlier one costs a few bytes.
public struct TermDictionaryWriter {
  /// Keys per front-coded block.
  public static let blockSize = 16

  private var blocks: [UInt8] = []
  private var blockOffsets: [UInt32] = []
  private var previousKey: [UInt8] = []
  private var previousEnd: UInt64 = 0
  private var count = 0

  /// An empty dictionary.
  public init() {}

  /// The number of keys appended so far.
  public var keyCount: Int { count }

  /// Appends `key`, which must sort after every key appended before (byte order).
  ///
  /// - Precondition: keys strictly ascending.
  public mutating func append(_ key: [UInt8], _ info: TermInfo) {
    key.withUnsafeBufferPointer { append(bytes: $0, info) }
  }

  /// ``append(_:_:)`` for a key stored inside a larger array (a builder's key arena).
  mutating func append(_ key: ArraySlice<UInt8>, _ info: TermInfo) {
    key.withUnsafeBufferPointer { append(bytes: $0, info) }
  }

  private mutating func append(bytes key: UnsafeBufferPointer<UInt8>, _ info: TermInfo) {
    precondition(
      count == 0 || previousKey.withUnsafeBufferPointer { ByteKey.precedes($0, key) },
      "dictionary keys must be strictly ascending")
    let isFirst = count % Self.blockSize == 0
    if isFirst {
      precondition(blocks.count <= Int(UInt32.max), "dictionary section over 4 GiB")
      blockOffsets.append(UInt32(blocks.count))
    }
    var shared = 0
    if !isFirst {
      let limit = min(key.count, previousKey.count)
      while shared < limit && key[shared] == previousKey[shared] { shared += 1 }
    }
    Varint.append(UInt64(shared), to: &blocks)
    Varint.append(UInt64(key.count - shared), to: &blocks)
    blocks.append(contentsOf: key[shared...])
    if isFirst {
      Varint.append(info.postingsOffset, to: &blocks)
    } else {
      Varint.append(Varint.zigzag(Int64(info.postingsOffset) - Int64(previousEnd)), to: &blocks)
    }
    precondition(info.totalFrequency >= UInt64(info.documentFrequency), "total frequency below document frequency")
    Varint.append(info.postingsLength, to: &blocks)
    Varint.append(UInt64(info.documentFrequency), to: &blocks)
    Varint.append(info.totalFrequency - UInt64(info.documentFrequency), to: &blocks)
    previousKey.removeAll(keepingCapacity: true)
    previousKey.append(contentsOf: key)
    let end = info.postingsOffset + info.postingsLength
    previousEnd = isFirst ? end : max(previousEnd, end)
    count += 1
  }

  /// The finished section.
  public func finish() -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(8 + 4 * blockOffsets.count + blocks.count)
    output.appendLittleEndian(UInt32(count))
    output.appendLittleEndian(UInt32(blockOffsets.count))
    for offset in blockOffsets { output.appendLittleEndian(offset) }
    output.append(contentsOf: blocks)
    return output
  }
}

/// A sorted, front-coded dictionary read in place (from a mapped segment or a copy):
/// exact lookup, prefix ranges and ordered iteration, without loading it.
///
///     lookup("entretien") → TermInfo(…)     entries(withPrefix: "entre") → entreprise, entretien, …
///
/// It holds a reference to its ``ByteStorage``, so it stays valid after the segment reader
/// that made it is gone. `@unchecked Sendable`: all fields are `let`, the bytes are immutable.
public struct TermDictionary: @unchecked Sendable {
  private let storage: any ByteStorage
  private let bytes: UnsafeRawBufferPointer
  private let file: String
  private let blocksStart: Int
  private let blockOffsets: Int
  /// The number of keys.
  public let count: Int
  private let blockCount: Int

  /// Opens the dictionary in `bytes`, a region of `storage`'s bytes.
  ///
  /// - Parameter file: the file name used in error messages.
  /// - Throws: ``IndexError/corrupt(file:reason:)`` when the header or block index is damaged.
  public init(storage: any ByteStorage, bytes: UnsafeRawBufferPointer, file: String) throws(IndexError) {
    self.storage = storage
    self.bytes = bytes
    self.file = file
    var cursor = ByteCursor(bytes)
    guard let keyCount = cursor.readUInt32(), let blockCount = cursor.readUInt32() else {
      throw .corrupt(file: file, reason: "term dictionary header truncated")
    }
    let expectedBlocks = (Int(keyCount) + TermDictionaryWriter.blockSize - 1) / TermDictionaryWriter.blockSize
    guard Int(blockCount) == expectedBlocks, bytes.count - 8 >= 4 * Int(blockCount) else {
      throw .corrupt(file: file, reason: "term dictionary block index does not match its key count")
    }
    count = Int(keyCount)
    self.blockCount = Int(blockCount)
    blockOffsets = 8
    blocksStart = 8 + 4 * Int(blockCount)
    var previous = -1
    for block in 0..<self.blockCount {
      let offset = Int(bytes.loadUnaligned(fromByteOffset: 8 + 4 * block, as: UInt32.self).littleEndian)
      guard offset > previous, blocksStart + offset < bytes.count else {
        throw .corrupt(file: file, reason: "term dictionary block \(block) out of order or out of bounds")
      }
      previous = offset
    }
  }

  /// Opens a dictionary from a copy of `bytes` (tests, tools).
  public init(bytes: [UInt8], file: String = "<memory>") throws(IndexError) {
    let storage = OwnedBytes(bytes)
    try self.init(storage: storage, bytes: storage.bytes, file: file)
  }

  private func blockStart(_ block: Int) -> Int {
    blocksStart + Int(bytes.loadUnaligned(fromByteOffset: blockOffsets + 4 * block, as: UInt32.self).littleEndian)
  }

  private func damaged(_ what: String) -> IndexError {
    .corrupt(file: file, reason: "term dictionary: \(what)")
  }

  /// Compares the first key of `block` with `key` in byte order.
  private func compareFirstKey(ofBlock block: Int, with key: UnsafeBufferPointer<UInt8>) throws(IndexError) -> Int {
    var cursor = ByteCursor(bytes, offset: blockStart(block))
    guard cursor.readVarint() == 0, let length = cursor.readVarint(), let range = cursor.skip(Int(clamping: length))
    else { throw damaged("block \(block) header") }
    let first = UnsafeRawBufferPointer(rebasing: bytes[range])
    let common = min(first.count, key.count)
    for index in 0..<common where first[index] != key[index] {
      return first[index] < key[index] ? -1 : 1
    }
    return first.count == key.count ? 0 : (first.count < key.count ? -1 : 1)
  }

  /// The last block whose first key is ≤ `key` (0 when `key` sorts before everything).
  private func block(containing key: UnsafeBufferPointer<UInt8>) throws(IndexError) -> Int {
    var low = 0
    var high = blockCount - 1
    var found = 0
    while low <= high {
      let middle = (low + high) / 2
      if try compareFirstKey(ofBlock: middle, with: key) <= 0 {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }

  /// Walks entries from the start of `firstBlock` in order; `body` returns `false` to stop.
  private func scan(
    fromBlock firstBlock: Int, _ body: (_ key: [UInt8], _ info: TermInfo) throws(IndexError) -> Bool
  ) throws(IndexError) {
    var iterator = EntryIterator(self, fromBlock: firstBlock)
    while let (key, info) = try iterator.next() {
      guard try body(key, info) else { return }
    }
  }

  /// Every entry in key order, one at a time (a merge walks several dictionaries at once).
  public func makeEntryIterator() -> EntryIterator { EntryIterator(self, fromBlock: 0) }

  /// Tells the storage that this dictionary's bytes will not be read again soon
  /// (``ByteStorage/releaseResidentPages(of:)``): a mapped segment drops their pages from the
  /// process's resident memory. A walk through every dictionary of a large index keeps only
  /// those it is reading resident.
  public func releaseResidentPages() { storage.releaseResidentPages(of: bytes) }

  /// Reads a dictionary's entries in key order without holding them.
  public struct EntryIterator {
    private let dictionary: TermDictionary
    private var cursor: ByteCursor
    private var key: [UInt8] = []
    private var previousEnd: UInt64 = 0
    private var index: Int

    init(_ dictionary: TermDictionary, fromBlock firstBlock: Int) {
      self.dictionary = dictionary
      if firstBlock < dictionary.blockCount {
        cursor = ByteCursor(dictionary.bytes, offset: dictionary.blockStart(firstBlock))
        index = firstBlock * TermDictionaryWriter.blockSize
      } else {
        cursor = ByteCursor(dictionary.bytes)
        index = dictionary.count
      }
    }

    /// The next entry, or `nil` after the last.
    ///
    /// - Throws: ``IndexError/corrupt(file:reason:)``.
    public mutating func next() throws(IndexError) -> (key: [UInt8], info: TermInfo)? {
      guard let info = try advance() else { return nil }
      return (key, info)
    }

    /// The key of the entry ``advance()`` last moved to, read in place (no copy is made
    /// unless the caller keeps it).
    public var currentKey: [UInt8] { key }

    /// Moves to the next entry and returns its postings information (its key is
    /// ``currentKey``), or `nil` after the last.
    ///
    /// - Throws: ``IndexError/corrupt(file:reason:)``.
    public mutating func advance() throws(IndexError) -> TermInfo? {
      guard index < dictionary.count else { return nil }
      let bytes = dictionary.bytes
      let isFirst = index % TermDictionaryWriter.blockSize == 0
      if isFirst && cursor.offset != dictionary.blockStart(index / TermDictionaryWriter.blockSize) {
        throw dictionary.damaged("block \(index / TermDictionaryWriter.blockSize) does not start where indexed")
      }
      guard let shared = cursor.readVarint(), shared <= UInt64(key.count), !isFirst || shared == 0,
        let suffixLength = cursor.readVarint(), let suffix = cursor.skip(Int(clamping: suffixLength)),
        let offsetField = cursor.readVarint(), let length = cursor.readVarint(),
        let documentFrequency = cursor.readVarint(), documentFrequency <= UInt64(UInt32.max),
        let extra = cursor.readVarint()
      else { throw dictionary.damaged("entry \(index) truncated") }
      key.removeSubrange(Int(shared)...)
      key.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[suffix]))
      let signed = isFirst ? Int64(clamping: offsetField) : Int64(clamping: previousEnd) &+ Varint.unzigzag(offsetField)
      guard signed >= 0, isFirst || previousEnd <= UInt64(Int64.max) else {
        throw dictionary.damaged("entry \(index) out of range")
      }
      let offset = UInt64(signed)
      let (end, overflowEnd) = offset.addingReportingOverflow(length)
      let (total, overflowTotal) = extra.addingReportingOverflow(documentFrequency)
      guard !overflowEnd, !overflowTotal else { throw dictionary.damaged("entry \(index) out of range") }
      previousEnd = isFirst ? end : max(previousEnd, end)
      index += 1
      return TermInfo(
        postingsOffset: offset, postingsLength: length, documentFrequency: UInt32(documentFrequency),
        totalFrequency: total)
    }
  }

  /// The entry at `ordinal` in key order (a term record names its stem by ordinal).
  ///
  /// - Complexity: at most 16 entries read.
  /// - Throws: ``IndexError/corrupt(file:reason:)``, also for an ordinal out of range.
  public func info(atOrdinal ordinal: Int) throws(IndexError) -> TermInfo {
    guard ordinal >= 0 && ordinal < count else { throw damaged("entry \(ordinal) out of range") }
    var iterator = EntryIterator(self, fromBlock: ordinal / TermDictionaryWriter.blockSize)
    for _ in 0..<(ordinal % TermDictionaryWriter.blockSize) { _ = try iterator.advance() }
    guard let info = try iterator.advance() else { throw damaged("entry \(ordinal) out of range") }
    return info
  }

  /// The entry of exactly `key`, or `nil`.
  ///
  /// - Complexity: O(log(*n* / 16)) first-key reads, then at most 16 entries.
  public func lookup(_ key: some Collection<UInt8>) throws(IndexError) -> TermInfo? {
    let key = Array(key)
    guard count > 0 else { return nil }
    let block = try key.withUnsafeBufferPointer { (buffer) throws(IndexError) in try self.block(containing: buffer) }
    var result: TermInfo?
    var seen = 0
    try scan(fromBlock: block) { (candidate, info) throws(IndexError) in
      seen += 1
      if candidate == key {
        result = info
        return false
      }
      return seen < TermDictionaryWriter.blockSize && candidate.lexicographicallyPrecedes(key)
    }
    return result
  }

  /// The entry of exactly `key` (its UTF-8 bytes), or `nil`.
  public func lookup(_ key: String) throws(IndexError) -> TermInfo? {
    try lookup(Array(key.utf8))
  }

  /// Every entry whose key starts with `prefix` (byte-wise), in order; all entries for an
  /// empty prefix.
  ///
  ///     entries(withPrefix: "trav") → travail, travaill, travailler, travaux
  public func entries(withPrefix prefix: some Collection<UInt8>) throws(IndexError) -> [DictionaryEntry] {
    let prefix = Array(prefix)
    guard count > 0 else { return [] }
    let block = try prefix.withUnsafeBufferPointer { (buffer) throws(IndexError) in try self.block(containing: buffer) }
    var result: [DictionaryEntry] = []
    try scan(fromBlock: block) { (key, info) throws(IndexError) in
      if key.starts(with: prefix) {
        result.append(DictionaryEntry(key: key, info: info))
        return true
      }
      // Before the range: keep going; after it: stop.
      return key.lexicographicallyPrecedes(prefix)
    }
    return result
  }

  /// Every entry whose key starts with `prefix`'s UTF-8 bytes, in order.
  public func entries(withPrefix prefix: String) throws(IndexError) -> [DictionaryEntry] {
    try entries(withPrefix: Array(prefix.utf8))
  }

  /// Calls `body` on every entry in key order; `body` returns `false` to stop early.
  public func forEach(_ body: (_ key: [UInt8], _ info: TermInfo) throws(IndexError) -> Bool) throws(IndexError) {
    try scan(fromBlock: 0, body)
  }
}
