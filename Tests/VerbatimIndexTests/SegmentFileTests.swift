import Foundation
import Testing
import VerbatimTestSupport
import VerbatimAnalysis
import VerbatimCorpus
@testable import VerbatimIndex

@Suite struct SegmentFileTests {
  struct Occurrence: Equatable {
    var document: UInt32
    var position: UInt32
    var start: UInt32
    var end: UInt32
  }

  static let words = [
    "entretien", "entreprise", "entreprises", "élu", "élus", "élue", "école", "travail", "travailler",
    "travaux", "l", "qu", "aujourd'hui", "cœur", "naïf", "noël", "3,5", "€", "de", "la", "ne", "pas",
  ]

  static func stem(of term: String) -> String { String(term.prefix(4)) }

  /// Seeded documents: random words, increasing ranges, occasional position gaps.
  static func documents(seed: UInt64, count: Int) -> [(id: Int64, tokens: [SegmentToken])] {
    var random = SplitMix64(seed: seed)
    return (0..<count).map { index in
      var tokens: [SegmentToken] = []
      var offset: UInt32 = 0
      var position: UInt32 = 0
      let length = random.next() % 5 == 0 ? Int.random(in: 100...600, using: &random) : Int.random(in: 0...40, using: &random)
      for _ in 0..<length {
        let word = words.randomElement(using: &random) ?? "de"
        offset += UInt32.random(in: 0...3, using: &random)
        let end = offset + UInt32(word.utf8.count)
        tokens.append(SegmentToken(term: word, stem: stem(of: word), position: position, start: offset, end: end))
        offset = end
        position += random.next() % 20 == 0 ? 2 : 1
      }
      tokens.shuffle(using: &random)
      return (Int64(index) * 10 + 3, tokens)
    }
  }

  static func model(_ documents: [(id: Int64, tokens: [SegmentToken])], key: (SegmentToken) -> String)
    -> [String: [Occurrence]]
  {
    var result: [String: [Occurrence]] = [:]
    for (ordinal, document) in documents.enumerated() {
      for token in document.tokens.sorted(by: { $0.position < $1.position }) {
        result[key(token), default: []].append(
          Occurrence(document: UInt32(ordinal), position: token.position, start: token.start, end: token.end))
      }
    }
    return result
  }

  static func occurrences(_ list: PostingList) -> [Occurrence] {
    var result: [Occurrence] = []
    for index in 0..<list.count {
      for offset in list.positionOffsets[index]..<list.positionOffsets[index + 1] {
        result.append(
          Occurrence(
            document: list.documents[index], position: list.positions[offset], start: list.starts[offset],
            end: list.ends[offset]))
      }
    }
    return result
  }

  static func temporaryPath(_ name: String) -> String {
    let folder = TestDirectories.root.appendingPathComponent("segment-tests")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
  }

  static func builder(_ documents: [(id: Int64, tokens: [SegmentToken])]) -> SegmentBuilder {
    var builder = SegmentBuilder()
    for document in documents { builder.add(documentID: document.id, tokens: document.tokens) }
    return builder
  }

