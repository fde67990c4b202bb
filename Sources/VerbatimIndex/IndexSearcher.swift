import Dispatch
import Foundation
import VerbatimCorpus

/// A unit in which queries are evaluated: one segment, sentence or turn of a document.
public struct SearchUnit: Sendable, Hashable {
  /// 1-based ordinal among the document's units of this kind.
  public var ordinal: Int
  /// UTF-8 byte range in the document text.
  public var range: Range<Int>
  /// The speaker of the turn the unit belongs to, if named.
  public var speaker: String?
  /// The UTF-8 byte range of the turn the unit belongs to (the unit's own for a turn, and
  /// when the turn is not known: a concordance then takes its context inside the unit).
  public var turn: Range<Int>

  /// Creates a unit (`turn` `nil`: not known).
  public init(ordinal: Int, range: Range<Int>, speaker: String?, turn: Range<Int>? = nil) {
    self.ordinal = ordinal
    self.range = range
    self.speaker = speaker
    self.turn = turn ?? range
  }
}

/// What the searcher needs to know about a document besides its postings: its units (sorted,
/// not overlapping) and its metadata as text.
public struct SearchDocument: Sendable, Hashable {
  /// The document id (as in the index and the project store).
  public var id: Int64
  /// Its units, in text order.
  public var units: [SearchUnit]
  /// Metadata field → value, as text.
  public var metadata: [String: String]

  /// Creates a document description.
  public init(id: Int64, units: [SearchUnit], metadata: [String: String]) {
    self.id = id
    self.units = units
    self.metadata = metadata
  }
}

/// One match of a query: a word, phrase or `NEAR` hit inside one unit, or a whole unit when
/// the query matched it without words (only filters or `NOT`).
public struct SearchHit: Sendable, Hashable {
  /// The document id.
  public var document: Int64
  /// The unit the hit lies in.
  public var unit: SearchUnit
  /// The UTF-8 byte range of the hit (the unit's range when ``positions`` is `nil`).
  public var range: Range<Int>
  /// The document-level token positions the hit spans, or `nil` for a match without words.
  public var positions: ClosedRange<Int>?
}

/// Evaluates queries over a committed index, unit by unit, with the semantics of
/// ``QueryMatcher`` (which it is tested against).
///
/// How: the words of the query (stems, terms, prefixes, phrase words) are looked up once in
/// the term and stem dictionaries; their postings give, per document, the positions and UTF-8
/// ranges of every occurrence. Only documents that can match are visited (an `AND` intersects,
/// an `OR` unites; a query that can match without words, such as `NOT a` or `speaker:L1`,
/// visits every document). In a document, occurrences are dealt to the units that contain
/// their first byte, and the query is evaluated on each unit's occurrence lists — only the
/// units that hold an occurrence, unless the query can match a unit without words.
///
///     let searcher = IndexSearcher(snapshot: snapshot) { id in documents[id] }
///     for hit in try searcher.search(QueryParser().parse("\"numérique responsable\"")) { … }
public struct IndexSearcher {
  /// The committed index searched.
  public let snapshot: IndexSnapshot
  private let describe: ((Int64) throws -> SearchDocument?)?
  private let unitKind: DocumentOutline.UnitKind
  /// Threads that visit documents (1 with `describe`, which need not be thread-safe).
  let workers: Int
  /// Documents visited on the calling thread before any other starts: a first page
  /// (`--limit 20`) is often found in them, and then no thread or copy is made.
  var lead = 32
  /// Documents per chunk in a concurrent search's first chunks; it doubles every
  /// ``chunksPerWorker`` × ``workers`` chunks up to ``lastChunk``. Small first, so that a
  /// first page waits for few documents.
  var firstChunk = 1
  /// The largest chunk. When the threads met at the end of each wave of chunks, a word with
  /// hits in 20,000 documents made 40 waves with chunks of at most 32 documents, and every
  /// hit of 100 word queries at 1 GB took 29 ms (median, 2 workers) against 24 ms with 128
  /// (7 alternated rounds; 512 was no better). A first page is found in the first chunks.
  var lastChunk = 128
  /// Chunks per worker taken and not yet handed over (what a concurrent search holds), and
  /// between two doublings of the chunk size.
  var chunksPerWorker = 8

  /// Creates a searcher; `describe` gives a document's units and metadata (or `nil` to skip it).
  public init(snapshot: IndexSnapshot, describe: @escaping (Int64) throws -> SearchDocument?) {
    self.snapshot = snapshot
    self.describe = describe
    unitKind = .segment
    workers = 1
  }

  /// Creates a searcher that finds each document's units of `kind`, their speakers and the
  /// document's metadata in the index itself (the outline each segment keeps beside the
  /// document's range table): no other store is read. A document indexed without an outline
  /// has no units, hence no hits.
  ///
  /// Documents are visited on `workers` threads (default: every active core), in chunks whose
  /// hits are handed to the caller in document order: the same hits, in the same order, for
  /// any number of workers.
  public init(snapshot: IndexSnapshot, units kind: DocumentOutline.UnitKind, workers: Int? = nil) {
    self.snapshot = snapshot
    describe = nil
    unitKind = kind
    self.workers = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
  }

  /// Reads a target document's units (and metadata when `withMetadata`) into `table`, from
  /// `describe` or from the index's outline, and returns its range table; `nil` to skip the
  /// document.
  private func describe(_ target: Target, _ reader: SegmentReader, into table: inout UnitTable, withMetadata: Bool)
    throws -> RangeTable?
  {
    if let describe {
      guard let document = try describe(target.id) else { return nil }
      table.fill(document)
      return try reader.rangeTable(ofDocument: Int(target.ordinal))
    }
    let record = try reader.outlineAndRangeTable(ofDocument: Int(target.ordinal))
    guard table.fill(outline: record.outline, skips: record.skips, kind: unitKind, withMetadata: withMetadata) else {
      throw IndexError.corrupt(file: reader.path, reason: "outline of document \(target.ordinal) damaged")
    }
    return record.ranges
  }

