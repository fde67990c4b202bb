import Testing
@testable import VerbatimCorpus
import VerbatimTestSupport
@testable import VerbatimEngine

/// The import finds a file's stored documents by binary search over the states sorted by
/// source; the reference is `Dictionary(grouping:by:)`, which it replaced.
@Suite struct StatesBySourceTests {
  /// Seeded states from a few sources (one a prefix of another, accented, several documents
  /// each, ids shuffled): every source, and sources never stored, give exactly the grouping's
  /// states in id order; `all` keeps the order given.
  @Test(arguments: 0..<20) func findsWhatTheGroupingFinds(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    let sources = ["a.txt", "a.txt.csv", "b/é.txt", "b/e.txt", "B.txt", "z.csv", "sondage.csv", ""]
    let count = Int.random(in: 0...60, using: &random)
    let ids = (1...Int64(count + 1)).shuffled(using: &random).prefix(count).sorted()
    let states = ids.map { id in
      let source = sources.randomElement(using: &random)!
      return StoredDocumentState(
        id: id, path: "\(source)#\(id)", source: source, contentHash: "c\(id % 3)", settingsHash: "s", size: Int(id))
    }
    let table = ImportJob.StatesBySource(states)
    let reference = Dictionary(grouping: states, by: { $0.source })
    #expect(table.all == states)
    for source in sources + ["a", "a.txt.", "c.txt", "zz"] {
      #expect(table[source] == (reference[source] ?? []), "source \(source), seed \(seed)")
    }
  }
}