  @Test(arguments: [1 as UInt64, 2, 3])
  func roundTripAgainstBruteForce(seed: UInt64) throws {
    let documents = Self.documents(seed: seed, count: Int(seed) * 90)
    let path = Self.temporaryPath("round-\(seed).vbseg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Self.builder(documents).write(to: path)
    let reader = try SegmentReader(path: path)
    #expect(reader.documentCount == documents.count)
    #expect(reader.documents == documents.map { SegmentDocument(documentID: $0.id, tokenCount: UInt32($0.tokens.count)) })
    for (name, dictionary, key) in [
      ("terms", reader.terms, { (token: SegmentToken) in token.term }),
      ("stems", reader.stems, { (token: SegmentToken) in token.stem }),
    ] {
      let model = Self.model(documents, key: key)
      #expect(dictionary.count == model.count, "\(name) count")
      for (word, expected) in model {
        let list = name == "terms" ? try reader.postings(forTerm: word) : try reader.postings(forStem: word)
        let decoded = try #require(list)
        #expect(Self.occurrences(decoded) == expected, "\(name) \(word)")
        let info = try #require(try dictionary.lookup(word))
        #expect(Int(info.documentFrequency) == Set(expected.map(\.document)).count)
        #expect(Int(info.totalFrequency) == expected.count)
        let bare =
          name == "terms"
          ? try reader.termPostings(for: info, withPositions: false) : try reader.postings(for: info, withPositions: false)
        #expect(bare.documents == decoded.documents && bare.frequencies == decoded.frequencies)
      }
      let sortedKeys = model.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
      for prefix in ["", "e", "entre", "é", "trav", "x", "l"] {
        let expected = sortedKeys.filter { $0.starts(with: Array(prefix.utf8)) }
        let found = name == "terms" ? try reader.terms(withPrefix: prefix) : try reader.stems(withPrefix: prefix)
        #expect(found.map(\.key) == expected, "\(name) prefix \(prefix)")
      }
    }
    #expect(try reader.postings(forTerm: "absent") == nil)
    #expect(try reader.postings(forStem: "zzz") == nil)
  }

  @Test func emptySegment() throws {
    let path = Self.temporaryPath("empty.vbseg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try SegmentBuilder().write(to: path)
    let reader = try SegmentReader(path: path)
    #expect(reader.documentCount == 0)
    #expect(try reader.postings(forTerm: "a") == nil)
    #expect(try reader.terms(withPrefix: "").isEmpty)
  }

  @Test func documentWithoutTokensAndGaps() throws {
    var builder = SegmentBuilder()
    builder.add(documentID: 1, tokens: [])
    builder.add(
      documentID: 2,
      tokens: [
        SegmentToken(term: "l", stem: "l", position: 0, start: 0, end: 4),
        SegmentToken(term: "entretien", stem: "entretien", position: 1, start: 4, end: 13),
        SegmentToken(term: "va", stem: "va", position: 3, start: 14, end: 16),
      ])
    let path = Self.temporaryPath("gaps.vbseg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try builder.write(to: path)
    let reader = try SegmentReader(path: path)
    let ranges = try reader.ranges(ofDocument: 1)
    #expect(ranges.starts == [0, 4, 13, 14])
    #expect(ranges.ends == [4, 13, 13, 16])
    #expect(try reader.ranges(ofDocument: 0).starts == [])
    let list = try #require(try reader.postings(forTerm: "va"))
    #expect(list.documents == [1])
    #expect(list.ranges(at: 0) == [14..<16])
    let term = try #require(try reader.terms.lookup("va"))
    let stem = try #require(try reader.stems.lookup("va"))
    // A term alone in its stem: its record says "the stem's list", no selectors follow.
    let record = try #require(reader.postingsBytes(offset: term.postingsOffset, length: term.postingsLength).flatMap(TermRecord.init))
    #expect(record == TermRecord(stemOrdinal: 2, selector: 0), "stems in byte order: entretien, l, va")
    #expect(try reader.termPostings(for: term, withRanges: true) == reader.postings(for: stem, withRanges: true))
  }

  /// Several terms of one stem: one list for the stem, then a selector per occurrence, by
  /// descending frequency and then by key bytes (values worked out by hand below).
  @Test func termsOfOneStemAreSelectorsOverItsList() throws {
    // Document 0: travail travaux travaille travail · document 1: travaille travaille travail
    // Frequencies: travail 3, travaille 3, travaux 1 → travail 0 (3, "travail" < "travaille"),
    // travaille 1, travaux 2.
    let words = [["travail", "travaux", "travaille", "travail"], ["travaille", "travaille", "travail"]]
    var builder = SegmentBuilder()
    for (id, document) in words.enumerated() {
      var offset: UInt32 = 0
      builder.add(
        documentID: Int64(id),
        tokens: document.enumerated().map { position, word in
          defer { offset += UInt32(word.utf8.count) + 1 }
          return SegmentToken(
            term: word, stem: "travail", position: UInt32(position), start: offset, end: offset + UInt32(word.utf8.count))
        })
    }
    let path = Self.temporaryPath("selectors.vbseg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try builder.write(to: path)
    let reader = try SegmentReader(path: path)
    let stem = try #require(try reader.stems.lookup("travail"))
    #expect(stem.documentFrequency == 2 && stem.totalFrequency == 7)
    var expectedSelectors: [UInt8] = []
    BlockCodec.encode([0, 2, 1, 0, 1, 1, 0], into: &expectedSelectors)
    let after = try #require(reader.postingsBytes(offset: stem.postingsOffset + stem.postingsLength, length: UInt64(expectedSelectors.count)))
    #expect(Array(after) == expectedSelectors)
    for (word, selector, documents, positions) in [
      ("travail", 1, [0 as UInt32, 1], [0 as UInt32, 3, 2]), ("travaille", 2, [0, 1], [2, 0, 1]), ("travaux", 3, [0], [1]),
    ] {
      let info = try #require(try reader.terms.lookup(word))
      let record = try #require(reader.postingsBytes(offset: info.postingsOffset, length: info.postingsLength).flatMap(TermRecord.init))
      #expect(record == TermRecord(stemOrdinal: 0, selector: selector), "\(word)")
      let list = try #require(try reader.postings(forTerm: word))
      #expect(list.documents == documents && list.positions == positions, "\(word)")
      #expect(Int(info.totalFrequency) == positions.count && Int(info.documentFrequency) == documents.count)
    }
    // A prefix over two of the stem's terms: one decode, their union.
    let union = try reader.termPostings(for: [try reader.terms.lookup("travaux")!, try reader.terms.lookup("travail")!])
    #expect(union.count == 1 && union[0].documents == [0, 1] && union[0].positions == [0, 1, 3, 2])
  }

  @Test func writingTwiceGivesIdenticalBytes() throws {
    let documents = Self.documents(seed: 9, count: 120)
    let first = Self.temporaryPath("determinism-1.vbseg")
    defer { try? FileManager.default.removeItem(atPath: first) }
    let second = Self.temporaryPath("determinism-2.vbseg")
    defer { try? FileManager.default.removeItem(atPath: second) }
    try Self.builder(documents).write(to: first)
    try Self.builder(documents).write(to: second)
    let a = try Data(contentsOf: URL(fileURLWithPath: first))
    let b = try Data(contentsOf: URL(fileURLWithPath: second))
    #expect(a == b)
    #expect(!FileManager.default.fileExists(atPath: first + ".tmp"))
  }

  static func expectCorrupt(_ bytes: [UInt8], name: String, reason: String? = nil) throws {
    let path = Self.temporaryPath(name)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    do {
      _ = try SegmentReader(path: path)
      Issue.record("\(name): a damaged segment opened")
    } catch let error {
      guard case let .corrupt(file, message) = error else {
        Issue.record("\(name): \(error) is not corrupt")
        return
      }
      #expect(file == path)
      if let reason { #expect(message.contains(reason), "\(message)") }
    }
  }

  @Test func damagedFilesAreCorrupt() throws {
    let bytes = Self.builder(Self.documents(seed: 4, count: 40)).serialized()
    var random = SplitMix64(seed: 77)
    for trial in 0..<40 {
      var flipped = bytes
      let index = Int.random(in: 0..<flipped.count, using: &random)
      flipped[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
      try Self.expectCorrupt(flipped, name: "flip-\(trial).vbseg")
    }
    for cut in [0, 5, 50, bytes.count / 2, bytes.count - 1] {
      try Self.expectCorrupt(Array(bytes[..<cut]), name: "cut-\(cut).vbseg")
    }
    try Self.expectCorrupt(bytes + [0], name: "extended.vbseg")
    var foreign = bytes
    foreign[0] = UInt8(ascii: "X")
    try Self.expectCorrupt(foreign, name: "magic.vbseg", reason: "not a segment")
  }

  @Test func wrongVersionIsCorrupt() throws {
    var bytes = Self.builder(Self.documents(seed: 5, count: 10)).serialized()
    bytes[5] = SegmentFormat.version - 1
    // Re-seal the checksum so only the version is wrong.
    let body = Array(bytes.dropLast(8))
    var resealed = body
    resealed.appendLittleEndian(body.withUnsafeBufferPointer { ContentHash.xxh64($0) })
    try Self.expectCorrupt(resealed, name: "version.vbseg", reason: "version \(SegmentFormat.version - 1)")
  }

  /// Batches with missing positions (an empty range fills each) and batches that continue
  /// densely after a gap: the streamed builder equals the array route over the same tokens.
  @Test func streamedBatchesWithPositionGapsMatchTokenArrays() throws {
    let pipeline = try Analyzer.french.makePipeline()
    let texts = [
      "Le numérique responsable, dans les mairies : les élus en parlent, les agents aussi.",
      "Qu'est-ce qu'il va-t-il faire ? Travailler, travailleurs, travaux… 3,5 % !",
    ]
    var streamed = SegmentBuilder()
    var arrays = SegmentBuilder()
    for (index, text) in texts.enumerated() {
      var all: [RawToken] = []
      var copy = text
      try copy.withUTF8 { buffer in try pipeline.analyze(buffer) { batch in all.append(contentsOf: batch) } }
      // Drop positions 2 and 5, then feed [0, 4) (a gap inside), [4, 7) (a gap inside), the rest (dense).
      let kept = all.filter { $0.position != 2 && $0.position != 5 }
      let cuts = [0, kept.firstIndex { $0.position >= 4 }!, kept.firstIndex { $0.position >= 7 }!, kept.count]
      streamed.beginDocument(documentID: Int64(index))
      for part in 0..<3 {
        Array(kept[cuts[part]..<cuts[part + 1]]).withUnsafeBufferPointer {
          streamed.append($0, from: pipeline.vocabulary)
        }
      }
      streamed.endDocument()
      let byPosition = Dictionary(uniqueKeysWithValues: pipeline.tokens(in: text).map { ($0.position, $0) })
      let tokens = kept.map { raw in
        let token = byPosition[Int(raw.position)]!
        return SegmentToken(
          term: token.term, stem: token.stem, position: UInt32(raw.position), start: UInt32(raw.start),
          end: UInt32(raw.end))
      }
      arrays.add(documentID: Int64(index), tokens: tokens)
    }
    #expect(streamed.tokenCount == arrays.tokenCount)
    #expect(streamed.serialized() == arrays.serialized())
  }

  /// One builder fed by both routes in turn (streamed batches add their new keys without
  /// hashing them): the same file as the array route alone, no key twice.
  @Test func streamedAndArrayRoutesMixInOneBuilder() throws {
    let texts = ["Les élus parlent du numérique.", "Le numérique des élus, encore.", "Les élus, le numérique : fin."]
    let pipeline = try Analyzer.french.makePipeline()
    func tokens(_ text: String) -> [SegmentToken] {
      pipeline.tokens(in: text).map {
        SegmentToken(
          term: $0.term, stem: $0.stem, position: UInt32($0.position), start: UInt32($0.utf8Range.lowerBound),
          end: UInt32($0.utf8Range.upperBound))
      }
    }
    var mixed = SegmentBuilder()
    var arrays = SegmentBuilder()
    for (index, text) in texts.enumerated() {
      arrays.add(documentID: Int64(index), tokens: tokens(text))
      if index == 1 {
        mixed.add(documentID: Int64(index), tokens: tokens(text))
        continue
      }
      mixed.beginDocument(documentID: Int64(index))
      var copy = text
      try copy.withUTF8 { buffer in try pipeline.analyze(buffer) { mixed.append($0, from: pipeline.vocabulary) } }
      mixed.endDocument()
    }
    #expect(mixed.serialized() == arrays.serialized())
  }

  /// A reset builder (a worker's next run) writes what a new one writes, by either route.
  @Test func resetBuilderEqualsANewOne() throws {
    let pipeline = try Analyzer.french.makePipeline()
    var reused = SegmentBuilder()
    for (index, text) in ["Les élus du numérique.", "Une autre commune, d'autres élus."].enumerated() {
      reused.beginDocument(documentID: Int64(index))
      var copy = text
      try copy.withUTF8 { buffer in try pipeline.analyze(buffer) { reused.append($0, from: pipeline.vocabulary) } }
      reused.endDocument()
    }
    _ = reused.serialized()
    reused.reset()
    #expect(reused.documentCount == 0 && reused.tokenCount == 0)
    var fresh = SegmentBuilder()
    for (index, text) in ["Le numérique responsable des élus.", "Les agents parlent."].enumerated() {
      for builder in [0, 1] {
        if builder == 0 { reused.beginDocument(documentID: Int64(10 + index)) } else { fresh.beginDocument(documentID: Int64(10 + index)) }
        var copy = text
        try copy.withUTF8 { buffer in
          try pipeline.analyze(buffer) { batch in
            if builder == 0 { reused.append(batch, from: pipeline.vocabulary) } else { fresh.append(batch, from: pipeline.vocabulary) }
          }
        }
        if builder == 0 { reused.endDocument() } else { fresh.endDocument() }
      }
    }
    #expect(reused.serialized() == fresh.serialized())
    reused.reset()
    let documents = Self.documents(seed: 3, count: 20)
    for document in documents { reused.add(documentID: document.id, tokens: document.tokens) }
    #expect(reused.serialized() == Self.builder(documents).serialized())
  }

  @Test func streamingAnalyserBatchesMatchTokenArrays() throws {
    let texts = [
      "L’entretien s'est bien passé aujourd'hui : les élu.e.s ont dit « non », 20 000 fois.",
      "",
      "Qu'est-ce qu'il va-t-il faire ? Travailler, travailleurs, travaux… 3,5 % !",
    ]
    let pipeline = try Analyzer.french.makePipeline()
    var streamed = SegmentBuilder()
    var arrays = SegmentBuilder()
    for (index, text) in texts.enumerated() {
      streamed.beginDocument(documentID: Int64(index))
      var copy = text
      try copy.withUTF8 { buffer in
        try pipeline.analyze(buffer) { batch in streamed.append(batch, from: pipeline.vocabulary) }
      }
      #expect(streamed.endDocument() == UInt32(index))
      let tokens = pipeline.tokens(in: text).map {
        SegmentToken(
          term: $0.term, stem: $0.stem, position: UInt32($0.position), start: UInt32($0.utf8Range.lowerBound),
          end: UInt32($0.utf8Range.upperBound))
      }
      arrays.add(documentID: Int64(index), tokens: tokens.reversed())
    }
    #expect(streamed.serialized() == arrays.serialized())
    let path = Self.temporaryPath("streamed.vbseg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try streamed.write(to: path)
    let reader = try SegmentReader(path: path)
    let list = try #require(try reader.postings(forStem: "travaill"))
    let text = Array(texts[2].utf8)
    #expect(list.ranges(at: 0).map { String(decoding: text[$0], as: UTF8.self) } == ["Travailler"])
    let elided = try #require(try reader.postings(forTerm: "l"))
    #expect(elided.ranges(at: 0) == [0..<4])
  }

  @Test func thousandsOfOneWordDocumentsPackToAlmostNothing() throws {
    var builder = SegmentBuilder()
    for index in 0..<5_000 {
      builder.add(documentID: Int64(index), tokens: [SegmentToken(term: "oui", stem: "oui", position: 0, start: 0, end: 3)])
    }
    #expect(builder.tokenCount == 5_000)
    #expect(builder.estimatedByteCount > 5_000 * 16 && builder.estimatedByteCount < 5_000 * 200)
    let path = Self.temporaryPath("oui.vbseg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try builder.write(to: path)
    let reader = try SegmentReader(path: path)
    let list = try #require(try reader.postings(forTerm: "oui"))
    #expect(list.documents == Array(0..<5_000))
    #expect(list.positions == [UInt32](repeating: 0, count: 5_000))
    #expect(list.ends == [UInt32](repeating: 3, count: 5_000))
    let info = try #require(try reader.terms.lookup("oui"))
    #expect(info.postingsLength < 300, "width-0 blocks: \(info.postingsLength) bytes")
  }

  @Test func missingFileIsIOError() {
    #expect(throws: IndexError.self) { try SegmentReader(path: Self.temporaryPath("absent.vbseg")) }
  }

  #if os(Linux)
    /// The resident kilobytes of the mapping that starts at `address`, from /proc/self/smaps.
    static func residentKilobytes(ofMappingAt address: UnsafeRawPointer) throws -> Int? {
      let start = String(UInt(bitPattern: address), radix: 16)
      // Read with read(2): a file of /proc has no size for Foundation to read up to.
      let descriptor = open("/proc/self/smaps", O_RDONLY)
      guard descriptor >= 0 else { return nil }
      defer { close(descriptor) }
      var data: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        data += chunk[..<count]
      }
      let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
      guard let header = lines.firstIndex(where: { $0.hasPrefix(start + "-") || $0.hasPrefix("0" + start + "-") }) else {
        return nil
      }
      for line in lines[(header + 1)...] where line.hasPrefix("Rss:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
      }
      return nil
    }

    @Test func aMappedFileReleasesTheWholePagesOfARegion() throws {
      let path = TestDirectories.make("release").appendingPathComponent("bytes").path
      let size = 4 << 20
      #expect(FileManager.default.createFile(atPath: path, contents: Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) })))
      let file = try MappedFile(path: path)
      var sum = 0
      for offset in stride(from: 0, to: size, by: 4096) { sum &+= Int(file.bytes[offset]) }
      #expect(sum >= 0)
      let before = try #require(try Self.residentKilobytes(ofMappingAt: file.bytes.baseAddress!))
      #expect(before >= 4 * 1024 - 8)
      // From the middle of a page to the middle of another: the whole pages between, 2 MB.
      let region = UnsafeRawBufferPointer(rebasing: file.bytes[(1 << 20) - 100..<(3 << 20) + 100])
      file.releaseResidentPages(of: region)
      let after = try #require(try Self.residentKilobytes(ofMappingAt: file.bytes.baseAddress!))
      // At least the 512 whole pages inside the region. The kernel may drop more: a file's
      // page cache may hold 2 MB folios mapped whole, which a partial release unmaps whole.
      #expect(before - after >= 2 * 1024)
      // Still readable, the same bytes.
      #expect(file.bytes[(2 << 20) + 5] == UInt8(truncatingIfNeeded: ((2 << 20) + 5) &* 31))
      // A copy in memory ignores it.
      let copy = OwnedBytes([1, 2, 3])
      copy.releaseResidentPages(of: copy.bytes)
      #expect(Array(copy.bytes) == [1, 2, 3])
    }
  #endif
}

/// Format figures on real French text (`Benchmarks/index-format-notes.md`): sizes per section,
/// bytes per posting and per position, encode and decode speed. Opt-in, since it takes a while
/// and prints figures rather than asserting timings:
///
///     VERBATIM_FORMAT_FIGURES=1 swift test -c release -Xswiftc -enable-testing --filter SegmentFormatFigures
///
/// `VERBATIM_FORMAT_FIGURES_BYTES` limits the corpus size (default: the whole pool). Skips
/// cleanly when `../shared/corpora/bench-pool` is absent.
@Suite struct SegmentFormatFigures {
  static let pool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpora/bench-pool")

  static var isEnabled: Bool {
    ProcessInfo.processInfo.environment["VERBATIM_FORMAT_FIGURES"] != nil
      && FileManager.default.fileExists(atPath: pool.path)
  }

  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  @Test(.enabled(if: isEnabled)) func figures() throws {
    let limit = Int(ProcessInfo.processInfo.environment["VERBATIM_FORMAT_FIGURES_BYTES"] ?? "") ?? Int.max
    var files: [URL] = []
    if let walker = FileManager.default.enumerator(at: Self.pool, includingPropertiesForKeys: nil) {
      for case let url as URL in walker where url.pathExtension == "txt" { files.append(url) }
    }
    files.sort { $0.path < $1.path }
    let pipeline = try Analyzer.french.makePipeline()
    var builder = SegmentBuilder()
    var corpusBytes = 0
    var tokenCount = 0
    var termStrings: [String] = []
    var stemStrings: [String] = []
    var termStem: [String: String] = [:]
    var analysisSeconds = 0.0
    var addSeconds = 0.0
    // Documents of at most `documentBytes`, cut at a line break when there is one past 2 KB
    // (the bench corpus's rule for novels); 0 keeps one document per file.
    let documentBytes = Int(ProcessInfo.processInfo.environment["VERBATIM_FORMAT_FIGURES_DOCUMENT_BYTES"] ?? "") ?? 32_768
    var pieces: [[UInt8]] = []
    for file in files where corpusBytes < limit {
      let data = [UInt8](try Data(contentsOf: file))
      corpusBytes += data.count
      var start = 0
      while start < data.count {
        var end = documentBytes <= 0 ? data.count : min(data.count, start + documentBytes)
        if end < data.count {
          var cut = end
          while cut > start + 2_048 && data[cut - 1] != UInt8(ascii: "\n") { cut -= 1 }
          if cut > start + 2_048 { end = cut } else {
            while end > start + 1 && data[end] & 0xC0 == 0x80 { end -= 1 }
          }
        }
        pieces.append(Array(data[start..<end]))
        start = end
      }
    }
    for (index, piece) in pieces.enumerated() {
      var tokens: [SegmentToken] = []
      analysisSeconds += try Self.seconds {
        try piece.withUnsafeBufferPointer { text in
          try pipeline.analyze(text) { batch in
            let vocabulary = pipeline.vocabulary
            while termStrings.count < vocabulary.termCount { termStrings.append(vocabulary.term(Int32(termStrings.count))) }
            while stemStrings.count < vocabulary.stemCount { stemStrings.append(vocabulary.stem(Int32(stemStrings.count))) }
            for token in batch {
              termStem[termStrings[Int(token.termID)]] = stemStrings[Int(token.stemID)]
              tokens.append(
                SegmentToken(
                  term: termStrings[Int(token.termID)], stem: stemStrings[Int(token.stemID)],
                  position: UInt32(token.position), start: UInt32(token.start), end: UInt32(token.end)))
            }
          }
        }
      }
      tokenCount += tokens.count
      addSeconds += Self.seconds { builder.add(documentID: Int64(index), tokens: tokens) }
    }
    var bytes: [UInt8] = []
    let serializeSeconds = Self.seconds { bytes = builder.serialized() }
    let path = SegmentFileTests.temporaryPath("figures.vbseg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let writeSeconds = try Self.seconds { try SegmentFormat.writeAtomically(bytes, to: path) }
    var reader: SegmentReader?
    let openSeconds = try Self.seconds { reader = try SegmentReader(path: path) }
    let segment = try #require(reader)

    // Section sizes from the footer.
    var sizes: [Int] = []
    bytes.withUnsafeBytes { raw in
      var cursor = ByteCursor(raw, offset: raw.count - SegmentFormat.footerSize)
      for _ in 0..<5 {
        _ = cursor.readUInt64()
        sizes.append(Int(cursor.readUInt64() ?? 0))
      }
    }
    var termInfos: [TermInfo] = []
    var stemInfos: [TermInfo] = []
    try segment.terms.forEach { _, info in termInfos.append(info); return true }
    try segment.stems.forEach { _, info in stemInfos.append(info); return true }
    let stemPostingBytes = stemInfos.reduce(0) { $0 + Int($1.postingsLength) }
    let recordBytes = termInfos.reduce(0) { $0 + Int($1.postingsLength) }
    let selectorBytes = sizes[0] - stemPostingBytes - recordBytes
    var selectedStems = Set<Int>()
    var selectedTerms = 0
    for info in termInfos {
      let record = try #require(
        segment.postingsBytes(offset: info.postingsOffset, length: info.postingsLength).flatMap(TermRecord.init))
      if record.selector > 0 {
        selectedStems.insert(record.stemOrdinal)
        selectedTerms += 1
      }
    }
    let termPostings = termInfos.reduce(0) { $0 + Int($1.documentFrequency) }
    let stemPostings = stemInfos.reduce(0) { $0 + Int($1.documentFrequency) }

    // Decode speed: every stem list and every term list, positions only, then with ranges.
    var positions = 0
    let stemDecodeSeconds = try Self.seconds {
      for info in stemInfos { positions += try segment.postings(for: info).positions.count }
    }
    let termDecodeSeconds = try Self.seconds {
      for info in termInfos { positions += try segment.termPostings(for: info).positions.count }
    }
    var bareDocuments = 0
    let bareSeconds = try Self.seconds {
      for info in stemInfos { bareDocuments += try segment.postings(for: info, withPositions: false).count }
    }
    // Ranges (the KWIC path) for every term list.
    var ranged = 0
    let rangeSeconds = try Self.seconds {
      for info in termInfos { ranged += try segment.termPostings(for: info, withRanges: true).starts.count }
    }

    // What the alternatives would cost, from the same lists: varint everything, and offsets
    // inside every list instead of range tables (term lists written in full, as version 1 did).
    var varintBaseline = 0
    var offsetsInLists = 0
    var fullTermLists = 0
    for (isTerm, info) in termInfos.map({ (true, $0) }) + stemInfos.map({ (false, $0) }) {
      let list = isTerm ? try segment.termPostings(for: info, withRanges: true) : try segment.postings(for: info, withRanges: true)
      if isTerm {
        var encoded: [UInt8] = []
        PostingsCodec.encode(
          documents: list.documents, frequencies: list.frequencies, positions: list.positions, into: &encoded)
        fullTermLists += encoded.count
      }
      varintBaseline += Varint.encodedCount(UInt64(list.count))
      var previousDocument: Int64 = -1
      for index in 0..<list.count {
        varintBaseline += Varint.encodedCount(UInt64(Int64(list.documents[index]) - previousDocument - 1))
        varintBaseline += Varint.encodedCount(UInt64(list.frequencies[index] - 1))
        previousDocument = Int64(list.documents[index])
        var previousPosition: Int64 = -1
        var previousStart: UInt32 = 0
        for offset in list.positionOffsets[index]..<list.positionOffsets[index + 1] {
          varintBaseline += Varint.encodedCount(UInt64(Int64(list.positions[offset]) - previousPosition - 1))
          previousPosition = Int64(list.positions[offset])
          offsetsInLists += Varint.encodedCount(UInt64(list.starts[offset] - previousStart))
          offsetsInLists += Varint.encodedCount(UInt64(list.ends[offset] - list.starts[offset]))
          previousStart = list.starts[offset]
        }
      }
    }

    let megabytes = Double(corpusBytes) / 1e6
    func ratio(_ value: Int) -> String { String(format: "%.3f", Double(value) / Double(corpusBytes)) }
    func perToken(_ value: Int) -> String { String(format: "%.2f", Double(value) / Double(tokenCount)) }
    print("""
      FORMAT FIGURES
      corpus: \(files.count) files considered, \(corpusBytes) bytes, \(tokenCount) tokens, \(segment.documentCount) documents
      distinct terms \(termInfos.count), stems \(stemInfos.count); postings (doc entries) terms \(termPostings), stems \(stemPostings)
      file \(bytes.count) bytes = \(ratio(bytes.count)) × corpus, \(perToken(bytes.count)) B/token
      sections: postings \(sizes[0]) (stem lists \(stemPostingBytes), selectors \(selectorBytes), term records \(recordBytes)) = \(ratio(sizes[0])), term dict \(sizes[1]) = \(ratio(sizes[1])), stem dict \(sizes[2]) = \(ratio(sizes[2])), ranges \(sizes[3]) = \(ratio(sizes[3])) (\(perToken(sizes[3])) B/token), documents \(sizes[4])
      selectors: \(selectedStems.count) stems with several terms, \(selectedTerms) terms; \(String(format: "%.3f", Double(selectorBytes * 8) / Double(tokenCount))) bits per token; every term list in full would take \(fullTermLists) bytes (\(ratio(fullTermLists)) × corpus; version 1 wrote those that differ from their stem's)
      stem lists: \(String(format: "%.2f", Double(stemPostingBytes) / Double(tokenCount))) B/position all-in
      varint-only doc/freq/position lists (terms and stems) would be \(varintBaseline) bytes (\(ratio(varintBaseline)) × corpus) vs \(sizes[0])
      offsets inside every term and stem list (varint start delta + length) would add \(offsetsInLists) bytes (\(ratio(offsetsInLists)) × corpus) vs range tables \(sizes[3])
      analysis \(String(format: "%.2f", analysisSeconds)) s (\(String(format: "%.1f", megabytes / analysisSeconds)) MB/s); builder add \(String(format: "%.2f", addSeconds)) s; serialize \(String(format: "%.2f", serializeSeconds)) s (\(String(format: "%.1f", megabytes / serializeSeconds)) corpus MB/s); write+fsync \(String(format: "%.3f", writeSeconds)) s; open+checksum \(String(format: "%.3f", openSeconds)) s (\(String(format: "%.0f", Double(bytes.count) / 1e6 / openSeconds)) MB/s)
      decode every stem list with positions: \(String(format: "%.3f", stemDecodeSeconds)) s = \(String(format: "%.0f", Double(stemPostingBytes) / 1e6 / stemDecodeSeconds)) MB/s of lists, \(String(format: "%.0f", Double(tokenCount) / 1e6 / stemDecodeSeconds)) M positions/s; every term list (stem list + selectors each): \(String(format: "%.3f", termDecodeSeconds)) s
      decode stem documents+frequencies only: \(String(format: "%.3f", bareSeconds)) s, \(String(format: "%.0f", Double(bareDocuments) / 1e6 / bareSeconds)) M postings/s
      decode term lists with ranges: \(String(format: "%.3f", rangeSeconds)) s, \(String(format: "%.1f", Double(ranged) / 1e6 / rangeSeconds)) M positions/s
      """)
    #expect(positions == 2 * tokenCount)
  }
}
