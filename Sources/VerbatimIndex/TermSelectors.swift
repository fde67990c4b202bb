/// Terms as selectors over their stem's list (segment format version 2).
///
/// Every term has exactly one stem, so a stem's list is the union of its terms' lists. A
/// segment stores the stem lists only; after the list of a stem that has several terms in the
/// segment come its *selectors*: for each of the stem's occurrences, in list order, the index
/// of the term it is (`BlockCodec`, as many values as the stem's total frequency). Indices go
/// by descending frequency (ties by key bytes), so the commonest form is 0 and most blocks
/// pack into a few bits. A term's dictionary entry points at its *term record*:
///
///     varint stem ordinal (in the stem dictionary) · varint selector
///     selector 0: the term is its stem's only term here (its list is the stem's list)
///     selector s ≥ 1: the term's occurrences are those whose selector value is s − 1
///
/// Before this, every term list was stored in full beside its stem's (format version 1):
/// 45 % of the postings.
struct TermRecord: Sendable, Hashable {
  /// The stem's ordinal in the stem dictionary.
  var stemOrdinal: Int
  /// 0 for the stem's only term, else 1 + the term's selector value.
  var selector: Int

  func append(to output: inout [UInt8]) {
    Varint.append(UInt64(stemOrdinal), to: &output)
    Varint.append(UInt64(selector), to: &output)
  }

  /// Reads a record from exactly `bytes`; `nil` when damaged.
  init?(_ bytes: UnsafeRawBufferPointer) {
    var cursor = ByteCursor(bytes)
    guard let stem = cursor.readVarint(), stem < UInt64(UInt32.max), let selector = cursor.readVarint(),
      selector < UInt64(UInt32.max), cursor.isAtEnd
    else { return nil }
    stemOrdinal = Int(stem)
    self.selector = Int(selector)
  }

  init(stemOrdinal: Int, selector: Int) {
    self.stemOrdinal = stemOrdinal
    self.selector = selector
  }
}

/// Encodes one stem's list and, when it has several terms, its selectors; the same code for
/// a builder and a merge, so that both write the same bytes. Reuses its buffers from stem to
/// stem.
struct StemListEncoder {
  /// A term of the stem just encoded, by the caller's local id.
  struct TermEntry {
    var documentFrequency: UInt32 = 0
    var totalFrequency: UInt64 = 0
    /// The term record's selector (0: the stem's only term).
    var selector: Int = 0
  }

  /// The stem's list, then its selectors when it has several terms.
  private(set) var bytes: [UInt8] = []
  /// The stem's dictionary information (offset 0; the length covers the list only).
  private(set) var info = TermInfo(postingsOffset: 0, postingsLength: 0, documentFrequency: 0, totalFrequency: 0)
  /// Per local term id given to ``encode(documents:positions:terms:ranks:)``.
  private(set) var terms: [TermEntry] = []
  private var listDocuments: [UInt32] = []
  private var listFrequencies: [UInt32] = []
  private var gaps: [UInt32] = []
  private var lastDocument: [Int64] = []
  private var order: [Int] = []
  private var selectorOf: [UInt32] = []
  private var selectors: [UInt32] = []