  /// One document's units of the searched kind, read in place from its outline, in one of two
  /// ways per document:
  ///
  /// - ``locate(_:damaged:)``, for a lone word or a phrase, whose hits ascend: the unit of each
  ///   hit in turn, decoded on from the unit found last or from the outline's last mark
  ///   (``OutlineSkips``) before the hit, keeping nothing but the unit it stops at. A
  ///   ``SearchUnit`` (with its speaker's name, and its turn for a sentence or segment) is made
  ///   only for a unit that holds a hit (``locatedUnit()``).
  /// - ``decodeAll()``, for any other query, which looks at every unit: into ``ranges``, with
  ///   ``unit(_:)`` and ``speaker(_:)``.
  ///
  /// Buffers are reused from one document to the next (no allocation per document once they
  /// have grown).
  struct UnitTable {
    /// Every unit, in text order, after ``decodeAll()`` (or as `describe` gave them).
    var ranges: [Range<Int>] = []
    /// Per unit of ``ranges``, the ordinal of its turn (1-based; 0 or past the turns decoded: none).
    var unitTurns: [Int] = []
    /// The speakers' names: where each lies in the outline, and the names made so far (a
    /// name is made when a unit of its speaker holds a hit, not for every document visited).
    private var nameRanges: [Range<Int>] = []
    /// The names made, by speaker number − 1: `names[k]` is this document's when
    /// `nameStamps[k]` is ``stamp`` (the document's number), so that a new document resets
    /// nothing (emptying and refilling the array took about 200 instructions a document).
    private var names: [String?] = []
    private var nameStamps: [UInt32] = []
    private var stamp: UInt32 = 0
    /// Whether a name made for this document was not UTF-8: names are checked when made, not
    /// when the outline is read (checking every name of every document visited took about 190
    /// instructions a document), and the visit then reports the outline damaged.
    private(set) var hasDamagedName = false
    private var outline = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The document's metadata (filled only when the query has field filters).
    var metadata: [String: String] = [:]
    /// The units as `describe` gave them (their own ordinals), or `nil` for outline units
    /// (ordinals 1, 2, …).
    var given: [SearchUnit]?
    private var kind: DocumentOutline.UnitKind = .segment
    /// The searched units not decoded yet.
    private var pending: DocumentOutline.UnitStream?
    /// For sentences and segments: the turns not decoded yet. For every kind: the speakers
    /// (0 for none, k for the k-th of ``names``) and ranges of the turns decoded (the turns
    /// skipped through a mark: speaker 0 and the empty range at the mark's previous end).
    private var turns: DocumentOutline.UnitStream?
    private var turnSpeakers: [Int] = []
    private var turnRanges: [Range<Int>] = []
    /// Speakers of turns being decoded (a buffer kept from one document to the next).
    private var speakerScratch: [Int] = []
    /// The marks of the searched units and of the turns.
    private var pendingSkips = OutlineSkips.Part.none
    private var turnSkips = OutlineSkips.Part.none
    /// The unit ``locate(_:damaged:)`` stopped at: its 0-based index among the document's
    /// units (-1: none yet; past the last: the empty range at `Int.max`), its range, and its
    /// value (its turn's ordinal; for a turn, its speaker number).
    private var locatedIndex = -1
    private(set) var locatedRange = 0..<0
    private var locatedValue = 0
    /// How many units and turns of this document were skipped (for tests).
    private(set) var skippedUnits = 0
    private(set) var skippedTurns = 0

    /// The unit at `index` of ``ranges``.
    @inline(__always)
    mutating func unit(_ index: Int) -> SearchUnit {
      if let given { return given[index] }
      return unit(ordinal: index + 1, range: ranges[index], turn: unitTurns[index])
    }

    /// A sentence or segment with its turn (1-based ordinal among the turns decoded; 0 or past
    /// them: no speaker, no turn range).
    @inline(__always)
    private mutating func unit(ordinal: Int, range: Range<Int>, turn: Int) -> SearchUnit {
      let known = turn >= 1 && turn <= turnSpeakers.count
      return SearchUnit(
        ordinal: ordinal, range: range, speaker: known ? name(turnSpeakers[turn - 1]) : nil,
        turn: known ? turnRanges[turn - 1] : nil)
    }

    /// The speaker of the unit at `index` of ``ranges``.
    @inline(__always)
    mutating func speaker(_ index: Int) -> String? {
      if let given { return given[index].speaker }
      let turn = unitTurns[index]
      guard turn >= 1 && turn <= turnSpeakers.count else { return nil }
      return name(turnSpeakers[turn - 1])
    }

    /// The name of speaker number `speaker` (0: none), made the first time it is asked for.
    private mutating func name(_ speaker: Int) -> String? {
      guard speaker > 0 else { return nil }
      if nameStamps[speaker - 1] == stamp, let name = names[speaker - 1] { return name }
      guard let name = DocumentOutline.Reader.validName(in: outline, nameRanges[speaker - 1]) else {
        hasDamagedName = true
        return nil
      }
      names[speaker - 1] = name
      nameStamps[speaker - 1] = stamp
      return name
    }

    /// The 0-based index of the unit holding `offset` (`nil`: between two units or after the
    /// last), for offsets that ascend within the document. Sets `damaged` when the outline
    /// cannot be read.
    @inline(__always)
    mutating func locate(_ offset: Int, damaged: inout Bool) -> Int? {
      if locatedIndex >= 0, locatedRange.upperBound > offset {
        return locatedRange.lowerBound <= offset ? locatedIndex : nil
      }
      return locateFurther(offset, damaged: &damaged)
    }

    /// ``locate(_:damaged:)`` past the unit found last: the first unit ending after `offset`.
    private mutating func locateFurther(_ offset: Int, damaged: inout Bool) -> Int? {
      if given != nil {
        var cursor = max(0, locatedIndex)
        let found = IndexSearcher.unitIndex(containing: offset, from: &cursor, in: ranges)
        locatedIndex = cursor
        locatedRange = cursor < ranges.count ? ranges[cursor] : Int.max..<Int.max
        return found
      }
      guard var stream = pending else {
        locatedIndex = max(0, locatedIndex)
        locatedRange = Int.max..<Int.max
        return nil
      }
      if let mark = pendingSkips.lastMark(endingAtOrBefore: offset, after: stream.decoded) {
        // Every unit before the mark ends at or before `offset`.
        skippedUnits += mark.unit - stream.decoded
        guard stream.resume(at: mark) else {
          damaged = true
          return nil
        }
      }
      guard let (range, value) = stream.last(past: offset, isTurn: kind == .turn) else {
        damaged = true
        return nil
      }
      locatedIndex = stream.decoded - 1
      locatedRange = range
      locatedValue = value
      pending = stream.isAtEnd ? nil : stream
      return range.contains(offset) ? locatedIndex : nil
    }

    /// The unit ``locate(_:damaged:)`` returned last; `nil` when its turn cannot be read.
    mutating func locatedUnit() -> SearchUnit? {
      if let given { return given[locatedIndex] }
      if kind == .turn {
        guard locatedValue <= nameRanges.count else { return nil }
        return SearchUnit(
          ordinal: locatedIndex + 1, range: locatedRange, speaker: name(locatedValue), turn: locatedRange)
      }
      let turn = locatedValue
      if turn > turnSpeakers.count {
        // Turns ascend with units in an outline with marks: those before the last turn mark
        // at or before this unit's turn are not needed.
        if turn >= 1, let stream = turns, let mark = turnSkips.lastMark(atOrBefore: turn - 1, after: turnSpeakers.count) {
          var resumed = stream
          guard resumed.resume(at: mark) else { return nil }
          turns = resumed
          let skipped = mark.unit - turnSpeakers.count
          skippedTurns += skipped
          turnSpeakers.append(contentsOf: repeatElement(0, count: skipped))
          turnRanges.append(contentsOf: repeatElement(mark.previousEnd..<mark.previousEnd, count: skipped))
        }
        guard decodeTurns(through: turn) else { return nil }
      }
      return unit(ordinal: locatedIndex + 1, range: locatedRange, turn: turn)
    }

    /// Decodes every unit into ``ranges`` (and their turns), none skipped: for a search that
    /// looks at every unit. `false` when the outline is damaged.
    mutating func decodeAll() -> Bool {
      guard var stream = pending else { return true }
      pending = nil
      if kind == .turn {
        // The turns' speakers go through `speakerScratch`, then into the turn tables.
        speakerScratch.removeAll(keepingCapacity: true)
        let decoded = stream.decode(past: .max, isTurn: true, ranges: &ranges, values: &speakerScratch)
        for (index, speaker) in speakerScratch.enumerated() {
          guard speaker <= nameRanges.count else { return false }
          turnSpeakers.append(speaker)
          turnRanges.append(ranges[index])
          unitTurns.append(turnSpeakers.count)
        }
        return decoded
      }
      guard stream.decode(past: .max, isTurn: false, ranges: &ranges, values: &unitTurns) else { return false }
      return decodeTurns(through: unitTurns.max() ?? 0)
    }

