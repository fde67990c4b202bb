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
  private let store: ProjectStore
  private let snapshot: IndexSnapshot
  private var documents: [Int64: CachedDocument] = [:]
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

  /// A stored document, boxed so that a cache hit costs one reference, not a copy of every
  /// field.
  final class CachedDocument {
    let stored: StoredDocument
    /// What the entry counts against the cache budget: its text.
    let bytes: Int
    init(stored: StoredDocument) {
      self.stored = stored
      bytes = stored.text.utf8.count
    }
  }

  /// Opens the project's store and index, and checks that the index covers exactly the
  /// stored documents, with the same texts.
  ///
  /// - Throws: ``SearchError``.
  /// `cacheBudget` bounds the texts kept between queries (`Int.max`: every one printed).
  public init(
    project: URL, unitKind: SearchUnitKind = .segment, cacheBudget: Int = ProjectSearch.defaultCacheBudget
  ) throws(SearchError) {
    self.project = project
    self.unitKind = unitKind
    self.cacheBudget = cacheBudget
    do {
      store = try ProjectStore(directory: project, creating: false)
    } catch {
      throw .project(error)
    }
    let indexFolder = IndexJob.indexDirectory(of: project)
    guard FileManager.default.fileExists(atPath: indexFolder.appendingPathComponent(IndexManifest.fileName).path)
    else { throw .staleIndex(project: project.path, reason: "no index yet") }
    do {
      snapshot = try IndexSnapshot(directory: indexFolder)
    } catch {
      throw .index(error)
    }
    let states: [StoredDocumentState]
    do {
      states = try store.documentStates()
    } catch {
      throw .project(error)
    }
    let stored = Set(states.map(\.id))
    let indexed = Set(snapshot.documentIDs)
    if stored != indexed {
      let missing = stored.subtracting(indexed).count
      let extra = indexed.subtracting(stored).count
      throw .staleIndex(
        project: project.path, reason: "\(missing) stored documents not indexed, \(extra) indexed documents gone")
    }
    for state in states where snapshot.manifest.version(of: state.id).map({ $0 != IndexJob.version(of: state) }) ?? false {
      throw .staleIndex(project: project.path, reason: "document \(state.id) changed since it was indexed")
    }
  }

  /// The stored document with this id (cached).
  public func document(_ id: Int64) throws(SearchError) -> StoredDocument? {
    try cached(id)?.stored
  }

  private func cached(_ id: Int64) throws(SearchError) -> CachedDocument? {
    if let cached = documents[id] { return cached }
    do {
      guard let stored = try store.document(id: id) else { return nil }
      let entry = CachedDocument(stored: stored)
      remember(entry, id: id)
      return entry
    } catch {
      throw .project(error)
    }
  }

  /// Keeps `entry` for later queries, forgetting the oldest entries beyond the budget.
  private func remember(_ entry: CachedDocument, id: Int64) {
    guard entry.bytes <= cacheBudget else { return }
    while cachedBytes + entry.bytes > cacheBudget, cacheHead < cacheOrder.count {
      let oldest = cacheOrder[cacheHead]
      cacheHead += 1
      if let evicted = documents.removeValue(forKey: oldest) { cachedBytes -= evicted.bytes }
    }
    if cacheHead > 4096 && cacheHead * 2 > cacheOrder.count {
      cacheOrder.removeFirst(cacheHead)
      cacheHead = 0
    }
    documents[id] = entry
    cacheOrder.append(id)
    cachedBytes += entry.bytes
  }

  /// Documents kept for later queries.
  var cachedDocumentCount: Int { documents.count }

  /// Calls `body` with each hit of `query` (document order) until it returns `false`.
  ///
  /// - Throws: ``SearchError``.
  public func forEachHit(of query: Query, _ body: (SearchHit, StoredDocument) throws -> Bool) throws(SearchError) {
    try forEachCachedHit(of: query) { hit, entry in try body(hit, entry.stored) }
  }

  /// ``forEachHit(of:_:)`` handing over the cache entry: a caller that reads one field of the
  /// document (its text) does not copy all of them for each hit.
  func forEachCachedHit(of query: Query, _ body: (SearchHit, CachedDocument) throws -> Bool) throws(SearchError) {
    try forEachDocument(of: query) { id, hits in
      guard let entry = try cached(id) else { return true }
      for hit in hits where try !body(hit, entry) { return false }
      return true
    }
  }

  /// Calls `body` with the id of each document that has hits and its hits, in document order,
  /// until it returns `false`: the index alone, nothing read from the store.
  ///
  /// - Throws: ``SearchError``.
  public func forEachDocument(of query: Query, _ body: (Int64, [SearchHit]) throws -> Bool)
    throws(SearchError)
  {
    let kind: DocumentOutline.UnitKind =
      switch unitKind {
      case .segment: .segment
      case .sentence: .sentence
      case .turn: .turn
      }
    let searcher = IndexSearcher(snapshot: snapshot, units: kind)
    do {
      try searcher.forEachDocument(of: query, body)
    } catch let error as SearchError {
      throw error
    } catch let error as IndexError {
      throw .index(error)
    } catch {
      throw .index(.io(path: project.path, reason: "\(error)"))
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
    try search.forEachCachedHit(of: query) { hit, document in
      if let limit, count >= limit { return false }
      count += 1
      writer.write([
        .integer(Int(hit.document)), .integer(hit.unit.ordinal), .text(hit.unit.speaker ?? ""),
        .integer(hit.range.lowerBound), .integer(hit.range.upperBound), .text(document.stored.text.utf8Slice(hit.range)),
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

  /// The concordance line of a hit in `document`.
  public static func line(of hit: SearchHit, in document: StoredDocument, width: Int) -> Line {
    let turn = document.turns.first { $0.turn.range.contains(hit.range.lowerBound) }?.turn.range ?? hit.unit.range
    let leftText = flatten(document.text.utf8Slice(turn.lowerBound..<max(turn.lowerBound, hit.range.lowerBound)))
    let rightText = flatten(document.text.utf8Slice(min(turn.upperBound, hit.range.upperBound)..<turn.upperBound))
    return Line(
      left: String(leftText.suffix(width)), match: flatten(document.text.utf8Slice(hit.range)),
      right: String(rightText.prefix(width)))
  }

  /// Writes the concordance of `query`: `document segment speaker left match right`; with
  /// `aligned`, a plain-text view instead, the matches lined up in one column.
  ///
  /// - Throws: ``SearchError``.
  public static func writeKWIC(
    _ query: Query, in search: ProjectSearch, width: Int, limit: Int?, format: TableFormat?, to sink: OutputSink
  ) throws(SearchError) {
    var lines: [(hit: SearchHit, line: Line)] = []
    let writer = format.map { TableWriter(format: $0, columns: kwicColumns, sink: sink) }
    try search.forEachHit(of: query) { hit, document in
      if let limit, lines.count >= limit { return false }
      let line = line(of: hit, in: document, width: width)
      if let writer {
        writer.write([
          .integer(Int(hit.document)), .integer(hit.unit.ordinal), .text(hit.unit.speaker ?? ""), .text(line.left),
          .text(line.match), .text(line.right),
        ])
      }
      lines.append((hit, line))
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

  private static func flatten(_ text: String) -> String {
    var result = ""
    var pendingSpace = false
    for character in text {
      if character.isWhitespace {
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

extension String {
  /// The text of a UTF-8 byte range (ranges from the index are on character boundaries).
  fileprivate func utf8Slice(_ range: Range<Int>) -> String {
    let clamped = range.clamped(to: 0..<utf8.count)
    let start = utf8.index(utf8.startIndex, offsetBy: clamped.lowerBound)
    let end = utf8.index(start, offsetBy: clamped.count)
    return String(decoding: utf8[start..<end], as: UTF8.self)
  }
}
