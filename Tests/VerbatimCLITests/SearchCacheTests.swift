import Foundation
import Testing
import VerbatimIndex
@testable import VerbatimEngine

/// The search's document cache is bounded: a query visits each document once, so a small
/// budget changes no answer, only what is kept for the next query.
@Suite struct SearchCacheTests {
  /// Every hit of a frequent word (most documents of the shipped corpus), with a budget of one
  /// small document and with no bound: identical hits, and the bounded cache never holds more
  /// than its budget while the unbounded one keeps every visited document.
  @Test func aSmallBudgetChangesNoAnswer() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = URL(fileURLWithPath: try SearchCommandTests.indexedProject(directory))
    let query = try ProjectSearch.query("numérique OR les")
    func hits(_ search: ProjectSearch) throws -> [String] {
      var rows: [String] = []
      try search.forEachHit(of: query) { hit, text in
        rows.append("\(hit.document) \(hit.unit.ordinal) \(hit.range) \(text.bytes.count)")
        return true
      }
      return rows
    }
    let budget = 6_000  // the shipped documents hold 1.5–4 KB of text each
    let bounded = try ProjectSearch(project: project, cacheBudget: budget)
    let unbounded = try ProjectSearch(project: project, cacheBudget: .max)
    let expected = try hits(unbounded)
    #expect(expected.count > 100)
    let visited = Set(expected.map { $0.split(separator: " ")[0] }).count
    #expect(visited >= 5)
    #expect(unbounded.cachedDocumentCount == visited)
    #expect(try hits(bounded) == expected)
    #expect(bounded.cachedBytes <= budget)
    #expect(bounded.cachedDocumentCount < visited)
    #expect(try hits(bounded) == expected, "a second pass, through evictions")
    #expect(bounded.cachedBytes <= budget)
  }
}
