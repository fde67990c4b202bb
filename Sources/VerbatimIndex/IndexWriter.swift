#if canImport(Glibc)
  import Glibc
#endif
import Dispatch
import Foundation
import VerbatimAnalysis

/// The single writer of an index folder: analyses documents on `jobs` workers into flushed
/// segments, then commits them atomically.
///
/// - ``add(versions:from:)`` pulls documents in ascending id order from a source on the
///   calling thread, gathers them in ~1 MiB batches and deals batch *k* to worker *k* mod
///   `jobs` (an assignment fixed by the documents alone) through bounded queues, so texts are
///   never all in memory. ``add(documents:versions:)`` sorts an array by id (a repeated id: the
///   last one given wins) and goes the same way. Each worker thread owns an
///   ``AnalysisPipeline`` and a streaming ``SegmentBuilder``, and writes it to a pending file
///   (`pending-…​.vbseg`, named by no manifest) whenever its
///   ``SegmentBuilder/estimatedByteCount`` reaches `memoryBudgetBytes / jobs`, and at the end.
/// - Adding an id that is already indexed replaces that document; ``remove(ids:)`` removes.
/// - ``commit()`` merges the committed segments and the pending ones into a single new
///   segment (``SegmentMerger/merge(_:to:)``: documents by ascending id, removed and replaced
///   versions left out, byte-identical whatever `jobs`, written to disk as it is produced),
///   then writes the manifest (temp file, `fsync`,
///   rename, `fsync` of the folder), and deletes every file the new manifest does not name.
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
  private var pendingVersions: [Int64: String] = [:]
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
    committed = try IndexManifest.read(directory: directory)
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
    pendingVersions = [:]
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
  /// holding them all: the calling thread reads them into batches of about
  /// 1 MiB of text, and batch *k* goes to worker *k* mod `jobs` through a queue of
  /// at most two batches per worker, so at most about `3 × jobs` batches of text are held.
  /// All or nothing: on error (of `source` or of the analysis), nothing of this call is kept
  /// and the first error is thrown.
  ///
  ///     try writer.add(versions: versions) { () throws(IndexError) in try nextStoredDocument() }
  ///
  /// - Parameter versions: as in ``add(documents:versions:)``.
  /// - Precondition: ids strictly ascend (the caller reads them in id order).
  /// - Throws: the first error of `source`, or ``IndexError/io(path:reason:)``.
  public func add(
    versions: [Int64: String] = [:], from source: () throws(IndexError) -> (id: Int64, text: String)?
  ) throws(IndexError) {
    precondition(lock.isHeld, "the writer is closed")
    addCalls += 1
    let prefix = "pending-g\(committed.generation + 1)-a\(addCalls)"
    let budget = max(1, memoryBudgetBytes / jobs)
    let folder = directory.path
    let workers = (0..<jobs).map { worker in
      StreamWorker(analyzer: analyzer, budget: budget, folder: folder, prefix: "\(prefix)-w\(worker)")
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
    // Read on this thread, deal batches round-robin: the assignment depends on the documents only.
    var failure: IndexError?
    var ids: [Int64] = []
    var batch: [(id: Int64, text: String)] = []
    var batchSize = 0
    var batchIndex = 0
    var previous: Int64?
    func send() {
      guard !batch.isEmpty else { return }
      workers[batchIndex % workers.count].queue.put(batch)
      batchIndex += 1
      batch = []
      batchSize = 0
    }
    while true {
      let document: (id: Int64, text: String)?
      do {
        document = try source()
      } catch {
        failure = error
        break
      }
      guard let document else { break }
      if let previous { precondition(previous < document.id, "documents must come in ascending id order") }
      previous = document.id
      ids.append(document.id)
      batchSize += document.text.utf8.count
      batch.append(document)
      if batchSize >= batchBytes { send() }
    }
    if failure == nil { send() }
    batch = []
    for worker in workers { worker.queue.close() }
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
    for id in ids { pendingVersions[id] = versions[id] }
    for segment in segments {
      let index = pending.count
      pending.append(segment)
      for (ordinal, document) in segment.documents.enumerated() {
        latest[document.documentID] = .pending(segment: index, ordinal: ordinal)
      }
    }
  }

  /// The text a batch of ``add(versions:from:)`` gathers before it goes to a worker (tests
  /// make it small to have many batches).
  var batchBytes = 1 << 20

  /// Removes the documents `ids` (ids not indexed are ignored), as of the next commit.
  public func remove(ids: some Sequence<Int64>) {
    for id in ids {
      latest[id] = .removed
      pendingVersions[id] = nil
    }
  }

  /// Merges everything into one new segment and makes it the index, atomically; then deletes
  /// the files no longer named. Does nothing when there is no change.
  ///
  /// - Returns: the new manifest.
  /// - Throws: ``IndexError/io(path:reason:)``, ``IndexError/corrupt(file:reason:)``; the
  ///   previous commit stays the index and the pending changes stay pending.
  @discardableResult
  public func commit() throws(IndexError) -> IndexManifest {
    precondition(lock.isHeld, "the writer is closed")
    guard hasPendingChanges else { return committed }
    // One pending segment that holds every document, in id order, and nothing committed to
    // keep: it already is the canonical segment (a single builder fed the documents in id
    // order), so it is renamed instead of merged.
    if let only = singleCanonicalPending() {
      return try commitRenaming(only)
    }
    var inputs: [SegmentMerger.Input] = []
    for entry in committed.segments {
      let reader = try SegmentReader(path: path(entry.file))
      let kept = reader.documents.indices.filter { latest[reader.document(at: $0).documentID] == nil }
      inputs.append(SegmentMerger.Input(reader: reader, ordinals: kept))
    }
    for (index, segment) in pending.enumerated() {
      let reader = try SegmentReader(path: path(segment.file))
      let kept = reader.documents.indices.filter {
        latest[reader.document(at: $0).documentID] == .pending(segment: index, ordinal: $0)
      }
      inputs.append(SegmentMerger.Input(reader: reader, ordinals: kept))
    }
    let generation = committed.generation + 1
    let file = String(format: "seg-%06d.vbseg", generation)
    // Written straight to its final name (temp file, fsync, rename): no manifest names it yet.
    let mergedDocuments = try SegmentMerger.merge(inputs, to: path(file))
    inputs.removeAll()
    try step(.afterMerge)
    var segments: [IndexManifest.Segment] = []
    if mergedDocuments.isEmpty {
      unlink(path(file))
    } else {
      segments.append(
        IndexManifest.Segment(
          file: file, documentIDs: mergedDocuments.map(\.documentID), tokenCounts: mergedDocuments.map(\.tokenCount)))
    }
    try step(.afterSegmentWrite)
    return try publish(generation: generation, segments: segments)
  }

  /// The end of every commit, once the new segment file is in place: the manifest naming
  /// `segments` (with each document's version, pending or kept) is written atomically, the
  /// writer's state becomes the committed one, and files no manifest names are deleted.
  private func publish(generation: Int, segments: [IndexManifest.Segment]) throws(IndexError) -> IndexManifest {
    var versions: [String: String] = [:]
    for id in segments.flatMap(\.documentIDs) {
      let version = latest[id] == nil ? committed.version(of: id) : pendingVersions[id]
      if let version { versions[String(id)] = version }
    }
    let manifest = IndexManifest(generation: generation, segments: segments, documentVersions: versions)
    try manifest.write(directory: directory)
    try step(.afterManifestWrite)
    if simulatedCrash == .duringGarbageCollection {
      collectGarbage(keeping: manifest, limit: 1)
      try step(.duringGarbageCollection)
    }
    committed = manifest
    pending = []
    latest = [:]
    pendingVersions = [:]
    collectGarbage(keeping: manifest)
    return manifest
  }

  /// The pending segment that can become the index as it is, if there is one.
  private func singleCanonicalPending() -> PendingSegment? {
    guard pending.count == 1, let segment = pending.first, !segment.documents.isEmpty else { return nil }
    let ids = segment.documents.map(\.documentID)
    guard zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
    for (ordinal, id) in ids.enumerated() where latest[id] != .pending(segment: 0, ordinal: ordinal) { return nil }
    // Every committed document must be replaced or removed.
    for entry in committed.segments {
      for id in entry.documentIDs where latest[id] == nil { return nil }
    }
    return segment
  }

  /// Commits a canonical pending segment by renaming it (same steps and crash points as a merge).
  private func commitRenaming(_ segment: PendingSegment) throws(IndexError) -> IndexManifest {
    try step(.afterMerge)
    let generation = committed.generation + 1
    let file = String(format: "seg-%06d.vbseg", generation)
    guard rename(path(segment.file), path(file)) == 0 else {
      throw .io(path: path(file), reason: "cannot rename the new segment: \(String(cString: strerror(errno)))")
    }
    SegmentFormat.syncFolder(of: path(file))
    try step(.afterSegmentWrite)
    return try publish(
      generation: generation,
      segments: [
        IndexManifest.Segment(
          file: file, documentIDs: segment.documents.map(\.documentID), tokenCounts: segment.documents.map(\.tokenCount))
      ])
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

/// A flushed segment not yet committed: its file name and its documents.
private struct PendingSegment: Sendable {
  var file: String
  var documents: [SegmentDocument]
}

/// A bounded FIFO of document batches between the reading thread and one worker.
private final class BatchQueue: @unchecked Sendable {
  private let condition = NSCondition()
  private var batches: [[(id: Int64, text: String)]] = []
  private var head = 0
  private var closed = false
  private let capacity = 2

  /// Waits for room, then enqueues.
  func put(_ batch: [(id: Int64, text: String)]) {
    condition.lock()
    while batches.count - head >= capacity { condition.wait() }
    batches.append(batch)
    condition.broadcast()
    condition.unlock()
  }

  /// No more batches will come.
  func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  /// The next batch, or `nil` once closed and drained.
  func take() -> [(id: Int64, text: String)]? {
    condition.lock()
    defer { condition.unlock() }
    while batches.count == head && !closed { condition.wait() }
    guard head < batches.count else { return nil }
    let batch = batches[head]
    batches[head] = []
    head += 1
    if head == batches.count {
      batches.removeAll(keepingCapacity: true)
      head = 0
    }
    condition.broadcast()
    return batch
  }
}

/// One worker of ``IndexWriter/add(versions:from:)``: its own pipeline and builder, flushed
/// at `budget`. Its results are read after its thread has finished (the `DispatchGroup`
/// wait orders the accesses), hence `@unchecked Sendable`.
private final class StreamWorker: @unchecked Sendable {
  let queue = BatchQueue()
  private let analyzer: Analyzer
  private let budget: Int
  private let folder: String
  private let prefix: String
  private(set) var made: [PendingSegment] = []
  private(set) var failure: IndexError?

  init(analyzer: Analyzer, budget: Int, folder: String, prefix: String) {
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
    func flush() {
      guard builder.documentCount > 0 else { return }
      let file = "\(prefix)-\(made.count).vbseg"
      do {
        try builder.write(to: folder + "/" + file)
      } catch {
        failure = error
        return
      }
      made.append(PendingSegment(file: file, documents: flushed))
      builder = SegmentBuilder()
      flushed = []
      releaseFreedMemory()
    }
    while let batch = queue.take() {
      guard failure == nil, let pipeline else { continue }
      for document in batch {
        builder.beginDocument(documentID: document.id)
        let tokensBefore = builder.tokenCount
        var text = document.text
        var analysisError: AnalysisError?
        text.withUTF8 { buffer in
          do throws(AnalysisError) {
            try pipeline.analyze(buffer, validating: false) { tokens in builder.append(tokens, from: pipeline.vocabulary) }
          } catch {
            analysisError = error
          }
        }
        if let analysisError {
          failure = .io(path: "document \(document.id)", reason: "cannot analyse: \(analysisError)")
          break
        }
        builder.endDocument()
        flushed.append(SegmentDocument(documentID: document.id, tokenCount: UInt32(builder.tokenCount - tokensBefore)))
        if builder.estimatedByteCount >= budget {
          flush()
          if failure != nil { break }
        }
      }
    }
    if failure == nil { flush() }
  }
}
