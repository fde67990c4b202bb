import Foundation
import Testing
import VerbatimCoding
import VerbatimCorpus
@testable import VerbatimIndex
import VerbatimTestSupport
@testable import VerbatimEngine

/// A search reads units, speakers and metadata from the index's outlines. Reference: the same
/// searcher fed by the project store's rows (turns, sentences, segments, metadata, read through
/// `CodingUnits` as searches did before outlines), on the shipped corpus, for every unit kind
/// and queries of every form, filters included; each unit with its speaker and its turn's range.
@Suite struct SearchOutlineTests {
  /// Queries drawn (seeded) from the corpus's own words, of every form of the query language.
  static func queries(from texts: [String]) -> [String] {
    var words: [String] = []
    for text in texts {
      for word in text.split(whereSeparator: { !$0.isLetter }) where word.count >= 3 {
        words.append(word.lowercased())
      }
    }
    var random = SplitMix64(seed: 2026)
    func word() -> String { words[random.next(below: words.count)] }
    func adjacent() -> String {
      let start = random.next(below: words.count - 1)
      return "\"\(words[start]) \(words[start + 1])\""
    }
    var queries = [
      "numérique", "élu*", "\"numérique responsable\"", "NOT numérique", "speaker:maire", "speaker:\"élu.e\"",
      "speaker:interlocut*", "authority_type:commune", "authority_type:epci AND numérique", "roles:élu OR sobriété",
      "region:bretagne AND NOT (numérique OR élu*)", "numérique NEAR/5 responsable",
    ]
    for _ in 0..<30 {
      let a = word()
      let b = word()
      queries += [
        a, "=\(a)", "\(a.prefix(3))*", adjacent(), "\(a) NEAR/3 \(b)", "\(a) AND \(b)", "\(a) OR \(b)",
        "\(a) AND NOT \(b)", "(\(a) OR \(b)) AND authority_type:commune", "\(a) AND speaker:interlocut*",
      ]
    }
    return queries
  }

  @Test func outlinesGiveTheHitsTheStoreGives() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = URL(fileURLWithPath: try SearchCommandTests.indexedProject(directory))
    let store = try ProjectStore(directory: project, creating: false)
    let snapshot = try IndexSnapshot(directory: IndexJob.indexDirectory(of: project))
    let texts = try snapshot.documentIDs.compactMap { try store.document(id: $0)?.text }
    let queries = Self.queries(from: texts)
    var total = 0
    for kind in DocumentOutline.UnitKind.allCases {
      let scope: CodingScope =
        switch kind {
        case .turn: .turn
        case .sentence: .sentence
        case .segment: .segment
        }
      let fromStore = IndexSearcher(snapshot: snapshot) { id in
        guard let (stored, coding) = try CodingUnits.read(scope, documentID: id, from: store) else { return nil }
        let turns = stored.turns.map(\.turn)
        return SearchDocument(
          id: id,
          units: coding.units.map {
            let turn = turns.indices.contains($0.turn - 1) ? turns[$0.turn - 1] : nil
            return SearchUnit(ordinal: $0.ordinal, range: $0.range, speaker: turn?.speaker, turn: turn?.range)
          }, metadata: stored.metadata.mapValues(\.description))
      }
      let fromIndex = IndexSearcher(snapshot: snapshot, units: kind)
      for text in queries {
        let query = try QueryParser().parse(text)
        let expected = try fromStore.search(query)
        #expect(try fromIndex.search(query) == expected, "\(kind) \(text)")
        total += expected.count
      }
    }
    #expect(total > 10_000, "the queries should find many hits")
  }

  /// Documents visited on several threads give what one thread gives: the same hits in the
  /// same order, the same first page for every limit, and no call after `body` says stop.
  /// One document on the calling thread, then waves of three chunks of one or two documents
  /// on three workers: the ten documents make three waves whose chunks finish out of order.
  /// Over the project's index (one segment), then over the shipped corpus indexed in segments
  /// of about 5 KB of text (the canonical layout cut small), so that chunks span segments.
  @Test func concurrentVisitsGiveWhatOneThreadGives() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = URL(fileURLWithPath: try SearchCommandTests.indexedProject(directory))
    let store = try ProjectStore(directory: project, creating: false)
    let snapshot = try IndexSnapshot(directory: IndexJob.indexDirectory(of: project))
    #expect(try Self.compareConcurrentVisits(snapshot, store: store) > 100, "many queries should have hits in several chunks")

    let folder = directory.appendingPathComponent("small-segments")
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1 << 20)
    writer.segmentTextBytes = 5_000
    try writer.add { feed throws(IndexError) in
      do {
        try store.forEachText(ofDocuments: snapshot.documentIDs.sorted()) { id, text, outline in feed(id, text, outline) }
      } catch {
        throw IndexError.io(path: project.path, reason: "cannot read documents")
      }
    }
    try writer.commit()
    writer.close()
    let small = try IndexSnapshot(directory: folder)
    #expect(small.segments.count >= 4, "\(small.segments.count) segments")
    #expect(try Self.compareConcurrentVisits(small, store: store) > 100, "many queries should have hits in several chunks")
  }

  /// Compares three workers with small chunks against one thread for every unit kind and
  /// query; returns how many queries had hits in more than two documents.
  static func compareConcurrentVisits(_ snapshot: IndexSnapshot, store: ProjectStore) throws -> Int {
    let texts = try snapshot.documentIDs.compactMap { try store.document(id: $0)?.text }
    var concurrentQueries = 0
    for kind in DocumentOutline.UnitKind.allCases {
      let one = IndexSearcher(snapshot: snapshot, units: kind, workers: 1)
      var many = IndexSearcher(snapshot: snapshot, units: kind, workers: 3)
      many.lead = 1
      many.firstChunk = 1
      many.lastChunk = 2
      many.chunksPerWorker = 1
      for text in queries(from: texts) {
        let query = try QueryParser().parse(text)
        let expected = try one.search(query)
        #expect(try many.search(query) == expected, "\(kind) \(text)")
        for limit in [1, 2, 5] {
          #expect(try many.search(query, limit: limit) == Array(expected.prefix(limit)), "\(kind) \(text) \(limit)")
        }
        let documents = Set(expected.map(\.document))
        if documents.count > 2 { concurrentQueries += 1 }
        var calls = 0
        try many.forEachDocument(of: query) { _, _ in
          calls += 1
          return calls < 2
        }
        #expect(calls == min(2, documents.count), "\(kind) \(text)")
      }
    }
    return concurrentQueries
  }
}
