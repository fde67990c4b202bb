import Dispatch
import Foundation
import VerbatimAnalysis
import VerbatimCoding
import VerbatimCorpus

/// What one automatic coding run did.
public struct AutoCodingSummary: Sendable, Hashable {
  /// Documents read.
  public var documents: Int
  /// Units coded (all of them, coded by some code or not).
  public var units: Int
  /// Rows produced (one per coded unit and code).
  public var codings: Int
  /// Seconds spent (reading the project included).
  public var seconds: Double
  /// Worker threads used.
  public var jobs: Int
}

/// An error of the automatic coder.
public enum AutoCodingError: Error, CustomStringConvertible {
  /// The project could not be read.
  case project(ProjectStoreError)
  /// The analysis chain failed on a document.
  case analysis(document: String, AnalysisError)
  /// The codebook is invalid (``AutoCodingJob/run(project:codebook:file:scope:jobs:)``).
  case codebook(CodebookError)

  /// One line for stderr.
  public var description: String {
    switch self {
    case .project(let error): error.description
    case .analysis(let document, let error): "\(document): \(error)"
    case .codebook(let error): error.description
    }
  }
}

/// Codes every unit of the project's documents with a codebook, on `jobs` threads.
///
/// Stable API for `verbatim code`, `themes`, `agree` and the report:
///
///     let book = try CodebookFiles.read(path: "Codebooks/numerique-responsable.yml")
///     let rows = try AutoCodingJob.run(project: dir, codebook: book, scope: .segment, jobs: 2)
///     let codings = rows.map(\.coding)  // [Coding] by "verbatim", one per unit and code
///
/// Output order is documents by id, units in document order, codes in codebook order (depth
/// first); it does not depend on `jobs`. Each worker thread has its own ``AutoCoder`` and takes
/// the next document; the caller receives the results in document order while the workers go
/// on (at most a bounded number of documents ahead), so there is no barrier between workers.
public enum AutoCodingJob {
  /// Codes the whole project and returns every coded unit.
  ///
  /// - Throws: ``AutoCodingError``.
  public static func run(project: URL, codebook: CompiledCodebook, scope: CodingScope, jobs: Int)
    throws(AutoCodingError) -> [UnitCoding]
  {
    var all: [UnitCoding] = []
    _ = try stream(project: project, codebook: codebook, scope: scope, jobs: jobs) { all.append(contentsOf: $0) }
    return all
  }

  /// Validates and compiles `codebook` (errors name `file`), then codes the whole project.
  ///
  /// - Throws: ``AutoCodingError/codebook(_:)`` before reading anything, or another ``AutoCodingError``.
  public static func run(project: URL, codebook: Codebook, file: String, scope: CodingScope, jobs: Int)
    throws(AutoCodingError) -> [UnitCoding]
  {
    let compiled: CompiledCodebook
    do {
      compiled = try CompiledCodebook(codebook, file: file)
    } catch {
      throw .codebook(error)
    }
    return try run(project: project, codebook: compiled, scope: scope, jobs: jobs)
  }

