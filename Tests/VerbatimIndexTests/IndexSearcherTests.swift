import Foundation
import Testing
import VerbatimAnalysis
import VerbatimCorpus
import VerbatimTestSupport
@testable import VerbatimIndex

/// The index searcher against the brute-force reference: every random query, evaluated on every
/// segment of random documents, must give the same hits as ``QueryMatcher`` run on each
/// segment's own tokens (analysed from the segment's text alone).
@Suite struct IndexSearcherTests {
  static let words = [
    "le", "la", "numérique", "responsable", "responsables", "élu", "élus", "élue", "agents", "agent", "l’école",
    "ordinateur", "ordinateurs", "tablette", "tablettes", "mairie", "prestataire", "ne", "pas", "qu’il", "données",
    "sobriété", "parc", "renouvellement", "c’est", "aujourd’hui", "3,5", "€", "va-t-il", "agent·e·s",
  ]
  static let speakers = ["L1", "L2", "Maire", "Élue"]
  static let types = ["commune", "EPCI", "département"]

  struct Fixture {
    var texts: [Int64: String] = [:]
    var turns: [Int64: [Turn]] = [:]
    var metadata: [Int64: [String: String]] = [:]
    var documents: [Int64: SearchDocument] = [:]
  }

  static func fixture(seed: UInt64, count: Int, wordsPerTurn: Int = 30) throws -> Fixture {
    var random = SplitMix64(seed: seed)
    var fixture = Fixture()
    let segmenter = try Segmenter(rule: SegmentationRule(targetTokens: 8, windowTokens: 12))
    for index in 0..<count {
      let id = Int64(index * 2 + 1)
      var text = ""
      var turns: [Turn] = []
      for _ in 0..<(1 + random.next(below: 4)) {
        let speaker = speakers[random.next(below: speakers.count)]
        text += speaker + " : "
        let start = text.utf8.count
        var parts: [String] = []
        for word in 0..<(1 + random.next(below: wordsPerTurn)) {
          parts.append(words[random.next(below: words.count)])
          if word % 7 == 6 { parts.append(random.next(below: 2) == 0 ? "." : ",") }
        }
        text += parts.joined(separator: " ")
        turns.append(Turn(speaker: speaker, range: start..<text.utf8.count))
        text += ".\n"
      }
      let units = try segmenter.units(of: text, turns: turns)
      let metadata = ["type": types[random.next(below: types.count)]]
      fixture.texts[id] = text
      fixture.turns[id] = turns
      fixture.metadata[id] = metadata
      fixture.documents[id] = SearchDocument(
        id: id,
        units: units.segments.enumerated().map { ordinal, unit in
          SearchUnit(ordinal: ordinal + 1, range: unit.range, speaker: turns[unit.turn].speaker)
        }, metadata: metadata)
    }
    return fixture
  }

  static func randomQuery(depth: Int, stems: [String], using random: inout SplitMix64) -> String {
    func word() -> String {
      let word = words[random.next(below: words.count)]
      switch random.next(below: 4) {
      case 0: return "=" + word
      case 1: return String(word.prefix(1 + random.next(below: 4))) + "*"
      default: return word
      }
    }
    if depth == 0 || random.next(below: 3) == 0 {
      switch random.next(below: 9) {
      case 0, 1, 2: return word()
      case 3, 4: return "\"" + (0..<(2 + random.next(below: 2))).map { _ in word() }.joined(separator: " ") + "\""
      case 5: return "speaker:" + speakers[random.next(below: speakers.count)].lowercased()
      case 6: return "type:" + types[random.next(below: types.count)]
      case 7: return "speaker:" + "l*"
      default: return stems[random.next(below: stems.count)]
      }
    }
    let left = randomQuery(depth: depth - 1, stems: stems, using: &random)
    let right = randomQuery(depth: depth - 1, stems: stems, using: &random)
    switch random.next(below: 5) {
    case 0: return "(\(left)) AND (\(right))"
    case 1: return "(\(left)) OR (\(right))"
    case 2: return "(\(left)) AND NOT (\(right))"
    case 3: return "NOT (\(left))"
    default: return "\(word()) NEAR/\(random.next(below: 6)) \(word())"
    }
  }

