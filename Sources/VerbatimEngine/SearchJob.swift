import Dispatch
import Foundation
import VerbatimAnalysis
import VerbatimCoding
import VerbatimCorpus
import VerbatimIndex

/// The unit a query is evaluated in (and whose ordinal `search` prints in its `segment` column).
public enum SearchUnitKind: String, Sendable, CaseIterable {
  case segment, sentence, turn
}

/// An error of `verbatim search` or `verbatim kwic`.
public enum SearchError: Error, CustomStringConvertible {
  /// The query does not parse (the message has the column).
  case query(IndexError)
  /// A `--where` option is not `FIELD=VALUE`.
  case badFilter(String)
  /// The project cannot be read.
  case project(ProjectStoreError)
  /// The index cannot be read.
  case index(IndexError)
  /// The index does not describe the project's documents as they are now.
  case staleIndex(project: String, reason: String)

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .query(error): "query: \(error)"
    case let .badFilter(text):
      "--where \(text): expected FIELD=VALUE (e.g. --where type=commune or --where speaker=L1)"
    case let .project(error): error.description
    case let .index(error): error.description
    case let .staleIndex(project, reason):
      "\(project): the index is out of date (\(reason)); run `verbatim index` first"
    }
  }
}

/// A project opened for searching: its store, its committed index and a cache of the
/// documents whose text was printed. The index answers queries on its own (units, speakers
/// and metadata are in its outlines); the store gives the texts that `search` and `kwic` print.
public final class ProjectSearch {
  /// The project folder.
  public let project: URL
  /// The unit queries are evaluated in.
  public let unitKind: SearchUnitKind
  /// Threads that visit a query's documents (`nil`: every active core); hits do not depend on it.
  public let jobs: Int?
  private let store: ProjectStore
  private let snapshot: IndexSnapshot
  private var documents: [Int64: DocumentText] = [:]
  /// Documents read from the store kept for the next query, at most this many bytes of text
  /// (first in, first out). One query visits each document once, in id order, so the cache
  /// only serves later queries: bounded, a search for a frequent word over a 1 GB corpus no
  /// longer holds the whole corpus (1.47 GB peak before).
  let cacheBudget: Int
  private var cacheOrder: [Int64] = []
  private var cacheHead = 0
  private(set) var cachedBytes = 0
  /// The default cache budget: 64 MB.
  public static let defaultCacheBudget = 64 << 20
  /// Hits wait for their documents' texts in batches of at most this many documents, read in
  /// one transaction (a transaction and a whole stored document per hit document took 9.5 s
  /// to print the 134,611 rows of a frequent word at 1 GB).
  static let textBatch = 64

