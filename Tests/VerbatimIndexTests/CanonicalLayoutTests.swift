import Foundation
import Testing
import VerbatimAnalysis
import VerbatimTestSupport
@testable import VerbatimIndex

/// The canonical layout of a committed index: the documents in id order cut into runs of
/// about `segmentTextBytes` of text, one segment per run, each the bytes of one builder fed
/// that run. Checked against an independent restatement of the rule and fresh builders.
@Suite struct CanonicalLayoutTests {
  /// The rule, restated: a run closes with the document that brings it to `limit` bytes.
  static func expectedRuns(_ sizes: [Int], limit: Int) -> [[Int]] {
    var runs: [[Int]] = []
    var current: [Int] = []
    var total = 0
    for (index, size) in sizes.enumerated() {
      current.append(index)
      total += size
      if total >= limit {
        runs.append(current)
        current = []
        total = 0
      }
    }
    if !current.isEmpty { runs.append(current) }
    return runs
  }

  @Test func runsCloseWithTheDocumentReachingTheLimit() {
    #expect(IndexWriter.canonicalRuns([3, 4, 2, 10, 1], limit: 6) == [0..<2, 2..<4, 4..<5])
    #expect(IndexWriter.canonicalRuns([6, 6], limit: 6) == [0..<1, 1..<2])
    #expect(IndexWriter.canonicalRuns([1, 1, 1], limit: 100) == [0..<3])
    #expect(IndexWriter.canonicalRuns([], limit: 6).isEmpty)
  }

  /// 8 MiB, 16 MiB past 64 runs (hand-computed).
  @Test func runSizeGrowsWithTheIndex() {
    #expect(IndexWriter.runBytes(forTotal: 0) == 8 << 20)
    #expect(IndexWriter.runBytes(forTotal: 82_983_772) == 8 << 20)  // the bench pool: 10 runs
    #expect(IndexWriter.runBytes(forTotal: 64 * (8 << 20)) == 8 << 20)
    #expect(IndexWriter.runBytes(forTotal: 64 * (8 << 20) + 1) == 16 << 20)
    #expect(IndexWriter.runBytes(forTotal: 1_000_006_910) == 16 << 20)  // 1 GB: 60 runs
  }

  /// The segment files one builder per run would write, in run order.
  static func reference(_ documents: [(id: Int64, text: String)], limit: Int) throws -> [[UInt8]] {
    let sorted = documents.sorted { $0.id < $1.id }
    let pipeline = try Analyzer.french.makePipeline()
    return expectedRuns(sorted.map(\.text.utf8.count), limit: limit).map { run in
      var builder = SegmentBuilder()
      for index in run {
        let tokens = pipeline.tokens(in: sorted[index].text).map {
          SegmentToken(
            term: $0.term, stem: $0.stem, position: UInt32($0.position), start: UInt32($0.utf8Range.lowerBound),
            end: UInt32($0.utf8Range.upperBound))
        }
        builder.add(documentID: sorted[index].id, tokens: tokens)
      }
      return builder.serialized()
    }
  }

  /// The committed segment files' bytes, in manifest order.
  static func committedFiles(_ folder: URL) throws -> [[UInt8]] {
    try IndexManifest.read(directory: folder).segments.map {
      Array(try Data(contentsOf: folder.appendingPathComponent($0.file)))
    }
  }

  static func build(
    _ folder: URL, _ parts: [[(id: Int64, text: String)]], jobs: Int, budget: Int, limit: Int
  ) throws -> IndexManifest {
    let writer = try IndexWriter(directory: folder, jobs: jobs, memoryBudgetBytes: budget)
    writer.segmentTextBytes = limit
    for part in parts { try writer.add(documents: part) }
    let manifest = try writer.commit()
    writer.close()
    return manifest
  }

  /// Jobs, budgets and how the documents were added (two calls with interleaved ids) do not
  /// change the files; each is one builder over its run; search sees every document.
  @Test func manySegmentsAreOneBuilderPerRunWhateverTheJobs() throws {
    let documents = IndexWriterTests.documents(seed: 42, count: 80)
    let expected = try Self.reference(documents, limit: 400)
    #expect(expected.count > 5)
    var names: [[String]] = []
    for (jobs, budget) in [(1, 1 << 30), (2, 4_000), (3, 1)] {
      let folder = IndexWriterTests.temporaryFolder("canonical-\(jobs)")
      defer { try? FileManager.default.removeItem(at: folder) }
      let manifest = try Self.build(
        folder, [Array(documents[..<40]), Array(documents[40...])], jobs: jobs, budget: budget, limit: 400)
      #expect(try Self.committedFiles(folder) == expected, "jobs \(jobs), budget \(budget)")
      let sizes = Dictionary(uniqueKeysWithValues: documents.map { ($0.id, UInt32($0.text.utf8.count)) })
      for segment in manifest.segments {
        #expect(segment.textBytes == segment.documentIDs.map { sizes[$0]! })
      }
      names.append(manifest.segments.map(\.file))
      #expect(try IndexWriterTests.files(folder).count == manifest.segments.count + 1, "no leftover pending file")
      try IndexWriterTests.check(folder, against: Dictionary(uniqueKeysWithValues: documents.map { ($0.id, $0.text) }))
    }
    #expect(names[0] == names[1] && names[1] == names[2])
  }

