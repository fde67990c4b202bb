#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CMemoryHints
import VerbatimAnalysis
import VerbatimCorpus

/// One token as a segment stores it: its normalised term, its stem, its position and its
/// UTF-8 range in the document text.
public struct SegmentToken: Sendable, Hashable {
  /// The normalised term (the key of an exact `=mot` query).
  public var term: String
  /// The stem (the key of a plain word query).
  public var stem: String
  /// Position in the document's token sequence, from 0.
  public var position: UInt32
  /// UTF-8 offset of the first byte.
  public var start: UInt32
  /// UTF-8 offset just past the last byte.
  public var end: UInt32

  /// Creates a token.
  public init(term: String, stem: String, position: UInt32, start: UInt32, end: UInt32) {
    self.term = term
    self.stem = stem
    self.position = position
    self.start = start
    self.end = end
  }
}

/// A document of a segment: its global id and its number of tokens.
public struct SegmentDocument: Sendable, Hashable {
  /// The document's id in the project store.
  public var documentID: Int64
  /// The number of tokens indexed for it.
  public var tokenCount: UInt32

  /// Creates a document entry.
  public init(documentID: Int64, tokenCount: UInt32) {
    self.documentID = documentID
    self.tokenCount = tokenCount
  }
}

/// Accumulates documents in memory and serialises them as one immutable segment file.
///
/// Documents get dense local ordinals in the order they are added. Keys are compared as
/// UTF-8 bytes (never by `String`'s canonical equivalence), and everything is written sorted,
/// so the same documents in the same order always give byte-identical files.
///
///     var builder = SegmentBuilder()
///     builder.add(documentID: 7, tokens: pipeline.tokens(in: "L’entretien").map { … })
///     try builder.write(to: ".verbatim/index/seg-000001.vbseg")
public struct SegmentBuilder {
  /// The distinct keys (terms or stems) of the builder and, per token, which key it has.
  ///
  /// Postings are not kept per key while documents are added: each token appends its key id
  /// to one flat array (4 bytes a token), and ``serialized()`` groups them by key with a
  /// counting sort. Millions of small per-key arrays would cost their headers, their growth
  /// slack and a uniqueness check on every append.
  private struct KeyTable {
    /// Key bytes → id, for keys added by bytes (``id(of:)``); built lazily.
    var index: [ByteKey: Int] = [:]
    /// Every key's bytes, one after the other: key `id` is `arena[offsets[id]..<offsets[id + 1]]`.
    /// One array, not an array per key: a run's hundred thousand keys cost no allocation
    /// each, and sorting and writing them touch neither a refcount nor a scattered object.
    var arena: [UInt8] = []
    var offsets: [Int] = [0]
    /// Occurrences of each key.
    var counts: [UInt32] = []
    /// The key of every token, in the order tokens were added.
    var tokenKeys: [UInt32] = []

    /// Keys `0..<indexed` are in `index` (``append(new:)`` leaves the index behind).
    var indexed = 0

    /// The number of distinct keys.
    var count: Int { counts.count }

    /// The bytes of all keys.
    var keyBytes: Int { arena.count }

    /// The bytes of key `id`.
    func key(_ id: Int) -> ArraySlice<UInt8> { arena[offsets[id]..<offsets[id + 1]] }

    mutating func id<Bytes: Collection<UInt8>>(of key: Bytes) -> Int {
      while indexed < count {
        index[ByteKey(bytes: Array(self.key(indexed)))] = indexed
        indexed += 1
      }
      let wanted = ByteKey(bytes: Array(key))
      if let id = index[wanted] { return id }
      indexed += 1
      let id = count
      index[wanted] = id
      store(key)
      return id
    }

    /// Adds a key the caller knows is not in the table (a vocabulary id seen for the first
    /// time: the vocabulary's keys are distinct), without hashing it; ``id(of:)`` when the
    /// table was ever searched by bytes.
    mutating func append<Bytes: Collection<UInt8>>(new key: Bytes) -> Int {
      guard indexed == 0 else { return id(of: key) }
      store(key)
      return count - 1
    }

    private mutating func store<Bytes: Collection<UInt8>>(_ key: Bytes) {
      arena.append(contentsOf: key)
      offsets.append(arena.count)
      counts.append(0)
    }

    /// Forgets every key and token, keeping the arrays' capacity.
    mutating func reset() {
      index.removeAll(keepingCapacity: true)
      arena.removeAll(keepingCapacity: true)
      offsets.removeAll(keepingCapacity: true)
      offsets.append(0)
      counts.removeAll(keepingCapacity: true)
      tokenKeys.removeAll(keepingCapacity: true)
      indexed = 0
    }

    mutating func add(_ id: Int) {
      tokenKeys.append(UInt32(truncatingIfNeeded: id))
      counts[id] &+= 1
    }

    /// Adds a batch's keys (`slots` maps each token's vocabulary id, its stem id when
    /// `stems`, else its term id): the array grows once and is written in place.
    mutating func add(_ tokens: UnsafeBufferPointer<RawToken>, through slots: [Int], stems: Bool) {
      let base = tokenKeys.count
      tokenKeys.append(contentsOf: repeatElement(0, count: tokens.count))
      slots.withUnsafeBufferPointer { slots in
        counts.withUnsafeMutableBufferPointer { counts in
          tokenKeys.withUnsafeMutableBufferPointer { keys in
            for (index, token) in tokens.enumerated() {
              let key = slots[Int(stems ? token.stemID : token.termID)]
              keys[base + index] = UInt32(truncatingIfNeeded: key)
              counts[key] &+= 1
            }
          }
        }
      }
    }