    /// Decodes turns as far as turn `ordinal` (1-based; a turn out of range, 0 or past the
    /// last, has no speaker, as the store has it); `false` when damaged.
    private mutating func decodeTurns(through ordinal: Int) -> Bool {
      while turnSpeakers.count < ordinal, let stream = turns, !stream.isAtEnd {
        guard let (range, speaker) = turns?.next(isTurn: true), speaker <= nameRanges.count else { return false }
        turnSpeakers.append(speaker)
        turnRanges.append(range)
      }
      return true
    }

    /// Reads an outline (``DocumentOutline``): its speakers' names, and where its units of
    /// `kind` and its turns lie (decoded on demand); its metadata only `withMetadata` (the
    /// part is skipped otherwise). `false` when damaged.
    mutating func fill(
      outline bytes: UnsafeRawBufferPointer, skips: OutlineSkips, kind: DocumentOutline.UnitKind, withMetadata: Bool
    ) -> Bool {
      given = nil
      locatedIndex = -1
      skippedUnits = 0
      skippedTurns = 0
      turnSkips = skips.turns
      switch kind {
      case .turn: pendingSkips = skips.turns
      case .sentence: pendingSkips = skips.sentences
      case .segment: pendingSkips = skips.segments
      }
      // Emptied only when not empty: `removeAll(keepingCapacity:)` costs about 100
      // instructions even then, and a lone word's search never fills most of these.
      if !metadata.isEmpty { metadata = [:] }
      ranges.empty()
      unitTurns.empty()
      turnSpeakers.empty()
      turnRanges.empty()
      pending = nil
      turns = nil
      self.kind = kind
      hasDamagedName = false
      stamp &+= 1
      if stamp == 0 {
        // After 2³² documents: no stamp may stand for an earlier document.
        for index in nameStamps.indices { nameStamps[index] = 0 }
        stamp = 1
      }
      guard !bytes.isEmpty else {
        nameRanges.empty()
        return true
      }
      var reader = DocumentOutline.Reader(bytes)
      guard reader.speakerRanges(into: &nameRanges, validating: false), let turnStream = reader.unitStream() else {
        return false
      }
      outline = bytes
      if names.count < nameRanges.count {
        names.append(contentsOf: repeatElement(nil, count: nameRanges.count - names.count))
        nameStamps.append(contentsOf: repeatElement(0, count: nameRanges.count - nameStamps.count))
      }
      switch kind {
      case .turn:
        pending = turnStream
        guard reader.skipPart(), reader.skipPart() else { return false }
      case .sentence:
        turns = turnStream
        guard let sentences = reader.unitStream(), reader.skipPart() else { return false }
        pending = sentences
      case .segment:
        turns = turnStream
        guard reader.skipPart(), let segments = reader.unitStream() else { return false }
        pending = segments
      }
      if pending?.isAtEnd == true { pending = nil }
      if withMetadata {
        guard let decoded = reader.metadata() else { return false }
        metadata = decoded
      } else {
        guard reader.skipPart() else { return false }
      }
      return reader.isAtEnd
    }

    /// Takes a document as `describe` gave it.
    mutating func fill(_ document: SearchDocument) {
      hasDamagedName = false
      pending = nil
      locatedIndex = -1
      pendingSkips = .none
      turnSkips = .none
      turns = nil
      given = document.units
      ranges = document.units.map(\.range)
      metadata = document.metadata
    }
  }

  /// The hits of `query`, by document id, then start and end offset; at most `limit`.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)`` for a damaged index, or what `describe` throws.
  public func search(_ query: Query, limit: Int? = nil) throws -> [SearchHit] {
    var hits: [SearchHit] = []
    try forEachHit(of: query) { hit in
      hits.append(hit)
      return limit.map { hits.count < $0 } ?? true
    }
    return hits
  }

  /// Calls `body` with each hit of `query` in order until it returns `false`.
  public func forEachHit(of query: Query, _ body: (SearchHit) throws -> Bool) throws {
    try forEachDocument(of: query) { _, hits in
      for hit in hits where try !body(hit) { return false }
      return true
    }
  }

  /// Calls `body` with the id of each document that has hits and its hits in order (documents
  /// by id), until it returns `false`.
  ///
  /// Per query, each distinct word's postings are decoded once per segment (documents and
  /// positions; no ranges). Candidate documents come from merging the sorted document lists.
  /// Per document, a lone word or a phrase is evaluated over the whole document's positions and
  /// only the ranges it prints are decoded; any other query is evaluated unit by unit as before.
  public func forEachDocument(of query: Query, _ body: (Int64, ArraySlice<SearchHit>) throws -> Bool) throws {
    let plan = Plan(query)
    let prepared = try prepare(plan)
    let postings = prepared.map(\.lists)
    var targets: [Target] = []
    targets.reserveCapacity(prepared.reduce(0) { $0 + $1.targets.count })
    for segment in prepared { targets += segment.targets }
    // One segment's ids usually ascend with its ordinals already (documents are added in id order).
    if !targets.isStrictlyOrdered { targets.sort { ($0.id, $0.segment) < ($1.id, $1.segment) } }
    let concurrent = describe == nil && workers > 1 && targets.count > lead
    var scratch = Scratch(slots: plan.words.count)
    scratch.documentCursors = Array(repeating: Array(repeating: 0, count: plan.words.count), count: postings.count)
    var table = UnitTable()
    // A phrase skips most of its documents on their positions alone, before reading their
    // records: loading those records early only took memory bandwidth (phrase medians +25 %).
    let prefetcher = RecordPrefetcher(segments: plan.skipsMostRecords ? [] : snapshot.segments.map(\.recordHints))
    let end = concurrent ? lead : targets.count
    prefetcher.warmUp(from: 0, in: targets, before: end)
    for index in 0..<end {
      prefetcher.ahead(of: index, in: targets, before: end)
      let target = targets[index]
      scratch.hits.removeAll(keepingCapacity: true)
      guard try visit(target, plan, snapshot.segments[target.segment], postings[target.segment], &scratch, &table) else {
        continue
      }
      guard try body(target.id, scratch.hits[...]) else { return }
    }
    if concurrent { try visitConcurrently(targets, from: lead, query, postings, prefetcher, body) }
  }

  /// Each segment's postings of each word and its documents to visit, in the snapshot's
  /// order. On ``workers`` threads for an outline searcher (each takes every `workers`-th
  /// segment): on one thread, decoding a common word's lists in 60 segments and listing its
  /// documents came before any visit, about a seventh of its search on 2 workers. The same
  /// lists and targets, and the same first error by segment, either way.
  private func prepare(_ plan: Plan) throws(IndexError) -> [(lists: [WordPostings], targets: [Target])] {
    let segments = snapshot.segments
    let words = plan.words
    let root = plan.matchesWithoutWords ? nil : plan.root
    let prepare = { @Sendable (segment: Int) throws(IndexError) -> (lists: [WordPostings], targets: [Target]) in
      let reader = segments[segment]
      let lists = try words.map { word throws(IndexError) in try Self.postings(of: word, in: reader) }
      return (lists, Self.targets(root.flatMap { Self.candidates(of: $0, lists) }, in: reader, segment))
    }
    guard describe == nil, workers > 1, segments.count > 1, !words.isEmpty else {
      return try segments.indices.map { segment throws(IndexError) in try prepare(segment) }
    }
    return try concurrentMap(count: segments.count, threads: workers, prepare)
  }

