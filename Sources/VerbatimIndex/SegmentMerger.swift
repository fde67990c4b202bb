/// Merges segments into one, documents in ascending global document id.
///
/// The result is exactly the ``SegmentBuilder`` that a single builder fed the same documents
/// in that order would hold, so it serialises to the same bytes whatever the number of
/// workers that produced the inputs (`--jobs 1` and `--jobs N` give byte-identical files).
///
/// Two routes to the same bytes:
///
/// - ``merge(_:)`` (used by ``IndexWriter``): list by list. Keys of all inputs in byte order;
///   each key's lists are decoded, filtered to the kept documents, their ordinals remapped to
///   the merged order, and re-encoded; range tables are decoded and re-encoded per document
///   (the encoding is a function of the ranges). A term list is shared with a stem list when
///   their bytes are equal, which (one stem per position) can only be its own stem's list,
///   exactly as ``SegmentBuilder/serialized()`` decides. Memory: the output file plus one
///   key's lists at a time.
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
  /// the same bytes as ``rebuild(_:)`` then ``SegmentBuilder/serialized()``.
  ///
  /// - Precondition: the kept documents have distinct global ids.
  /// - Throws: ``IndexError/corrupt(file:reason:)`` for a damaged input.
  public static func merge(_ inputs: [Input]) throws(IndexError) -> Merged {
    // The merged order, and each input's ordinal → merged ordinal.
    let order = mergedOrder(inputs)
    // UInt32.max: not kept.
    var remap: [[UInt32]] = inputs.map { [UInt32](repeating: .max, count: $0.reader.documentCount) }
    for (merged, entry) in order.enumerated() { remap[entry.input][entry.ordinal] = UInt32(merged) }

    var postings: [UInt8] = []
    var stemDictionary = TermDictionaryWriter()
    var termDictionary = TermDictionaryWriter()
    var stemListOffsets: [[UInt8]: UInt64] = [:]
    try mergeLists(
      inputs.map(\.reader.stems), inputs: inputs, remap: remap, postings: &postings, dictionary: &stemDictionary
    ) { bytes, offset in
      stemListOffsets[bytes] = offset
      return nil
    }
    try mergeLists(
      inputs.map(\.reader.terms), inputs: inputs, remap: remap, postings: &postings, dictionary: &termDictionary
    ) { bytes, _ in stemListOffsets[bytes] }

    var rangeTables: [UInt8] = []
    var documentTable: [UInt8] = []
    var documents: [SegmentDocument] = []
    for entry in order {
      let reader = inputs[entry.input].reader
      let document = reader.document(at: entry.ordinal)
      let ranges = try reader.ranges(ofDocument: entry.ordinal)
      documentTable.appendLittleEndian(UInt64(bitPattern: document.documentID))
      documentTable.appendLittleEndian(document.tokenCount)
      documentTable.appendLittleEndian(UInt64(rangeTables.count))
      PostingsCodec.encodeRanges(starts: ranges.starts, ends: ranges.ends, into: &rangeTables)
      documents.append(document)
    }
    let bytes = SegmentFormat.assemble(
      documentCount: documents.count,
      sections: [postings, termDictionary.finish(), stemDictionary.finish(), rangeTables, documentTable])
    return Merged(bytes: bytes, documents: documents)
  }

  /// Merges the lists of one kind (stems or terms) key by key, in byte order. `shared`
  /// receives each new list's bytes and offset and returns an earlier offset to point at
  /// instead of writing the bytes again.
  private static func mergeLists(
    _ dictionaries: [TermDictionary], inputs: [Input], remap: [[UInt32]], postings: inout [UInt8],
    dictionary: inout TermDictionaryWriter, shared: ([UInt8], UInt64) -> UInt64?
  ) throws(IndexError) {
    var sources: [[UInt8]: [(input: Int, info: TermInfo)]] = [:]
    for (index, terms) in dictionaries.enumerated() where !inputs[index].ordinals.isEmpty {
      try terms.forEach { key, info in
        sources[key, default: []].append((index, info))
        return true
      }
    }
    let keys = sources.keys.sorted { $0.lexicographicallyPrecedes($1) }
    var scratch: [UInt8] = []
    for key in keys {
      var entries: [(document: UInt32, positions: ArraySlice<UInt32>)] = []
      for source in sources[key, default: []] {
        let list = try inputs[source.input].reader.postings(for: source.info, withPositions: true)
        for index in 0..<list.count {
          let merged = remap[source.input][Int(list.documents[index])]
          if merged != .max { entries.append((merged, list.positions(at: index))) }
        }
      }
      guard !entries.isEmpty else { continue }
      entries.sort { $0.document < $1.document }
      var documents: [UInt32] = []
      var frequencies: [UInt32] = []
      var positions: [UInt32] = []
      for entry in entries {
        documents.append(entry.document)
        frequencies.append(UInt32(entry.positions.count))
        positions.append(contentsOf: entry.positions)
      }
      scratch.removeAll(keepingCapacity: true)
      PostingsCodec.encode(documents: documents, frequencies: frequencies, positions: positions, into: &scratch)
      var info = TermInfo(
        postingsOffset: UInt64(postings.count), postingsLength: UInt64(scratch.count),
        documentFrequency: UInt32(documents.count), totalFrequency: UInt64(positions.count))
      if let earlier = shared(scratch, info.postingsOffset) {
        info.postingsOffset = earlier
      } else {
        postings.append(contentsOf: scratch)
      }
      dictionary.append(key, info)
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