  struct Row: Hashable, Comparable {
    var document: Int64
    var unit: Int
    var start: Int
    var end: Int
    var hasWords: Bool
    static func < (a: Row, b: Row) -> Bool {
      (a.document, a.unit, a.start, a.end) < (b.document, b.unit, b.start, b.end)
    }
  }

  /// The reference: each segment analysed alone, matched by `QueryMatcher`.
  static func bruteForce(_ query: Query, _ fixture: Fixture, _ pipeline: AnalysisPipeline) -> [Row] {
    var rows: [Row] = []
    for (id, document) in fixture.documents {
      let bytes = Array(fixture.texts[id]!.utf8)
      for unit in document.units {
        let text = String(decoding: bytes[unit.range], as: UTF8.self)
        let tokens = pipeline.tokens(in: text)
        let analysed = AnalyzedUnit(
          terms: tokens.map(\.term), stems: tokens.map(\.stem),
          ranges: tokens.map { ($0.utf8Range.lowerBound + unit.range.lowerBound)..<($0.utf8Range.upperBound + unit.range.lowerBound) },
          speaker: unit.speaker, metadata: document.metadata)
        guard let hits = QueryMatcher(query).matches(analysed) else { continue }
        if hits.isEmpty {
          rows.append(Row(document: id, unit: unit.ordinal, start: unit.range.lowerBound, end: unit.range.upperBound, hasWords: false))
        }
        for hit in hits {
          rows.append(
            Row(
              document: id, unit: unit.ordinal, start: analysed.ranges[hit.lowerBound].lowerBound,
              end: analysed.ranges[hit.upperBound].upperBound, hasWords: true))
        }
      }
    }
    return rows.sorted()
  }

  @Test func agreesWithBruteForceOnRandomQueries() throws {
    try Self.checkRandomQueries(fixture: try Self.fixture(seed: 42, count: 40), seed: 7, queries: 300)
  }

  /// Documents of several hundred tokens: occurrences spread over several blocks of the range
  /// tables (lone positions and shared blocks), long phrases' words in different blocks.
  @Test func agreesWithBruteForceOnLongDocuments() throws {
    try Self.checkRandomQueries(
      fixture: try Self.fixture(seed: 11, count: 8, wordsPerTurn: 400), seed: 13, queries: 150)
  }

  /// The same over an index of many small segments (the canonical layout cut every 500
  /// bytes of text): hits of several segments come out merged in document order.
  @Test func agreesWithBruteForceOverManySegments() throws {
    try Self.checkRandomQueries(
      fixture: try Self.fixture(seed: 43, count: 40), seed: 8, queries: 200, segmentTextBytes: 500)
  }