  /// Codes the whole project, handing the coded units of each document to `body`, in document
  /// order, on the calling thread (memory stays bounded: workers stay at most 32 documents
  /// each ahead of `body`).
  ///
  /// - Throws: ``AutoCodingError``; `body` may have received earlier documents.
  @discardableResult
  public static func stream(
    project: URL, codebook: CompiledCodebook, scope: CodingScope, jobs: Int, analyzer: Analyzer = .french,
    progress: ((Int, Int) -> Void)? = nil, _ body: ([UnitCoding]) -> Void
  ) throws(AutoCodingError) -> AutoCodingSummary {
    let start = DispatchTime.now().uptimeNanoseconds
    let store: ProjectStore
    let ids: [Int64]
    do {
      store = try ProjectStore(directory: project, creating: false)
      ids = try store.documentSummaries().map(\.id)
    } catch {
      throw .project(error)
    }
    let workers = max(1, min(jobs, max(1, ids.count)))
    var coders: [AutoCoder] = []
    do {
      for _ in 0..<workers { coders.append(try AutoCoder(codebook, analyzer: analyzer)) }
    } catch {
      throw .analysis(document: project.path, error)
    }
    let shared = SharedCoders(coders)
    // Workers take documents in id order, at most `lookahead` ahead of the caller, who
    // consumes results strictly in order: no barrier, bounded memory.
    let queue = OrderedResults(count: ids.count, lookahead: max(32, workers * 32))
    let group = DispatchGroup()
    for worker in 0..<workers {
      DispatchQueue.global().async(group: group) {
        let coder = shared.coders[worker]
        while let index = queue.nextIndex() {
          queue.deliver(index, codeDocument(ids[index], coder: coder, store: store, scope: scope))
        }
      }
    }
    var summary = AutoCodingSummary(documents: ids.count, units: 0, codings: 0, seconds: 0, jobs: workers)
    var failure: AutoCodingError?
    for index in ids.indices {
      switch queue.take(index) {
      case .success((let coded, let units)):
        summary.units += units
        summary.codings += coded.count
        body(coded)
      case .failure(let error):
        failure = error
      }
      if failure != nil { break }
      if (index + 1) % 64 == 0 || index + 1 == ids.count { progress?(index + 1, ids.count) }
    }
    queue.stop()
    group.wait()
    if let failure { throw failure }
    summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return summary
  }
}

extension AutoCodingJob {
  /// Reads and codes one document (a worker's unit of work).
  fileprivate static func codeDocument(
    _ id: Int64, coder: AutoCoder, store: ProjectStore, scope: CodingScope
  ) -> OrderedResults.Outcome {
    let document: StoredDocument
    let units: CodingUnits
    do throws(ProjectStoreError) {
      guard let stored = try store.document(id: id) else { return .success(([], 0)) }
      document = stored
      units = try CodingUnits.read(scope, of: document, from: store)
    } catch {
      return .failure(.project(error))
    }
    do throws(AnalysisError) {
      return .success((try coder.code(document, units: units), units.units.count))
    } catch {
      return .failure(.analysis(document: document.path, error))
    }
  }
}

/// Coders handed to workers by index; each is used by one worker only.
private final class SharedCoders: @unchecked Sendable {
  let coders: [AutoCoder]
  init(_ coders: [AutoCoder]) { self.coders = coders }
}

/// Hands out document indices to workers and gives their results back in index order.
///
/// A worker waits while it is `lookahead` documents ahead of the consumer; the consumer waits
/// for the result it needs next. `stop()` releases every waiting worker.
private final class OrderedResults: @unchecked Sendable {
  typealias Outcome = Result<([UnitCoding], Int), AutoCodingError>
  private let condition = NSCondition()
  private let count: Int
  private let lookahead: Int
  private var next = 0
  private var consumed = 0
  private var stopped = false
  private var slots: [Int: Outcome] = [:]

  init(count: Int, lookahead: Int) {
    self.count = count
    self.lookahead = lookahead
  }

  /// The next document index to code, or nil when there is none left (or the run stopped).
  func nextIndex() -> Int? {
    condition.lock()
    defer { condition.unlock() }
    while !stopped && next < count && next - consumed >= lookahead { condition.wait() }
    guard !stopped, next < count else { return nil }
    next += 1
    return next - 1
  }

  func deliver(_ index: Int, _ outcome: Outcome) {
    condition.lock()
    slots[index] = outcome
    condition.broadcast()
    condition.unlock()
  }

  /// The result of document `index`, waiting for it; call with 0, 1, 2, … in order.
  func take(_ index: Int) -> Outcome {
    condition.lock()
    defer { condition.unlock() }
    while slots[index] == nil { condition.wait() }
    consumed = index + 1
    condition.broadcast()
    return slots.removeValue(forKey: index)!
  }

  /// Lets every worker finish: no more indices are handed out.
  func stop() {
    condition.lock()
    stopped = true
    condition.broadcast()
    condition.unlock()
  }
}