  /// Appending documents (higher ids) keeps every earlier full run's file as it is and
  /// rewrites only the tail; replacing one document in the middle keeps the runs before it.
  /// Either way the files equal a fresh build of the documents now indexed.
  @Test func laterCommitsRewriteOnlyFromTheFirstChangedRun() throws {
    var random = SplitMix64(seed: 9)
    let all = (0..<90).map { index in (id: Int64(index + 1), text: IndexWriterTests.text(&random)) }
    let limit = 500
    let folder = IndexWriterTests.temporaryFolder("canonical-append")
    defer { try? FileManager.default.removeItem(at: folder) }
    let first = try Self.build(folder, [Array(all[..<60])], jobs: 2, budget: 1 << 20, limit: limit)
    #expect(try Self.committedFiles(folder) == Self.reference(Array(all[..<60]), limit: limit))
    #expect(first.segments.count > 3)

    let appended = try Self.build(folder, [Array(all[60...])], jobs: 2, budget: 1 << 20, limit: limit)
    #expect(try Self.committedFiles(folder) == Self.reference(all, limit: limit))
    let kept = first.segments.dropLast().map(\.file)
    #expect(Array(appended.segments.prefix(kept.count).map(\.file)) == kept, "earlier full runs kept")
    #expect(appended.segments.last?.file.hasPrefix("seg-000002-") == true)

    // Document 30 gets a longer text: runs before its run stay, the rest is rewritten.
    var changed = all
    changed[29].text += " et un entretien de plus avec les élus du quartier"
    let replaced = try Self.build(folder, [[changed[29]]], jobs: 1, budget: 1 << 20, limit: limit)
    #expect(try Self.committedFiles(folder) == Self.reference(changed, limit: limit))
    let runOfChange = replaced.segments.firstIndex { $0.documentIDs.contains(30) }!
    #expect(runOfChange > 0)
    #expect(Array(replaced.segments.prefix(runOfChange).map(\.file)) == Array(appended.segments.prefix(runOfChange).map(\.file)))
    #expect(replaced.segments[runOfChange].file.hasPrefix("seg-000003-"))
    try IndexWriterTests.check(folder, against: Dictionary(uniqueKeysWithValues: changed.map { ($0.id, $0.text) }))
  }