  static func checkRandomQueries(
    fixture: Fixture, seed: UInt64, queries: Int, segmentTextBytes: Int? = nil
  ) throws {
    let folder = IndexWriterTests.temporaryFolder("searcher-\(seed)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1 << 16)
    if let segmentTextBytes { writer.segmentTextBytes = segmentTextBytes }
    try writer.add(documents: fixture.texts.map { ($0.key, $0.value) })
    try writer.commit()
    writer.close()
    let snapshot = try IndexSnapshot(directory: folder)
    if segmentTextBytes != nil { #expect(snapshot.segments.count > 5, "\(snapshot.segments.count) segments") }
    let searcher = IndexSearcher(snapshot: snapshot) { fixture.documents[$0] }
    let pipeline = try Analyzer.french.makePipeline()
    let stems = Self.words.map { pipeline.tokens(in: $0).first!.stem }
    var random = SplitMix64(seed: seed)
    var nonEmpty = 0
    for _ in 0..<queries {
      let text = Self.randomQuery(depth: 3, stems: stems, using: &random)
      let query = try QueryParser().parse(text)
      let expected = Self.bruteForce(query, fixture, pipeline)
      let found = try searcher.search(query).map {
        Row(
          document: $0.document, unit: $0.unit.ordinal, start: $0.range.lowerBound, end: $0.range.upperBound,
          hasWords: $0.positions != nil)
      }
      let missing = Set(expected).subtracting(found).sorted().prefix(3)
      let extra = Set(found).subtracting(expected).sorted().prefix(3)
      #expect(
        found.sorted() == expected,
        "query: \(text): \(found.count) hits, \(expected.count) expected; missing \(missing), extra \(extra)")
      // Hits come in document order, then by offset.
      #expect(found == found.sorted { ($0.document, $0.start, $0.end) < ($1.document, $1.start, $1.end) })
      if !expected.isEmpty { nonEmpty += 1 }
    }
    #expect(nonEmpty > queries / 3, "the random queries should mostly match something")
  }

  /// A searcher checks a speaker's name when a hit needs it, not when it reads the outline:
  /// a document whose name is not UTF-8 is reported damaged by a query with a hit in that
  /// speaker's units (whatever the unit kind and the number of workers), and other documents
  /// are searched as before. Reference: the outlines written by hand here.
  @Test func aDamagedNameIsReportedWhenAHitNeedsIt() throws {
    let texts: [Int64: String] = [1: "Maire : numérique et sobriété.", 3: "L1 : tablette numérique."]
    var outlines: [Int64: [UInt8]] = [:]
    for (id, text) in texts {
      let speaker = String(text.prefix { $0 != " " })
      let range = (speaker.utf8.count + 3)..<text.utf8.count
      let unit = DocumentOutline.Unit(turn: 1, range: range)
      var bytes = DocumentOutline(
        turns: [.init(range: range, speaker: speaker)], sentences: [unit], segments: [unit], metadata: [:]
      ).encoded()
      if id == 1 {
        // bytes: part length, name count, the name's length, its first byte.
        #expect(bytes[3] == UInt8(ascii: "M"))
        bytes[3] = 0xFF
      }
      outlines[id] = bytes
    }
    let folder = IndexWriterTests.temporaryFolder("searcher-damaged-name")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    var pending = texts.keys.sorted()
    try writer.add { () throws(IndexError) -> (id: Int64, utf8: [UInt8], outline: [UInt8])? in
      guard !pending.isEmpty else { return nil }
      let id = pending.removeFirst()
      return (id, Array(texts[id]!.utf8), outlines[id]!)
    }
    try writer.commit()
    writer.close()
    let snapshot = try IndexSnapshot(directory: folder)
    for kind in DocumentOutline.UnitKind.allCases {
      for workers in [1, 2] {
        var searcher = IndexSearcher(snapshot: snapshot, units: kind, workers: workers)
        searcher.lead = 0
        let tablette = try searcher.search(QueryParser().parse("tablette"))
        #expect(tablette.map(\.document) == [3] && tablette.map(\.unit.speaker) == ["L1"], "\(kind) \(workers)")
        for query in ["sobriété", "numérique", "speaker:L1 OR sobriété"] {
          #expect(throws: IndexError.self, "\(kind) \(workers) \(query)") {
            try searcher.search(QueryParser().parse(query))
          }
        }
      }
    }
  }

