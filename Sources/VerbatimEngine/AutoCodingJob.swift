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
/// first); it does not depend on `jobs`. Each worker has its own ``AutoCoder``; documents are
/// handed out in windows, and each window's results are delivered in order.
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
  /// order, on the calling thread (memory stays bounded by one window of documents).
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
    let window = max(16, workers * 16)
    var summary = AutoCodingSummary(documents: ids.count, units: 0, codings: 0, seconds: 0, jobs: workers)
    var offset = 0
    while offset < ids.count {
      let batch = Array(ids[offset..<min(ids.count, offset + window)])
      let slots = ResultSlots(count: batch.count)
      let next = Counter()
      DispatchQueue.concurrentPerform(iterations: workers) { worker in
        let coder = shared.coders[worker]
        while let index = next.take(below: batch.count) {
          do {
            guard let document = try store.document(id: batch[index]) else {
              slots.set(index, .success(([], 0)))
              continue
            }
            let units = try CodingUnits.read(scope, of: document, from: store)
            do throws(AnalysisError) {
              let coded = try coder.code(document, units: units)
              slots.set(index, .success((coded, units.units.count)))
            } catch {
              slots.set(index, .failure(.analysis(document: document.path, error)))
            }
          } catch let error as ProjectStoreError {
            slots.set(index, .failure(.project(error)))
          } catch {
            slots.set(
              index, .failure(.project(.database(path: project.path, operation: "read a document", reason: "\(error)")))
            )
          }
        }
      }
      for index in batch.indices {
        switch slots.take(index) {
        case .success((let coded, let units)):
          summary.units += units
          summary.codings += coded.count
          body(coded)
        case .failure(let error):
          throw error
        }
      }
      offset += batch.count
      progress?(offset, ids.count)
    }
    summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return summary
  }
}

/// Coders handed to workers by index; each is used by one worker only.
private final class SharedCoders: @unchecked Sendable {
  let coders: [AutoCoder]
  init(_ coders: [AutoCoder]) { self.coders = coders }
}

/// A lock-protected counter handing out indices.
private final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func take(below limit: Int) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard value < limit else { return nil }
    value += 1
    return value - 1
  }
}

/// One result slot per document of a window; each slot is written by one worker.
private final class ResultSlots: @unchecked Sendable {
  typealias Outcome = Result<([UnitCoding], Int), AutoCodingError>
  private let lock = NSLock()
  private var slots: [Outcome?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ outcome: Outcome) {
    lock.lock()
    slots[index] = outcome
    lock.unlock()
  }

  func take(_ index: Int) -> Outcome {
    lock.lock()
    defer { lock.unlock() }
    let outcome = slots[index]!
    slots[index] = nil
    return outcome
  }
}
