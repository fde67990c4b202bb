import Foundation
import Testing
import VerbatimAnalysis
import VerbatimTestSupport
@testable import VerbatimIndex

@Suite struct IndexWriterTests {
  static let words = [
    "entretien", "entretiens", "entreprise", "entreprises", "élu", "élus", "élue", "l’école", "école", "travail",
    "travailler", "travaux", "qu’il", "aujourd’hui", "cœur", "naïf", "Noël", "3,5", "20 000", "€", "de", "la",
    "ne", "pas", "va-t-il", "étudiant·e·s", "mairie", "quartier", "voisins", "parlait", "parlé", "Paris",
  ]

  /// A fresh, empty temporary folder.
  static func temporaryFolder(_ name: String) -> URL {
    let folder = TestDirectories.make("writer-\(name)", create: false)
    try? FileManager.default.removeItem(at: folder)
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  static func text(_ random: inout SplitMix64) -> String {
    // Mostly short; one in ten spans several 128-position blocks.
    let count = random.next(below: 10) == 0 ? 300 + random.next(below: 300) : random.next(below: 40)
    var parts: [String] = []
    for index in 0..<count {
      parts.append(words[random.next(below: words.count)])
      if index % 9 == 8 { parts.append(random.next(below: 2) == 0 ? "." : ",") }
    }
    return parts.joined(separator: " ")
  }

  static func documents(seed: UInt64, count: Int) -> [(id: Int64, text: String)] {
    var random = SplitMix64(seed: seed)
    var result = (0..<count).map { index in (id: Int64(index * 3 + 1), text: text(&random)) }
    result.shuffle(using: &random)
    return result
  }

  /// Every file of the folder except the lock, by name.
  static func files(_ folder: URL) throws -> [String: Data] {
    var result: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != IndexLock.fileName {
      result[name] = try Data(contentsOf: folder.appendingPathComponent(name))
    }
    return result
  }

  /// stem → documents, by the same analyser.
  static func model(_ texts: [Int64: String]) throws -> [String: Set<Int64>] {
    let pipeline = try Analyzer.french.makePipeline()
    var result: [String: Set<Int64>] = [:]
    for (id, text) in texts {
      for token in pipeline.tokens(in: text) { result[token.stem, default: []].insert(id) }
    }
    return result
  }

  static func allStems(_ snapshot: IndexSnapshot) throws -> Set<String> {
    var result: Set<String> = []
    for reader in snapshot.segments {
      try reader.stems.forEach { key, _ in
        result.insert(String(decoding: key, as: UTF8.self))
        return true
      }
    }
    return result
  }

  static func check(_ folder: URL, against texts: [Int64: String]) throws {
    let snapshot = try IndexSnapshot(directory: folder)
    #expect(snapshot.documentIDs == texts.keys.sorted())
    let model = try model(texts)
    #expect(try allStems(snapshot) == Set(model.keys))
    // stem → document → (position, range), from the analyser directly.
    let pipeline = try Analyzer.french.makePipeline()
    var occurrences: [String: [Int64: [IndexPosting]]] = [:]
    var terms: Set<String> = []
    for (id, text) in texts {
      for token in pipeline.tokens(in: text) {
        terms.insert(token.term)
        var posting = occurrences[token.stem]?[id]?.first ?? IndexPosting(documentID: id, positions: [], ranges: [])
        posting.positions.append(UInt32(token.position))
        posting.ranges.append(token.utf8Range)
        occurrences[token.stem, default: [:]][id] = [posting]
      }
    }
    // The counts the commit recorded, against the analyser's own terms and stems.
    if snapshot.manifest.generation > 0 {
      #expect(snapshot.manifest.distinctKeys == IndexManifest.DistinctKeys(terms: terms.count, stems: model.count))
    }
    for (stem, ids) in model {
      let postings = try snapshot.postings(forStem: stem)
      #expect(Set(postings.map(\.documentID)) == ids, "stem \(stem)")
      #expect(postings.map(\.documentID) == postings.map(\.documentID).sorted())
      for posting in postings {
        #expect(occurrences[stem]?[posting.documentID]?.first == posting, "stem \(stem)")
      }
    }
  }

  // MARK: - Lock

  @Test func secondWriterIsRefusedUntilTheFirstCloses() throws {
    let folder = Self.temporaryFolder("lock")
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    #expect(throws: IndexError.self) { try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20) }
    do {
      _ = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    } catch let error {
      guard case .locked(let path, let holder) = error else {
        Issue.record("expected .locked, got \(error)")
        return
      }
      #expect(path.hasSuffix("write.lock"))
      #expect(holder == "process \(getpid())")
    }
    first.close()
    let second = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    second.close()
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("write.lock").path))
  }

  @Test func lockIsReleasedOnDeinit() throws {
    let folder = Self.temporaryFolder("deinit")
    defer { try? FileManager.default.removeItem(at: folder) }
    do { _ = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20) }
    let again = try IndexLock(directory: folder.path)
    again.release()
  }

  @Test func staleLockOfADeadProcessIsTakenOver() throws {
    let folder = Self.temporaryFolder("stale")
    defer { try? FileManager.default.removeItem(at: folder) }
    // No process has this pid (above any pid_max), as after a crash.
    let lockPath = folder.appendingPathComponent("write.lock")
    try Data("2147483000\n".utf8).write(to: lockPath)
    let lock = try IndexLock(directory: folder.path)
    #expect(try String(contentsOf: lockPath, encoding: .utf8) == "\(getpid())\n")
    lock.release()
  }

  // MARK: - Determinism

  @Test func jobsAndBudgetDoNotChangeTheFiles() throws {
    let documents = Self.documents(seed: 42, count: 60)
    var outputs: [[String: Data]] = []
    for (jobs, budget) in [(1, 1 << 30), (2, 4_000), (3, 1)] {
      let folder = Self.temporaryFolder("determinism-\(jobs)")
      defer { try? FileManager.default.removeItem(at: folder) }
      let writer = try IndexWriter(directory: folder, jobs: jobs, memoryBudgetBytes: budget)
      try writer.add(documents: Array(documents[..<30]))
      try writer.add(documents: Array(documents[30...]))
      try writer.commit()
      writer.close()
      let files = try Self.files(folder)
      #expect(files.keys.sorted() == ["manifest.json", "seg-000001-0000.vbseg"])
      outputs.append(files)
      try Self.check(folder, against: Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0.text) }))
    }
    #expect(outputs[0] == outputs[1])
    #expect(outputs[0] == outputs[2])
  }

  @Test func mergedSegmentEqualsOneBuilderInIDOrder() throws {
    let documents = Self.documents(seed: 7, count: 25).sorted { $0.id < $1.id }
    let folder = Self.temporaryFolder("single-builder")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1)
    try writer.add(documents: documents)
    try writer.commit()
    writer.close()
    let pipeline = try Analyzer.french.makePipeline()
    var builder = SegmentBuilder()
    for document in documents {
      let tokens = pipeline.tokens(in: document.text).map {
        SegmentToken(
          term: $0.term, stem: $0.stem, position: UInt32($0.position), start: UInt32($0.utf8Range.lowerBound),
          end: UInt32($0.utf8Range.upperBound))
      }
      builder.add(documentID: document.id, tokens: tokens)
    }
    let written = try Data(contentsOf: folder.appendingPathComponent("seg-000001-0000.vbseg"))
    #expect(Array(written) == builder.serialized())
  }

  /// Segments with interleaved ids, position gaps and removals: the list-by-list merge gives
  /// the reference route's bytes, and those of one builder fed the kept documents by id.
  @Test(arguments: [5 as UInt64, 6, 7])
  func listMergeEqualsRebuild(seed: UInt64) throws {
    var random = SplitMix64(seed: seed)
    var documents = SegmentFileTests.documents(seed: seed, count: 40)
    var ids = (0..<Int64(documents.count)).map { $0 * 7 + 2 }
    ids.shuffle(using: &random)
    for index in documents.indices { documents[index].id = ids[index] }
    let folder = Self.temporaryFolder("merge-\(seed)")
    defer { try? FileManager.default.removeItem(at: folder) }
    var inputs: [SegmentMerger.Input] = []
    var kept: [(id: Int64, tokens: [SegmentToken])] = []
    var start = 0
    for part in 0..<3 {
      let end = part == 2 ? documents.count : start + random.next(below: documents.count - start)
      let slice = Array(documents[start..<end])
      start = end
      var builder = SegmentBuilder()
      for document in slice { builder.add(documentID: document.id, tokens: document.tokens) }
      let path = folder.appendingPathComponent("part-\(part).vbseg").path
      try builder.write(to: path)
      let ordinals = slice.indices.filter { _ in random.next(below: 4) != 0 }
      kept += ordinals.map { slice[$0] }
      inputs.append(SegmentMerger.Input(reader: try SegmentReader(path: path), ordinals: ordinals))
    }
    let merged = try SegmentMerger.merge(inputs)
    #expect(merged.bytes == (try SegmentMerger.rebuild(inputs)).serialized())
    var single = SegmentBuilder()
    for document in kept.sorted(by: { $0.id < $1.id }) { single.add(documentID: document.id, tokens: document.tokens) }
    #expect(merged.bytes == single.serialized())
    #expect(merged.documents.map(\.documentID) == kept.map(\.id).sorted())
  }

  /// A merge renumbers selectors over the merged terms: a stem whose terms come from two
  /// inputs gets one selector order (by the merged frequencies), and a stem left with one
  /// term once documents are dropped loses its selectors. Same bytes as one builder.
  @Test func mergeRenumbersSelectors() throws {
    func document(_ id: Int64, _ words: [String]) -> (id: Int64, tokens: [SegmentToken]) {
      var offset: UInt32 = 0
      return (
        id,
        words.enumerated().map { position, word in
          defer { offset += UInt32(word.utf8.count) + 1 }
          let stem = word.hasPrefix("trava") ? "travail" : word
          return SegmentToken(
            term: word, stem: stem, position: UInt32(position), start: offset, end: offset + UInt32(word.utf8.count))
        }
      )
    }
    let first = [document(1, ["travaux", "travail", "parle"]), document(3, ["travail", "travail"])]
    let second = [document(2, ["travaille", "travaille", "travaille", "parle"]), document(4, ["travaux"])]
    let folder = Self.temporaryFolder("selectors-merge")
    defer { try? FileManager.default.removeItem(at: folder) }
    var readers: [SegmentReader] = []
    for (index, part) in [first, second].enumerated() {
      var builder = SegmentBuilder()
      for entry in part { builder.add(documentID: entry.id, tokens: entry.tokens) }
      let path = folder.appendingPathComponent("part-\(index).vbseg").path
      try builder.write(to: path)
      readers.append(try SegmentReader(path: path))
    }
    for (keepFirst, keepSecond) in [([0, 1], [0, 1]), ([1], [1]), ([1], []), ([0], [0])] {
      let inputs = [
        SegmentMerger.Input(reader: readers[0], ordinals: keepFirst),
        SegmentMerger.Input(reader: readers[1], ordinals: keepSecond),
      ]
      let kept = (keepFirst.map { first[$0] } + keepSecond.map { second[$0] }).sorted { $0.id < $1.id }
      var single = SegmentBuilder()
      for entry in kept { single.add(documentID: entry.id, tokens: entry.tokens) }
      let merged = try SegmentMerger.merge(inputs)
      #expect(merged.bytes == single.serialized(), "kept \(keepFirst) \(keepSecond)")
    }
  }

  // MARK: - Property test against a model

  /// Seeds 5–8 cut the index into segments of about 300 bytes of text, so that commits keep,
  /// link and merge runs; after every commit the files are those of one builder per run, and
  /// the manifest records the versions given with the documents it holds (a document added
  /// without one has none; a removed one none; one left alone keeps its own).
  @Test(arguments: [1 as UInt64, 2, 3, 4, 5, 6, 7, 8])
  func randomOperationsMatchTheModel(seed: UInt64) throws {
    var random = SplitMix64(seed: seed)
    let folder = Self.temporaryFolder("property-\(seed)")
    defer { try? FileManager.default.removeItem(at: folder) }
    var committed: [Int64: String] = [:]
    var current: [Int64: String] = [:]
    var committedVersions: [String: String] = [:]
    var currentVersions: [String: String] = [:]
    let jobs = 1 + random.next(below: 3)
    let limit = seed > 4 ? 300 : IndexWriter.runBytes(forTotal: 0)
    var writer = try IndexWriter(directory: folder, jobs: jobs, memoryBudgetBytes: 1 + random.next(below: 20_000))
    if seed > 4 { writer.segmentTextBytes = limit }
    func checkLayout() throws {
      #expect(
        try CanonicalLayoutTests.committedFiles(folder)
          == CanonicalLayoutTests.reference(committed.map { ($0.key, $0.value) }, limit: limit))
    }
    for _ in 0..<14 {
      switch random.next(below: 6) {
      case 0, 1:
        // Add (new ids and replacements), sometimes repeating an id in one call.
        let count = 1 + random.next(below: 8)
        var batch: [(id: Int64, text: String)] = []
        var versions: [Int64: String] = [:]
        for _ in 0..<count {
          let id = Int64(random.next(below: 30))
          let text = Self.text(&random)
          batch.append((id, text))
          current[id] = text
          // Most documents come with a version (of any length, accented), some without.
          versions[id] = random.next(below: 4) == 0 ? nil : "v\(random.next(below: 1000))-é" + String(repeating: "x", count: random.next(below: 5))
        }
        for id in Set(batch.map(\.id)) { currentVersions[String(id)] = versions[id] }
        try writer.add(documents: batch, versions: versions)
      case 2:
        let ids = (0..<(1 + random.next(below: 4))).map { _ in Int64(random.next(below: 35)) }
        writer.remove(ids: ids)
        for id in ids {
          current[id] = nil
          currentVersions[String(id)] = nil
        }
      case 3:
        // Uncommitted changes are invisible.
        try Self.check(folder, against: committed)
      case 4:
        // Reopen: pending changes of a closed writer are dropped.
        writer.close()
        current = committed
        currentVersions = committedVersions
        writer = try IndexWriter(directory: folder, jobs: jobs, memoryBudgetBytes: 1 + random.next(below: 20_000))
        if seed > 4 { writer.segmentTextBytes = limit }
      default:
        try writer.commit()
        committed = current
        committedVersions = currentVersions
        try Self.check(folder, against: committed)
        try checkLayout()
        #expect(try IndexManifest.read(directory: folder).documentVersions == committedVersions)
      }
    }
    try writer.commit()
    committed = current
    committedVersions = currentVersions
    try Self.check(folder, against: committed)
    try checkLayout()
    #expect(try IndexManifest.read(directory: folder).documentVersions == committedVersions)
    #expect(writer.committed.documentVersions == committedVersions)
    writer.close()
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
    let manifest = try IndexManifest.read(directory: folder)
    #expect(Set(names) == Set([IndexManifest.fileName] + manifest.segments.map(\.file)) || committed.isEmpty, "\(names.sorted()) vs \(manifest.segments.map(\.file))")
  }

  @Test func termPostingsAreExact() throws {
    let folder = Self.temporaryFolder("terms")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1)
    try writer.add(documents: [(5, "Les élus parlaient aux élues."), (2, "L’élu parle."), (9, "rien")])
    try writer.commit()
    writer.remove(ids: [9])
    try writer.add(documents: [(2, "Un élu, deux élus.")])
    try writer.commit()
    writer.close()
    let snapshot = try IndexSnapshot(directory: folder)
    #expect(snapshot.documentIDs == [2, 5])
    #expect(try snapshot.postings(forTerm: "élus").map(\.documentID) == [2, 5])
    let second = try snapshot.postings(forTerm: "élu")
    #expect(second.map(\.documentID) == [2])
    let text = Array("Un élu, deux élus.".utf8)
    #expect(second.first?.ranges.map { String(decoding: text[$0], as: UTF8.self) } == ["élu"])
    #expect(try snapshot.postings(forTerm: "rien").isEmpty)
    #expect(snapshot.manifest.generation == 2)

    // Rolled back changes leave no file and no trace.
    let again = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1)
    try again.add(documents: [(2, "autre"), (7, "sept")])
    again.remove(ids: [5])
    #expect(try Self.files(folder).count > 2)
    again.rollback()
    #expect(!again.hasPendingChanges)
    #expect(try again.commit() == snapshot.manifest)
    again.close()
    #expect(try Self.files(folder).keys.sorted() == ["manifest.json", "seg-000002-0000.vbseg"])
  }

  // MARK: - Crash safety

  @Test func interruptedCommitLeavesThePreviousIndex() throws {
    let folder = Self.temporaryFolder("crash")
    defer { try? FileManager.default.removeItem(at: folder) }
    let documents = Self.documents(seed: 11, count: 20)
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 2_000)
    try writer.add(documents: documents)
    try writer.commit()
    // A second round that "crashes" after flushing: pending segments exist, no commit.
    try writer.add(documents: [(id: 1, text: "tout autre chose"), (id: 1000, text: "nouveau document")])
    writer.close()
    let before = try Self.files(folder)
    let expected = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0.text) })
    // A half-written next generation: a truncated segment and an unrenamed manifest naming it.
    let segment = try Data(contentsOf: folder.appendingPathComponent("seg-000001-0000.vbseg"))
    try segment.prefix(segment.count / 2).write(to: folder.appendingPathComponent("seg-000002-0000.vbseg"))
    try segment.prefix(10).write(to: folder.appendingPathComponent("seg-000003-0000.vbseg.tmp"))
    let next = IndexManifest(
      generation: 2, segments: [IndexManifest.Segment(file: "seg-000002-0000.vbseg", documentIDs: [1], tokenCounts: [3])])
    try Data(try next.encoded()).write(to: folder.appendingPathComponent("manifest.json.tmp"))
    try Self.check(folder, against: expected)
    #expect(try IndexManifest.read(directory: folder).generation == 1)
    #expect(before.keys.contains { $0.hasPrefix("pending-") })

    // A new writer sees the committed state; its commit removes the garbage.
    let reopened = try IndexWriter(directory: folder, jobs: 3, memoryBudgetBytes: 1)
    #expect(reopened.committed.generation == 1)
    try reopened.add(documents: [(id: 2000, text: "après la panne")])
    try reopened.commit()
    reopened.close()
    var after = expected
    after[2000] = "après la panne"
    try Self.check(folder, against: after)
    #expect(try Self.files(folder).keys.sorted() == ["manifest.json", "seg-000002-0000.vbseg"])
  }

  @Test(arguments: IndexWriter.CommitStep.allCases)
  func crashAtEveryCommitStepLeavesACommittedIndex(step: IndexWriter.CommitStep) throws {
    let folder = Self.temporaryFolder("crash-step")
    defer { try? FileManager.default.removeItem(at: folder) }
    let documents = Self.documents(seed: 99, count: 16)
    var first = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0.text) })
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 500)
    try writer.add(documents: documents)
    try writer.commit()
    let replaced = documents[0].id
    let removed = documents[1].id
    try writer.add(documents: [(id: replaced, text: "remplacé par autre chose"), (id: 500, text: "nouveau")])
    writer.remove(ids: [removed])
    writer.simulatedCrash = step
    #expect(throws: IndexError.self) { try writer.commit() }
    writer.close()
    var second = first
    second[replaced] = "remplacé par autre chose"
    second[500] = "nouveau"
    second[removed] = nil
    // Before the manifest's rename: the first commit; after it: the second, whatever is left around.
    let expected = step == .afterMerge || step == .afterSegmentWrite ? first : second
    try Self.check(folder, against: expected)

    // The next writer starts from there and cleans up.
    let next = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    try next.add(documents: [(id: 900, text: "encore")])
    try next.commit()
    next.close()
    first = expected
    first[900] = "encore"
    try Self.check(folder, against: first)
    let manifest = try IndexManifest.read(directory: folder)
    #expect(Set(try Self.files(folder).keys) == Set([IndexManifest.fileName] + manifest.segments.map(\.file)))
  }

  @Test func damagedManifestIsReported() throws {
    let folder = Self.temporaryFolder("bad-manifest")
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data("{\"nope\":1}".utf8).write(to: folder.appendingPathComponent("manifest.json"))
    #expect(throws: IndexError.self) { try IndexSnapshot(directory: folder) }
    let empty = Self.temporaryFolder("empty")
    defer { try? FileManager.default.removeItem(at: empty) }
    #expect(try IndexSnapshot(directory: empty).documentIDs.isEmpty)
  }

  /// Streaming one run whose worker flushes often (a small budget) commits the same bytes as
  /// one builder fed the documents in id order.
  @Test func streamedBatchesOverWorkersEqualOneBuilder() throws {
    let documents = Self.documents(seed: 11, count: 60).sorted { $0.id < $1.id }
    let folder = Self.temporaryFolder("streamed")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 3, memoryBudgetBytes: 3 * 4000)
    var next = 0
    try writer.add(versions: [documents[0].id: "v1"]) { () throws(IndexError) -> (id: Int64, text: String)? in
      guard next < documents.count else { return nil }
      defer { next += 1 }
      return documents[next]
    }
    let pendingFiles = try Self.files(folder).keys.filter { $0.hasPrefix("pending-") }
    #expect(pendingFiles.count > 3, "several flushes of the run")
    let manifest = try writer.commit()
    writer.close()
    #expect(manifest.documentVersions == [String(documents[0].id): "v1"])
    var builder = SegmentBuilder()
    let pipeline = try Analyzer.french.makePipeline()
    for document in documents {
      let tokens = pipeline.tokens(in: document.text).map {
        SegmentToken(
          term: $0.term, stem: $0.stem, position: UInt32($0.position), start: UInt32($0.utf8Range.lowerBound),
          end: UInt32($0.utf8Range.upperBound))
      }
      builder.add(documentID: document.id, tokens: tokens)
    }
    let written = try Data(contentsOf: folder.appendingPathComponent("seg-000001-0000.vbseg"))
    #expect(Array(written) == builder.serialized())
    #expect(try Self.files(folder).keys.sorted() == ["manifest.json", "seg-000001-0000.vbseg"])
  }

  /// A source that fails part-way (after batches went to the workers and segments were
  /// flushed) keeps nothing of the call: its error is thrown, no pending file is left, and
  /// the next commit sees only what was there before.
  @Test func failingSourceKeepsNothing() throws {
    let documents = Self.documents(seed: 12, count: 50).sorted { $0.id < $1.id }
    let folder = Self.temporaryFolder("failing-source")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 2 * 3000)
    writer.segmentTextBytes = 100
    try writer.add(documents: [(id: 1000, text: "avant la panne")])
    var next = 0
    #expect(throws: IndexError.self) {
      try writer.add { () throws(IndexError) -> (id: Int64, text: String)? in
        guard next < 40 else { throw IndexError.io(path: "source", reason: "read failed") }
        defer { next += 1 }
        return documents[next]
      }
    }
    #expect(next == 40)
    let pendingFiles = try Self.files(folder).keys.filter { $0.hasPrefix("pending-") }
    #expect(pendingFiles.count == 1, "only the first call's segment: \(pendingFiles)")
    let manifest = try writer.commit()
    writer.close()
    #expect(manifest.segments.flatMap(\.documentIDs) == [1000])
  }

  /// An index of an older segment format: a reader refuses it and says to rebuild; a writer
  /// opens it, refuses a commit that would keep one of its segments, and commits once every
  /// document was added again (what `verbatim index` does).
  @Test func olderSegmentFormatIsRebuiltNotRead() throws {
    let documents = Self.documents(seed: 14, count: 12).sorted { $0.id < $1.id }
    let folder = Self.temporaryFolder("older-format")
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = try IndexWriter(directory: folder, jobs: 1, memoryBudgetBytes: 1 << 20)
    try first.add(documents: documents)
    try first.commit()
    first.close()
    let manifestURL = folder.appendingPathComponent(IndexManifest.fileName)
    var json = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
    json["segmentFormatVersion"] = Int(SegmentFormat.version) - 1
    try JSONSerialization.data(withJSONObject: json).write(to: manifestURL)
    #expect {
      _ = try IndexSnapshot(directory: folder)
    } throws: { error in
      guard let indexError = error as? IndexError, case let .corrupt(_, reason) = indexError else { return false }
      // Said once: the description adds how to rebuild it.
      return reason.contains("older than this build's")
        && indexError.description.hasSuffix("; rebuild it with `verbatim index`")
        && !indexError.description.contains("run `verbatim index`")
    }
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1 << 20)
    try writer.add(documents: [documents[0]])
    #expect {
      try writer.commit()
    } throws: { error in
      guard case let .corrupt(_, reason) = error as? IndexError else { return false }
      return reason.contains("cannot be kept")
    }
    try writer.add(documents: Array(documents.dropFirst()))
    let manifest = try writer.commit()
    writer.close()
    #expect(manifest.segmentFormatVersion == Int(SegmentFormat.version))
    let snapshot = try IndexSnapshot(directory: folder)
    #expect(snapshot.documentIDs.sorted() == documents.map(\.id))
  }

  /// Texts given as bytes are checked as they are analysed: a document that is not UTF-8
  /// fails the call with its id and the offset (not its text), and nothing of the call is
  /// kept; well-formed bytes give the files the `String` route gives.
  @Test func bytesRouteChecksUTF8AndEqualsTheStringRoute() throws {
    let documents = Self.documents(seed: 13, count: 30).sorted { $0.id < $1.id }
    let folder = Self.temporaryFolder("bytes-route")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1 << 20)
    var next = 0
    do {
      try writer.add { () throws(IndexError) -> (id: Int64, utf8: [UInt8])? in
        defer { next += 1 }
        guard next < 3 else { return nil }
        return next == 1 ? (id: 7, utf8: Array("secret é".utf8) + [0xC3]) : (id: Int64(next) + 6, utf8: Array("oui".utf8))
      }
      Issue.record("ill-formed UTF-8 was indexed")
    } catch {
      guard case let .io(path, reason) = error else { throw error }
      #expect(path == "document 7" && reason.contains("byte offset 9") && reason.contains("import its source again"), "\(path): \(reason)")
      #expect(!reason.contains("secret"), "the text is not echoed")
    }
    #expect(!writer.hasPendingChanges)
    next = 0
    try writer.add { () throws(IndexError) -> (id: Int64, utf8: [UInt8])? in
      defer { next += 1 }
      return next < documents.count ? (documents[next].id, Array(documents[next].text.utf8)) : nil
    }
    try writer.commit()
    writer.close()
    let other = Self.temporaryFolder("string-route")
    defer { try? FileManager.default.removeItem(at: other) }
    let reference = try IndexWriter(directory: other, jobs: 1, memoryBudgetBytes: 1 << 20)
    try reference.add(documents: documents)
    try reference.commit()
    reference.close()
    #expect(try Self.files(folder) == Self.files(other))
  }
}
