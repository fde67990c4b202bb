#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Dispatch
import Foundation

/// Merges segments into one, documents in ascending global document id.
///
/// The result is exactly the ``SegmentBuilder`` that a single builder fed the same documents
/// in that order would hold, so it serialises to the same bytes whatever the number of
/// workers that produced the inputs (`--jobs 1` and `--jobs N` give byte-identical files).
///
/// Two routes to the same bytes:
///
/// - ``merge(_:to:)`` (used by ``IndexWriter``; ``merge(_:)`` returns the bytes): list by
///   list. A k-way merge walks the inputs' stem dictionaries in byte order; each stem's lists
///   and selectors are decoded, filtered to the kept documents, their ordinals remapped to the
///   merged order, and re-encoded with the selectors renumbered over the merged terms
///   (``StemListEncoder``, the builder's own encoder); the term records follow; range tables
///   are copied as they are (the encoding is a function of the ranges). The file is written
///   as it is produced; memory: the dictionaries, every input's term records, one stem's
///   lists.
/// - ``rebuild(_:)`` (the reference, kept for tests): every document's tokens are decoded back
///   (position → stem key, term key, range) and re-added to a fresh ``SegmentBuilder`` in id
///   order. Slower (every token becomes two `String`s again; 8 bytes per kept position held
///   until re-added) but obviously equal to a single builder.
public enum SegmentMerger {
  /// A merged segment: its file bytes and its documents by local ordinal.
  public struct Merged: Sendable {
    /// The complete segment file.
    public var bytes: [UInt8]
    /// The documents, by ascending global id.
    public var documents: [SegmentDocument]
  }

  /// The kept documents of all inputs, by ascending global id, with where each comes from.
  ///
  /// - Precondition: the kept documents have distinct global ids.
  private static func mergedOrder(_ inputs: [Input]) -> [(id: Int64, input: Int, ordinal: Int)] {
    var order: [(id: Int64, input: Int, ordinal: Int)] = []
    for (index, input) in inputs.enumerated() {
      for ordinal in input.ordinals {
        order.append((input.reader.document(at: ordinal).documentID, index, ordinal))
      }
    }
    order.sort { $0.id < $1.id }
    for pair in zip(order, order.dropFirst()) {
      precondition(pair.0.id != pair.1.id, "merged segments hold document \(pair.0.id) twice")
    }
    return order
  }

  /// Merges `inputs` list by list into the bytes of one segment, documents by ascending id:
  /// the same bytes as ``rebuild(_:)`` then ``SegmentBuilder/serialized()``. Goes through
  /// ``merge(_:to:)`` with a file in the temporary folder.
  ///
  /// - Precondition: the kept documents have distinct global ids.
  /// - Throws: ``IndexError/corrupt(file:reason:)`` for a damaged input;
  ///   ``IndexError/io(path:reason:)``.
  public static func merge(_ inputs: [Input]) throws(IndexError) -> Merged {
    let folder = ProcessInfo.processInfo.environment["TMPDIR"].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "/tmp"
    let path = "\(folder)/verbatim-merge-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).vbseg"
    let documents = try merge(inputs, to: path)
    defer { unlink(path) }
    let file = try MappedFile(path: path)
    return Merged(bytes: Array(file.bytes.bindMemory(to: UInt8.self)), documents: documents)
  }

