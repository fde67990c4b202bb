import Dispatch
import Foundation
import VerbatimAnalysis
import VerbatimCorpus
import VerbatimIndex

/// What `verbatim index` did.
public struct IndexSummary: Sendable, Hashable {
  /// Documents in the index after the commit.
  public var documents: Int
  /// Tokens indexed.
  public var tokens: Int
  /// Bytes of document text analysed by this run (unchanged documents are not analysed again).
  public var bytes: Int
  /// Seconds spent analysing, building and committing (reading the project excluded).
  public var seconds: Double
  /// Size of the committed index files (segments and manifest), in bytes.
  public var indexBytes: Int
  /// The manifest generation written.
  public var generation: Int
  /// Worker threads used.
  public var jobs: Int
  /// Documents analysed by this run (added or changed since the last index).
  public var analysedDocuments: Int
  /// Segment files of the index after the run.
  public var segments: Int = 0
  /// Segment files this run's commit wrote (the others were kept as they were; 0 without a commit).
  public var segmentsWritten: Int = 0
  /// Distinct normalised terms and distinct stems over the whole index (a word in several
  /// segments counts once), as the commit recorded them in the manifest (inside ``seconds``).
  public var terms = 0
  public var stems = 0

  /// Text throughput in MB/s.
  public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1e6 / seconds : 0 }
}

/// Builds the positional index of every document of the project in `<project>/index`.
///
/// Each run analyses the stored documents added or changed since the last run (same id:
/// replaced), removes documents no longer stored, and commits the canonical layout (one
/// segment per run of documents; unchanged runs are kept), so the files do not depend on `jobs`.
public enum IndexJob {
  /// The part of the memory budget given to the segment builders.
  public static let builderShare = 0.5

  /// The index folder of a project.
  public static func indexDirectory(of project: URL) -> URL { project.appendingPathComponent("index") }

