#if canImport(Glibc)
  import Glibc
#endif
import Dispatch
import Foundation
import VerbatimAnalysis

/// The single writer of an index folder: analyses documents on `jobs` workers into flushed
/// segments, then commits them atomically in the canonical layout.
///
/// - ``add(versions:from:)`` pulls documents in ascending id order from a source on the
///   calling thread and cuts them into runs of about 8 or 16 MiB of text
///   (``runBytes(forTotal:)``, ``canonicalRuns(_:limit:)``); each run goes whole to the first
///   free worker, so texts are never all in memory. ``add(documents:versions:)`` sorts an
///   array by id (a repeated id: the last one given wins) and goes the same way. Each worker
///   thread owns an ``AnalysisPipeline`` and builds each run it takes with a streaming
///   ``SegmentBuilder`` into a pending file (`pending-…​.vbseg`, named by no manifest); it
///   flushes early only if its ``SegmentBuilder/estimatedByteCount`` reaches
///   `memoryBudgetBytes / jobs`.
/// - Adding an id that is already indexed replaces that document; ``remove(ids:)`` removes.
/// - ``commit()`` writes the canonical layout of the documents now indexed: one segment per
///   run, each the bytes one builder fed the run would write, so the files do not depend on
///   `jobs` or the budget. A committed segment that holds exactly a run is kept; a pending one
///   (a run built whole, the usual case) is linked under its new name; anything else is merged
///   (``SegmentMerger/merge(_:to:)``). Then the manifest is written (temp file, `fsync`,
///   rename, `fsync` of the folder), and every file the new manifest does not name is deleted.
///
/// Until ``commit()``, readers (``IndexSnapshot``) see the previous manifest. A crash at any
/// point leaves the last committed manifest and all its files intact: files are only ever
/// written under names no manifest uses, and deleted after the new manifest is durable.
///
/// One writer per folder: the constructor takes ``IndexLock``, released by ``close()`` or
/// deinit. Not thread-safe: call it from one task at a time.
///
///     let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 256 << 20)
///     try writer.add(documents: [(id: 1, text: "L’entretien commence.")])
///     try writer.commit()
///     writer.close()
public final class IndexWriter {
  /// The index folder.
  public let directory: URL
  /// The analysis recipe; every worker makes its own pipeline from it.
  public let analyzer: Analyzer
  /// The number of workers.
  public let jobs: Int
  /// The memory budget shared by the workers' segment builders.
  public let memoryBudgetBytes: Int

  private let lock: IndexLock
  /// The manifest of the last commit.
  public private(set) var committed: IndexManifest
  private var pending: [PendingSegment] = []
  /// The newest uncommitted version of each touched id: a pending document, or removed.
  private var latest: [Int64: Version] = [:]
  /// The versions given with pending additions.
  private var pendingVersions = PendingVersionLog()
  private var addCalls = 0

  /// The points of ``commit()`` where a test can simulate a crash.
  enum CommitStep: CaseIterable, Sendable {
    case afterMerge, afterSegmentWrite, afterManifestWrite, duringGarbageCollection
  }

  /// Test hook: ``commit()`` stops at this step as a crash would (throwing, nothing undone,
  /// the in-memory state not updated).
  var simulatedCrash: CommitStep?

  private func step(_ step: CommitStep) throws(IndexError) {
    if simulatedCrash == step { throw .io(path: directory.path, reason: "simulated crash at \(step)") }
  }

  private enum Version: Equatable {
    case pending(segment: Int, ordinal: Int)
    case removed
  }