  /// Encodes the occurrences of one stem: parallel per occurrence, in list order (documents
  /// ascending, positions ascending within a document), `terms[i]` being the occurrence's
  /// term as a local id `0..<ranks.count` (every local id must occur). `ranks` orders the
  /// local terms as their key bytes do (any numbers in that order: a builder gives each
  /// term's rank among all its terms, so that its keys need not be touched here).
  mutating func encode(
    documents: UnsafeBufferPointer<UInt32>, positions: UnsafeBufferPointer<UInt32>, terms localTerms: UnsafeBufferPointer<UInt32>,
    ranks: [Int]
  ) {
    let termCount = ranks.count
    precondition(!documents.isEmpty && documents.count == positions.count && documents.count == localTerms.count)
    listDocuments.removeAll(keepingCapacity: true)
    listFrequencies.removeAll(keepingCapacity: true)
    terms.removeAll(keepingCapacity: true)
    terms.append(contentsOf: repeatElement(TermEntry(), count: termCount))
    var current = documents[0]
    var frequency: UInt32 = 0
    for document in documents {
      if document != current {
        listDocuments.append(current)
        listFrequencies.append(frequency)
        current = document
        frequency = 0
      }
      frequency += 1
    }
    listDocuments.append(current)
    listFrequencies.append(frequency)
    if termCount == 1 {
      terms[0].documentFrequency = UInt32(listDocuments.count)
      terms[0].totalFrequency = UInt64(documents.count)
    } else {
      lastDocument.removeAll(keepingCapacity: true)
      lastDocument.append(contentsOf: repeatElement(-1, count: termCount))
      terms.withUnsafeMutableBufferPointer { terms in
        lastDocument.withUnsafeMutableBufferPointer { lastDocument in
          for index in 0..<documents.count {
            let document = Int64(documents[index])
            let term = Int(localTerms[index])
            terms[term].totalFrequency += 1
            if lastDocument[term] != document {
              lastDocument[term] = document
              terms[term].documentFrequency += 1
            }
          }
        }
      }
    }
    bytes.removeAll(keepingCapacity: true)
    PostingsCodec.encode(
      documents: listDocuments, frequencies: listFrequencies, positions: positions, into: &bytes, gaps: &gaps)
    info = TermInfo(
      postingsOffset: 0, postingsLength: UInt64(bytes.count), documentFrequency: UInt32(listDocuments.count),
      totalFrequency: UInt64(documents.count))
    guard termCount > 1 else { return }
    // Selector values by descending frequency, ties by key bytes: the same order whoever
    // numbered the local ids.
    order.removeAll(keepingCapacity: true)
    order.append(contentsOf: 0..<termCount)
    order.sort { left, right in
      let a = terms[left].totalFrequency
      let b = terms[right].totalFrequency
      return a != b ? a > b : ranks[left] < ranks[right]
    }
    selectorOf.removeAll(keepingCapacity: true)
    selectorOf.append(contentsOf: repeatElement(0, count: termCount))
    for (value, term) in order.enumerated() {
      precondition(terms[term].totalFrequency > 0, "every local term occurs")
      selectorOf[term] = UInt32(value)
      terms[term].selector = value + 1
    }
    selectors.removeAll(keepingCapacity: true)
    selectors.append(contentsOf: repeatElement(0, count: localTerms.count))
    selectorOf.withUnsafeBufferPointer { selectorOf in
      selectors.withUnsafeMutableBufferPointer { selectors in
        for (index, term) in localTerms.enumerated() { selectors[index] = selectorOf[Int(term)] }
      }
    }
    BlockCodec.encode(selectors, into: &bytes)
  }
}

extension SegmentReader {
  /// The term record a term entry of ``terms`` points to.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)`` when it is damaged or names no stem.
  func termRecord(for info: TermInfo) throws(IndexError) -> TermRecord {
    guard let bytes = postingsBytes(offset: info.postingsOffset, length: info.postingsLength),
      let record = TermRecord(bytes), record.stemOrdinal < stems.count
    else { throw .corrupt(file: path, reason: "term record damaged") }
    return record
  }