  /// Merges `inputs` into the segment file `path`, written front to back as it is produced
  /// (`path.tmp`, then `fsync` and rename). Same bytes as ``merge(_:)``.
  ///
  /// Memory: one stem's lists at a time, the dictionaries and every input's term records,
  /// the merged terms' entries, and the document table; the postings and range tables go
  /// straight to disk.
  ///
  /// - Returns: the merged documents by local ordinal (ascending id).
  /// - Precondition: the kept documents have distinct global ids.
  /// - Throws: ``IndexError/corrupt(file:reason:)`` for a damaged input;
  ///   ``IndexError/io(path:reason:)``. No file is left at `path` on error.
  public static func merge(_ inputs: [Input], to path: String) throws(IndexError) -> [SegmentDocument] {
    // The merged order, and each input's ordinal → merged ordinal.
    let order = mergedOrder(inputs)
    // UInt32.max: not kept.
    var remap: [[UInt32]] = inputs.map { [UInt32](repeating: .max, count: $0.reader.documentCount) }
    for (merged, entry) in order.enumerated() { remap[entry.input][entry.ordinal] = UInt32(merged) }

    let output = try SegmentFileWriter(temporaryPath: path + ".tmp", hashing: true)
    do throws(IndexError) {
      var header = SegmentFormat.magic
      header.append(SegmentFormat.version)
      header.append(contentsOf: [0, 0])
      output.append(header)
      var stemDictionary = TermDictionaryWriter()
      var termDictionary = TermDictionaryWriter()
      let postingsLength = try mergePostings(
        inputs, remap: remap, into: output, termDictionary: &termDictionary, stemDictionary: &stemDictionary)
      releaseFreedMemory()
      let termBytes = termDictionary.finish()
      termDictionary = TermDictionaryWriter()
      output.append(termBytes)
      let stemBytes = stemDictionary.finish()
      stemDictionary = TermDictionaryWriter()
      output.append(stemBytes)

      // Range tables are canonical encodings of the ranges: copied as they are.
      var rangesLength: UInt64 = 0
      var copiedSinceRelease: UInt64 = 0
      var documentTable: [UInt8] = []
      documentTable.reserveCapacity(order.count * SegmentFormat.documentEntrySize)
      var documents: [SegmentDocument] = []
      documents.reserveCapacity(order.count)
      for entry in order {
        let reader = inputs[entry.input].reader
        let document = reader.document(at: entry.ordinal)
        let table = try reader.rangeTableBytes(ofDocument: entry.ordinal)
        documentTable.appendLittleEndian(UInt64(bitPattern: document.documentID))
        documentTable.appendLittleEndian(document.tokenCount)
        documentTable.appendLittleEndian(rangesLength)
        output.append(table)
        rangesLength += UInt64(table.count)
        copiedSinceRelease += UInt64(table.count)
        if copiedSinceRelease >= releaseInterval {
          for input in inputs { input.reader.releaseResidentPages() }
          copiedSinceRelease = 0
        }
        documents.append(document)
      }
      output.append(documentTable)
      var offset = UInt64(SegmentFormat.headerSize)
      var footer: [UInt8] = []
      for length in [
        postingsLength, UInt64(termBytes.count), UInt64(stemBytes.count), rangesLength, UInt64(documentTable.count),
      ] {
        footer.appendLittleEndian(offset)
        footer.appendLittleEndian(length)
        offset += length
      }
      footer.appendLittleEndian(UInt32(documents.count))
      footer.appendLittleEndian(UInt32(0))
      output.append(footer)
      var checksum: [UInt8] = []
      checksum.appendLittleEndian(output.hasher.digest())
      output.append(checksum, hashed: false)
      try output.commit(to: path)
      return documents
    } catch {
      output.discard()
      throw error
    }
  }

  /// Input bytes read between two ``SegmentReader/releaseResidentPages()`` of every input.
  static let releaseInterval: UInt64 = 16 << 20

  /// One input's term records grouped by stem ordinal: the terms of stem `s` are
  /// `keys[starts[s]..<starts[s + 1]]`, with their selectors.
  private struct InputTerms {
    var keys: [[UInt8]] = []
    var selectors: [Int] = []
    var starts: [Int] = []

    init(_ reader: SegmentReader) throws(IndexError) {
      var entries: [(stem: Int, selector: Int, key: [UInt8])] = []
      entries.reserveCapacity(reader.terms.count)
      var iterator = reader.terms.makeEntryIterator()
      while let (key, info) = try iterator.next() {
        let record = try reader.termRecord(for: info)
        entries.append((record.stemOrdinal, record.selector, key))
      }
      entries.sort { ($0.stem, $0.selector) < ($1.stem, $1.selector) }
      starts = [Int](repeating: 0, count: reader.stems.count + 1)
      for entry in entries { starts[entry.stem + 1] += 1 }
      for stem in 0..<reader.stems.count { starts[stem + 1] += starts[stem] }
      keys = entries.map(\.key)
      selectors = entries.map(\.selector)
    }
  }