  /// Opens (or creates) the index in `directory` for writing and takes its lock.
  ///
  /// - Parameters:
  ///   - jobs: workers (at least 1).
  ///   - memoryBudgetBytes: the builders' budget; each worker flushes at `budget / jobs`.
  /// - Throws: ``IndexError/locked(path:holder:)`` when another writer holds the folder;
  ///   ``IndexError/io(path:reason:)``; ``IndexError/corrupt(file:reason:)`` for a damaged
  ///   manifest.
  public init(directory: URL, analyzer: Analyzer = .french, jobs: Int, memoryBudgetBytes: Int) throws(IndexError) {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .io(path: directory.path, reason: "cannot create the index folder")
    }
    self.directory = directory
    self.analyzer = analyzer
    self.jobs = max(1, jobs)
    self.memoryBudgetBytes = max(1, memoryBudgetBytes)
    lock = try IndexLock(directory: directory.path)
    committed = try IndexManifest.read(directory: directory, allowingOlderSegments: true)
    // Holding the lock, no other writer has files in flight: what the manifest does not name
    // (pending segments of a writer closed without committing, a crashed commit's files) goes.
    collectGarbage(keeping: committed)
  }

  deinit { lock.release() }

  /// Releases the lock; pending (uncommitted) segments are left for the next commit's
  /// garbage collection. The writer must not be used afterwards.
  public func close() { lock.release() }

  /// Discards the uncommitted additions and removals and deletes their pending files; the
  /// index stays as last committed (Lucene's `rollback`, without closing).
  public func rollback() {
    for segment in pending { unlink(path(segment.file)) }
    pending = []
    latest = [:]
    pendingVersions.removeAll()
  }

  /// Whether there are uncommitted additions or removals.
  public var hasPendingChanges: Bool { !latest.isEmpty }

  /// Analyses and adds `documents` (replacing any indexed document with the same id). All or
  /// nothing: on error, nothing of this call is kept.
  ///
  /// - Parameter versions: an opaque version string per document id, recorded in the manifest
  ///   (``IndexManifest/documentVersions``) so that readers can tell a stale index.
  /// - Throws: ``IndexError/io(path:reason:)`` when a segment cannot be written or the text
  ///   cannot be analysed.
  public func add(documents: [(id: Int64, text: String)], versions: [Int64: String] = [:]) throws(IndexError) {
    guard !documents.isEmpty else { return }
    // The last version of a repeated id wins; then by ascending id.
    var lastIndex: [Int64: Int] = [:]
    for (index, document) in documents.enumerated() { lastIndex[document.id] = index }
    let sorted = lastIndex.sorted { $0.key < $1.key }
    var next = 0
    try add(versions: versions) { () throws(IndexError) -> (id: Int64, text: String)? in
      guard next < sorted.count else { return nil }
      defer { next += 1 }
      return (sorted[next].key, documents[sorted[next].value].text)
    }
  }

  /// Analyses and adds the documents `source` returns, one at a time until `nil`, without
  /// holding them all: the calling thread reads them into runs of about
  /// ``runBytes(forTotal:)`` of `expectedTextBytes` (the text the index will hold after
  /// this commit; the canonical segments, ``canonicalRuns(_:limit:)``), and
  /// each run goes whole to the first free worker through a queue of one run, so at most
  /// `jobs + 2` runs of text are held. A worker builds each of its runs into its own segment
  /// (flushing early only when its builder reaches `memoryBudgetBytes / jobs`), so after a
  /// fresh build every run is already a canonical segment and the commit merges nothing.
  /// All or nothing: on error (of `source` or of the analysis), nothing of this call is kept
  /// and the first error is thrown.
  ///
  ///     try writer.add(versions: versions) { () throws(IndexError) in try nextStoredDocument() }
  ///
  /// - Parameter versions: as in ``add(documents:versions:)``.
  /// - Precondition: ids strictly ascend (the caller reads them in id order).
  /// - Throws: the first error of `source`, or ``IndexError/io(path:reason:)``.
  public func add(
    versions: [Int64: String] = [:], expectedTextBytes: Int? = nil,
    from source: () throws(IndexError) -> (id: Int64, text: String)?
  ) throws(IndexError) {
    try add(versions: versions, expectedTextBytes: expectedTextBytes) { () throws(IndexError) -> (id: Int64, utf8: [UInt8])? in
      try source().map { ($0.id, Array($0.text.utf8)) }
    }
  }

  /// ``add(versions:expectedTextBytes:from:)`` for texts as UTF-8 bytes, as a store keeps
  /// them: no `String` is made (making one validates and copies the text on the reading
  /// thread); the workers check the bytes as they analyse them.
  ///
  /// - Throws: the first error of `source`, or ``IndexError/io(path:reason:)`` (also for a
  ///   text that is not well-formed UTF-8: the message names the document and the offset).
  public func add(
    versions: [Int64: String] = [:], expectedTextBytes: Int? = nil,
    fromUTF8 source: () throws(IndexError) -> (id: Int64, utf8: [UInt8])?
  ) throws(IndexError) {
    try add(versions: versions, expectedTextBytes: expectedTextBytes) {
      () throws(IndexError) -> (id: Int64, utf8: [UInt8], outline: [UInt8])? in
      try source().map { ($0.id, $0.utf8, []) }
    }
  }

  /// ``add(versions:expectedTextBytes:fromUTF8:)`` for documents with their encoded
  /// `DocumentOutline` (units, speakers, metadata), which the segment keeps beside the
  /// document's range table for searches.
  ///
  /// - Throws: as ``add(versions:expectedTextBytes:fromUTF8:)``.
  public func add(
    versions: [Int64: String] = [:], expectedTextBytes: Int? = nil,
    fromOutlined source: () throws(IndexError) -> (id: Int64, utf8: [UInt8], outline: [UInt8])?
  ) throws(IndexError) {
    try add(versions: versions, expectedTextBytes: expectedTextBytes) { feed throws(IndexError) in
      while let document = try source() {
        document.utf8.withUnsafeBytes { text in document.outline.withUnsafeBytes { feed(document.id, text, $0) } }
      }
    }
  }

  /// Receives one document of ``add(versions:expectedTextBytes:feeding:)``: its id, its text
  /// as UTF-8 bytes and its encoded `DocumentOutline`, copied before it returns.
  public typealias Feed = (_ id: Int64, _ text: UnsafeRawBufferPointer, _ outline: UnsafeRawBufferPointer) -> Void

  /// ``add(versions:expectedTextBytes:fromOutlined:)`` driven by the caller: `feeding` calls
  /// the feed it is given once per document, in ascending id order, with bytes it may reuse
  /// as soon as the call returns (`verbatim index` passes SQLite's own, row by row). The
  /// feed copies each text straight into the run being cut, and runs go round: a worker gives
  /// its run's buffers back once analysed, so the texts of a whole build pass through
  /// `jobs + 2` buffers and no text is allocated on its own.
  ///
  /// - Throws: the first error of `feeding`, or as ``add(versions:expectedTextBytes:fromUTF8:)``.
  public func add(
    versions: [Int64: String] = [:], expectedTextBytes: Int? = nil,
    feeding: (_ feed: Feed) throws(IndexError) -> Void
  ) throws(IndexError) {
    try add(versionOf: { versions[$0] }, expectedTextBytes: expectedTextBytes, feeding: feeding)
  }

  /// ``add(versions:expectedTextBytes:feeding:)`` with each document's version asked of
  /// `versionOf` once its analysis has succeeded (in ascending id order), so that the caller
  /// need not make a dictionary of them (`verbatim index` looks them up in the store's flat
  /// table).
  public func add(
    versionOf: (Int64) -> String?, expectedTextBytes: Int? = nil,
    feeding: (_ feed: Feed) throws(IndexError) -> Void
  ) throws(IndexError) {
    precondition(lock.isHeld, "the writer is closed")
    addCalls += 1
    // Runs as the commit will cut them, if the caller's estimate of the text the index will
    // hold is right; if not, the commit merges what does not fit (same files, more work).
    let runBytes = segmentTextBytes ?? Self.runBytes(forTotal: expectedTextBytes ?? 0)
    let prefix = "pending-g\(committed.generation + 1)-a\(addCalls)"
    let budget = max(1, memoryBudgetBytes / jobs)
    let folder = directory.path
    let queue = RunQueue()
    let workers = (0..<jobs).map { _ in
      StreamWorker(analyzer: analyzer, budget: budget, folder: folder, prefix: prefix, queue: queue)
    }
    let group = DispatchGroup()
    for worker in workers {
      group.enter()
      let thread = Thread {
        worker.run()
        group.leave()
      }
      thread.stackSize = 8 << 20
      thread.start()
    }
    // Read on this thread and cut runs: where they are cut depends on the documents only.
    var failure: IndexError?
    var ids: [Int64] = []
    var run = queue.spareTexts(reserving: runBytes)
    var runIndex = 0
    var previous: Int64?
    func send() {
      guard !run.documents.isEmpty else { return }
      queue.put((runIndex, run))
      runIndex += 1
      run = queue.spareTexts(reserving: runBytes)
    }
    func feed(_ id: Int64, _ text: UnsafeRawBufferPointer, _ outline: UnsafeRawBufferPointer) {
      if let previous { precondition(previous < id, "documents must come in ascending id order") }
      previous = id
      ids.append(id)
      run.append(id: id, text: text, outline: outline)
      if run.text.count >= runBytes { send() }
    }
    do {
      try feeding(feed)
    } catch {
      failure = error
    }
    if failure == nil { send() }
    run = RunTexts()
    queue.close()
    group.wait()
    var segments: [PendingSegment] = []
    for worker in workers {
      if let error = worker.failure { failure = failure ?? error }
      segments += worker.made
    }
    if let failure {
      for segment in segments { unlink(folder + "/" + segment.file) }
      throw failure
    }
    // Runs were taken by whichever worker was free: put them back in order.
    segments.sort { ($0.run, $0.part) < ($1.run, $1.part) }
    for id in ids { pendingVersions.record(id, version: versionOf(id)) }
    for segment in segments {
      let index = pending.count
      pending.append(segment)
      for (ordinal, document) in segment.documents.enumerated() {
        latest[document.documentID] = .pending(segment: index, ordinal: ordinal)
      }
    }
  }

  /// The text in one segment of the canonical layout, when set (tests make it small to have
  /// many segments); otherwise ``runBytes(forTotal:)`` of the text the index holds. Either way
  /// `--jobs` and `--memory` do not change the files.
  var segmentTextBytes: Int?

  /// The text in one segment of the canonical layout of an index holding `total` bytes of
  /// text: 8 MiB, 16 MiB past 64 runs. Enough segments for every worker to build whole runs
  /// at once (a 83 MB corpus: 10 runs of 8 MiB), each small enough for a worker's share of
  /// the default budget at 2 jobs (a 16 MiB run needs about 100 MB; 32 MiB runs at 1 GB made
  /// the workers flush early and the commit merge, 20 % slower); two sizes, so that a commit
  /// that adds or removes a little keeps the size and rewrites only what changed. Per-segment
  /// dictionaries make the index larger: 1 GB in 8 MiB runs was 21 % larger than in one
  /// segment.
  static func runBytes(forTotal total: Int) -> Int {
    total > 64 * (8 << 20) ? 16 << 20 : 8 << 20
  }

  /// The canonical layout of documents in id order whose texts have `sizes` bytes: runs that
  /// close with the document that brings their text to `limit` bytes (the last run may be
  /// shorter). What ``add(versions:from:)`` cuts as it reads and ``commit()`` writes.
  static func canonicalRuns(_ sizes: [Int], limit: Int) -> [Range<Int>] {
    var runs: [Range<Int>] = []
    var start = 0
    var bytes = 0
    for (index, size) in sizes.enumerated() {
      bytes += size
      if bytes >= limit {
        runs.append(start..<(index + 1))
        start = index + 1
        bytes = 0
      }
    }
    if start < sizes.count { runs.append(start..<sizes.count) }
    return runs
  }

  /// Removes the documents `ids` (ids not indexed are ignored), as of the next commit.
  public func remove(ids: some Sequence<Int64>) {
    for id in ids {
      // Its pending version, if any, is never read: the commit asks versions of the
      // documents it keeps, and a removed id is kept only if added again after this.
      latest[id] = .removed
    }
  }

  /// Writes the canonical layout of the documents now indexed and makes it the index,
  /// atomically; then deletes the files no longer named. Does nothing when there is no change.
  ///
  /// The canonical layout: the documents in id order, cut into runs of about
  /// ``runBytes(forTotal:)`` of text (``canonicalRuns(_:limit:)``), one segment per run, each
  /// exactly the segment one ``SegmentBuilder`` fed the run would write. Per run, the cheapest
  /// of: a committed segment that holds exactly the run is kept as it is; a pending segment
  /// that does (a run a worker built whole) is linked under the new name; anything else is
  /// merged from the segments holding the run's documents (``SegmentMerger/merge(_:to:)``).
  /// So the files do not depend on `jobs`, on the memory budget or on how the documents were
  /// added, and a commit that appends documents rewrites only the last segments.
  ///
  /// - Returns: the new manifest.
  /// - Throws: ``IndexError/io(path:reason:)``, ``IndexError/corrupt(file:reason:)``; the
  ///   previous commit stays the index and the pending changes stay pending.
  @discardableResult
  public func commit() throws(IndexError) -> IndexManifest {
    precondition(lock.isHeld, "the writer is closed")
    guard hasPendingChanges else { return committed }
    // The segments documents can come from: the committed ones, then the pending ones.
    var sources: [(file: String, count: Int, isPending: Bool)] = []
    var live: [LiveDocument] = []
    for entry in committed.segments {
      let source = sources.count
      sources.append((entry.file, entry.documentIDs.count, false))
      for (ordinal, id) in entry.documentIDs.enumerated() where latest[id] == nil {
        let tokens = entry.tokenCounts[ordinal]
        live.append(
          LiveDocument(
            id: id, source: source, ordinal: ordinal, tokenCount: tokens,
            textBytes: entry.textBytes?[ordinal] ?? tokens &* Self.textBytesPerTokenEstimate))
      }
    }
    for (index, segment) in pending.enumerated() {
      let source = sources.count
      sources.append((segment.file, segment.documents.count, true))
      for (ordinal, document) in segment.documents.enumerated()
      where latest[document.documentID] == .pending(segment: index, ordinal: ordinal) {
        live.append(
          LiveDocument(
            id: document.documentID, source: source, ordinal: ordinal, tokenCount: document.tokenCount,
            textBytes: segment.textBytes[ordinal]))
      }
    }
    live.sort { $0.id < $1.id }
    // Segments of an older format cannot be read: every document they hold must be added
    // again (`verbatim index` does) or removed.
    if committed.segmentFormatVersion != Int(SegmentFormat.version),
      let old = live.first(where: { !sources[$0.source].isPending })
    {
      throw .corrupt(
        file: path(IndexManifest.fileName),
        reason:
          "segment format version \(committed.segmentFormatVersion) cannot be kept (document \(old.id) was not added again); rebuild the index with `verbatim index`"
      )
    }
    let generation = committed.generation + 1
    var segments: [IndexManifest.Segment] = []
    let sizes = live.map { Int($0.textBytes) }
    let limit = segmentTextBytes ?? Self.runBytes(forTotal: sizes.reduce(0, +))
    // Runs to merge: output file and, per source segment, the ordinals it gives.
    var merges: [(file: String, ids: [Int64], parts: [(source: Int, ordinals: [Int])])] = []
    var linked = false
    for (run, range) in Self.canonicalRuns(sizes, limit: limit).enumerated() {
      let documents = live[range]
      let first = documents[documents.startIndex]
      let isWhole = documents.count == sources[first.source].count
        && documents.enumerated().allSatisfy { $0.element.source == first.source && $0.element.ordinal == $0.offset }
      var file = sources[first.source].file
      if !isWhole || sources[first.source].isPending {
        file = String(format: "seg-%06d-%04d.vbseg", generation, run)
        // A whole pending segment gets a second name (the pending one stays until the
        // manifest is durable, so that a failed commit can be retried; a retry finds the
        // name taken by its own earlier attempt: no committed file has this generation).
        unlink(path(file))
        if isWhole && link(path(sources[first.source].file), path(file)) == 0 {
          linked = true
        } else {
          var ordinals: [Int: [Int]] = [:]
          for document in documents { ordinals[document.source, default: []].append(document.ordinal) }
          merges.append(
            (file, documents.map(\.id), ordinals.keys.sorted().map { ($0, ordinals[$0]!) }))
        }
      }
      segments.append(
        IndexManifest.Segment(
          file: file, documentIDs: documents.map(\.id), tokenCounts: documents.map(\.tokenCount),
          textBytes: documents.map(\.textBytes)))
    }
    // The new names made durable by one folder sync, not one per link.
    if linked { SegmentFormat.syncFolder(of: path(IndexManifest.fileName)) }
    try mergeRuns(merges, sources: sources.map(\.file))
    try step(.afterMerge)
    try step(.afterSegmentWrite)
    return try publish(generation: generation, segments: segments)
  }

  /// Merges runs into their files, up to `jobs` at once: after an incremental change, or
  /// when workers flushed runs early.
  private func mergeRuns(
    _ merges: [(file: String, ids: [Int64], parts: [(source: Int, ordinals: [Int])])], sources: [String]
  ) throws(IndexError) {
    guard !merges.isEmpty else { return }
    var readers: [Int: SegmentReader] = [:]
    for merge in merges {
      for part in merge.parts where readers[part.source] == nil {
        readers[part.source] = try SegmentReader(path: path(sources[part.source]))
      }
    }
    let work = RunMerges(
      merges.map { merge in
        (
          path(merge.file), merge.ids,
          merge.parts.map { SegmentMerger.Input(reader: readers[$0.source]!, ordinals: $0.ordinals) }
        )
      })
    DispatchQueue.concurrentPerform(iterations: min(jobs, merges.count)) { _ in work.run() }
    if let failure = work.failure { throw failure }
  }

  /// A document of the index as the commit will write it, and where it is now.
  private struct LiveDocument {
    var id: Int64
    /// Index in the commit's list of committed, then pending, segments.
    var source: Int
    var ordinal: Int
    var tokenCount: UInt32
    var textBytes: UInt32
  }

  /// Text bytes assumed per token for a document of a manifest that did not record its size
  /// (written before the index had several segments; `verbatim index` re-analyses those).
  static let textBytesPerTokenEstimate: UInt32 = 6

  /// The end of every commit, once the new segment file is in place: the manifest naming
  /// `segments` (with each document's version, pending or kept) is written atomically, the
  /// writer's state becomes the committed one, and files no manifest names are deleted.
  private func publish(generation: Int, segments: [IndexManifest.Segment]) throws(IndexError) -> IndexManifest {
    var versions = DocumentVersionTable.Builder(capacity: segments.reduce(0) { $0 + $1.documentIDs.count })
    let pendingResolved = pendingVersions.resolved()
    for id in segments.lazy.flatMap(\.documentIDs) {
      func record(_ version: UnsafeBufferPointer<UInt8>?) {
        if let version { versions.append(key: String(id).utf8, value: version) }
      }
      // Kept documents keep their recorded version; pending ones have the last one given.
      if latest[id] == nil {
        committed.versions.withVersion(of: id, record)
      } else {
        pendingResolved.withVersion(of: id, record)
      }
    }
    var manifest = IndexManifest(generation: generation, segments: segments, versions: versions.finish())
    // Counted over the files just written, opened without hashing them again.
    let counts = try IndexSnapshot(committed: manifest, directory: directory).distinctKeyCounts()
    manifest.distinctKeys = IndexManifest.DistinctKeys(terms: counts.terms, stems: counts.stems)
    try manifest.write(directory: directory)
    try step(.afterManifestWrite)
    if simulatedCrash == .duringGarbageCollection {
      collectGarbage(keeping: manifest, limit: 1)
      try step(.duringGarbageCollection)
    }
    committed = manifest
    pending = []
    latest = [:]
    pendingVersions.removeAll()
    collectGarbage(keeping: manifest)
    return manifest
  }

  /// Deletes every regular file of the folder that the committed manifest does not name
  /// (except the manifest and the lock).
  private func collectGarbage(keeping manifest: IndexManifest, limit: Int = .max) {
    var keep: Set<String> = [IndexManifest.fileName, IndexLock.fileName]
    for segment in manifest.segments { keep.insert(segment.file) }
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
    for name in names.sorted().filter({ !keep.contains($0) }).prefix(limit) {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path(name), isDirectory: &isDirectory), !isDirectory.boolValue {
        unlink(path(name))
      }
    }
  }

  private func path(_ file: String) -> String { directory.appendingPathComponent(file).path }
}