  /// A document's text as the store holds it (UTF-8 bytes), boxed so that a cache hit costs
  /// one reference, not a copy.
  public final class DocumentText {
    /// The UTF-8 bytes of the text.
    public let bytes: [UInt8]
    /// What the entry counts against the cache budget: its text.
    var size: Int { bytes.count }
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The text of a UTF-8 byte range, clamped to the text (ranges from the index are on
    /// character boundaries).
    public func slice(_ range: Range<Int>) -> String {
      let clamped = range.clamped(to: 0..<bytes.count)
      return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[clamped]), as: UTF8.self) }
    }
  }

  /// Opens the project's store and index, and checks that the index covers exactly the
  /// stored documents, with the same texts.
  ///
  /// - Throws: ``SearchError``.
  /// `cacheBudget` bounds the texts kept between queries (`Int.max`: every one printed).
  public init(
    project: URL, unitKind: SearchUnitKind = .segment, jobs: Int? = nil,
    cacheBudget: Int = ProjectSearch.defaultCacheBudget
  ) throws(SearchError) {
    self.project = project
    self.unitKind = unitKind
    self.jobs = jobs
    self.cacheBudget = cacheBudget
    do {
      store = try ProjectStore(directory: project, creating: false)
    } catch {
      throw .project(error)
    }
    let indexFolder = IndexJob.indexDirectory(of: project)
    guard FileManager.default.fileExists(atPath: indexFolder.appendingPathComponent(IndexManifest.fileName).path)
    else { throw .staleIndex(project: project.path, reason: "no index yet") }
    // The store's document states are read, and compared with the manifest, while the
    // segments' checksums are verified: the comparison (96,468 version look-ups at 1 GB) no
    // longer waits for the checksums, nor they for it.
    final class Staleness: @unchecked Sendable {
      var manifest: IndexManifest?
      let manifestRead = DispatchSemaphore(value: 0)
      var result: Result<String?, ProjectStoreError> = .success(nil)
    }
    let staleness = Staleness()
    let group = DispatchGroup()
    let store = store
    DispatchQueue.global().async(group: group) {
      staleness.result = Result { () throws(ProjectStoreError) in
        let stored = try store.documentVersions()
        staleness.manifestRead.wait()
        return staleness.manifest.flatMap { Self.staleness(of: $0, comparedWith: stored) }
      }
    }
    /// Reads the manifest (handing it to the comparison), then opens its segments.
    func open() throws(IndexError) -> IndexSnapshot {
      let read = Result { () throws(IndexError) in try IndexManifest.read(directory: indexFolder) }
      staleness.manifest = try? read.get()
      staleness.manifestRead.signal()
      return try IndexSnapshot(manifest: try read.get(), directory: indexFolder)
    }
    let opened: Result<IndexSnapshot, IndexError>
    do {
      opened = .success(try open())
    } catch {
      opened = .failure(error)
    }
    group.wait()
    do {
      snapshot = try opened.get()
    } catch {
      throw .index(error)
    }
    let reason: String?
    do {
      reason = try staleness.result.get()
    } catch {
      throw .project(error)
    }
    if let reason { throw .staleIndex(project: project.path, reason: reason) }
  }

  /// Why the index `manifest` describes does not describe the stored documents `stored` (in
  /// id order), or `nil` when it does: the same ids, and each document's recorded version.
  static func staleness(of manifest: IndexManifest, comparedWith stored: StoredDocumentVersions) -> String? {
    let indexed = manifest.segments.flatMap(\.documentIDs).sorted()
    if stored.ids != indexed {
      let stored = Set(stored.ids)
      let indexedSet = Set(indexed)
      if stored != indexedSet {
        let missing = stored.subtracting(indexedSet).count
        let extra = indexedSet.subtracting(stored).count
        return "\(missing) stored documents not indexed, \(extra) indexed documents gone"
      }
    }
    for index in 0..<stored.count {
      if stored.withVersionBytes(at: index, { manifest.hasVersion(of: stored.ids[index], equalTo: $0) }) == false {
        return "document \(stored.ids[index]) changed since it was indexed"
      }
    }
    return nil
  }

  /// Keeps `entry` for later queries, forgetting the oldest entries beyond the budget.
  private func remember(_ entry: DocumentText, id: Int64) {
    guard entry.size <= cacheBudget else { return }
    while cachedBytes + entry.size > cacheBudget, cacheHead < cacheOrder.count {
      let oldest = cacheOrder[cacheHead]
      cacheHead += 1
      if let evicted = documents.removeValue(forKey: oldest) { cachedBytes -= evicted.size }
    }
    if cacheHead > 4096 && cacheHead * 2 > cacheOrder.count {
      cacheOrder.removeFirst(cacheHead)
      cacheHead = 0
    }
    documents[id] = entry
    cacheOrder.append(id)
    cachedBytes += entry.size
  }

  /// Documents kept for later queries.
  var cachedDocumentCount: Int { documents.count }

  /// Calls `body` with each hit of `query` (document order) and the text of its document,
  /// until it returns `false`. Hits wait in batches of at most ``textBatch`` documents (or
  /// `limit` hits, when the caller stops there) whose texts are read from the store in one
  /// transaction, as bytes: no `String` of a whole text is made.
  ///
  /// - Throws: ``SearchError``.
  public func forEachHit(
    of query: Query, limit: Int? = nil, _ body: (SearchHit, DocumentText) throws -> Bool
  ) throws(SearchError) {
    var batch: [(id: Int64, hits: ArraySlice<SearchHit>)] = []
    var batchHits = 0
    func flush() throws -> Bool {
      defer {
        batch.removeAll(keepingCapacity: true)
        batchHits = 0
      }
      var read: [Int64: DocumentText] = [:]
      let missing = batch.map(\.id).filter { documents[$0] == nil }
      if !missing.isEmpty {
        do {
          try store.forEachText(ofDocuments: missing, outlines: false) { id, text, _ in
            read[id] = DocumentText(bytes: [UInt8](text))
          }
        } catch {
          throw SearchError.project(error)
        }
      }
      // Every entry is taken before any is remembered: remembering evicts.
      let entries = batch.map { documents[$0.id] ?? read[$0.id] }
      for (id, text) in read { remember(text, id: id) }
      for ((_, hits), entry) in zip(batch, entries) {
        guard let entry else { continue }
        for hit in hits where try !body(hit, entry) { return false }
      }
      return true
    }
    var going = true
    try forEachDocument(of: query) { id, hits in
      batch.append((id, hits))
      batchHits += hits.count
      guard batch.count >= Self.textBatch || batchHits >= (limit ?? .max) else { return true }
      going = try flush()
      return going
    }
    guard going && !batch.isEmpty else { return }
    do {
      _ = try flush()
    } catch {
      throw searchError(error)
    }
  }

  /// A search's error as a ``SearchError`` (what `body` closures and the index throw).
  private func searchError(_ error: any Error) -> SearchError {
    switch error {
    case let error as SearchError: error
    case let error as IndexError: .index(error)
    default: .index(.io(path: project.path, reason: "\(error)"))
    }
  }

  /// Calls `body` with the id of each document that has hits and its hits, in document order,
  /// until it returns `false`: the index alone, nothing read from the store.
  ///
  /// - Throws: ``SearchError``.
  public func forEachDocument(of query: Query, _ body: (Int64, ArraySlice<SearchHit>) throws -> Bool)
    throws(SearchError)
  {
    let kind: DocumentOutline.UnitKind =
      switch unitKind {
      case .segment: .segment
      case .sentence: .sentence
      case .turn: .turn
      }
    let searcher = IndexSearcher(snapshot: snapshot, units: kind, workers: jobs)
    do {
      try searcher.forEachDocument(of: query, body)
    } catch {
      throw searchError(error)
    }
  }

  /// Parses a query and adds `--where FIELD=VALUE` filters to it (`speaker=L1` filters turns).
  ///
  ///     try ProjectSearch.query("élu", filters: ["type=commune"])  // élu AND type:commune
  public static func query(_ text: String, filters: [String] = []) throws(SearchError) -> Query {
    let parsed: Query
    do {
      parsed = try QueryParser().parse(text)
    } catch {
      throw .query(error)
    }
    var conditions: [Query] = []
    for filter in filters {
      guard let equals = filter.firstIndex(of: "="), equals != filter.startIndex else { throw .badFilter(filter) }
      let name = filter[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
      let value = filter[filter.index(after: equals)...].trimmingCharacters(in: .whitespaces).lowercased()
      guard !name.isEmpty else { throw .badFilter(filter) }
      conditions.append(.field(name: name, value: value, isPrefix: false))
    }
    guard !conditions.isEmpty else { return parsed }
    if case let .and(operands) = parsed { return .and(operands + conditions) }
    return .and([parsed] + conditions)
  }
}