  /// Merges the stem lists key by key, in byte order (a k-way merge of the inputs' stem
  /// dictionaries), with their terms' selectors, then writes the term records: the postings
  /// section. Returns its length.
  private static func mergePostings(
    _ inputs: [Input], remap: [[UInt32]], into output: SegmentFileWriter, termDictionary: inout TermDictionaryWriter,
    stemDictionary: inout TermDictionaryWriter
  ) throws(IndexError) -> UInt64 {
    let postingsStart = output.count
    var inputTerms: [InputTerms?] = []
    var iterators: [TermDictionary.EntryIterator] = []
    var heads: [(key: [UInt8], info: TermInfo, ordinal: Int)?] = []
    for input in inputs {
      var iterator = input.reader.stems.makeEntryIterator()
      if input.ordinals.isEmpty {
        inputTerms.append(nil)
        heads.append(nil)
      } else {
        inputTerms.append(try InputTerms(input.reader))
        heads.append(try iterator.next().map { ($0.key, $0.info, 0) })
      }
      iterators.append(iterator)
    }
    var readSinceRelease: UInt64 = 0
    var entries: [(document: UInt32, source: Int, index: Int)] = []
    var sources: [(input: Int, info: TermInfo, ordinal: Int)] = []
    var lists: [PostingList] = []
    var localTermsOf: [[UInt32]] = []
    var selectors: [UInt32] = []
    var localOfValue: [Int32] = []
    var localKeys: [[UInt8]] = []
    var localRanks: [Int] = []
    var localIndex: [[UInt8]: UInt32] = [:]
    var occurrenceDocuments: [UInt32] = []
    var occurrencePositions: [UInt32] = []
    var occurrenceTerms: [UInt32] = []
    var encoder = StemListEncoder()
    var mergedTerms: [(key: [UInt8], record: TermRecord, info: TermInfo)] = []
    var stemOrdinal = 0
    while true {
      var smallest: [UInt8]?
      for head in heads {
        guard let head else { continue }
        if smallest.map({ head.key.lexicographicallyPrecedes($0) }) ?? true { smallest = head.key }
      }
      guard let key = smallest else { break }
      sources.removeAll(keepingCapacity: true)
      for index in heads.indices {
        guard let head = heads[index], head.key == key else { continue }
        sources.append((index, head.info, head.ordinal))
        heads[index] = try iterators[index].next().map { ($0.key, $0.info, head.ordinal + 1) }
        if let next = heads[index], !key.lexicographicallyPrecedes(next.key) {
          throw .corrupt(file: inputs[index].reader.path, reason: "dictionary keys out of order")
        }
      }
      // Each source's kept occurrences, with their terms as local ids of this stem.
      entries.removeAll(keepingCapacity: true)
      lists.removeAll(keepingCapacity: true)
      localTermsOf.removeAll(keepingCapacity: true)
      localKeys.removeAll(keepingCapacity: true)
      localIndex.removeAll(keepingCapacity: true)
      for source in sources {
        let reader = inputs[source.input].reader
        let list = try reader.postings(for: source.info, withPositions: true)
        readSinceRelease += source.info.postingsLength
        guard let terms = inputTerms[source.input] else { preconditionFailure("an input without kept documents") }
        let termRange = terms.starts[source.ordinal]..<terms.starts[source.ordinal + 1]
        guard !termRange.isEmpty else { throw .corrupt(file: reader.path, reason: "a stem without terms") }
        if terms.selectors[termRange.lowerBound] == 0 {
          guard termRange.count == 1 else { throw .corrupt(file: reader.path, reason: "term records of one stem disagree") }
          selectors.removeAll(keepingCapacity: true)
          selectors.append(contentsOf: repeatElement(0, count: list.positions.count))
        } else {
          try reader.selectors(ofStem: source.info, into: &selectors)
        }
        // Selector value → record (value v is the record with selector v + 1; 0: the only one).
        localOfValue.removeAll(keepingCapacity: true)
        localOfValue.append(contentsOf: repeatElement(-1, count: termRange.count))
        var localTerms = [UInt32](repeating: 0, count: list.positions.count)
        for index in 0..<list.count {
          let merged = remap[source.input][Int(list.documents[index])]
          guard merged != .max else { continue }
          entries.append((merged, lists.count, index))
          for occurrence in list.positionOffsets[index]..<list.positionOffsets[index + 1] {
            let value = Int(selectors[occurrence])
            guard value < termRange.count, terms.selectors[termRange.lowerBound + value] == (termRange.count == 1 ? 0 : value + 1)
            else { throw .corrupt(file: reader.path, reason: "selector without a term") }
            if localOfValue[value] < 0 {
              let termKey = terms.keys[termRange.lowerBound + value]
              if let existing = localIndex[termKey] {
                localOfValue[value] = Int32(existing)
              } else {
                localOfValue[value] = Int32(localKeys.count)
                localIndex[termKey] = UInt32(localKeys.count)
                localKeys.append(termKey)
              }
            }
            localTerms[occurrence] = UInt32(localOfValue[value])
          }
        }
        lists.append(list)
        localTermsOf.append(localTerms)
      }
      if readSinceRelease >= releaseInterval {
        for input in inputs { input.reader.releaseResidentPages() }
        readSinceRelease = 0
      }
      guard !entries.isEmpty else { continue }
      entries.sort { $0.document < $1.document }
      occurrenceDocuments.removeAll(keepingCapacity: true)
      occurrencePositions.removeAll(keepingCapacity: true)
      occurrenceTerms.removeAll(keepingCapacity: true)
      for entry in entries {
        let list = lists[entry.source]
        let range = list.positionOffsets[entry.index]..<list.positionOffsets[entry.index + 1]
        occurrenceDocuments.append(contentsOf: repeatElement(entry.document, count: range.count))
        occurrencePositions.append(contentsOf: list.positions[range])
        occurrenceTerms.append(contentsOf: localTermsOf[entry.source][range])
      }
      // The local terms' order by key bytes, for the encoder's ties.
      localRanks.removeAll(keepingCapacity: true)
      localRanks.append(contentsOf: repeatElement(0, count: localKeys.count))
      if localKeys.count > 1 {
        for (rank, local) in localKeys.indices.sorted(by: { ByteKey.precedes(localKeys[$0], localKeys[$1]) })
          .enumerated()
        {
          localRanks[local] = rank
        }
      }
      occurrenceDocuments.withUnsafeBufferPointer { documents in
        occurrencePositions.withUnsafeBufferPointer { positions in
          occurrenceTerms.withUnsafeBufferPointer { terms in
            encoder.encode(documents: documents, positions: positions, terms: terms, ranks: localRanks)
          }
        }
      }
      var info = encoder.info
      info.postingsOffset = output.count - postingsStart
      output.append(encoder.bytes)
      stemDictionary.append(key, info)
      for (local, termKey) in localKeys.enumerated() {
        let entry = encoder.terms[local]
        mergedTerms.append(
          (
            termKey, TermRecord(stemOrdinal: stemOrdinal, selector: entry.selector),
            TermInfo(
              postingsOffset: 0, postingsLength: 0, documentFrequency: entry.documentFrequency,
              totalFrequency: entry.totalFrequency)
          ))
      }
      stemOrdinal += 1
    }
    // The term records, in term key order, after the stem lists.
    mergedTerms.sort { $0.key.lexicographicallyPrecedes($1.key) }
    var recordBytes: [UInt8] = []
    let recordsStart = output.count - postingsStart
    for index in mergedTerms.indices {
      if index > 0 && mergedTerms[index - 1].key == mergedTerms[index].key {
        throw .corrupt(file: inputs[0].reader.path, reason: "a term under two stems")
      }
      var info = mergedTerms[index].info
      let offset = recordBytes.count
      mergedTerms[index].record.append(to: &recordBytes)
      info.postingsOffset = recordsStart + UInt64(offset)
      info.postingsLength = UInt64(recordBytes.count - offset)
      termDictionary.append(mergedTerms[index].key, info)
    }
    output.append(recordBytes)
    return output.count - postingsStart
  }