  /// A commit that fails after linking and merging (before the manifest) keeps the changes
  /// pending; retried on the same writer it writes the canonical files, nothing left over.
  @Test(arguments: [IndexWriter.CommitStep.afterMerge, .afterSegmentWrite])
  func failedCommitCanBeRetried(step: IndexWriter.CommitStep) throws {
    let documents = IndexWriterTests.documents(seed: 21, count: 40)
    let folder = IndexWriterTests.temporaryFolder("canonical-retry-\(step)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let writer = try IndexWriter(directory: folder, jobs: 2, memoryBudgetBytes: 1 << 20)
    writer.segmentTextBytes = 400
    try writer.add(documents: Array(documents[..<20]))
    try writer.commit()
    // Whole pending runs (linked) and a run mixing committed and pending documents (merged).
    try writer.add(documents: Array(documents[20...]))
    writer.simulatedCrash = step
    #expect(throws: IndexError.self) { try writer.commit() }
    #expect(try IndexManifest.read(directory: folder).generation == 1)
    writer.simulatedCrash = nil
    let manifest = try writer.commit()
    writer.close()
    #expect(manifest.generation == 2)
    #expect(try Self.committedFiles(folder) == Self.reference(documents, limit: 400))
    #expect(try IndexWriterTests.files(folder).count == manifest.segments.count + 1)
  }

  /// A manifest written before segments recorded text sizes still commits (sizes estimated
  /// from token counts), and the result holds every document.
  @Test func manifestWithoutTextSizesStillCommits() throws {
    let documents = IndexWriterTests.documents(seed: 5, count: 30)
    let folder = IndexWriterTests.temporaryFolder("canonical-old")
    defer { try? FileManager.default.removeItem(at: folder) }
    var manifest = try Self.build(folder, [documents], jobs: 1, budget: 1 << 20, limit: 1 << 20)
    for index in manifest.segments.indices { manifest.segments[index].textBytes = nil }
    try manifest.write(directory: folder)
    let extra = [(id: Int64(1000), text: "un entretien de plus")]
    _ = try Self.build(folder, [extra], jobs: 2, budget: 1 << 20, limit: 1 << 20)
    try IndexWriterTests.check(
      folder, against: Dictionary(uniqueKeysWithValues: (documents + extra).map { ($0.id, $0.text) }))
  }

  /// Distinct terms and stems over many segments count a word once (against the analyser's
  /// own tokens).
  @Test func distinctKeysAreCountedOnceOverSegments() throws {
    let documents = IndexWriterTests.documents(seed: 3, count: 50)
    let folder = IndexWriterTests.temporaryFolder("canonical-distinct")
    defer { try? FileManager.default.removeItem(at: folder) }
    _ = try Self.build(folder, [documents], jobs: 2, budget: 1 << 20, limit: 300)
    let snapshot = try IndexSnapshot(directory: folder)
    #expect(snapshot.segments.count > 5)
    let pipeline = try Analyzer.french.makePipeline()
    var terms: Set<String> = []
    var stems: Set<String> = []
    for document in documents {
      for token in pipeline.tokens(in: document.text) {
        terms.insert(token.term)
        stems.insert(token.stem)
      }
    }
    let counts = try snapshot.distinctKeyCounts()
    #expect(counts.terms == terms.count)
    #expect(counts.stems == stems.count)
    #expect(snapshot.segments.reduce(0) { $0 + $1.stems.count } > stems.count, "segments share stems")
    // The writer's own view of what it committed (no manifest read back, no hashing) counts
    // the same; it does not hash, so a flipped byte inside postings goes unseen there, while
    // a search's snapshot refuses the file.
    let committed = try IndexSnapshot(committed: snapshot.manifest, directory: folder)
    #expect(try committed.distinctKeyCounts() == counts)
    let file = folder.appendingPathComponent(snapshot.manifest.segments[0].file)
    var bytes = try Data(contentsOf: file)
    bytes[20] ^= 0x01
    try bytes.write(to: file)
    #expect(throws: IndexError.self) { try IndexSnapshot(directory: folder) }
    #expect(try IndexSnapshot(committed: snapshot.manifest, directory: folder).segments.count == snapshot.segments.count)
    // Segments open on several threads; with several damaged, the error names the first in
    // the manifest's order, every time.
    let last = folder.appendingPathComponent(snapshot.manifest.segments[snapshot.segments.count - 1].file)
    var lastBytes = try Data(contentsOf: last)
    lastBytes[20] ^= 0x01
    try lastBytes.write(to: last)
    for _ in 0..<20 {
      do {
        _ = try IndexSnapshot(directory: folder)
        Issue.record("a damaged index opened")
      } catch {
        guard case let .corrupt(named, _) = error else { Issue.record("\(error)"); continue }
        #expect(named == file.path)
      }
    }
  }

  /// A term dictionary damaged inside its entries (where opening does not look) fails the
  /// count of distinct keys with the file named, whichever of the merged dictionaries it is in
  /// and wherever the merge meets it, instead of a wrong count.
  @Test func aDamagedDictionaryFailsTheDistinctCount() throws {
    let documents = IndexWriterTests.documents(seed: 3, count: 50)
    let folder = IndexWriterTests.temporaryFolder("canonical-distinct-damaged")
    defer { try? FileManager.default.removeItem(at: folder) }
    _ = try Self.build(folder, [documents], jobs: 2, budget: 1 << 20, limit: 300)
    let manifest = try IndexSnapshot(directory: folder).manifest
    #expect(manifest.segments.count > 2)
    let victim = manifest.segments.count / 2
    let file = folder.appendingPathComponent(manifest.segments[victim].file)
    var bytes = try Data(contentsOf: file)
    // The footer's second (offset, length) pair places the terms section; a run of varint
    // continuation bytes three quarters into it cannot be read as an entry.
    func field(_ at: Int) -> Int {
      (0..<8).reduce(0) { $0 | Int(bytes[bytes.startIndex + at + $1]) << (8 * $1) }
    }
    let footer = bytes.count - SegmentFormat.footerSize
    let (offset, length) = (field(footer + 16), field(footer + 24))
    #expect(length > 64)
    let start = offset + length * 3 / 4
    for index in start..<(start + 24) { bytes[bytes.startIndex + index] = 0xFF }
    try bytes.write(to: file)
    let snapshot = try IndexSnapshot(committed: manifest, directory: folder)
    #expect {
      _ = try snapshot.distinctKeyCounts()
    } throws: { error in
      guard case let .corrupt(named, _) = error as? IndexError else { return false }
      return named == file.path
    }
  }
}