  /// Decodes the selectors that follow the list of the stem entry `stemInfo` (one per
  /// occurrence) into `selectors`, replacing its contents.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  func selectors(ofStem stemInfo: TermInfo, into selectors: inout [UInt32]) throws(IndexError) {
    let start = stemInfo.postingsOffset + stemInfo.postingsLength
    guard start <= UInt64(postingsByteCount), let section = postingsBytes(offset: start, length: UInt64(postingsByteCount) - start)
    else { throw .corrupt(file: path, reason: "selectors out of bounds") }
    var cursor = ByteCursor(section)
    selectors.removeAll(keepingCapacity: true)
    guard stemInfo.totalFrequency <= UInt64(section.count) * 128,
      BlockCodec.decode(count: Int(stemInfo.totalFrequency), from: &cursor, into: &selectors)
    else { throw .corrupt(file: path, reason: "selectors damaged") }
  }

  /// Decodes the list a term entry of ``terms`` points to (through its term record and its
  /// stem's list and selectors).
  ///
  /// - Parameter withRanges: fill `starts`/`ends` from the range tables (implies positions).
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func termPostings(for info: TermInfo, withPositions: Bool = true, withRanges: Bool = false) throws(IndexError)
    -> PostingList
  {
    let lists = try termPostings(for: [info], withPositions: withPositions, withRanges: withRanges)
    guard lists.count == 1, lists[0].count == Int(info.documentFrequency),
      lists[0].frequencies.reduce(0, { $0 + UInt64($1) }) == info.totalFrequency
    else { throw .corrupt(file: path, reason: "term list does not match its dictionary entry") }
    return lists[0]
  }

  /// The lists of several term entries (a prefix's terms), one per stem they belong to:
  /// terms of one stem come back as one list (the union of their occurrences), its stem's
  /// list decoded once. In stem ordinal order.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func termPostings(for infos: [TermInfo], withPositions: Bool = true, withRanges: Bool = false)
    throws(IndexError) -> [PostingList]
  {
    var records: [TermRecord] = []
    records.reserveCapacity(infos.count)
    for info in infos { records.append(try termRecord(for: info)) }
    records.sort { ($0.stemOrdinal, $0.selector) < ($1.stemOrdinal, $1.selector) }
    var result: [PostingList] = []
    var index = 0
    var wanted: [Bool] = []
    var selectors: [UInt32] = []
    while index < records.count {
      let stemOrdinal = records[index].stemOrdinal
      var end = index
      while end < records.count && records[end].stemOrdinal == stemOrdinal { end += 1 }
      defer { index = end }
      let stemInfo = try stems.info(atOrdinal: stemOrdinal)
      if records[index].selector == 0 {
        // The stem's only term: its list as it is.
        guard end == index + 1 else { throw .corrupt(file: path, reason: "term records of one stem disagree") }
        result.append(try postings(for: stemInfo, withPositions: withPositions, withRanges: withRanges))
        continue
      }
      // Ranges only for the occurrences kept.
      let stemList = try postings(for: stemInfo, withPositions: withPositions || withRanges, withRanges: false)
      try self.selectors(ofStem: stemInfo, into: &selectors)
      wanted.removeAll(keepingCapacity: true)
      for record in records[index..<end] {
        let value = record.selector - 1
        if value >= wanted.count { wanted.append(contentsOf: repeatElement(false, count: value - wanted.count + 1)) }
        wanted[value] = true
      }
      var selected = Self.select(stemList, selectors: selectors, wanted: wanted, withPositions: withPositions || withRanges)
      if withRanges { try fillRanges(of: &selected) }
      result.append(selected)
    }
    return result
  }

  /// The occurrences of `list` whose selector is wanted.
  private static func select(_ list: PostingList, selectors: [UInt32], wanted: [Bool], withPositions: Bool) -> PostingList {
    var result = PostingList()
    var occurrence = 0
    for (index, document) in list.documents.enumerated() {
      var frequency: UInt32 = 0
      let end = occurrence + Int(list.frequencies[index])
      while occurrence < end {
        let value = Int(selectors[occurrence])
        if value < wanted.count && wanted[value] {
          frequency += 1
          if withPositions { result.positions.append(list.positions[occurrence]) }
        }
        occurrence += 1
      }
      guard frequency > 0 else { continue }
      result.documents.append(document)
      result.frequencies.append(frequency)
      result.positionOffsets.append(result.positionOffsets.last! + Int(frequency))
    }
    return result
  }
}