/// What `verbatim search` and `verbatim kwic` print.
public enum SearchQueries {
  /// The columns of `verbatim search`.
  public static let searchColumns = ["document", "segment", "speaker", "start", "end", "text"]
  /// The columns of `verbatim kwic`.
  public static let kwicColumns = ["document", "segment", "speaker", "left", "match", "right"]

  /// Writes one row per hit, in document order: the unit's ordinal, its speaker, the hit's
  /// UTF-8 range and its text (a match without words spans its whole unit).
  ///
  /// - Throws: ``SearchError``.
  public static func writeSearch(
    _ query: Query, in search: ProjectSearch, limit: Int?, format: TableFormat, to sink: OutputSink
  ) throws(SearchError) {
    let writer = TableWriter(format: format, columns: searchColumns, sink: sink)
    var count = 0
    try search.forEachHit(of: query, limit: limit) { hit, document in
      if let limit, count >= limit { return false }
      count += 1
      writer.write([
        .integer(Int(hit.document)), .integer(hit.unit.ordinal), .text(hit.unit.speaker ?? ""),
        .integer(hit.range.lowerBound), .integer(hit.range.upperBound), .text(document.slice(hit.range)),
      ])
      return true
    }
  }

  /// One concordance line: up to `width` characters of context on each side of the match,
  /// taken inside the match's turn, whitespace runs shown as one space.
  public struct Line: Sendable, Hashable {
    public var left: String
    public var match: String
    public var right: String
  }

