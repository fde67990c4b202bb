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
///   list. A k-way merge walks the inputs' dictionaries in byte order; each key's lists are
///   decoded, filtered to the kept documents, their ordinals remapped to the merged order, and
///   re-encoded, stems on one thread and terms on another; range tables are copied as they
///   are (the encoding is a function of the ranges). A term list is shared with a stem list
///   when their bytes are equal, which (one stem per position) can only be its own stem's
///   list, exactly as ``SegmentBuilder/serialized()`` decides. The file is written as it is
///   produced; memory: the dictionaries, a hash per stem list, one key's lists per thread.
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
  /// (`path.tmp`, then `fsync` and rename; term lists go through `path.terms.tmp` first).
  /// Stem lists and term lists are merged on two threads at once. Same bytes as ``merge(_:)``.
  ///
  /// Memory: one key's lists at a time per thread, the dictionaries, a hash per stem list,
  /// and the document table; the postings and range tables go straight to disk.
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
    let side: SegmentFileWriter
    do {
      side = try SegmentFileWriter(temporaryPath: path + ".terms.tmp", hashing: false)
    } catch {
      output.discard()
      throw error
    }
    defer { side.discard() }
    do throws(IndexError) {
      var header = SegmentFormat.magic
      header.append(SegmentFormat.version)
      header.append(contentsOf: [0, 0])
      output.append(header)
      let work = MergeWork(inputs: inputs, remap: remap)
      DispatchQueue.concurrentPerform(iterations: 2) { task in
        if task == 0 {
          work.stems = Result { () throws(IndexError) in try work.mergeStems(into: output) }
        } else {
          work.terms = Result { () throws(IndexError) in try work.mergeTerms(into: side) }
        }
      }
      guard let stemResult = work.stems, let termResult = work.terms else {
        throw IndexError.io(path: path, reason: "a merge thread did not finish")
      }
      let stems = try stemResult.get()
      var terms = try termResult.get()
      releaseFreedMemory()
      try side.flush()

      // Term lists equal to a stem list (only their own stem's can be) point at it; the
      // others follow the stem lists, in key order.
      var postingsLength = stems.postingsLength
      var sideReader = SequentialReader(file: side)
      var termDictionary = TermDictionaryWriter()
      for index in terms.keys.indices {
        var info = terms.infos[index]
        let bytes = try sideReader.next(Int(info.postingsLength))
        var shared: UInt64?
        for candidate in stems.candidates(hash: terms.hashes[index]) where candidate.length == info.postingsLength {
          let stemBytes = try output.read(
            offset: UInt64(SegmentFormat.headerSize) + candidate.offset, length: Int(candidate.length))
          if stemBytes == bytes {
            shared = candidate.offset
            break
          }
        }
        if let shared {
          info.postingsOffset = shared
        } else {
          info.postingsOffset = postingsLength
          output.append(bytes)
          postingsLength += info.postingsLength
        }
        termDictionary.append(terms.keys[index], info)
        terms.keys[index] = []
      }
      terms = TermLists()
      let termBytes = termDictionary.finish()
      termDictionary = TermDictionaryWriter()
      output.append(termBytes)
      output.append(stems.dictionary)

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
        postingsLength, UInt64(termBytes.count), UInt64(stems.dictionary.count), rangesLength,
        UInt64(documentTable.count),
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

  /// The merged stem lists: their dictionary, and where each list is (by a hash of its bytes).
  struct StemLists: Sendable {
    var postingsLength: UInt64 = 0
    var dictionary: [UInt8] = []
    /// List hash → (offset, length); `extra` holds the rare further lists with the same hash.
    var byHash: [Int: (offset: UInt64, length: UInt64)] = [:]
    var extra: [Int: [(offset: UInt64, length: UInt64)]] = [:]

    func candidates(hash: Int) -> [(offset: UInt64, length: UInt64)] {
      guard let first = byHash[hash] else { return [] }
      return [first] + (extra[hash] ?? [])
    }
  }

  /// The merged term lists before sharing is decided: key, info (offset in the side file),
  /// and a hash of the list's bytes.
  struct TermLists: Sendable {
    var keys: [[UInt8]] = []
    var infos: [TermInfo] = []
    var hashes: [Int] = []
  }

  /// The two concurrent halves of a merge. Each result slot is written by one thread and
  /// read after `concurrentPerform` returns; the inputs are immutable readers.
  private final class MergeWork: @unchecked Sendable {
    let inputs: [Input]
    let remap: [[UInt32]]
    var stems: Result<StemLists, IndexError>?
    var terms: Result<TermLists, IndexError>?

    init(inputs: [Input], remap: [[UInt32]]) {
      self.inputs = inputs
      self.remap = remap
    }

    static func hash(_ bytes: [UInt8]) -> Int {
      var hasher = Hasher()
      bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
      return hasher.finalize()
    }

    func mergeStems(into output: SegmentFileWriter) throws(IndexError) -> StemLists {
      var result = StemLists()
      var dictionary = TermDictionaryWriter()
      try SegmentMerger.mergeLists(inputs.map(\.reader.stems), inputs: inputs, remap: remap) { key, info, bytes in
        var info = info
        info.postingsOffset = result.postingsLength
        output.append(bytes)
        let place = (offset: result.postingsLength, length: info.postingsLength)
        let hash = Self.hash(bytes)
        if result.byHash[hash] == nil { result.byHash[hash] = place } else { result.extra[hash, default: []].append(place) }
        result.postingsLength += info.postingsLength
        dictionary.append(key, info)
      }
      result.dictionary = dictionary.finish()
      return result
    }

    func mergeTerms(into side: SegmentFileWriter) throws(IndexError) -> TermLists {
      var result = TermLists()
      var offset: UInt64 = 0
      try SegmentMerger.mergeLists(inputs.map(\.reader.terms), inputs: inputs, remap: remap) { key, info, bytes in
        var info = info
        info.postingsOffset = offset
        side.append(bytes)
        offset += info.postingsLength
        result.keys.append(key)
        result.infos.append(info)
        result.hashes.append(Self.hash(bytes))
      }
      return result
    }
  }

  /// Reads a file front to back in 4 MiB chunks.
  private struct SequentialReader {
    let file: SegmentFileWriter
    var chunk: [UInt8] = []
    var chunkStart = 0
    var fileOffset: UInt64 = 0

    init(file: SegmentFileWriter) { self.file = file }

    mutating func next(_ length: Int) throws(IndexError) -> [UInt8] {
      if chunk.count - chunkStart < length {
        let rest = Array(chunk[chunkStart...])
        let want = max(length - rest.count, 4 << 20)
        let available = Int(file.count - fileOffset)
        let take = min(want, available)
        guard rest.count + take >= length else {
          throw .io(path: file.temporaryPath, reason: "term lists shorter than recorded")
        }
        chunk = rest + (try file.read(offset: fileOffset, length: take))
        fileOffset += UInt64(take)
        chunkStart = 0
      }
      defer { chunkStart += length }
      return Array(chunk[chunkStart..<(chunkStart + length)])
    }
  }

  /// Input bytes read between two ``SegmentReader/releaseResidentPages()`` of every input.
  static let releaseInterval: UInt64 = 16 << 20

  /// Merges the lists of one kind (stems or terms) key by key, in byte order, and hands each
  /// merged list to `emit` (key, info with offset 0, encoded bytes).
  private static func mergeLists(
    _ dictionaries: [TermDictionary], inputs: [Input], remap: [[UInt32]],
    emit: ([UInt8], TermInfo, [UInt8]) -> Void
  ) throws(IndexError) {
    // A k-way merge of the inputs' dictionaries (each in key order): one entry per input held.
    var iterators: [TermDictionary.EntryIterator] = []
    var heads: [(key: [UInt8], info: TermInfo)?] = []
    for (index, terms) in dictionaries.enumerated() {
      var iterator = terms.makeEntryIterator()
      heads.append(inputs[index].ordinals.isEmpty ? nil : try iterator.next())
      iterators.append(iterator)
    }
    var scratch: [UInt8] = []
    var gaps: [UInt32] = []
    var readSinceRelease: UInt64 = 0
    var entries: [(document: UInt32, positions: ArraySlice<UInt32>)] = []
    var documents: [UInt32] = []
    var frequencies: [UInt32] = []
    var positions: [UInt32] = []
    var sources: [(input: Int, info: TermInfo)] = []
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
        sources.append((index, head.info))
        heads[index] = try iterators[index].next()
        if let next = heads[index], !key.lexicographicallyPrecedes(next.key) {
          throw .corrupt(file: inputs[index].reader.path, reason: "dictionary keys out of order")
        }
      }
      entries.removeAll(keepingCapacity: true)
      for source in sources {
        let list = try inputs[source.input].reader.postings(for: source.info, withPositions: true)
        readSinceRelease += source.info.postingsLength
        for index in 0..<list.count {
          let merged = remap[source.input][Int(list.documents[index])]
          if merged != .max { entries.append((merged, list.positions(at: index))) }
        }
      }
      if readSinceRelease >= releaseInterval {
        for input in inputs { input.reader.releaseResidentPages() }
        readSinceRelease = 0
      }
      guard !entries.isEmpty else { continue }
      entries.sort { $0.document < $1.document }
      documents.removeAll(keepingCapacity: true)
      frequencies.removeAll(keepingCapacity: true)
      positions.removeAll(keepingCapacity: true)
      for entry in entries {
        documents.append(entry.document)
        frequencies.append(UInt32(entry.positions.count))
        positions.append(contentsOf: entry.positions)
      }
      scratch.removeAll(keepingCapacity: true)
      PostingsCodec.encode(
        documents: documents, frequencies: frequencies, positions: positions, into: &scratch, gaps: &gaps)
      let info = TermInfo(
        postingsOffset: 0, postingsLength: UInt64(scratch.count),
        documentFrequency: UInt32(documents.count), totalFrequency: UInt64(positions.count))
      emit(key, info, scratch)
    }
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
      try Self.fill(reader.stems, reader: reader, slotOf: slotOf, keys: &stemKeys, slots: &stemAt)
      var termKeys: [String] = []
      var termAt = self.termAt
      self.termAt = []
      try Self.fill(reader.terms, reader: reader, slotOf: slotOf, keys: &termKeys, slots: &termAt)
      self.stemKeys = stemKeys
      self.termKeys = termKeys
      self.stemAt = stemAt
      self.termAt = termAt
    }

    private static func fill(
      _ dictionary: TermDictionary, reader: SegmentReader, slotOf: [Int: Int], keys: inout [String],
      slots: inout [[Int32]]
    ) throws(IndexError) {
      var entries: [([UInt8], TermInfo)] = []
      try dictionary.forEach { key, info in
        entries.append((key, info))
        return true
      }
      for (key, info) in entries {
        let list = try reader.postings(for: info, withPositions: true)
        var keyIndex: Int32 = -1
        for index in 0..<list.count {
          guard let slot = slotOf[Int(list.documents[index])] else { continue }
          if keyIndex < 0 {
            keyIndex = Int32(keys.count)
            keys.append(String(decoding: key, as: UTF8.self))
          }
          for position in list.positions(at: index) {
            guard Int(position) < slots[slot].count, slots[slot][Int(position)] < 0 else {
              throw .corrupt(file: reader.path, reason: "posting lists disagree with the range tables")
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