  /// Indexes the project's documents with `jobs` workers and a memory budget.
  ///
  /// The segment builders get ``builderShare`` of `memoryBudgetMegabytes`; the rest is left
  /// for what runs beside them (the batches of text in flight, the analysers, the merge's
  /// dictionaries), so that the whole run stays near the budget.
  ///
  /// - Throws: ``IndexJobError`` naming the project or the index folder.
  ///
  /// `progress` is called with (documents read, documents to analyse) each time the share read
  /// grows by a percent, from the thread that reads the store.
  public static func run(
    project: URL, jobs: Int, memoryBudgetMegabytes: Int, progress: ((Int, Int) -> Void)? = nil
  ) throws(IndexJobError) -> IndexSummary {
    let store: ProjectStore
    let stored: StoredDocumentVersions
    do {
      store = try ProjectStore(directory: project, creating: false)
      stored = try store.documentVersions()
    } catch {
      throw .project(error)
    }
    let directory = indexDirectory(of: project)
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    } catch {
      throw .index(.io(path: directory.path, reason: "cannot create the index folder: \(error.localizedDescription)"))
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let manifest: IndexManifest
    var previousGeneration = 0
    var bytes = 0
    var analysed = 0
    var storeError: ProjectStoreError?
    do throws(IndexError) {
      let writer = try IndexWriter(
        directory: directory, jobs: jobs,
        memoryBudgetBytes: max(1, Int(Double(max(1, memoryBudgetMegabytes) << 20) * builderShare)))
      defer { writer.close() }
      previousGeneration = writer.committed.generation
      let storedSet = Set(stored.ids)
      let indexed = writer.committed.segments.flatMap(\.documentIDs)
      writer.remove(ids: indexed.filter { !storedSet.contains($0) })
      // Only documents whose stored version differs from the indexed one are analysed again.
      // Their texts are read in id order (the store lists them by id) and copied straight into the
      // writer's runs, so at most a few runs of text are in memory.
      let indexedSet = Set(indexed)
      // An index written before segments recorded their documents' sizes is analysed again
      // whole, so that it takes the canonical layout.
      // So is an index of an older segment format (this build cannot read its segments).
      let isOldLayout =
        writer.committed.segments.contains { $0.textBytes == nil }
        || writer.committed.segmentFormatVersion != Int(SegmentFormat.version)
      var wanted: [Int64] = []
      var wantedSizes: [Int] = []
      // Where each wanted document's version is in `stored` (a dictionary of version strings
      // took about 80 MB at 4 GB).
      var wantedIndices: [Int] = []
      for index in 0..<stored.count {
        let id = stored.ids[index]
        if !isOldLayout && indexedSet.contains(id),
          stored.withVersionBytes(at: index, { writer.committed.hasVersion(of: id, equalTo: $0) }) == true
        {
          continue
        }
        wanted.append(id)
        wantedSizes.append(stored.sizes[index])
        wantedIndices.append(index)
      }
      // The text the index will hold, for the writer to cut its segments as the commit will:
      // the recorded sizes of the documents kept, the source sizes of the others.
      var expected = 0
      let wantedSet = Set(wanted)
      for segment in writer.committed.segments {
        for (ordinal, id) in segment.documentIDs.enumerated() where storedSet.contains(id) && !wantedSet.contains(id) {
          expected += Int(segment.textBytes?[ordinal] ?? 0)
        }
      }
      expected += wantedSizes.reduce(0, +)
      var shown = -1
      // Texts are read in batches (one read transaction each) of at most 64 documents or
      // about 4 MiB of stored size, whichever comes first, and fed to the writer in place.
      // `wanted` ascends (the store lists ids in order; the writer requires it).
      let versionOf = { (id: Int64) -> String? in
        let low = wanted.partitioningIndex { $0 >= id }
        return low < wanted.count && wanted[low] == id ? stored.version(at: wantedIndices[low]) : nil
      }
      try writer.add(versionOf: versionOf, expectedTextBytes: expected) { feed throws(IndexError) in
        var next = 0
        while next < wanted.count {
          var end = next
          var size = 0
          while end < wanted.count && end - next < 64 && (end == next || size < 4 << 20) {
            size += wantedSizes[end]
            end += 1
          }
          do throws(ProjectStoreError) {
            try store.forEachText(ofDocuments: wanted[next..<end]) { id, text, outline in
              feed(id, text, outline)
              bytes += text.count
              analysed += 1
              if let progress, analysed * 100 / wanted.count != shown {
                shown = analysed * 100 / wanted.count
                progress(analysed, wanted.count)
              }
            }
          } catch {
            storeError = error
            throw IndexError.io(path: project.path, reason: "cannot read documents \(wanted[next])–\(wanted[end - 1])")
          }
          next = end
        }
      }
      manifest = try writer.commit()
    } catch {
      if let storeError { throw .project(storeError) }
      throw .index(error)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var indexBytes = 0
    for name in manifest.segments.map(\.file) + ["manifest.json"] {
      let path = directory.appendingPathComponent(name).path
      indexBytes += ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }
    let prefix = String(format: "seg-%06d-", manifest.generation)
    var summary = IndexSummary(
      documents: manifest.segments.reduce(0) { $0 + $1.documentIDs.count },
      tokens: manifest.segments.reduce(0) { $0 + $1.tokenCounts.reduce(0) { $0 + Int($1) } },
      bytes: bytes, seconds: seconds, indexBytes: indexBytes, generation: manifest.generation, jobs: jobs,
      analysedDocuments: analysed)
    summary.segments = manifest.segments.count
    if manifest.generation != previousGeneration {
      summary.segmentsWritten = manifest.segments.filter { $0.file.hasPrefix(prefix) }.count
    }
    // Counted by the writer at commit. A manifest written before that has no counts: a k-way
    // merge of every segment's dictionaries (0.5 s at 1 GB in 60 segments), opened from the
    // manifest in memory without hashing the files again.
    if let keys = manifest.distinctKeys {
      (summary.terms, summary.stems) = (keys.terms, keys.stems)
    } else {
      do {
        (summary.terms, summary.stems) = try IndexSnapshot(committed: manifest, directory: directory).distinctKeyCounts()
      } catch {
        throw .index(error)
      }
    }
    return summary
  }

  /// The version of a stored document the index records: the source file's content hash and
  /// the import settings' hash (a change of either re-imports, and so re-indexes, it).
  public static func version(of state: StoredDocumentState) -> String { state.version }
}

/// An error of `verbatim index`.
public enum IndexJobError: Error, CustomStringConvertible {
  /// The project could not be read.
  case project(ProjectStoreError)
  /// The index could not be written (locked, damaged, disk).
  case index(IndexError)

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .project(error): error.description
    case let .index(error): error.description
    }
  }
}