    /// The key ids in key byte order.
    func sortedIDs() -> [Int] {
      arena.withUnsafeBufferPointer { arena in
        offsets.withUnsafeBufferPointer { offsets in
          // Most comparisons are settled by the first eight bytes, compared as one integer.
          var entries = (0..<count).map { id in
            let start = offsets[id]
            let length = offsets[id + 1] - start
            var prefix: UInt64 = 0
            for index in 0..<8 { prefix = prefix << 8 | UInt64(index < length ? arena[start + index] : 0) }
            return (prefix: prefix, id: id)
          }
          entries.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return ByteKey.precedes(
              UnsafeBufferPointer(rebasing: arena[offsets[a.id]..<offsets[a.id + 1]]),
              UnsafeBufferPointer(rebasing: arena[offsets[b.id]..<offsets[b.id + 1]]))
          }
          return entries.map(\.id)
        }
      }
    }

    /// Where each key's occurrences start in key-grouped order (prefix sums of `counts`).
    func starts() -> [Int] {
      var result = [Int](repeating: 0, count: counts.count + 1)
      for (id, count) in counts.enumerated() { result[id + 1] = result[id] + Int(count) }
      return result
    }
  }

  /// The counting sort's three per-token arrays, kept between segments by
  /// ``writeKeepingBuffers(to:)`` (a worker's builder), allocated per call otherwise.
  struct SortBuffers {
    var documents: [UInt32] = []
    var positions: [UInt32] = []
    var terms: [UInt32] = []

    /// Makes each array `count` long (keeping capacity; old contents are overwritten).
    mutating func resize(_ count: Int) {
      func fit(_ array: inout [UInt32]) {
        if array.count > count { array.removeLast(array.count - count) }
        if array.count < count { array.append(contentsOf: repeatElement(0, count: count - array.count)) }
      }
      fit(&documents)
      fit(&positions)
      fit(&terms)
    }

    var capacityBytes: Int { 4 * (documents.capacity + positions.capacity + terms.capacity) }
  }

  private var sortBuffers = SortBuffers()
  private var terms = KeyTable()
  private var stems = KeyTable()
  private var documents: [SegmentDocument] = []
  /// The position of every token, in the order added (documents in ordinal order).
  private var tokenPositions: [UInt32] = []
  private var rangeTables: [UInt8] = []
  private var rangeOffsets: [UInt64] = []
  private var scratchStarts: [UInt32] = []
  private var scratchEnds: [UInt32] = []
  private var openDocument: SegmentDocument?
  private var previousPosition: Int64 = -1
  private var vocabularyIdentity: ObjectIdentifier?
  private var termSlots: [Int] = []
  private var stemSlots: [Int] = []

  /// An empty segment.
  public init() {}

  /// Empties the builder for the next segment, keeping the capacity of its per-token arrays
  /// (a worker building one segment after another does not allocate and fault them in again;
  /// ``estimatedByteCount`` still counts that capacity). The same as a new builder otherwise.
  ///
  /// - Precondition: no document is open.
  public mutating func reset() {
    precondition(openDocument == nil, "call endDocument() before resetting")
    terms.reset()
    stems.reset()
    documents.removeAll(keepingCapacity: true)
    tokenPositions.removeAll(keepingCapacity: true)
    rangeTables.removeAll(keepingCapacity: true)
    rangeOffsets.removeAll(keepingCapacity: true)
    scratchStarts.removeAll(keepingCapacity: true)
    scratchEnds.removeAll(keepingCapacity: true)
    previousPosition = -1
    vocabularyIdentity = nil
    termSlots.removeAll(keepingCapacity: true)
    stemSlots.removeAll(keepingCapacity: true)
    tokenCount = 0
  }

  /// The number of documents added.
  public var documentCount: Int { documents.count }

  /// The number of tokens added.
  public private(set) var tokenCount = 0

  /// An estimate of the memory the builder needs up to the end of ``write(to:)``, for
  /// flushing at a memory budget: the per-token arrays as allocated (growth slack included),
  /// the three sort buffers (12 bytes a token) that writing allocates, keys with their
  /// hash-table and list overhead, and the encoded range tables.
  ///
  /// - Complexity: O(1).
  public var estimatedByteCount: Int {
    let tokenArrays = 4 * (tokenPositions.capacity + terms.tokenKeys.capacity + stems.tokenKeys.capacity)
    let sortBuffers = max(12 * tokenCount, self.sortBuffers.capacityBytes)
    let keyCount = terms.count + stems.count
    let keys = terms.keyBytes + stems.keyBytes + keyCount * 168
    return tokenArrays + sortBuffers + keys + rangeTables.capacity + 28 * documents.count + 8 * termSlots.count
  }

  /// Adds one document's tokens as the next local ordinal, and returns that ordinal.
  ///
  /// Tokens may come in any order; they are sorted by position. Positions need not be
  /// dense: a missing position gets an empty range at the previous token's end.
  ///
  /// - Precondition: no document is open (``beginDocument(documentID:)``), positions are
  ///   distinct within the document, `start ≤ end`, and the segment holds fewer than 2³²
  ///   documents (tokens come from the analyser: a violation is a programmer error).
  @discardableResult
  public mutating func add(documentID: Int64, tokens: [SegmentToken]) -> UInt32 {
    beginDocument(documentID: documentID)
    for token in tokens.sorted(by: { $0.position < $1.position }) {
      let term = terms.id(of: token.term.utf8)
      let stem = stems.id(of: token.stem.utf8)
      record(term: term, stem: stem, position: token.position, start: token.start, end: token.end)
    }
    return endDocument()
  }

  /// Opens the next document for ``append(_:from:)``: the streaming form of
  /// ``add(documentID:tokens:)`` for the analyser's batches, without building strings.
  ///
  /// - Precondition: no other document is open.
  public mutating func beginDocument(documentID: Int64) {
    beginDocument(documentID: documentID, outline: [])
  }

  /// ``beginDocument(documentID:)`` for a document with its encoded outline
  /// (`DocumentOutline`: units, speakers, metadata), kept as it is beside its range table.
  public mutating func beginDocument(documentID: Int64, outline: [UInt8]) {
    outline.withUnsafeBytes { beginDocument(documentID: documentID, outline: $0) }
  }

  /// ``beginDocument(documentID:outline:)`` for outline bytes in place (copied now).
  public mutating func beginDocument(documentID: Int64, outline: UnsafeRawBufferPointer) {
    precondition(openDocument == nil, "call endDocument() before opening another document")
    precondition(documents.count < Int(UInt32.max), "a segment holds fewer than 2³² documents")
    openDocument = SegmentDocument(documentID: documentID, tokenCount: 0)
    // The record starts with the outline and its skips; the range table follows at
    // endDocument().
    rangeOffsets.append(UInt64(rangeTables.count))
    Varint.append(UInt64(outline.count), to: &rangeTables)
    rangeTables.append(contentsOf: outline)
    let skips = OutlineSkips.encode(outline: outline)
    Varint.append(UInt64(skips.count), to: &rangeTables)
    rangeTables.append(contentsOf: skips)
    previousPosition = -1
    scratchStarts.removeAll(keepingCapacity: true)
    scratchEnds.removeAll(keepingCapacity: true)
  }

  /// Adds a batch of analysed tokens to the open document; ids are resolved through
  /// `vocabulary` (the pipeline that produced them), each distinct id once per builder.
  ///
  ///     builder.beginDocument(documentID: 7)
  ///     try pipeline.analyze(text) { builder.append($0, from: pipeline.vocabulary) }
  ///     builder.endDocument()
  ///
  /// - Precondition: a document is open; positions ascend across batches; every batch of a
  ///   builder comes from the same vocabulary.
  public mutating func append(_ tokens: UnsafeBufferPointer<RawToken>, from vocabulary: Vocabulary) {
    precondition(openDocument != nil, "call beginDocument(documentID:) first")
    let identity = ObjectIdentifier(vocabulary)
    if vocabularyIdentity == nil { vocabularyIdentity = identity }
    precondition(vocabularyIdentity == identity, "one builder takes tokens from one vocabulary")
    // Keys first: a vocabulary id seen for the first time gets its key (rare after the first
    // documents), so that the loop below only counts and appends.
    for token in tokens {
      let termID = Int(token.termID)
      let stemID = Int(token.stemID)
      if termID < termSlots.count && termSlots[termID] >= 0 && stemID < stemSlots.count && stemSlots[stemID] >= 0 {
        continue
      }
      if termID >= termSlots.count {
        termSlots.append(contentsOf: repeatElement(-1, count: termID - termSlots.count + 1))
      }
      if stemID >= stemSlots.count {
        stemSlots.append(contentsOf: repeatElement(-1, count: stemID - stemSlots.count + 1))
      }
      // The vocabulary's keys are distinct, and a builder takes one vocabulary: a new id is
      // a new key.
      if stemSlots[stemID] < 0 { stemSlots[stemID] = stems.append(new: vocabulary.stemBytes(token.stemID)) }
      if termSlots[termID] < 0 {
        termSlots[termID] = terms.append(new: vocabulary.termBytes(token.termID))
      }
    }
    // Positions usually follow each other with no gap (every position has a token): then
    // every per-token array grows by exactly the batch, written in place, one array per loop.
    let isDense =
      tokens.isEmpty
      || (tokens[0].position == scratchStarts.count
        && tokens[tokens.count - 1].position - tokens[0].position == tokens.count - 1)
    if isDense {
      appendDense(tokens)
    } else {
      for token in tokens {
        precondition(token.position >= 0 && token.start >= 0 && token.end <= Int(UInt32.max), "token out of range")
        record(
          term: termSlots[Int(token.termID)], stem: stemSlots[Int(token.stemID)], position: UInt32(token.position),
          start: UInt32(token.start), end: UInt32(token.end))
      }
    }
  }

  /// ``append(_:from:)`` for a batch whose positions continue the document densely (a batch
  /// with missing positions goes token by token through ``record``, which fills them).
  private mutating func appendDense(_ tokens: UnsafeBufferPointer<RawToken>) {
    let count = tokens.count
    terms.add(tokens, through: termSlots, stems: false)
    stems.add(tokens, through: stemSlots, stems: true)
    let positionBase = tokenPositions.count
    let rangeBase = scratchStarts.count
    tokenPositions.append(contentsOf: repeatElement(0, count: count))
    scratchStarts.append(contentsOf: repeatElement(0, count: count))
    scratchEnds.append(contentsOf: repeatElement(0, count: count))
    tokenPositions.withUnsafeMutableBufferPointer { positions in
      scratchStarts.withUnsafeMutableBufferPointer { starts in
        scratchEnds.withUnsafeMutableBufferPointer { ends in
          for (index, token) in tokens.enumerated() {
            precondition(token.start >= 0 && token.end <= Int(UInt32.max), "token out of range")
            precondition(token.start <= token.end, "a token's range must not end before it starts")
            precondition(token.position == rangeBase + index, "positions must be distinct and ascending within a document")
            positions[positionBase + index] = UInt32(token.position)
            starts[rangeBase + index] = UInt32(token.start)
            ends[rangeBase + index] = UInt32(token.end)
          }
        }
      }
    }
    if let last = tokens.last { previousPosition = Int64(last.position) }
    openDocument?.tokenCount += UInt32(count)
    tokenCount += count
  }

  /// Closes the open document and returns its local ordinal.
  ///
  /// - Precondition: a document is open.
  @discardableResult
  public mutating func endDocument() -> UInt32 {
    guard let document = openDocument else { preconditionFailure("no open document") }
    let ordinal = UInt32(documents.count)
    PostingsCodec.encodeRanges(starts: scratchStarts, ends: scratchEnds, into: &rangeTables)
    documents.append(document)
    openDocument = nil
    return ordinal
  }

  private mutating func record(term: Int, stem: Int, position: UInt32, start: UInt32, end: UInt32) {
    precondition(Int64(position) > previousPosition, "positions must be distinct and ascending within a document")
    precondition(start <= end, "a token's range must not end before it starts")
    let previousEnd = scratchEnds.last ?? 0
    while scratchStarts.count < Int(position) {
      scratchStarts.append(previousEnd)
      scratchEnds.append(previousEnd)
    }
    scratchStarts.append(start)
    scratchEnds.append(end)
    previousPosition = Int64(position)
    terms.add(term)
    stems.add(stem)
    tokenPositions.append(position)
    openDocument?.tokenCount += 1
    tokenCount += 1
  }

  /// Writes the postings section: every stem list in key order, each followed by its
  /// selectors when the stem has several terms, then the term records in term key order
  /// (``TermRecord``); fills both dictionaries.
  private func emitPostings(
    into sink: any SegmentSink, postingsStart: UInt64, termDictionary: inout TermDictionaryWriter,
    stemDictionary: inout TermDictionaryWriter, buffers: inout SortBuffers
  ) {
    // Counting sort of the tokens by stem: documents ascend and positions ascend within a
    // document, because tokens were added in that order; each keeps its term. Every slot is
    // written, so reused buffers need no clearing.
    let starts = stems.starts()
    var cursor = starts
    buffers.resize(tokenPositions.count)
    var sortedDocuments = buffers.documents
    var sortedPositions = buffers.positions
    var sortedTerms = buffers.terms
    buffers = SortBuffers()
    defer { buffers = SortBuffers(documents: sortedDocuments, positions: sortedPositions, terms: sortedTerms) }
    precondition(stems.tokenKeys.count == tokenPositions.count && terms.tokenKeys.count == tokenPositions.count)
    cursor.withUnsafeMutableBufferPointer { cursor in
      sortedDocuments.withUnsafeMutableBufferPointer { sortedDocuments in
        sortedPositions.withUnsafeMutableBufferPointer { sortedPositions in
          sortedTerms.withUnsafeMutableBufferPointer { sortedTerms in
            stems.tokenKeys.withUnsafeBufferPointer { stemKeys in
              terms.tokenKeys.withUnsafeBufferPointer { termKeys in
                tokenPositions.withUnsafeBufferPointer { positions in
                  var token = 0
                  for (ordinal, document) in documents.enumerated() {
                    for _ in 0..<Int(document.tokenCount) {
                      let key = Int(stemKeys[token])
                      let slot = cursor[key]
                      cursor[key] = slot + 1
                      sortedDocuments[slot] = UInt32(truncatingIfNeeded: ordinal)
                      sortedPositions[slot] = positions[token]
                      sortedTerms[slot] = termKeys[token]
                      token += 1
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    cursor = []
    var records = [TermRecord?](repeating: nil, count: terms.count)
    var termInfos = [TermInfo](
      repeating: TermInfo(postingsOffset: 0, postingsLength: 0, documentFrequency: 0, totalFrequency: 0),
      count: terms.count)
    // Builder term id → local id within the stem being written (-1: not seen in it).
    var localOf = [Int32](repeating: -1, count: terms.count)
    var stemTerms: [Int] = []
    var localRanks: [Int] = []
    // Each term's rank in key order: ties between a stem's terms are broken by it, without
    // touching the keys in this loop.
    let termOrder = terms.sortedIDs()
    var termRank = [Int32](repeating: 0, count: termOrder.count)
    for (rank, id) in termOrder.enumerated() { termRank[id] = Int32(rank) }
    var encoder = StemListEncoder()
    let order = stems.sortedIDs()
    for (stemOrdinal, id) in order.enumerated() {
      let slots = starts[id]..<starts[id + 1]
      precondition(!slots.isEmpty, "every key has a token")
      stemTerms.removeAll(keepingCapacity: true)
      localRanks.removeAll(keepingCapacity: true)
      localOf.withUnsafeMutableBufferPointer { localOf in
        sortedTerms.withUnsafeMutableBufferPointer { sortedTerms in
          for slot in slots {
            let term = Int(sortedTerms[slot])
            if localOf[term] < 0 {
              localOf[term] = Int32(stemTerms.count)
              stemTerms.append(term)
              localRanks.append(Int(termRank[term]))
            }
            sortedTerms[slot] = UInt32(truncatingIfNeeded: localOf[term])
          }
        }
      }
      sortedDocuments.withUnsafeBufferPointer { documents in
        sortedPositions.withUnsafeBufferPointer { positions in
          sortedTerms.withUnsafeBufferPointer { localTerms in
            encoder.encode(
              documents: UnsafeBufferPointer(rebasing: documents[slots]),
              positions: UnsafeBufferPointer(rebasing: positions[slots]),
              terms: UnsafeBufferPointer(rebasing: localTerms[slots]), ranks: localRanks)
          }
        }
      }
      var info = encoder.info
      info.postingsOffset = sink.count - postingsStart
      sink.append(encoder.bytes)
      stemDictionary.append(stems.key(id), info)
      for (local, term) in stemTerms.enumerated() {
        precondition(records[term] == nil, "a term has one stem (term \(String(decoding: terms.key(term), as: UTF8.self)))")
        let entry = encoder.terms[local]
        records[term] = TermRecord(stemOrdinal: stemOrdinal, selector: entry.selector)
        termInfos[term] = TermInfo(
          postingsOffset: 0, postingsLength: 0, documentFrequency: entry.documentFrequency,
          totalFrequency: entry.totalFrequency)
        localOf[term] = -1
      }
    }
    var recordBytes: [UInt8] = []
    let recordsStart = sink.count - postingsStart
    for id in termOrder {
      guard let record = records[id] else { preconditionFailure("every term has a token") }
      var info = termInfos[id]
      let offset = recordBytes.count
      record.append(to: &recordBytes)
      info.postingsOffset = recordsStart + UInt64(offset)
      info.postingsLength = UInt64(recordBytes.count - offset)
      termDictionary.append(terms.key(id), info)
    }
    sink.append(recordBytes)
  }

  /// Writes the whole segment to `sink`, front to back.
  private func emit(into sink: any SegmentSink, buffers: inout SortBuffers) throws(IndexError) {
    precondition(openDocument == nil, "call endDocument() before serialising")
    let header = SegmentFormat.magic + [SegmentFormat.version, 0, 0]
    sink.append(header)
    let postingsStart = sink.count
    var termDictionary = TermDictionaryWriter()
    var stemDictionary = TermDictionaryWriter()
    emitPostings(
      into: sink, postingsStart: postingsStart, termDictionary: &termDictionary, stemDictionary: &stemDictionary,
      buffers: &buffers)
    let postingsLength = sink.count - postingsStart
    let termBytes = termDictionary.finish()
    termDictionary = TermDictionaryWriter()
    sink.append(termBytes)
    let stemBytes = stemDictionary.finish()
    stemDictionary = TermDictionaryWriter()
    sink.append(stemBytes)
    sink.append(rangeTables)
    var documentTable: [UInt8] = []
    documentTable.reserveCapacity(documents.count * SegmentFormat.documentEntrySize)
    for (document, rangeOffset) in zip(documents, rangeOffsets) {
      documentTable.appendLittleEndian(UInt64(bitPattern: document.documentID))
      documentTable.appendLittleEndian(document.tokenCount)
      documentTable.appendLittleEndian(rangeOffset)
    }
    sink.append(documentTable)
    SegmentFormat.appendFooter(
      to: sink, documentCount: documents.count,
      lengths: [
        postingsLength, UInt64(termBytes.count), UInt64(stemBytes.count), UInt64(rangeTables.count),
        UInt64(documentTable.count),
      ])
  }

  /// The complete segment file, in memory (the same bytes ``write(to:)`` writes).
  ///
  /// - Precondition: no document is open.
  /// - Complexity: O(*k* log *k* + *t*) for *k* distinct keys and *t* tokens.
  public func serialized() -> [UInt8] {
    let sink = MemorySegmentSink()
    var buffers = SortBuffers()
    do {
      try emit(into: sink, buffers: &buffers)
    } catch {
      preconditionFailure("an in-memory segment cannot fail: \(error)")
    }
    return sink.bytes
  }

  /// Writes the segment to `path` atomically, front to back as it is encoded (the postings
  /// are never all in memory): a temporary file beside it, `fsync`, rename, then `fsync` of
  /// the folder. A crash leaves either no file or the whole file.
  ///
  /// - Throws: ``IndexError/io(path:reason:)``.
  public func write(to path: String) throws(IndexError) {
    var buffers = SortBuffers()
    try write(to: path, buffers: &buffers)
  }

  /// ``write(to:)`` keeping the sort's per-token buffers for the next segment (with
  /// ``reset()``: a worker writing one segment after another allocates them once).
  ///
  /// - Throws: ``IndexError/io(path:reason:)``.
  public mutating func writeKeepingBuffers(to path: String) throws(IndexError) {
    var buffers = sortBuffers
    sortBuffers = SortBuffers()
    defer { sortBuffers = buffers }
    try write(to: path, buffers: &buffers)
  }

  private func write(to path: String, buffers: inout SortBuffers) throws(IndexError) {
    let file = try SegmentFileWriter(temporaryPath: path + ".tmp", hashing: true)
    do throws(IndexError) {
      try emit(into: file, buffers: &buffers)
      try file.commit(to: path)
    } catch {
      file.discard()
      throw error
    }
  }
}

/// The segment file layout, version 4. Integers are little-endian.
///
///     header  "VBSEG" · u8 version (4) · u16 0                                   8 bytes
///     sections, in this order, each right after the previous one:
///       postings     every stem list (stems in key order), each followed by its selectors
///                    when the stem has several terms here; then every term's record, in
///                    term key order (``TermRecord``: stem ordinal and selector)
///       terms        ``TermDictionary`` of normalised terms → term records
///       stems        ``TermDictionary`` of stems → postings
///       ranges       one record per document: varint outline length · its outline (the
///                    `DocumentOutline` the store keeps: turns and speakers, sentences,
///                    segments, metadata; empty when added without one) · varint skips
///                    length · its skips (``OutlineSkips``: a mark every 16 units) · its
///                    range table (``PostingsCodec/encodeRanges(starts:ends:into:)``)
///       documents    per local ordinal: i64 document id · u32 token count · u64 record offset
///     footer  5 × (u64 offset · u64 length) · u32 document count · u32 0 ·
///             u64 XXH64 (seed 0) of every byte before it                          96 bytes
///
/// Version 3 had neither outline skips nor range checkpoints (a search decoded a document's
/// units from the first, and a block's ranges from its first slot). Version 2 had no outlines
/// (searches read units from the store); version 1 also stored
/// every term list in full. An index of an older version is rebuilt by `verbatim index`.
public enum SegmentFormat {
  /// The first five bytes of every segment file.
  public static let magic: [UInt8] = Array("VBSEG".utf8)
  /// The format version this build writes and reads.
  public static let version: UInt8 = 4
  /// Header size in bytes.
  public static let headerSize = 8
  /// Footer size in bytes.
  public static let footerSize = 96
  /// Size of one document table entry.
  public static let documentEntrySize = 20
  /// Where a document entry holds its record's offset (after the id and the token count).
  static let recordOffsetInEntry = 12
  static let sectionCount = 5

  /// Appends the footer after the last section: the section table (sections laid end to end
  /// from the header, with these `lengths`), the document count, and the checksum of every
  /// byte before it.
  static func appendFooter(to sink: any SegmentSink, documentCount: Int, lengths: [UInt64]) {
    var offset = UInt64(headerSize)
    var footer: [UInt8] = []
    for length in lengths {
      footer.appendLittleEndian(offset)
      footer.appendLittleEndian(length)
      offset += length
    }
    footer.appendLittleEndian(UInt32(documentCount))
    footer.appendLittleEndian(UInt32(0))
    sink.append(footer)
    var checksum: [UInt8] = []
    checksum.appendLittleEndian(sink.checksum)
    sink.append(checksum, hashed: false)
  }

  static func writeAtomically(_ bytes: [UInt8], to path: String) throws(IndexError) {
    let temporary = path + ".tmp"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .io(path: temporary, reason: "cannot create: \(lastError())") }
    var failure: IndexError?
    bytes.withUnsafeBytes { buffer in
      var written = 0
      while written < buffer.count {
        let result = systemWrite(descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
        if result < 0 {
          if errno == EINTR { continue }
          failure = .io(path: temporary, reason: "cannot write: \(lastError())")
          return
        }
        written += result
      }
    }
    if failure == nil && fsync(descriptor) != 0 {
      failure = .io(path: temporary, reason: "cannot sync: \(lastError())")
    }
    if close(descriptor) != 0 && failure == nil {
      failure = .io(path: temporary, reason: "cannot close: \(lastError())")
    }
    if failure == nil && rename(temporary, path) != 0 {
      failure = .io(path: path, reason: "cannot rename the temporary file into place: \(lastError())")
    }
    if let failure {
      unlink(temporary)
      throw failure
    }
    syncFolder(of: path)
  }

  /// Makes the rename durable; a failure here loses nothing already in the file.
  static func syncFolder(of path: String) {
    let folder: String
    if let slash = path.lastIndex(of: "/") {
      folder = slash == path.startIndex ? "/" : String(path[..<slash])
    } else {
      folder = "."
    }
    let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`, named apart from the methods called `write` in this file.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}

/// An open segment file: memory-mapped, validated once, then read without copying.
///
/// `@unchecked Sendable` because it is immutable after `init`: every stored property is a
/// `let`, the mapping is read-only and lives as long as the reader (``MappedFile``), and the
/// file is never rewritten in place (segments are written once, renamed into place, and
/// only ever deleted). Any number of tasks may query one reader concurrently.
public final class SegmentReader: @unchecked Sendable {
  /// The file's path, as named in errors.
  public let path: String
  /// The number of documents (local ordinals are `0..<documentCount`).
  public let documentCount: Int
  /// Normalised terms → postings.
  public let terms: TermDictionary
  /// Stems → postings.
  public let stems: TermDictionary
  private let file: MappedFile
  private let postingsSection: UnsafeRawBufferPointer
  private let rangesSection: UnsafeRawBufferPointer
  private let documentSection: UnsafeRawBufferPointer

  /// Maps and validates the segment at `path`.
  ///
  /// - Parameter verifiesChecksum: hash the whole file (XXH64) against the footer; `false`
  ///   skips that pass for files already verified by this process.
  /// - Throws: ``IndexError/io(path:reason:)`` when it cannot be read;
  ///   ``IndexError/corrupt(file:reason:)`` for a truncated file, a wrong magic or version, a
  ///   checksum mismatch or inconsistent sections.
  public init(path: String, verifiesChecksum: Bool = true) throws(IndexError) {
    self.path = path
    file = try MappedFile(path: path)
    let bytes = file.bytes
    guard bytes.count >= SegmentFormat.headerSize + SegmentFormat.footerSize else {
      throw .corrupt(file: path, reason: "truncated: \(bytes.count) bytes is shorter than a header and a footer")
    }
    guard bytes.prefix(5).elementsEqual(SegmentFormat.magic) else {
      throw .corrupt(file: path, reason: "not a segment file (no VBSEG header)")
    }
    guard bytes[5] == SegmentFormat.version else {
      throw .corrupt(
        file: path, reason: "segment format version \(bytes[5]); this build reads version \(SegmentFormat.version)")
    }
    let footer = bytes.count - SegmentFormat.footerSize
    var cursor = ByteCursor(bytes, offset: footer)
    var sections: [UnsafeRawBufferPointer] = []
    var expectedStart = UInt64(SegmentFormat.headerSize)
    for index in 0..<SegmentFormat.sectionCount {
      guard let offset = cursor.readUInt64(), let length = cursor.readUInt64(), offset == expectedStart,
        length <= UInt64(footer) - offset
      else { throw .corrupt(file: path, reason: "section \(index) out of place (truncated or damaged file)") }
      sections.append(UnsafeRawBufferPointer(rebasing: bytes[Int(offset)..<Int(offset + length)]))
      expectedStart = offset + length
    }
    guard expectedStart == UInt64(footer), let count = cursor.readUInt32(), cursor.readUInt32() == 0,
      let stored = cursor.readUInt64()
    else { throw .corrupt(file: path, reason: "footer damaged (truncated or extended file)") }
    if verifiesChecksum {
      // Piece by piece, each piece's pages released once hashed: checking a 660 MB segment
      // must not make it all resident at once (it would count in the process's peak memory).
      var hasher = StreamingXXH64()
      let hashed = bytes.count - 8
      var offset = 0
      while offset < hashed {
        let end = min(offset + (8 << 20), hashed)
        hasher.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
        file.releaseResidentPages(in: offset..<end)
        offset = end
      }
      guard hasher.digest() == stored else { throw .corrupt(file: path, reason: "checksum mismatch") }
    }
    guard sections[4].count == Int(count) * SegmentFormat.documentEntrySize else {
      throw .corrupt(file: path, reason: "document table does not match the document count")
    }
    documentCount = Int(count)
    postingsSection = sections[0]
    terms = try TermDictionary(storage: file, bytes: sections[1], file: path)
    stems = try TermDictionary(storage: file, bytes: sections[2], file: path)
    rangesSection = sections[3]
    documentSection = sections[4]
  }

  /// Lets the kernel drop the file's pages read so far from this process's resident memory
  /// (they are read again on demand): a merge calls it as it goes, so that reading every
  /// input does not make them all resident at once.
  public func releaseResidentPages() { file.releaseResidentPages() }

  /// The document at local `ordinal`.
  ///
  /// - Precondition: `ordinal < documentCount`.
  public func document(at ordinal: Int) -> SegmentDocument {
    let id = documentID(at: ordinal)  // checks `ordinal`
    let tokens = documentSection.loadUnaligned(
      fromByteOffset: ordinal &* SegmentFormat.documentEntrySize &+ 8, as: UInt32.self)
    return SegmentDocument(documentID: id, tokenCount: UInt32(littleEndian: tokens))
  }

  /// The id of the document at `ordinal` (what a search lists for each document it visits).
  ///
  /// - Precondition: `ordinal < documentCount`.
  @inline(__always)
  public func documentID(at ordinal: Int) -> Int64 {
    precondition(ordinal >= 0 && ordinal < documentCount, "document ordinal out of range")
    // The section holds `documentCount` entries of `documentEntrySize` bytes (checked when the
    // segment opened): direct loads, no cursor.
    return Int64(
      bitPattern: UInt64(
        littleEndian: documentSection.loadUnaligned(
          fromByteOffset: ordinal &* SegmentFormat.documentEntrySize, as: UInt64.self)))
  }

  /// Every document, by local ordinal.
  public var documents: [SegmentDocument] { (0..<documentCount).map(document(at:)) }

  /// Cache hints for this segment's documents (valid while the reader lives).
  var recordHints: RecordHints { RecordHints(entries: documentSection, records: rangesSection) }

  /// The range of every position of the document at `ordinal`: `starts[p]..<ends[p]`.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func ranges(ofDocument ordinal: Int) throws(IndexError) -> (starts: [UInt32], ends: [UInt32]) {
    var starts: [UInt32] = []
    var ends: [UInt32] = []
    try decodeRanges(ofDocument: ordinal, starts: &starts, ends: &ends)
    return (starts, ends)
  }

  private func decodeRanges(ofDocument ordinal: Int, starts: inout [UInt32], ends: inout [UInt32]) throws(IndexError) {
    var cursor = ByteCursor(rangesSection, offset: try rangeTableOffset(ofDocument: ordinal))
    guard PostingsCodec.decodeRanges(from: &cursor, starts: &starts, ends: &ends) else {
      throw .corrupt(file: path, reason: "range table of document \(ordinal) damaged")
    }
  }

  /// Where the record of the document at `ordinal` starts: its outline, then its range table.
  private func recordOffset(ofDocument ordinal: Int) throws(IndexError) -> Int {
    precondition(ordinal >= 0 && ordinal < documentCount, "document ordinal out of range")
    var entry = ByteCursor(
      documentSection, offset: ordinal * SegmentFormat.documentEntrySize + SegmentFormat.recordOffsetInEntry)
    guard let offset = entry.readUInt64(), offset < UInt64(rangesSection.count) else {
      throw .corrupt(file: path, reason: "range table of document \(ordinal) out of bounds")
    }
    return Int(offset)
  }

  /// Where the outline of the document at `ordinal` and its skips lie in its record (the range
  /// table starts after the skips).
  private func outline(atRecord offset: Int, ordinal: Int) throws(IndexError) -> (
    outline: Range<Int>, skips: Range<Int>
  ) {
    var cursor = ByteCursor(rangesSection, offset: offset)
    guard let length = cursor.readVarint(), let outline = cursor.skip(Int(clamping: length)),
      let skipLength = cursor.readVarint(), let skips = cursor.skip(Int(clamping: skipLength)),
      cursor.offset < rangesSection.count
    else {
      throw .corrupt(file: path, reason: "outline of document \(ordinal) out of bounds")
    }
    return (outline, skips)
  }

  private func rangeTableOffset(ofDocument ordinal: Int) throws(IndexError) -> Int {
    try outline(atRecord: try recordOffset(ofDocument: ordinal), ordinal: ordinal).skips.upperBound
  }

  /// The encoded outline (`DocumentOutline`: units, speakers, metadata; empty for a document
  /// added without one) and the range table of the document at `ordinal`, both in place, from
  /// one look-up of its record (what a search reads for each document it visits).
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func outlineAndRangeTable(ofDocument ordinal: Int) throws(IndexError)
    -> (outline: UnsafeRawBufferPointer, skips: OutlineSkips, ranges: RangeTable)
  {
    let record = try outline(atRecord: try recordOffset(ofDocument: ordinal), ordinal: ordinal)
    guard let skips = OutlineSkips(UnsafeRawBufferPointer(rebasing: rangesSection[record.skips])) else {
      throw .corrupt(file: path, reason: "outline skips of document \(ordinal) damaged")
    }
    guard let table = RangeTable(rangesSection, at: record.skips.upperBound) else {
      throw .corrupt(file: path, reason: "range table of document \(ordinal) damaged")
    }
    return (UnsafeRawBufferPointer(rebasing: rangesSection[record.outline]), skips, table)
  }

  /// The encoded record of the document at `ordinal` (outline and range table), in place: from
  /// its offset to the next document's (records are stored in ordinal order), or to the
  /// section's end. The merger copies it as it is.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func rangeTableBytes(ofDocument ordinal: Int) throws(IndexError) -> UnsafeRawBufferPointer {
    let start = try recordOffset(ofDocument: ordinal)
    let end = ordinal + 1 < documentCount ? try recordOffset(ofDocument: ordinal + 1) : rangesSection.count
    guard start < end else { throw .corrupt(file: path, reason: "range tables of document \(ordinal) out of order") }
    return UnsafeRawBufferPointer(rebasing: rangesSection[start..<end])
  }

  /// The range table of the document at `ordinal`, read in place a block at a time.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func rangeTable(ofDocument ordinal: Int) throws(IndexError) -> RangeTable {
    guard let table = RangeTable(rangesSection, at: try rangeTableOffset(ofDocument: ordinal)) else {
      throw .corrupt(file: path, reason: "range table of document \(ordinal) damaged")
    }
    return table
  }

  /// Decodes the posting list an entry of ``terms`` or ``stems`` points to.
  ///
  /// - Parameters:
  ///   - withPositions: decode positions (phrase, `NEAR`, KWIC); `false` for documents and
  ///     frequencies only.
  ///   - withRanges: fill `starts`/`ends` from the documents' range tables (implies positions).
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func postings(for info: TermInfo, withPositions: Bool = true, withRanges: Bool = false) throws(IndexError)
    -> PostingList
  {
    guard info.postingsOffset <= UInt64(postingsSection.count),
      info.postingsLength <= UInt64(postingsSection.count) - info.postingsOffset
    else { throw .corrupt(file: path, reason: "posting list out of bounds") }
    let start = Int(info.postingsOffset)
    let slice = UnsafeRawBufferPointer(rebasing: postingsSection[start..<(start + Int(info.postingsLength))])
    guard var list = PostingsCodec.decode(slice, withPositions: withPositions || withRanges),
      list.count == Int(info.documentFrequency), list.documents.last.map({ Int($0) < documentCount }) ?? true
    else { throw .corrupt(file: path, reason: "posting list damaged") }
    if withRanges { try fillRanges(of: &list) }
    return list
  }

  /// Fills `starts`/`ends` of a list decoded with positions, from the range tables.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  func fillRanges(of list: inout PostingList) throws(IndexError) {
    list.starts.reserveCapacity(list.positions.count)
    list.ends.reserveCapacity(list.positions.count)
    for (index, document) in list.documents.enumerated() {
      let table = try rangeTable(ofDocument: Int(document))
      // Positions ascend in a document: one walker sums each block once, up to its last wanted slot.
      var walker = table.walker()
      for position in list.positions(at: index) {
        guard Int(position) < table.slotCount else {
          throw .corrupt(file: path, reason: "position \(position) beyond the range table of document \(document)")
        }
        guard let range = walker.range(at: Int(position)) else {
          throw .corrupt(file: path, reason: "range table of document \(document) damaged")
        }
        list.starts.append(range.start)
        list.ends.append(range.end)
      }
    }
  }

  /// The postings of the normalised term `term`, or `nil` if the segment lacks it.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func postings(forTerm term: String, withRanges: Bool = true) throws(IndexError) -> PostingList? {
    guard let info = try terms.lookup(term) else { return nil }
    return try termPostings(for: info, withRanges: withRanges)
  }

  /// The size of the postings section (stem lists, selectors and term records).
  var postingsByteCount: Int { postingsSection.count }

  /// `length` bytes of the postings section at `offset`, or `nil` when out of bounds.
  func postingsBytes(offset: UInt64, length: UInt64) -> UnsafeRawBufferPointer? {
    guard offset <= UInt64(postingsSection.count), length <= UInt64(postingsSection.count) - offset else { return nil }
    return UnsafeRawBufferPointer(rebasing: postingsSection[Int(offset)..<Int(offset + length)])
  }

  /// The postings of the stem `stem`, or `nil` if the segment lacks it.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func postings(forStem stem: String, withRanges: Bool = true) throws(IndexError) -> PostingList? {
    guard let info = try stems.lookup(stem) else { return nil }
    return try postings(for: info, withRanges: withRanges)
  }

  /// The terms starting with `prefix` (a `mot*` query), in byte order.
  public func terms(withPrefix prefix: String) throws(IndexError) -> [DictionaryEntry] {
    try terms.entries(withPrefix: prefix)
  }

  /// The stems starting with `prefix`, in byte order.
  public func stems(withPrefix prefix: String) throws(IndexError) -> [DictionaryEntry] {
    try stems.entries(withPrefix: prefix)
  }
}

/// A key's bytes as a dictionary key, hashed in one call over the bytes (an `[UInt8]`
/// hashes element by element).
struct ByteKey: Hashable {
  var bytes: [UInt8]

  func hash(into hasher: inout Hasher) {
    bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
  }

  static func == (left: ByteKey, right: ByteKey) -> Bool { left.bytes == right.bytes }

  /// Whether `left` sorts before `right` byte by byte (a shorter prefix first): what
  /// `lexicographicallyPrecedes` answers, in one `memcmp`.
  static func precedes(_ left: [UInt8], _ right: [UInt8]) -> Bool {
    left.withUnsafeBufferPointer { a in right.withUnsafeBufferPointer { b in precedes(a, b) } }
  }

  /// ``precedes(_:_:)`` over bytes in place.
  static func precedes(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
    let common = min(left.count, right.count)
    let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
    return order != 0 ? order < 0 : left.count < right.count
  }
}

/// Cache hints for one segment's documents: ask the CPU to load a document's table entry, or
/// its record (outline and range table), before it is visited (`IndexSearcher` does so a few
/// documents ahead). Hints only: they read nothing that the visit relies on, and an entry that
/// looks damaged is skipped (the visit reports it).
struct RecordHints {
  let entries: UnsafeRawBufferPointer
  let records: UnsafeRawBufferPointer
  /// At most this many bytes of a record are loaded (a record is typically 1–3 KB).
  static let recordBytes = 2048

  /// Loads the table entry of the document at `ordinal`.
  @inline(__always)
  func entry(_ ordinal: UInt32) {
    let offset = Int(ordinal) * SegmentFormat.documentEntrySize + SegmentFormat.recordOffsetInEntry
    guard offset + 8 <= entries.count, let base = entries.baseAddress else { return }
    verbatim_prefetch(base + offset)
  }

  /// Loads the first ``recordBytes`` of the record of the document at `ordinal` (as far as
  /// the next record).
  @inline(__always)
  func record(_ ordinal: UInt32) {
    let offset = Int(ordinal) * SegmentFormat.documentEntrySize + SegmentFormat.recordOffsetInEntry
    guard offset + 8 <= entries.count, let base = records.baseAddress, let table = entries.baseAddress else { return }
    let start = UInt64(littleEndian: table.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    guard start < UInt64(records.count) else { return }
    var end = min(records.count, Int(start) + Self.recordBytes)
    if offset + SegmentFormat.documentEntrySize + 8 <= entries.count {
      let next = UInt64(
        littleEndian: table.loadUnaligned(fromByteOffset: offset + SegmentFormat.documentEntrySize, as: UInt64.self))
      end = min(end, Int(clamping: next))
    }
    var line = Int(start)
    while line < end {
      verbatim_prefetch(base + line)
      line += 64
    }
  }
}