  /// The concordance line of a hit in its document's text: context taken inside the hit's
  /// turn (inside its unit when the turn is not known).
  public static func line(of hit: SearchHit, in document: ProjectSearch.DocumentText, width: Int) -> Line {
    line(of: hit.range, turn: hit.unit.turn, in: document.bytes, width: width)
  }

  /// The last `width` characters of the turn's text before `range`, the text of `range` and
  /// the first `width` characters after it, whitespace runs shown as one space: what
  /// flattening each whole side gives, but only a window of each side is decoded. A window
  /// is cut just after (left) or at (right) an ASCII whitespace byte, where a character
  /// always ends, and widened until it holds two characters more than it shows (only its
  /// first character can differ from the whole side's: a combining mark after the cut) or
  /// reaches the end of the side. A hit in a long turn no longer decodes the whole turn.
  static func line(of range: Range<Int>, turn: Range<Int>, in bytes: [UInt8], width: Int) -> Line {
    let all = 0..<bytes.count
    let left = (turn.lowerBound..<max(turn.lowerBound, range.lowerBound)).clamped(to: all)
    let right = (min(turn.upperBound, range.upperBound)..<turn.upperBound).clamped(to: all)
    func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
    return bytes.withUnsafeBufferPointer { text in
      var flat = FlatText()
      var window = 4 * width + 16
      var leftText = ""
      while true {
        var from = max(left.lowerBound, left.upperBound - window)
        while from > left.lowerBound && !isASCIISpace(text[from - 1]) { from -= 1 }
        flat.flatten(text, from..<left.upperBound)
        if from == left.lowerBound || flat.count >= width + 2 {
          leftText = flat.suffix(width)
          break
        }
        window *= 4
      }
      window = 4 * width + 16
      var rightText = ""
      while true {
        var to = min(right.upperBound, right.lowerBound + window)
        while to < right.upperBound && !isASCIISpace(text[to]) { to += 1 }
        flat.flatten(text, right.lowerBound..<to)
        if to == right.upperBound || flat.count >= width + 2 {
          rightText = flat.prefix(width)
          break
        }
        window *= 4
      }
      flat.flatten(text, range.clamped(to: all))
      return Line(left: leftText, match: flat.prefix(Int.max), right: rightText)
    }
  }

  /// A slice of text flattened as ``flatten(_:)`` does, with its character count, first and
  /// last characters. Most text is scanned as UTF-8 bytes: when every scalar of the slice is
  /// one that forms a character on its own whatever its neighbours (``isPlain(_:)``), each
  /// scalar is one character, and the whitespace ones are Unicode's `White_Space`. Any other
  /// slice (combining marks, joiners, emoji, flags, invalid UTF-8) goes through `String`'s
  /// characters. The two gave 40 % of a concordance's time to `String` appends and grapheme
  /// breaking.
  struct FlatText {
    private var bytes: [UInt8] = []
    /// The slice's characters, when it is not plain.
    private var string: String?
    private(set) var count = 0