  /// One input: a segment and the local ordinals of its documents to keep.
  public struct Input {
    /// The segment.
    public var reader: SegmentReader
    /// Local ordinals to keep (removed or replaced documents left out).
    public var ordinals: [Int]

    /// An input keeping `ordinals` of `reader` (all documents when `nil`).
    public init(reader: SegmentReader, ordinals: [Int]? = nil) {
      self.reader = reader
      self.ordinals = ordinals ?? Array(0..<reader.documentCount)
    }
  }

  /// Merges `inputs` into one builder by re-adding every kept document's tokens, documents
  /// by ascending global id (the reference route; see the type's notes).
  ///
  /// - Precondition: the kept documents have distinct global ids (the writer guarantees it).
  /// - Throws: ``IndexError/corrupt(file:reason:)`` when an input's lists disagree with its
  ///   range tables or document table.
  public static func rebuild(_ inputs: [Input]) throws(IndexError) -> SegmentBuilder {
    var decoded: [DecodedSegment] = []
    for input in inputs { decoded.append(try DecodedSegment(input)) }
    let order = mergedOrder(inputs)
    var builder = SegmentBuilder()
    for entry in order {
      let tokens = try decoded[entry.input].takeTokens(ofOrdinal: entry.ordinal)
      builder.add(documentID: entry.id, tokens: tokens)
    }
    return builder
  }