  /// Workers take chunks as they become free and the calling thread hands them over in
  /// order, each chunk's error after the hits before it: with one-document chunks, three
  /// workers give exactly what one thread gives, the hits of every document before the first
  /// damaged one and then its error, although later chunks (one with another damaged
  /// document) may be visited first. Reference: one thread, and the damage written here.
  @Test func aChunkErrorComesAfterTheHitsBeforeIt() throws {
    let ids = Array(Int64(1)...24)
    let damaged: Set<Int64> = [9, 17]
    let folder = IndexWriterTests.temporaryFolder("searcher-chunk-error")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    var pending = ids
    try writer.add { () throws(IndexError) -> (id: Int64, utf8: [UInt8], outline: [UInt8])? in
      guard !pending.isEmpty else { return nil }
      let id = pending.removeFirst()
      let text = "L1 : tablette numérique \(id)."
      let range = 5..<text.utf8.count
      let unit = DocumentOutline.Unit(turn: 1, range: range)
      var bytes = DocumentOutline(
        turns: [.init(range: range, speaker: "L1")], sentences: [unit], segments: [unit], metadata: [:]
      ).encoded()
      // bytes: part length, name count, the name's length, its first byte.
      if damaged.contains(id) { bytes[3] = 0xFF }
      return (id, Array(text.utf8), bytes)
    }
    try writer.commit()
    writer.close()
    let snapshot = try IndexSnapshot(directory: folder)
    let query = try QueryParser().parse("tablette")
    func visit(workers: Int) -> (documents: [Int64], error: IndexError?) {
      var searcher = IndexSearcher(snapshot: snapshot, units: .turn, workers: workers)
      searcher.lead = 0
      searcher.firstChunk = 1
      searcher.lastChunk = 1
      searcher.chunksPerWorker = 2
      var documents: [Int64] = []
      do {
        try searcher.forEachDocument(of: query) { id, hits in
          #expect(hits.count == 1)
          documents.append(id)
          return true
        }
      } catch let error as IndexError {
        return (documents, error)
      } catch {
        Issue.record("unexpected \(error)")
      }
      return (documents, nil)
    }
    let one = visit(workers: 1)
    #expect(one.documents == Array(ids.prefix { $0 < 9 }))
    #expect(one.error == IndexSearcher.damagedOutline(snapshot.segments[0]))
    for workers in [2, 3] {
      for _ in 0..<20 {
        let many = visit(workers: workers)
        #expect(many.documents == one.documents && many.error == one.error, "\(workers) workers")
      }
    }
  }

