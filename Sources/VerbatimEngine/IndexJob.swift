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
  /// Bytes of document text indexed.
  public var bytes: Int
  /// Seconds spent analysing, building and committing (reading the project excluded).
  public var seconds: Double
  /// Size of the committed index files (segments and manifest), in bytes.
  public var indexBytes: Int
  /// The manifest generation written.
  public var generation: Int
  /// Worker threads used.
  public var jobs: Int

  /// Text throughput in MB/s.
  public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / 1e6 / seconds : 0 }
}

/// Builds the positional index of every document of the project in `<project>/index`.
///
/// Each run adds every stored document (same id: replaced), removes documents no longer
/// stored, and commits one canonical segment, so the files do not depend on `jobs`.
public enum IndexJob {
  /// The index folder of a project.
  public static func indexDirectory(of project: URL) -> URL { project.appendingPathComponent("index") }

  /// Indexes the project's documents with `jobs` workers and a memory budget.
  ///
  /// - Throws: ``IndexJobError`` naming the project or the index folder.
  public static func run(project: URL, jobs: Int, memoryBudgetMegabytes: Int) throws(IndexJobError) -> IndexSummary {
    var documents: [(id: Int64, text: String)] = []
    do {
      let store = try ProjectStore(directory: project, creating: false)
      for summary in try store.documentSummaries() {
        if let document = try store.document(id: summary.id) { documents.append((document.id, document.text)) }
      }
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
    do {
      let writer = try IndexWriter(
        directory: directory, jobs: jobs, memoryBudgetBytes: max(1, memoryBudgetMegabytes) << 20)
      defer { writer.close() }
      let stored = Set(documents.map(\.id))
      writer.remove(ids: writer.committed.segments.flatMap(\.documentIDs).filter { !stored.contains($0) })
      try writer.add(documents: documents)
      manifest = try writer.commit()
    } catch {
      throw .index(error)
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var indexBytes = 0
    for name in manifest.segments.map(\.file) + ["manifest.json"] {
      let path = directory.appendingPathComponent(name).path
      indexBytes += ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
    }
    return IndexSummary(
      documents: manifest.segments.reduce(0) { $0 + $1.documentIDs.count },
      tokens: manifest.segments.reduce(0) { $0 + $1.tokenCounts.reduce(0) { $0 + Int($1) } },
      bytes: documents.reduce(0) { $0 + $1.text.utf8.count }, seconds: seconds, indexBytes: indexBytes,
      generation: manifest.generation, jobs: jobs)
  }
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