  /// The documents of segment number `segment` at the local `ordinals` (`nil`: every
  /// document), with their ids.
  private static func targets(_ ordinals: [UInt32]?, in reader: SegmentReader, _ segment: Int) -> [Target] {
    guard let ordinals else {
      return (0..<reader.documentCount).map {
        Target(id: reader.documentID(at: $0), segment: segment, ordinal: UInt32($0))
      }
    }
    return ordinals.map { Target(id: reader.documentID(at: Int($0)), segment: segment, ordinal: $0) }
  }

  /// A worker's buffers, reused from one chunk to the next (the chunk takes them as locals).
  private final class Visitor {
    var scratch: Scratch
    var table = UnitTable()
    /// A concurrent search's worker: its chunk's share of each segment's postings (between
    /// the chunk's first and last local ordinals in the segment), its plan.
    var shares: [(segment: Int, first: UInt32, last: UInt32, lists: [WordPostings])] = []
    var plan: Plan?

    init(slots: Int, segments: Int) {
      scratch = Scratch(slots: slots)
      scratch.documentCursors = Array(repeating: Array(repeating: 0, count: slots), count: segments)
    }
  }

  /// Appends a target document's hits, in order, to `scratch.hits`; `false` when it
  /// has none.
  private func visit(
    _ target: Target, _ plan: Plan, _ reader: SegmentReader, _ lists: [WordPostings], _ scratch: inout Scratch,
    _ table: inout UnitTable
  ) throws -> Bool {
    for slot in lists.indices {
      scratch.positions[slot] = lists[slot].positions(
        ofDocument: target.ordinal, cursor: &scratch.documentCursors[target.segment][slot])
    }
    if case let .phrase(slots) = plan.root {
      // No match over the whole document: none in any of its units either.
      Self.phraseMatches(slots, &scratch)
      guard !scratch.matches.isEmpty else { return false }
    }
    guard let ranges = try describe(target, reader, into: &table, withMetadata: plan.filtersFields) else {
      return false
    }
    let first = scratch.hits.count
    // A lone word's or a phrase's hits come in order when starts ascend with positions (the
    // check took about 80 instructions a document; debug builds still make it).
    var ordered = false
    switch plan.root {
    case let .word(slot):
      try singleWordHits(slot, target.id, &table, ranges, reader, &scratch)
      ordered = ranges.isMonotone
    case let .phrase(slots) where ranges.isMonotone:
      try phraseHits(slots.count, target.id, &table, ranges, reader, &scratch)
      ordered = true
    default:
      try unitHits(plan, target.id, &table, ranges, reader, &scratch)
    }
    if table.hasDamagedName { throw Self.damagedOutline(reader) }
    assert(!ordered || scratch.hits[first...].isStrictlyOrdered, "hits out of order in a monotone range table")
    if !ordered && !scratch.hits[first...].isStrictlyOrdered {
      scratch.hits[first...].sort {
        ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound)
      }
    }
    return scratch.hits.count > first
  }

  /// Visits the targets from `start` on ``workers`` threads (the calling one and `workers − 1`
  /// helpers), in chunks of consecutive documents taken in order as the threads become free:
  /// the calling thread hands each chunk's hits to `body` as soon as every chunk before it has
  /// been handed over (and the error where a chunk stopped), then goes on taking chunks, so
  /// `body` sees what a visit on one thread gives. At most ``chunksPerWorker`` × `workers`
  /// chunks are taken and not yet handed over (their hits are what is held). Only for outline
  /// units: the searcher then reads nothing but the immutable, memory-mapped segments; each
  /// thread has its own buffers, cursors and plan, and each chunk its own copy of its
  /// documents' share of the postings.
  private func visitConcurrently(
    _ targets: [Target], from start: Int, _ query: Query, _ postings: [[WordPostings]],
    _ prefetcher: RecordPrefetcher, _ body: (Int64, ArraySlice<SearchHit>) throws -> Bool
  ) throws {
    /// One chunk's outcome: each document with hits and its hits, and what stopped it (the
    /// documents before are in `found`).
    final class Chunk {
      var documents: Range<Int> = 0..<0
      /// The hits of the chunk's documents, one after the other.
      var hits: [SearchHit] = []
      /// Each document with hits, and where its hits end in ``hits``.
      var found: [(id: Int64, end: Int)] = []
      var failure: (any Error)?
    }
    /// What the threads share. Read-only but for the fields under `condition`, and each
    /// chunk, written by the thread that took it and read by the calling thread once it is
    /// marked done (both under `condition`).
    final class Pipeline: @unchecked Sendable {
      let searcher: IndexSearcher
      let targets: [Target]
      let query: Query
      let postings: [[WordPostings]]
      let prefetcher: RecordPrefetcher
      /// Where each chunk starts in `targets`, then where the last one ends. Chunk c has
      /// `firstChunk` × 2^⌊c / window⌋ documents, at most `lastChunk`: small first, so that a
      /// first page waits for few documents.
      let bounds: [Int]
      /// Chunk c lives in `ring[c % window]` from when it is taken until it is handed over.
      let ring: [Chunk]
      let visitors: [Visitor]
      let condition = NSCondition()
      // Under `condition`:
      /// The next chunk to take, and how many have been handed to `body`.
      var next = 0
      var delivered = 0
      /// Per ring slot: its chunk has been visited.
      var done: [Bool]
      /// Set by the calling thread when it stops early; helpers then take nothing more.
      var stopped = false
      var helpersRunning = 0

      var window: Int { ring.count }
      var chunkCount: Int { bounds.count - 1 }

      init(
        _ searcher: IndexSearcher, _ query: Query, _ postings: [[WordPostings]], _ targets: [Target],
        from start: Int, _ prefetcher: RecordPrefetcher
      ) {
        self.searcher = searcher
        self.prefetcher = prefetcher
        self.targets = targets
        self.query = query
        self.postings = postings
        let window = max(1, searcher.chunksPerWorker * searcher.workers)
        var bounds = [start]
        var size = max(1, searcher.firstChunk)
        while bounds.last! < targets.count {
          bounds.append(min(targets.count, bounds.last! + size))
          if (bounds.count - 1) % window == 0 { size = min(size * 2, max(1, searcher.lastChunk)) }
        }
        self.bounds = bounds
        ring = (0..<window).map { _ in Chunk() }
        done = Array(repeating: false, count: window)
        visitors = (0..<searcher.workers).map { _ in
          Visitor(slots: postings.first?.count ?? 0, segments: postings.count)
        }
      }

      /// The next chunk to take, if the window allows it; call under `condition`.
      func take() -> Int? {
        guard !stopped, next < chunkCount, next < delivered + window else { return nil }
        defer { next += 1 }
        return next
      }

      /// A helper thread: takes chunks until there are none left or the search stops.
      func help(_ visitor: Visitor) {
        condition.lock()
        while !stopped && next < chunkCount {
          guard let chunk = take() else {
            condition.wait()
            continue
          }
          condition.unlock()
          run(chunk, visitor)
          condition.lock()
          done[chunk % window] = true
          condition.broadcast()
        }
        helpersRunning -= 1
        condition.broadcast()
        condition.unlock()
      }

      /// Stops the helpers and waits until none is running (none reads a chunk after this).
      func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while helpersRunning > 0 { condition.wait() }
        condition.unlock()
      }

      /// Visits chunk `index`'s documents with `visitor`'s buffers into its ring slot.
      func run(_ index: Int, _ visitor: Visitor) {
        let chunk = ring[index % window]
        chunk.documents = bounds[index]..<bounds[index + 1]
        // Its own plan: shared, its nodes' reference counts would go back and forth between
        // the cores' caches at every document.
        if visitor.plan == nil { visitor.plan = Plan(query) }
        chunk.found.removeAll(keepingCapacity: true)
        chunk.failure = nil
        // The visitor appends each document's hits to the chunk's (no array per document).
        chunk.hits.removeAll(keepingCapacity: true)
        // The visitor's buffers as locals for the chunk: through the class, every access
        // to them was checked for exclusivity at run time (+2.4 % instructions on one thread).
        var scratch = Scratch(slots: 0)
        var table = UnitTable()
        swap(&scratch, &visitor.scratch)
        swap(&table, &visitor.table)
        swap(&scratch.hits, &chunk.hits)
        defer {
          swap(&scratch.hits, &chunk.hits)
          swap(&scratch, &visitor.scratch)
          swap(&table, &visitor.table)
        }
        // Taken once per chunk, not per document (the same reason as the postings' shares).
        let searcher = searcher
        let plan = visitor.plan!
        let targets = targets
        // The chunk's share of each segment's postings, copied into arrays of the visitor's
        // own: with shared arrays, their reference counts went back and forth between the
        // cores' caches at every document (1.2x, not 1.75x); whole copies per worker cost a
        // worker's worth of memory each (+150 MB for `l*` at 1 GB on 2 workers). A committed
        // segment holds consecutive ids in id order, so the chunks' shares add up to the
        // postings once.
        // Worked out in a local array, a run of one segment's documents at a time (each
        // document's lookup in the visitor's array took about 100 instructions).
        var shares: [(segment: Int, first: UInt32, last: UInt32, lists: [WordPostings])] = []
        swap(&shares, &visitor.shares)
        defer { swap(&shares, &visitor.shares) }
        shares.removeAll(keepingCapacity: true)
        var runStart = chunk.documents.lowerBound
        while runStart < chunk.documents.upperBound {
          let segment = targets[runStart].segment
          var first = targets[runStart].ordinal
          var last = first
          var runEnd = runStart + 1
          while runEnd < chunk.documents.upperBound && targets[runEnd].segment == segment {
            first = min(first, targets[runEnd].ordinal)
            last = max(last, targets[runEnd].ordinal)
            runEnd += 1
          }
          if let share = shares.firstIndex(where: { $0.segment == segment }) {
            shares[share].first = min(shares[share].first, first)
            shares[share].last = max(shares[share].last, last)
          } else {
            shares.append((segment, first, last, []))
          }
          runStart = runEnd
        }
        for share in shares.indices {
          let (segment, first, last, _) = shares[share]
          shares[share].lists = postings[segment].map { $0.share(first...last) }
          for slot in scratch.documentCursors[segment].indices { scratch.documentCursors[segment][slot] = 0 }
        }
        var found: [(id: Int64, end: Int)] = []
        swap(&found, &chunk.found)
        defer { swap(&found, &chunk.found) }
        var segment = -1
        var reader: SegmentReader?
        var lists: [WordPostings] = []
        let prefetcher = prefetcher
        let end = chunk.documents.upperBound
        prefetcher.warmUp(from: chunk.documents.lowerBound, in: targets, before: end)
        for index in chunk.documents {
          prefetcher.ahead(of: index, in: targets, before: end)
          let target = targets[index]
          if target.segment != segment {
            segment = target.segment
            reader = searcher.snapshot.segments[segment]
            lists = shares.first { $0.segment == segment }!.lists
          }
          do {
            guard try searcher.visit(target, plan, reader!, lists, &scratch, &table) else { continue }
          } catch {
            chunk.failure = error
            return
          }
          found.append((target.id, scratch.hits.count))
        }
      }
    }
    let pipeline = Pipeline(self, query, postings, targets, from: start, prefetcher)
    let helpers = min(workers - 1, pipeline.chunkCount - 1)
    pipeline.helpersRunning = max(0, helpers)
    for helper in 0..<max(0, helpers) {
      DispatchQueue.global().async { pipeline.help(pipeline.visitors[helper + 1]) }
    }
    defer { pipeline.stop() }
    let condition = pipeline.condition
    condition.lock()
    while pipeline.delivered < pipeline.chunkCount {
      let slot = pipeline.delivered % pipeline.window
      if pipeline.done[slot] {
        // Chunks before it are handed over, and no thread takes its slot until it is.
        condition.unlock()
        let chunk = pipeline.ring[slot]
        var first = 0
        for (id, end) in chunk.found {
          guard try body(id, chunk.hits[first..<end]) else { return }
          first = end
        }
        if let failure = chunk.failure { throw failure }
        condition.lock()
        pipeline.done[slot] = false
        pipeline.delivered += 1
        condition.broadcast()
      } else if let chunk = pipeline.take() {
        condition.unlock()
        pipeline.run(chunk, pipeline.visitors[0])
        condition.lock()
        pipeline.done[chunk % pipeline.window] = true
      } else {
        condition.wait()
      }
    }
    condition.unlock()
  }

  /// A document to visit: its id, segment and local ordinal.
  fileprivate struct Target {
    var id: Int64
    var segment: Int
    var ordinal: UInt32
  }

  /// Cache hints while visiting targets in order: before each visit, the record of the
  /// document ``distance`` targets on and the table entry of the one twice as far are
  /// requested (``RecordHints``), so that their loads overlap with the visits in between
  /// instead of stalling each visit several times.
  fileprivate struct RecordPrefetcher {
    /// Each segment's hints, in the snapshot's order (none: no hints).
    let segments: [RecordHints]
    static let distance = 8

    /// Before visiting `targets[first]`, the first of a run ending before `end`: the records
    /// of the ``distance`` targets from it and the entries of the ``distance`` after.
    func warmUp(from first: Int, in targets: [Target], before end: Int) {
      guard !segments.isEmpty else { return }
      for target in targets[first..<min(end, first + Self.distance)] {
        segments[target.segment].record(target.ordinal)
      }
      for target in targets[min(end, first + Self.distance)..<min(end, first + 2 * Self.distance)] {
        segments[target.segment].entry(target.ordinal)
      }
    }

    /// Before visiting `targets[index]`: the entry 2 × ``distance`` on and the record
    /// ``distance`` on (both before `end`).
    @inline(__always)
    func ahead(of index: Int, in targets: [Target], before end: Int) {
      guard !segments.isEmpty else { return }
      if index + 2 * Self.distance < end {
        let target = targets[index + 2 * Self.distance]
        segments[target.segment].entry(target.ordinal)
      }
      if index + Self.distance < end {
        let target = targets[index + Self.distance]
        segments[target.segment].record(target.ordinal)
      }
    }
  }

  /// Buffers reused from one document to the next.
  private struct Scratch {
    /// Each slot's positions in the current document.
    var positions: [ArraySlice<UInt32>]
    /// Each slot's occurrence ranges in the current document (filled on demand).
    var starts: [[UInt32]]
    var ends: [[UInt32]]
    /// Each slot's unit per occurrence (-1 outside every unit).
    var unitOf: [[Int32]]
    var touched: [Bool] = []
    var cursors: [Int]
    var phraseCursors: [Int] = []
    /// Per segment and slot, where the last document lookup stopped in the slot's list.
    var documentCursors: [[Int]] = []
    /// The first positions of a phrase's matches in the current document.
    var matches: [UInt32] = []
    var hits: [SearchHit] = []

    init(slots: Int) {
      positions = Array(repeating: [], count: slots)
      starts = Array(repeating: [], count: slots)
      ends = Array(repeating: [], count: slots)
      unitOf = Array(repeating: [], count: slots)
      cursors = Array(repeating: 0, count: slots)
    }
  }

  /// A lone word: every occurrence whose first byte lies in a unit is a hit.
  private func singleWordHits(
    _ slot: Int, _ id: Int64, _ units: inout UnitTable, _ table: RangeTable, _ reader: SegmentReader, _ scratch: inout Scratch
  ) throws(IndexError) {
    let positions = scratch.positions[slot]
    guard !positions.isEmpty else { return }
    // Each range is read as its hit is made (one walker, ascending positions): no arrays.
    var walker = table.walker()
    var made = -1
    var current = SearchUnit(ordinal: 0, range: 0..<0, speaker: nil)
    var damaged = false
    for position in positions {
      guard let range = walker.range(at: Int(position)) else { throw Self.damagedRanges(Int(position), table, reader) }
      let start = Int(range.start)
      let end = Int(range.end)
      guard let found = units.locate(start, damaged: &damaged) else {
        if damaged { throw Self.damagedOutline(reader) }
        continue
      }
      if found != made {
        guard let unit = units.locatedUnit() else { throw Self.damagedOutline(reader) }
        current = unit
        made = found
      }
      scratch.hits.append(
        SearchHit(document: id, unit: current, range: start..<end, positions: Int(position)...Int(position)))
    }
  }

  /// The first positions of the matches of a phrase over a whole document, into `matches`.
  private static func phraseMatches(_ slots: [Int], _ scratch: inout Scratch) {
    scratch.matches.removeAll(keepingCapacity: true)
    guard let firstSlot = slots.first else { return }
    // One cursor per phrase word (a word may come back: "très très").
    scratch.phraseCursors.removeAll(keepingCapacity: true)
    for slot in slots { scratch.phraseCursors.append(scratch.positions[slot].startIndex) }
    candidates: for start in scratch.positions[firstSlot] {
      for offset in slots.indices.dropFirst() {
        let positions = scratch.positions[slots[offset]]
        let wanted = start + UInt32(offset)
        var cursor = scratch.phraseCursors[offset]
        while cursor < positions.endIndex && positions[cursor] < wanted { cursor += 1 }
        scratch.phraseCursors[offset] = cursor
        guard cursor < positions.endIndex && positions[cursor] == wanted else { continue candidates }
      }
      scratch.matches.append(start)
    }
  }

  /// A phrase's matches (``phraseMatches(_:_:)``), in a document whose ranges ascend with
  /// positions: kept when the first and last words start in the same unit (the words between
  /// then do too); only those two ranges are decoded.
  private func phraseHits(
    _ length: Int, _ id: Int64, _ units: inout UnitTable, _ table: RangeTable, _ reader: SegmentReader,
    _ scratch: inout Scratch
  ) throws(IndexError) {
    var walker = table.walker()
    var damaged = false
    for start in scratch.matches {
      let last = Int(start) + length - 1
      guard let head = walker.range(at: Int(start)) else { throw Self.damagedRanges(Int(start), table, reader) }
      let lowerBound = Int(head.start)
      guard units.locate(lowerBound, damaged: &damaged) != nil else {
        if damaged { throw Self.damagedOutline(reader) }
        continue
      }
      guard let tail = walker.range(at: last) else { throw Self.damagedRanges(last, table, reader) }
      guard units.locatedRange.contains(Int(tail.start)) else { continue }
      guard let unit = units.locatedUnit() else { throw Self.damagedOutline(reader) }
      scratch.hits.append(SearchHit(document: id, unit: unit, range: lowerBound..<Int(tail.end), positions: Int(start)...last))
    }
  }

  static func damagedOutline(_ reader: SegmentReader) -> IndexError {
    .corrupt(file: reader.path, reason: "a document outline is damaged")
  }

  /// The first index from `index` on whose unit ends after `offset` (`units.count` if none):
  /// a galloping search, so that sparse hits do not walk every unit of a long document.
  static func unit(after index: Int, endingPast offset: Int, in units: [Range<Int>]) -> Int {
    guard index < units.count, units[index].upperBound <= offset else { return index }
    var low = index + 1
    var step = 1
    var high = low
    while high < units.count && units[high].upperBound <= offset {
      low = high + 1
      step *= 2
      high = index + step
    }
    high = min(high, units.count)
    while low < high {
      let middle = (low + high) / 2
      if units[middle].upperBound <= offset { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// Any other query: occurrences dealt to the units containing their first byte, the query
  /// evaluated on each unit's occurrence lists (every unit when it can match without words).
  private func unitHits(
    _ plan: Plan, _ id: Int64, _ units: inout UnitTable, _ table: RangeTable, _ reader: SegmentReader,
    _ scratch: inout Scratch
  ) throws(IndexError) {
    guard units.decodeAll() else { throw Self.damagedOutline(reader) }
    scratch.touched.removeAll(keepingCapacity: true)
    scratch.touched.append(contentsOf: repeatElement(plan.matchesWithoutWords, count: units.ranges.count))
    for slot in scratch.positions.indices {
      let positions = scratch.positions[slot]
      scratch.unitOf[slot].removeAll(keepingCapacity: true)
      scratch.cursors[slot] = 0
      guard !positions.isEmpty else { continue }
      try Self.decodeRanges(
        of: positions, table: table, reader: reader, starts: &scratch.starts[slot], ends: &scratch.ends[slot])
      // Positions and byte offsets ascend together, so one pointer walks the units.
      var unit = 0
      for start in scratch.starts[slot] {
        let lowerBound = Int(start)
        if let found = Self.unitIndex(containing: lowerBound, from: &unit, in: units.ranges) {
          scratch.unitOf[slot].append(Int32(found))
          scratch.touched[found] = true
        } else {
          scratch.unitOf[slot].append(-1)
        }
      }
    }
    var lists = [ArraySlice<UInt32>](repeating: [], count: scratch.positions.count)
    var runs = [Range<Int>](repeating: 0..<0, count: scratch.positions.count)
    for index in units.ranges.indices where scratch.touched[index] {
      // Each slot's run of occurrences in this unit.
      for slot in scratch.positions.indices {
        let unitOf = scratch.unitOf[slot]
        var cursor = scratch.cursors[slot]
        while cursor < unitOf.count && unitOf[cursor] < Int32(index) { cursor += 1 }
        let start = cursor
        while cursor < unitOf.count && unitOf[cursor] == Int32(index) { cursor += 1 }
        scratch.cursors[slot] = cursor
        runs[slot] = start..<cursor
        let positions = scratch.positions[slot]
        lists[slot] = positions[(positions.startIndex + start)..<(positions.startIndex + cursor)]
      }
      let evaluator = UnitEvaluator(lists: lists, speaker: units.speaker(index), metadata: units.metadata)
      guard let found = evaluator.hits(of: plan.root) else { continue }
      let unit = units.unit(index)
      if found.isEmpty {
        scratch.hits.append(SearchHit(document: id, unit: unit, range: unit.range, positions: nil))
        continue
      }
      func range(of position: Int) -> (start: UInt32, end: UInt32)? {
        for slot in lists.indices where !runs[slot].isEmpty {
          let slice = lists[slot]
          let at = slice.partitioningIndex { Int($0) >= position }
          if at < slice.endIndex && Int(slice[at]) == position {
            let occurrence = at - scratch.positions[slot].startIndex
            return (scratch.starts[slot][occurrence], scratch.ends[slot][occurrence])
          }
        }
        return nil
      }
      for positions in Set(found) {
        guard let first = range(of: positions.lowerBound), let last = range(of: positions.upperBound) else { continue }
        scratch.hits.append(
          SearchHit(
            document: id, unit: unit, range: Int(first.start)..<Int(last.end), positions: positions))
      }
    }
  }

  /// The ranges of `positions` (ascending, in one document), read with one
  /// ``RangeTable/Walker``: the slots of a block are summed once, up to its last wanted position.
  static func decodeRanges(
    of positions: ArraySlice<UInt32>, table: RangeTable, reader: SegmentReader, starts: inout [UInt32],
    ends: inout [UInt32]
  ) throws(IndexError) {
    starts.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    var walker = table.walker()
    for position in positions {
      guard let range = walker.range(at: Int(position)) else { throw damagedRanges(Int(position), table, reader) }
      starts.append(range.start)
      ends.append(range.end)
    }
  }

  /// The error for a position whose range cannot be read.
  static func damagedRanges(_ position: Int, _ table: RangeTable, _ reader: SegmentReader) -> IndexError {
    position < table.slotCount
      ? .corrupt(file: reader.path, reason: "a range table is damaged")
      : .corrupt(file: reader.path, reason: "position \(position) beyond its document's range table")
  }

  /// The index of the unit containing `offset`, searching on from `cursor`, which moves to
  /// the first unit ending after `offset` (``unit(after:endingPast:in:)``); `nil` when
  /// `offset` lies between units. Offsets that ascend share one cursor.
  @inline(__always)
  static func unitIndex(containing offset: Int, from cursor: inout Int, in units: [Range<Int>]) -> Int? {
    cursor = unit(after: cursor, endingPast: offset, in: units)
    return cursor < units.count && units[cursor].contains(offset) ? cursor : nil
  }

  // MARK: Words and their postings

  /// A word of a query, as looked up in the dictionaries.
  enum Word: Hashable {
    case stem(String), term(String), prefix(String)

    init(_ word: PhraseWord) {
      switch word {
      case let .stem(stem): self = .stem(stem)
      case let .term(term): self = .term(term)
      case let .prefix(prefix): self = .prefix(prefix)
      }
    }
  }

  /// A query with its words replaced by slots (indices into ``words``), each distinct word
  /// once, so that evaluation indexes arrays instead of hashing strings.
  indirect enum Node: Sendable {
    case word(Int)
    case phrase([Int])
    case near(Node, Node, distance: Int)
    case and([Node])
    case or([Node])
    case not(Node)
    case all
    case field(name: String, value: String, isPrefix: Bool)
  }

  /// A query prepared for evaluation.
  struct Plan {
    /// The distinct words, by slot.
    var words: [Word] = []
    /// The query over slots.
    var root: Node = .all
    /// Whether the query can match a unit without any of its words.
    var matchesWithoutWords: Bool
    /// Whether the query filters on a metadata field (so documents' metadata must be read).
    var filtersFields = false
    /// Whether most documents visited are dropped before their record is read (a phrase,
    /// matched on positions first): then records are not prefetched.
    var skipsMostRecords: Bool {
      if case .phrase = root { return true }
      return false
    }

    init(_ query: Query) {
      matchesWithoutWords = !IndexSearcher.needsWords(query)
      var slots: [Word: Int] = [:]
      func slot(_ word: Word) -> Int {
        if let slot = slots[word] { return slot }
        slots[word] = words.count
        words.append(word)
        return words.count - 1
      }
      func node(_ query: Query) -> Node {
        switch query {
        case let .stem(stem): .word(slot(.stem(stem)))
        case let .term(term): .word(slot(.term(term)))
        case let .prefix(prefix): .word(slot(.prefix(prefix)))
        case let .phrase(words): .phrase(words.map { slot(Word($0)) })
        case let .near(left, right, distance): .near(node(left), node(right), distance: distance)
        case let .and(operands): .and(operands.map(node))
        case let .or(operands): .or(operands.map(node))
        case let .not(operand): .not(node(operand))
        case .all: .all
        case let .field(name, value, isPrefix): .field(name: name, value: value, isPrefix: isPrefix)
        }
      }
      root = node(query)
      filtersFields = Self.filtersFields(query)
    }

    static func filtersFields(_ query: Query) -> Bool {
      switch query {
      case let .field(name, _, _): name.lowercased() != "speaker"
      case let .near(left, right, _): filtersFields(left) || filtersFields(right)
      case let .and(operands), let .or(operands): operands.contains(where: filtersFields)
      case let .not(operand): filtersFields(operand)
      case .stem, .term, .prefix, .phrase, .all: false
      }
    }
  }

  /// One word's postings in one segment: documents, and positions per document (no ranges).
  struct WordPostings {
    /// Local ordinals, ascending.
    var documents: [UInt32] = []
    /// Where each document's positions begin in ``positions``; one more entry than documents.
    var offsets: [Int] = [0]
    /// Positions, ascending within each document.
    var positions: [UInt32] = []

    /// The postings of the documents whose local ordinals lie in `ordinals`, in arrays of
    /// their own.
    func share(_ ordinals: ClosedRange<UInt32>) -> WordPostings {
      var from = 0
      _ = positions(ofDocument: ordinals.lowerBound, cursor: &from)  // the first at or after it
      return documents.withUnsafeBufferPointer { documents in
        var to = from
        while to < documents.count && documents[to] <= ordinals.upperBound { to += 1 }
        return offsets.withUnsafeBufferPointer { offsets in
          positions.withUnsafeBufferPointer { positions in
            let base = offsets[from]
            return WordPostings(
              documents: Array(documents[from..<to]), offsets: offsets[from...to].map { $0 - base },
              positions: Array(positions[base..<offsets[to]]))
          }
        }
      }
    }

    /// The positions in the document at local `ordinal` (empty when absent). `cursor` is where
    /// the previous call stopped: documents visited in ascending order are found by galloping
    /// forward from it, not by a binary search over the whole list each time.
    func positions(ofDocument ordinal: UInt32, cursor: inout Int) -> ArraySlice<UInt32> {
      // A cursor past the list (one left from a longer list) or past the document: from the start.
      var low = cursor <= documents.count && (cursor == 0 || documents[cursor - 1] < ordinal) ? cursor : 0
      var step = 1
      var high = low
      while high < documents.count && documents[high] < ordinal {
        low = high + 1
        high = low + step
        step *= 2
      }
      high = min(high, documents.count)
      while low < high {
        let middle = (low + high) / 2
        if documents[middle] < ordinal { low = middle + 1 } else { high = middle }
      }
      cursor = low
      guard low < documents.count && documents[low] == ordinal else { return [] }
      return positions[offsets[low]..<offsets[low + 1]]
    }
  }

  /// A word's postings in one segment; a prefix's terms merged into position order.
  static func postings(of word: Word, in reader: SegmentReader) throws(IndexError) -> WordPostings {
    var lists: [PostingList] = []
    switch word {
    case let .stem(stem):
      if let info = try reader.stems.lookup(stem) { lists = [try reader.postings(for: info, withPositions: true)] }
    case let .term(term):
      if let info = try reader.terms.lookup(term) { lists = [try reader.termPostings(for: info, withPositions: true)] }
    case let .prefix(prefix):
      // One list per stem: the terms of a stem come from one decode of its list.
      lists = try reader.termPostings(for: try reader.terms(withPrefix: prefix).map(\.info), withPositions: true)
    }
    if lists.count == 1 {
      return WordPostings(documents: lists[0].documents, offsets: lists[0].positionOffsets, positions: lists[0].positions)
    }
    var result = WordPostings()
    guard !lists.isEmpty else { return result }
    // Several terms: count each document's occurrences, then place each list's positions in
    // its document's stretch and sort the stretches that received more than one list.
    var counts = [Int](repeating: 0, count: reader.documentCount)
    var sources = [UInt8](repeating: 0, count: reader.documentCount)  // 0, 1, or 2 for "several"
    for list in lists {
      for (index, document) in list.documents.enumerated() {
        counts[Int(document)] += Int(list.frequencies[index])
        sources[Int(document)] = min(sources[Int(document)] + 1, 2)
      }
    }
    var fill = [Int](repeating: 0, count: reader.documentCount)
    var total = 0
    for ordinal in 0..<reader.documentCount where counts[ordinal] > 0 {
      result.documents.append(UInt32(ordinal))
      fill[ordinal] = total
      total += counts[ordinal]
      result.offsets.append(total)
    }
    result.positions = [UInt32](repeating: 0, count: total)
    for list in lists {
      for (index, document) in list.documents.enumerated() {
        var at = fill[Int(document)]
        for position in list.positions(at: index) {
          result.positions[at] = position
          at += 1
        }
        fill[Int(document)] = at
      }
    }
    for (index, document) in result.documents.enumerated() where sources[Int(document)] != 1 {
      result.positions[result.offsets[index]..<result.offsets[index + 1]].sort()
    }
    return result
  }

  static func words(of query: Query) -> [Word] {
    switch query {
    case let .stem(stem): [.stem(stem)]
    case let .term(term): [.term(term)]
    case let .prefix(prefix): [.prefix(prefix)]
    case let .phrase(words): words.map(Word.init)
    case let .near(left, right, _): Self.words(of: left) + Self.words(of: right)
    case let .and(operands), let .or(operands): operands.flatMap(Self.words(of:))
    case let .not(operand): Self.words(of: operand)
    case .all, .field: []
    }
  }

  /// Whether every match of the query needs an occurrence of one of its words in the unit
  /// (`false` for filters, `NOT`, `*`, and `AND`/`OR` that can match without words).
  static func needsWords(_ query: Query) -> Bool {
    switch query {
    case .stem, .term, .prefix, .phrase, .near: true
    case let .and(operands): operands.contains(where: needsWords)
    case let .or(operands): operands.allSatisfy(needsWords)
    case .not, .all, .field: false
    }
  }

  /// The local ordinals (ascending) of the documents of one segment that may match a query
  /// that needs words, or `nil` for "any document".
  static func candidates(of node: Node, _ lists: [WordPostings]) -> [UInt32]? {
    switch node {
    case let .word(slot): return lists[slot].documents
    case let .phrase(slots):
      var common: [UInt32]?
      for slot in slots { common = intersect(common, lists[slot].documents) }
      return common ?? []
    case let .near(left, right, _):
      return intersect(candidates(of: left, lists), candidates(of: right, lists))
    case let .and(operands):
      return operands.reduce(nil as [UInt32]?) { intersect($0, candidates(of: $1, lists)) }
    case let .or(operands):
      var union: [UInt32] = []
      for operand in operands {
        guard let found = candidates(of: operand, lists) else { return nil }
        union = unite(union, found)
      }
      return union
    case .not, .all, .field: return nil
    }
  }

  /// The intersection of two ascending lists (`nil` stands for "everything").
  static func intersect(_ a: [UInt32]?, _ b: [UInt32]?) -> [UInt32]? {
    guard let a else { return b }
    guard let b else { return a }
    var result: [UInt32] = []
    var i = 0
    var j = 0
    while i < a.count && j < b.count {
      if a[i] < b[j] {
        i += 1
      } else if b[j] < a[i] {
        j += 1
      } else {
        result.append(a[i])
        i += 1
        j += 1
      }
    }
    return result
  }

  /// The union of two ascending lists, ascending, without repeats.
  static func unite(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
    var result: [UInt32] = []
    result.reserveCapacity(max(a.count, b.count))
    var i = 0
    var j = 0
    while i < a.count || j < b.count {
      if j == b.count || (i < a.count && a[i] < b[j]) {
        result.append(a[i])
        i += 1
      } else if i == a.count || b[j] < a[i] {
        result.append(b[j])
        j += 1
      } else {
        result.append(a[i])
        i += 1
        j += 1
      }
    }
    return result
  }
}

/// Evaluates a query on the occurrence lists of one unit (positions are document-level, so a
/// phrase is a run of consecutive positions and `NEAR` compares them directly).
private struct UnitEvaluator {
  /// Slot → ascending positions inside the unit.
  let lists: [ArraySlice<UInt32>]
  let speaker: String?
  let metadata: [String: String]

  private func single(_ slot: Int) -> [ClosedRange<Int>]? {
    let positions = lists[slot]
    guard !positions.isEmpty else { return nil }
    return positions.map { Int($0)...Int($0) }
  }

  func hits(of node: IndexSearcher.Node) -> [ClosedRange<Int>]? {
    switch node {
    case let .word(slot): return single(slot)
    case let .phrase(slots):
      guard let first = slots.first else { return nil }
      let starts = lists[first]
      guard !starts.isEmpty else { return nil }
      let following = slots.dropFirst().map { lists[$0] }
      let found = starts.filter { start in
        following.enumerated().allSatisfy { offset, positions in
          positions.containsSorted(start + UInt32(offset) + 1)
        }
      }
      return found.isEmpty ? nil : found.map { Int($0)...(Int($0) + slots.count - 1) }
    case let .near(left, right, distance):
      guard let leftHits = hits(of: left), let rightHits = hits(of: right) else { return nil }
      var found: [ClosedRange<Int>] = []
      for a in leftHits {
        for b in rightHits where QueryMatcher.distance(a, b) <= distance {
          found.append(Swift.min(a.lowerBound, b.lowerBound)...Swift.max(a.upperBound, b.upperBound))
        }
      }
      return found.isEmpty ? nil : found
    case let .and(operands):
      var found: [ClosedRange<Int>] = []
      for operand in operands {
        guard let operandHits = hits(of: operand) else { return nil }
        found += operandHits
      }
      return found
    case let .or(operands):
      let matched = operands.compactMap(hits(of:))
      return matched.isEmpty ? nil : matched.flatMap { $0 }
    case let .not(operand):
      return hits(of: operand) == nil ? [] : nil
    case .all:
      return []
    case let .field(name, value, isPrefix):
      let values =
        name.lowercased() == "speaker"
        ? [speaker].compactMap { $0 } : metadata.filter { $0.key.lowercased() == name.lowercased() }.map(\.value)
      let wanted = value.lowercased()
      let isMatch = values.contains { isPrefix ? $0.lowercased().hasPrefix(wanted) : $0.lowercased() == wanted }
      return isMatch ? [] : nil
    }
  }
}

extension [IndexSearcher.Target] {
  /// Whether the targets strictly ascend by document id, then segment.
  fileprivate var isStrictlyOrdered: Bool {
    var index = 1
    while index < count {
      guard (self[index - 1].id, self[index - 1].segment) < (self[index].id, self[index].segment) else { return false }
      index += 1
    }
    return true
  }
}

extension ArraySlice<SearchHit> {
  /// Whether the hits' ranges strictly ascend by start, then end (document order, no ties).
  fileprivate var isStrictlyOrdered: Bool {
    var index = startIndex + 1
    while index < endIndex {
      let a = self[index - 1].range
      let b = self[index].range
      guard (a.lowerBound, a.upperBound) < (b.lowerBound, b.upperBound) else { return false }
      index += 1
    }
    return true
  }
}

extension Array {
  /// Removes every element, keeping the capacity, when there is any (the emptying itself is
  /// not free even for an empty array).
  @inline(__always)
  mutating func empty() {
    if !isEmpty { removeAll(keepingCapacity: true) }
  }
}