  /// One input's kept documents as position → (stem key, term key) slots.
  private struct DecodedSegment {
    let reader: SegmentReader
    var stemKeys: [String] = []
    var termKeys: [String] = []
    /// Kept ordinal → index in `stemAt`/`termAt`.
    var slotOf: [Int: Int] = [:]
    var stemAt: [[Int32]] = []
    var termAt: [[Int32]] = []

    init(_ input: Input) throws(IndexError) {
      reader = input.reader
      for ordinal in input.ordinals {
        let slots = try reader.rangeTable(ofDocument: ordinal).slotCount
        slotOf[ordinal] = stemAt.count
        stemAt.append([Int32](repeating: -1, count: slots))
        termAt.append([Int32](repeating: -1, count: slots))
      }
      guard !slotOf.isEmpty else { return }
      var stemKeys: [String] = []
      var stemAt = self.stemAt
      self.stemAt = []
      try Self.fill(reader.stems, slotOf: slotOf, keys: &stemKeys, slots: &stemAt, file: reader.path) {
        (info) throws(IndexError) in try reader.postings(for: info, withPositions: true)
      }
      var termKeys: [String] = []
      var termAt = self.termAt
      self.termAt = []
      try Self.fill(reader.terms, slotOf: slotOf, keys: &termKeys, slots: &termAt, file: reader.path) {
        (info) throws(IndexError) in try reader.termPostings(for: info, withPositions: true)
      }
      self.stemKeys = stemKeys
      self.termKeys = termKeys
      self.stemAt = stemAt
      self.termAt = termAt
    }

    private static func fill(
      _ dictionary: TermDictionary, slotOf: [Int: Int], keys: inout [String], slots: inout [[Int32]], file: String,
      postings: (TermInfo) throws(IndexError) -> PostingList
    ) throws(IndexError) {
      var entries: [([UInt8], TermInfo)] = []
      try dictionary.forEach { key, info in
        entries.append((key, info))
        return true
      }
      for (key, info) in entries {
        let list = try postings(info)
        var keyIndex: Int32 = -1
        for index in 0..<list.count {
          guard let slot = slotOf[Int(list.documents[index])] else { continue }
          if keyIndex < 0 {
            keyIndex = Int32(keys.count)
            keys.append(String(decoding: key, as: UTF8.self))
          }
          for position in list.positions(at: index) {
            guard Int(position) < slots[slot].count, slots[slot][Int(position)] < 0 else {
              throw .corrupt(file: file, reason: "posting lists disagree with the range tables")
            }
            slots[slot][Int(position)] = keyIndex
          }
        }
      }
    }

    /// The tokens of `ordinal`, freeing its slots.
    mutating func takeTokens(ofOrdinal ordinal: Int) throws(IndexError) -> [SegmentToken] {
      guard let slot = slotOf[ordinal] else { preconditionFailure("ordinal not kept") }
      let ranges = try reader.ranges(ofDocument: ordinal)
      let stems = stemAt[slot]
      let terms = termAt[slot]
      stemAt[slot] = []
      termAt[slot] = []
      var tokens: [SegmentToken] = []
      for position in stems.indices where stems[position] >= 0 || terms[position] >= 0 {
        guard stems[position] >= 0, terms[position] >= 0, position < ranges.starts.count else {
          throw .corrupt(file: reader.path, reason: "term and stem lists disagree at a position")
        }
        tokens.append(
          SegmentToken(
            term: termKeys[Int(terms[position])], stem: stemKeys[Int(stems[position])], position: UInt32(position),
            start: ranges.starts[position], end: ranges.ends[position]))
      }
      guard tokens.count == Int(reader.document(at: ordinal).tokenCount) else {
        throw .corrupt(file: reader.path, reason: "token count of document \(ordinal) disagrees with its lists")
      }
      return tokens
    }
  }
}