    mutating func flatten(_ text: UnsafeBufferPointer<UInt8>, _ slice: Range<Int>) {
      bytes.removeAll(keepingCapacity: true)
      string = nil
      count = 0
      var pendingSpace = false
      var index = slice.lowerBound
      while index < slice.upperBound {
        let lead = text[index]
        var scalar = UInt32(lead)
        var length = 1
        if lead >= 0x80 {
          if (0xC2...0xCB).contains(lead) && index + 1 < slice.upperBound && text[index + 1] & 0xC0 == 0x80 {
            scalar = UInt32(lead & 0x1F) << 6 | UInt32(text[index + 1] & 0x3F)
            length = 2
          } else if lead >= 0xE1 && lead <= 0xE3 && index + 2 < slice.upperBound && text[index + 1] & 0xC0 == 0x80
            && text[index + 2] & 0xC0 == 0x80
          {
            scalar = UInt32(lead & 0x0F) << 12 | UInt32(text[index + 1] & 0x3F) << 6 | UInt32(text[index + 2] & 0x3F)
            length = 3
          } else {
            scalar = 0x300  // not plain
          }
          guard Self.isPlain(scalar) else {
            let flat = SearchQueries.flatten(String(decoding: UnsafeBufferPointer(rebasing: text[slice]), as: UTF8.self))
            string = flat
            count = flat.count
            return
          }
        }
        if Self.isWhitespace(scalar) {
          pendingSpace = true
        } else {
          if pendingSpace && count > 0 {
            bytes.append(0x20)
            count += 1
          }
          pendingSpace = false
          for offset in 0..<length { bytes.append(text[index + offset]) }
          count += 1
        }
        index += length
      }
      if pendingSpace && count > 0 {
        bytes.append(0x20)
        count += 1
      }
    }