/// Returns the memory freed by a flushed builder to the system: glibc keeps freed blocks in
/// per-thread arenas, which with several workers otherwise holds the peak of every flush.
func releaseFreedMemory() {
  #if canImport(Glibc)
    // `malloc_trim` is not in the Glibc module map; looked up once per flush.
    typealias Trim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(nil, "malloc_trim") {
      _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
  #endif
}

/// The merges of a commit, taken one at a time by `concurrentPerform` threads; the first
/// error stops the rest.
private final class RunMerges: @unchecked Sendable {
  private let merges: [(path: String, ids: [Int64], inputs: [SegmentMerger.Input])]
  private let lock = NSLock()
  private var next = 0
  private(set) var failure: IndexError?

  init(_ merges: [(path: String, ids: [Int64], inputs: [SegmentMerger.Input])]) { self.merges = merges }

  func run() {
    while true {
      lock.lock()
      let index = next
      next += 1
      let stop = failure != nil
      lock.unlock()
      guard !stop, index < merges.count else { return }
      let merge = merges[index]
      do {
        let merged = try SegmentMerger.merge(merge.inputs, to: merge.path)
        precondition(merged.map(\.documentID) == merge.ids, "a merge lost or reordered documents")
      } catch {
        lock.lock()
        failure = failure ?? error
        lock.unlock()
      }
    }
  }
}

/// A flushed segment not yet committed: its file name, its documents and their text sizes,
/// and which run of its ``IndexWriter/add(versions:from:)`` call it holds (several parts when
/// the worker's budget made it flush early).
private struct PendingSegment: Sendable {
  var file: String
  var documents: [SegmentDocument]
  var textBytes: [UInt32]
  var run: Int
  var part: Int
}

/// The texts and outlines of one run, back to back in two buffers, and where each
/// document's are. The buffers go round between the reading thread and the workers
/// (``RunQueue/spareTexts(reserving:)``), so they are allocated once per build, not once per text.
private struct RunTexts {
  var text: [UInt8] = []
  var outlines: [UInt8] = []
  var documents: [(id: Int64, text: Range<Int>, outline: Range<Int>)] = []

  mutating func append(id: Int64, text bytes: UnsafeRawBufferPointer, outline: UnsafeRawBufferPointer) {
    let textStart = text.count
    let outlineStart = outlines.count
    text.append(contentsOf: bytes)
    outlines.append(contentsOf: outline)
    documents.append((id, textStart..<text.count, outlineStart..<outlines.count))
  }

  /// Empty, keeping the buffers' capacity.
  mutating func clear() {
    text.removeAll(keepingCapacity: true)
    outlines.removeAll(keepingCapacity: true)
    documents.removeAll(keepingCapacity: true)
  }
}

/// The runs of documents between the reading thread and the workers: at most one waits, and
/// the first worker free takes it; workers give analysed runs' buffers back for the reader to
/// fill again.
private final class RunQueue: @unchecked Sendable {
  typealias Run = (index: Int, texts: RunTexts)
  private let condition = NSCondition()
  private var waiting: Run?
  private var closed = false
  private var spare: [RunTexts] = []

  /// Waits until the previous run was taken, then offers `run`.
  func put(_ run: Run) {
    condition.lock()
    while waiting != nil { condition.wait() }
    waiting = run
    condition.broadcast()
    condition.unlock()
  }

  /// No more runs will come.
  func close() {
    condition.lock()
    closed = true
    spare = []
    condition.broadcast()
    condition.unlock()
  }

  /// The next run, or `nil` once closed and drained.
  func take() -> Run? {
    condition.lock()
    defer { condition.unlock() }
    while waiting == nil && !closed { condition.wait() }
    guard let run = waiting else { return nil }
    waiting = nil
    condition.broadcast()
    return run
  }

  /// Takes back the buffers of an analysed run, leaving `texts` empty, so that the reader
  /// holds their only reference and fills them in place (dropped once the queue is closed).
  func giveBack(_ texts: inout RunTexts) {
    var given = RunTexts()
    swap(&given, &texts)
    condition.lock()
    defer { condition.unlock() }
    guard !closed else { return }
    spare.append(given)
  }

  /// Empty buffers for the next run: given back ones when there are, new ones otherwise,
  /// reserved at twice the run's text (a run closes past `runBytes`; reserved pages that are
  /// never written cost address space, not memory), so that a buffer never grows by copying.
  func spareTexts(reserving runBytes: Int) -> RunTexts {
    condition.lock()
    var texts = spare.popLast() ?? RunTexts()
    condition.unlock()
    texts.clear()
    texts.text.reserveCapacity(2 * runBytes)
    return texts
  }
}

/// One worker of ``IndexWriter/add(versions:from:)``: its own pipeline; a builder per run it
/// takes, flushed at the run's end (or early at `budget`). Its results are read after its
/// thread has finished (the `DispatchGroup` wait orders the accesses), hence
/// `@unchecked Sendable`.
private final class StreamWorker: @unchecked Sendable {
  private let queue: RunQueue
  private let analyzer: Analyzer
  private let budget: Int
  private let folder: String
  private let prefix: String
  private(set) var made: [PendingSegment] = []
  private(set) var failure: IndexError?

  init(analyzer: Analyzer, budget: Int, folder: String, prefix: String, queue: RunQueue) {
    self.queue = queue
    self.analyzer = analyzer
    self.budget = budget
    self.folder = folder
    self.prefix = prefix
  }

  /// Takes batches until the queue closes; after a failure it keeps draining (so the reader
  /// never blocks) without analysing.
  func run() {
    let pipeline: AnalysisPipeline?
    do {
      pipeline = try analyzer.makePipeline()
    } catch {
      pipeline = nil
      failure = .io(path: folder, reason: "cannot start the analyser: \(error)")
    }
    var builder = SegmentBuilder()
    var flushed: [SegmentDocument] = []
    var sizes: [UInt32] = []
    var run = 0
    var part = 0
    func flush() {
      guard builder.documentCount > 0 else { return }
      let file = "\(prefix)-r\(run)-\(part).vbseg"
      do {
        try builder.writeKeepingBuffers(to: folder + "/" + file)
      } catch {
        failure = error
        return
      }
      made.append(PendingSegment(file: file, documents: flushed, textBytes: sizes, run: run, part: part))
      part += 1
      builder.reset()
      flushed = []
      sizes = []
      releaseFreedMemory()
    }
    while var taken = queue.take() {
      guard failure == nil, let pipeline else { continue }
      run = taken.index
      part = 0
      taken.texts.text.withUnsafeBufferPointer { texts in
        taken.texts.outlines.withUnsafeBytes { outlines in
          for document in taken.texts.documents {
            builder.beginDocument(documentID: document.id, outline: UnsafeRawBufferPointer(rebasing: outlines[document.outline]))
            let tokensBefore = builder.tokenCount
            var analysisError: AnalysisError?
            do throws(AnalysisError) {
              try pipeline.analyze(UnsafeBufferPointer(rebasing: texts[document.text]), validating: true) { tokens in
                builder.append(tokens, from: pipeline.vocabulary)
              }
            } catch {
              analysisError = error
            }
            if let analysisError {
              if case let .invalidUTF8(offset) = analysisError {
                // Texts reach the index as bytes: ill-formed ones were damaged after they were
                // checked on the way in (import checks every file).
                failure = .io(
                  path: "document \(document.id)",
                  reason: "its text is not UTF-8 at byte offset \(offset) (damaged since it was stored: import its source again)")
              } else {
                failure = .io(path: "document \(document.id)", reason: "cannot analyse: \(analysisError)")
              }
              break
            }
            builder.endDocument()
            flushed.append(SegmentDocument(documentID: document.id, tokenCount: UInt32(builder.tokenCount - tokensBefore)))
            sizes.append(UInt32(clamping: document.text.count))
            if builder.estimatedByteCount >= budget {
              flush()
              if failure != nil { break }
            }
          }
        }
      }
      if failure == nil { flush() }
      queue.giveBack(&taken.texts)
    }
  }
}