  /// Postings are decoded on several threads, one segment each at a time; a damaged list
  /// is reported as one thread reports it: the first damaged segment in the snapshot's order,
  /// whatever the number of workers. Two segments' posting sections are overwritten (the
  /// snapshot is opened without hashing, as the writer opens what it committed).
  @Test func damagedPostingsAreReportedInSegmentOrder() throws {
    let fixture = try Self.fixture(seed: 21, count: 30)
    let folder = IndexWriterTests.temporaryFolder("searcher-damaged-postings")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    writer.segmentTextBytes = 500
    try writer.add(documents: fixture.texts.map { ($0.key, $0.value) })
    try writer.commit()
    writer.close()
    let manifest = try IndexManifest.read(directory: folder)
    #expect(manifest.segments.count >= 5, "\(manifest.segments.count) segments")
    let query = try QueryParser().parse("le")
    let intact = try IndexSnapshot(committed: manifest, directory: folder)
    let hits = try IndexSearcher(snapshot: intact, units: .segment, workers: 3).search(query)
    #expect(hits == (try IndexSearcher(snapshot: intact, units: .segment, workers: 1).search(query)))
    for damaged in [2, 4] {
      let url = folder.appendingPathComponent(manifest.segments[damaged].file)
      var bytes = try [UInt8](Data(contentsOf: url))
      // The footer's first entry: the postings section's offset and length.
      let footer = bytes.count - SegmentFormat.footerSize
      let offset = bytes[footer..<(footer + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
      let length = bytes[(footer + 8)..<(footer + 16)].reversed().reduce(0) { $0 << 8 | Int($1) }
      #expect(offset == SegmentFormat.headerSize && length > 0)
      for index in offset..<(offset + length) { bytes[index] = 0xFF }
      try Data(bytes).write(to: url)
    }
    let snapshot = try IndexSnapshot(committed: manifest, directory: folder)
    for workers in [1, 2, 3] {
      #expect(throws: IndexError.corrupt(file: snapshot.segments[2].path, reason: "posting list damaged")) {
        try IndexSearcher(snapshot: snapshot, units: .segment, workers: workers).search(query)
      }
    }
  }

  @Test func limitStopsEarlyAndUnitsAreFoundByOffset() throws {
    let units = [
      SearchUnit(ordinal: 1, range: 0..<10, speaker: nil), SearchUnit(ordinal: 2, range: 12..<20, speaker: "L1"),
    ]
    func unitIndex(containing offset: Int) -> Int? {
      var cursor = 0
      return IndexSearcher.unitIndex(containing: offset, from: &cursor, in: units.map(\.range))
    }
    #expect(unitIndex(containing: 0) == 0)
    #expect(unitIndex(containing: 9) == 0)
    #expect(unitIndex(containing: 10) == nil)
    #expect(unitIndex(containing: 19) == 1)
    #expect(unitIndex(containing: 20) == nil)

    // The galloping unit search against a walk, on random units and offsets.
    var random = SplitMix64(seed: 5)
    for _ in 0..<200 {
      var units: [SearchUnit] = []
      var offset = 0
      for ordinal in 0..<random.next(below: 40) {
        offset += random.next(below: 3)
        let length = 1 + random.next(below: 6)
        units.append(SearchUnit(ordinal: ordinal + 1, range: offset..<(offset + length), speaker: nil))
        offset += length
      }
      let from = random.next(below: units.count + 1)
      let wanted = random.next(below: offset + 3)
      var walk = from
      while walk < units.count && units[walk].range.upperBound <= wanted { walk += 1 }
      #expect(IndexSearcher.unit(after: from, endingPast: wanted, in: units.map(\.range)) == walk)
    }

    // A word's positions by document, looked up with a moving cursor in ascending, then random
    // order, against a linear scan.
    for round in 0..<50 {
      var postings = IndexSearcher.WordPostings()
      var ordinal: UInt32 = 0
      for _ in 0..<random.next(below: 60) {
        ordinal += UInt32(1 + random.next(below: 4))
        postings.documents.append(ordinal)
        for _ in 0..<(1 + random.next(below: 3)) { postings.positions.append(UInt32(random.next(below: 1000))) }
        postings.offsets.append(postings.positions.count)
      }
      var wanted = (0..<40).map { _ in UInt32(random.next(below: Int(ordinal) + 3)) }
      if round % 2 == 0 { wanted.sort() }
      // Any cursor to start with, even one past the list (left from a longer list).
      var cursor = random.next(below: postings.documents.count + 5)
      for document in wanted {
        let expected = postings.documents.firstIndex(of: document).map {
          Array(postings.positions[postings.offsets[$0]..<postings.offsets[$0 + 1]])
        } ?? []
        #expect(Array(postings.positions(ofDocument: document, cursor: &cursor)) == expected)
      }
      // A share: the documents whose ordinals lie in a range, in arrays of their own.
      let low = UInt32(random.next(below: Int(ordinal) + 2))
      let high = low + UInt32(random.next(below: 8))
      let share = postings.share(low...high)
      let kept = postings.documents.indices.filter { (low...high).contains(postings.documents[$0]) }
      #expect(share.documents == kept.map { postings.documents[$0] })
      #expect(share.offsets.count == share.documents.count + 1 && share.offsets.first == 0)
      for (index, original) in kept.enumerated() {
        #expect(
          Array(share.positions[share.offsets[index]..<share.offsets[index + 1]])
            == Array(postings.positions[postings.offsets[original]..<postings.offsets[original + 1]]))
      }
      #expect(share.positions.count == share.offsets.last)
    }

    let fixture = try Self.fixture(seed: 3, count: 10)
    let folder = IndexWriterTests.temporaryFolder("searcher-limit")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    try writer.add(documents: fixture.texts.map { ($0.key, $0.value) })
    try writer.commit()
    writer.close()
    let searcher = IndexSearcher(snapshot: try IndexSnapshot(directory: folder)) { fixture.documents[$0] }
    let all = try searcher.search(.stem("le"))
    #expect(all.count > 3)
    #expect(try searcher.search(.stem("le"), limit: 3) == Array(all.prefix(3)))
  }
}