    /// The first `n` characters.
    func prefix(_ n: Int) -> String {
      if let string { return String(string.prefix(n)) }
      var end = 0
      var characters = 0
      while end < bytes.count {
        if bytes[end] & 0xC0 != 0x80 {
          if characters == n { break }
          characters += 1
        }
        end += 1
      }
      return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// The last `n` characters.
    func suffix(_ n: Int) -> String {
      if let string { return String(string.suffix(n)) }
      var start = bytes.count
      var characters = 0
      while start > 0 && characters < n {
        start -= 1
        if bytes[start] & 0xC0 != 0x80 { characters += 1 }
      }
      return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// Whether a scalar is a character on its own next to any other plain scalar: no mark,
    /// joiner, prepended sign, Hangul jamo, regional indicator or emoji modifier (Unicode's
    /// grapheme cluster breaks: each of these ranges is `Other`, `Control`, `CR` or `LF`, and
    /// CR LF, the one pair that joins, is whitespace and flattened away).
    static func isPlain(_ scalar: UInt32) -> Bool {
      switch scalar {
      case 0..<0x300, 0x1680, 0x2000...0x200A, 0x2010...0x2029, 0x202F...0x205F, 0x20A0...0x20CF, 0x3000: true
      default: false
      }
    }

    /// Unicode's `White_Space` among plain scalars.
    static func isWhitespace(_ scalar: UInt32) -> Bool {
      switch scalar {
      case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
      default: false
      }
    }
  }

  /// Writes the concordance of `query`: `document segment speaker left match right`; with
  /// `aligned`, a plain-text view instead, the matches lined up in one column.
  ///
  /// - Throws: ``SearchError``.
  public static func writeKWIC(
    _ query: Query, in search: ProjectSearch, width: Int, limit: Int?, format: TableFormat?, to sink: OutputSink
  ) throws(SearchError) {
    // Only the aligned view keeps its lines (to pad them to the widest place); a table is
    // written as it goes.
    var lines: [(hit: SearchHit, line: Line)] = []
    var count = 0
    let writer = format.map { TableWriter(format: $0, columns: kwicColumns, sink: sink) }
    try search.forEachHit(of: query, limit: limit) { hit, document in
      if let limit, count >= limit { return false }
      count += 1
      let line = line(of: hit, in: document, width: width)
      if let writer {
        writer.write([
          .integer(Int(hit.document)), .integer(hit.unit.ordinal), .text(hit.unit.speaker ?? ""), .text(line.left),
          .text(line.match), .text(line.right),
        ])
      } else {
        lines.append((hit, line))
      }
      return true
    }
    guard format == nil else { return }
    let places = lines.map { "\($0.hit.document):\($0.hit.unit.ordinal)" + ($0.hit.unit.speaker.map { " \($0)" } ?? "") }
    let placeWidth = places.map(\.count).max() ?? 0
    for (place, entry) in zip(places, lines) {
      let paddedPlace = place + String(repeating: " ", count: placeWidth - place.count)
      let paddedLeft = String(repeating: " ", count: max(0, width - entry.line.left.count)) + entry.line.left
      sink.write("\(paddedPlace)  \(paddedLeft) [\(entry.line.match)] \(entry.line.right)\n")
    }
  }

  /// Latency of one kind of query (milliseconds).
  public struct Latency: Sendable, Hashable {
    public var kind: String
    public var queries: Int
    public var medianMilliseconds: Double
    public var p99Milliseconds: Double
    /// Hits enumerated over all the kind's queries (at most `limit` each when one is given).
    public var hits: Int
    /// The median number of hits of one query.
    public var medianHits: Double
  }

  /// Benchmark: runs every query of `lines` (`kind<TAB>query`) twice, the first pass to warm
  /// the page cache, and times the second: parse plus every hit found with its unit and range,
  /// from the index alone (no text read, nothing written), or only
  /// the first `limit` hits in document order (what `search --limit` prints: a first page).
  ///
  /// - Throws: ``SearchError`` for a bad query or a damaged index.
  public static func timeQueries(
    _ lines: [String], in search: ProjectSearch, limit: Int? = nil
  ) throws(SearchError) -> [Latency] {
    let entries = lines.compactMap { line -> (kind: String, text: String)? in
      let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
      return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
    var times: [String: [Double]] = [:]
    var hits: [String: [Int]] = [:]
    for pass in 0..<2 {
      for entry in entries {
        let start = DispatchTime.now().uptimeNanoseconds
        let query = try ProjectSearch.query(entry.text)
        var count = 0
        try search.forEachDocument(of: query) { _, hits in
          let taken = min(hits.count, (limit ?? .max) - count)
          count += taken
          return count < (limit ?? .max)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        if pass == 1 {
          times[entry.kind, default: []].append(elapsed)
          hits[entry.kind, default: []].append(count)
        }
      }
    }
    func median(_ sorted: [Double]) -> Double {
      sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
    return times.keys.sorted().map { kind in
      let sorted = times[kind]!.sorted()
      let counts = hits[kind]!
      let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
      return Latency(
        kind: kind, queries: sorted.count, medianMilliseconds: median(sorted), p99Milliseconds: p99,
        hits: counts.reduce(0, +), medianHits: median(counts.map(Double.init).sorted()))
    }
  }

  /// `text` with each run of whitespace shown as one space, none at the start.
  static func flatten(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    var pendingSpace = false
    for character in text {
      // ASCII first: Unicode's property lookup took a fifth of a concordance of 134,611 lines.
      let isWhitespace =
        if let ascii = character.asciiValue { ascii == 0x20 || (0x09...0x0D).contains(ascii) } else { character.isWhitespace }
      if isWhitespace {
        pendingSpace = true
        continue
      }
      if pendingSpace && !result.isEmpty { result.append(" ") }
      pendingSpace = false
      result.append(character)
    }
    if pendingSpace && !result.isEmpty { result.append(" ") }
    return result
  }
}
