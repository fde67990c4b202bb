import Dispatch
import Foundation
import VerbatimAnalysis

/// The single writer of an index folder: analyses documents on `jobs` workers into flushed
/// segments, then commits them atomically.
///
/// - `add(documents:)` sorts the documents by id (a repeated id: the last one given wins),
///   deals them to the workers in contiguous chunks *before* dispatch, and runs the workers
///   (`DispatchQueue.concurrentPerform`). Each worker owns an ``AnalysisPipeline`` and a
///   streaming ``SegmentBuilder``, and flushes it to a pending file (`pending-…​.vbseg`, named
///   by no manifest) whenever its ``SegmentBuilder/estimatedByteCount`` reaches
///   `memoryBudgetBytes / jobs`, and at the end of the call.
/// - Adding an id that is already indexed replaces that document; ``remove(ids:)`` removes.
/// - ``commit()`` merges the committed segments and the pending ones into a single new
///   segment (``SegmentMerger``: documents by ascending id, removed and replaced versions left
///   out, byte-identical whatever `jobs`), writes it, then the manifest (temp file, `fsync`,
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
    precondition(lock.isHeld, "the writer is closed")
    guard !documents.isEmpty else { return }
    // The last version of a repeated id wins; then by ascending id.
    var lastIndex: [Int64: Int] = [:]
    for (index, document) in documents.enumerated() { lastIndex[document.id] = index }
    let sorted = lastIndex.sorted { $0.key < $1.key }.map { (id: $0.key, text: documents[$0.value].text) }
    let workerCount = min(jobs, sorted.count)
    let chunk = (sorted.count + workerCount - 1) / workerCount
    let chunks = (0..<workerCount).map { worker in
      Array(sorted[min(sorted.count, worker * chunk)..<min(sorted.count, (worker + 1) * chunk)])
    }
    addCalls += 1
    let prefix = "pending-g\(committed.generation + 1)-a\(addCalls)"
    let budget = max(1, memoryBudgetBytes / jobs)
    let folder = directory.path
    let analyzer = analyzer
    let results = WorkerResults(count: workerCount)
    DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
      let outcome = Self.runWorker(
        documents: chunks[worker], analyzer: analyzer, budget: budget, folder: folder,
        prefix: "\(prefix)-w\(worker)")
      results.set(worker, outcome)
    }
    var segments: [PendingSegment] = []
    var failure: IndexError?
    for outcome in results.values {
      switch outcome {
      case .success(let made): segments += made
      case .failure(let error): failure = failure ?? error
      case nil: failure = failure ?? .io(path: folder, reason: "a worker did not finish")
      }
    }
    if let failure {
      for outcome in results.values {
        if case .success(let made) = outcome { for segment in made { unlink(folder + "/" + segment.file) } }
      }
      throw failure
    }
    for document in sorted { pendingVersions[document.id] = versions[document.id] }
    for segment in segments {
      let index = pending.count
      pending.append(segment)
      for (ordinal, document) in segment.documents.enumerated() {
        latest[document.documentID] = .pending(segment: index, ordinal: ordinal)
      }
    }
  }

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
    let merged = try SegmentMerger.merge(inputs)
    inputs.removeAll()
    try step(.afterMerge)
    let generation = committed.generation + 1
    var segments: [IndexManifest.Segment] = []
    if !merged.documents.isEmpty {
      let file = String(format: "seg-%06d.vbseg", generation)
      try SegmentFormat.writeAtomically(merged.bytes, to: path(file))
      segments.append(
        IndexManifest.Segment(
          file: file, documentIDs: merged.documents.map(\.documentID), tokenCounts: merged.documents.map(\.tokenCount)))
    }
    try step(.afterSegmentWrite)
    var versions: [String: String] = [:]
    for id in merged.documents.map(\.documentID) {
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
    var versions: [String: String] = [:]
    for id in segment.documents.map(\.documentID) {
      if let version = pendingVersions[id] { versions[String(id)] = version }
    }
    let manifest = IndexManifest(
      generation: generation,
      segments: [
        IndexManifest.Segment(
          file: file, documentIDs: segment.documents.map(\.documentID), tokenCounts: segment.documents.map(\.tokenCount))
      ], documentVersions: versions)
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

  /// One worker: its own pipeline and builder, flushed at `budget`.
  private static func runWorker(
    documents: [(id: Int64, text: String)], analyzer: Analyzer, budget: Int, folder: String, prefix: String
  ) -> Result<[PendingSegment], IndexError> {
    var made: [PendingSegment] = []
    let pipeline: AnalysisPipeline
    do {
      pipeline = try analyzer.makePipeline()
    } catch {
      return .failure(.io(path: folder, reason: "cannot start the analyser: \(error)"))
    }
    var builder = SegmentBuilder()
    var flushed: [SegmentDocument] = []
    func flush() -> IndexError? {
      guard builder.documentCount > 0 else { return nil }
      let file = "\(prefix)-\(made.count).vbseg"
      do {
        try builder.write(to: folder + "/" + file)
      } catch {
        return error
      }
      made.append(PendingSegment(file: file, documents: flushed))
      builder = SegmentBuilder()
      flushed = []
      return nil
    }
    for document in documents {
      builder.beginDocument(documentID: document.id)
      let tokensBefore = builder.tokenCount
      var text = document.text
      var analysisError: AnalysisError?
      text.withUTF8 { buffer in
        do throws(AnalysisError) {
          try pipeline.analyze(buffer, validating: false) { batch in builder.append(batch, from: pipeline.vocabulary) }
        } catch {
          analysisError = error
        }
      }
      if let analysisError {
        for segment in made { unlink(folder + "/" + segment.file) }
        return .failure(.io(path: "document \(document.id)", reason: "cannot analyse: \(analysisError)"))
      }
      builder.endDocument()
      flushed.append(SegmentDocument(documentID: document.id, tokenCount: UInt32(builder.tokenCount - tokensBefore)))
      if builder.estimatedByteCount >= budget, let error = flush() {
        for segment in made { unlink(folder + "/" + segment.file) }
        return .failure(error)
      }
    }
    if let error = flush() {
      for segment in made { unlink(folder + "/" + segment.file) }
      return .failure(error)
    }
    return .success(made)
  }
}

/// A flushed segment not yet committed: its file name and its documents.
private struct PendingSegment: Sendable {
  var file: String
  var documents: [SegmentDocument]
}

/// One slot per worker, each written by its worker only, read after all have finished.
private final class WorkerResults: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Result<[PendingSegment], IndexError>?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ value: Result<[PendingSegment], IndexError>) {
    lock.lock()
    slots[index] = value
    lock.unlock()
  }

  var values: [Result<[PendingSegment], IndexError>?] {
    lock.lock()
    defer { lock.unlock() }
    return slots
  }
}
