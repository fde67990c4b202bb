import Dispatch
import Foundation

/// The list of segment files that make up a committed index: `<folder>/manifest.json`.
///
/// Readers open only the segments it names; any other file in the folder (a flushed segment
/// not yet merged, a `manifest.json.tmp` of an interrupted commit, a damaged leftover) is
/// garbage, deleted by the next successful commit. A commit writes `manifest.json.tmp`,
/// `fsync`s it, renames it over `manifest.json` and `fsync`s the folder, so a crash leaves
/// either the previous manifest or the new one, each with all its files.
///
/// JSON with sorted keys and no timestamps: the same index gives the same bytes.
public struct IndexManifest: Codable, Sendable, Hashable {
  /// The manifest format this build writes and reads.
  public static let currentFormatVersion = 1
  /// The manifest's file name in the index folder.
  public static let fileName = "manifest.json"

  /// One segment file of the index.
  public struct Segment: Codable, Sendable, Hashable {
    /// The file name, inside the index folder.
    public var file: String
    /// The global document ids, by local ordinal.
    public var documentIDs: [Int64]
    /// The token count of each document, by local ordinal.
    public var tokenCounts: [UInt32]
    /// The UTF-8 length of each document's text, by local ordinal: where the canonical
    /// layout cuts the index into segments (``IndexWriter/segmentTextBytes``). Absent from
    /// manifests written before the index had several segments (`verbatim index` then
    /// analyses every document again).
    public var textBytes: [UInt32]?

    /// Creates an entry.
    public init(file: String, documentIDs: [Int64], tokenCounts: [UInt32], textBytes: [UInt32]? = nil) {
      self.file = file
      self.documentIDs = documentIDs
      self.tokenCounts = tokenCounts
      self.textBytes = textBytes
    }
  }

  /// How many distinct normalised terms and distinct stems the segments hold together (a
  /// word in several segments counts once).
  public struct DistinctKeys: Codable, Sendable, Hashable {
    /// Distinct normalised terms.
    public var terms: Int
    /// Distinct stems.
    public var stems: Int

    /// Creates the counts.
    public init(terms: Int, stems: Int) {
      self.terms = terms
      self.stems = stems
    }
  }

  /// The manifest format (``currentFormatVersion``).
  public var formatVersion: Int
  /// The segment file format version of every segment (``SegmentFormat/version``).
  public var segmentFormatVersion: Int
  /// Incremented by every commit; 0 for the empty index.
  public var generation: Int
  /// The segments. Written by ``IndexWriter``: consecutive runs of the documents in id
  /// order (the canonical layout), in that order.
  public var segments: [Segment]
  /// An opaque version of each indexed document's text (document id as text → version), as
  /// the caller gave it to ``IndexWriter/add(documents:versions:)``: readers compare it with
  /// the project store to tell a stale index, and `verbatim index` to skip unchanged documents.
  /// Held flat (``DocumentVersionTable``); ``documentVersions`` gives them as a dictionary.
  public var versions: DocumentVersionTable
  /// ``versions`` as a dictionary (tests, tools: each call builds it).
  public var documentVersions: [String: String] {
    get { versions.dictionary }
    set { versions = DocumentVersionTable(newValue) }
  }
  /// The distinct terms and stems of ``segments``, counted by the writer at commit
  /// (``IndexSnapshot/distinctKeyCounts()``) so that `verbatim index` with nothing to do reads
  /// them instead of merging every dictionary again (3.3 s at 4 GB). Absent from manifests
  /// written before it was recorded.
  public var distinctKeys: DistinctKeys?

  /// Creates a manifest of the current formats.
  public init(
    generation: Int, segments: [Segment], documentVersions: [String: String] = [:], distinctKeys: DistinctKeys? = nil
  ) {
    self.init(
      generation: generation, segments: segments, versions: DocumentVersionTable(documentVersions),
      distinctKeys: distinctKeys)
  }

  /// Creates a manifest of the current formats from versions already flat.
  public init(generation: Int, segments: [Segment], versions: DocumentVersionTable, distinctKeys: DistinctKeys? = nil) {
    formatVersion = Self.currentFormatVersion
    segmentFormatVersion = Int(SegmentFormat.version)
    self.generation = generation
    self.segments = segments
    self.versions = versions
    self.distinctKeys = distinctKeys
  }

  private enum CodingKeys: String, CodingKey {
    case formatVersion, segmentFormatVersion, generation, segments, documentVersions, distinctKeys
  }

  /// Decodes a manifest; `documentVersions` may be absent (an index written without versions),
  /// and `distinctKeys` (a manifest written before they were counted at commit).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    formatVersion = try container.decode(Int.self, forKey: .formatVersion)
    segmentFormatVersion = try container.decode(Int.self, forKey: .segmentFormatVersion)
    generation = try container.decode(Int.self, forKey: .generation)
    segments = try container.decode([Segment].self, forKey: .segments)
    versions = DocumentVersionTable(
      try container.decodeIfPresent([String: String].self, forKey: .documentVersions) ?? [:])
    distinctKeys = try container.decodeIfPresent(DistinctKeys.self, forKey: .distinctKeys)
  }

  /// Encodes the manifest as ``ManifestJSON`` writes it (Foundation's coders: tests).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(formatVersion, forKey: .formatVersion)
    try container.encode(segmentFormatVersion, forKey: .segmentFormatVersion)
    try container.encode(generation, forKey: .generation)
    try container.encode(segments, forKey: .segments)
    try container.encode(documentVersions, forKey: .documentVersions)
    try container.encodeIfPresent(distinctKeys, forKey: .distinctKeys)
  }

  /// The version recorded for a document, if any.
  public func version(of document: Int64) -> String? { versions.version(of: document) }

  /// Whether the version recorded for `document` is `version` (UTF-8 bytes, compared in
  /// place), or `nil` when none is recorded.
  public func hasVersion(of document: Int64, equalTo version: UnsafeBufferPointer<UInt8>) -> Bool? {
    versions.withVersion(of: document) { recorded in recorded.map { $0.elementsEqual(version) } }
  }

  /// The empty index (generation 0, no segment), as seen before the first commit.
  public static let empty = IndexManifest(generation: 0, segments: [])

  /// The manifest's bytes: JSON, sorted keys, a final newline (``ManifestJSON``).
  public func encoded() throws(IndexError) -> [UInt8] {
    ManifestJSON.encode(self) + [0x0A]
  }

  /// Reads `<directory>/manifest.json`; ``empty`` when there is none (no commit yet).
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)`` for unreadable JSON, an unknown format
  ///   version or a file name outside the folder; ``IndexError/io(path:reason:)``.
  /// `allowingOlderSegments`: accept segments of an older format version (a writer that is
  /// about to rebuild them); readers cannot read them.
  public static func read(directory: URL, allowingOlderSegments: Bool = false) throws(IndexError) -> IndexManifest {
    let path = directory.appendingPathComponent(fileName).path
    guard FileManager.default.fileExists(atPath: path) else { return .empty }
    // Read straight into the parser's array: through `Data` the bytes were held twice
    // (29 MB each at 4 GB, 398,198 documents).
    guard let bytes = contents(ofFile: path) else { throw .io(path: path, reason: "cannot read the manifest") }
    let manifest: IndexManifest
    do throws(ManifestJSON.Failure) {
      manifest = try ManifestJSON.decode(bytes)
    } catch {
      throw .corrupt(file: path, reason: "manifest is not valid JSON of the expected shape (\(error.description))")
    }
    guard manifest.formatVersion == currentFormatVersion else {
      throw .corrupt(
        file: path, reason: "manifest format version \(manifest.formatVersion); this build reads \(currentFormatVersion)")
    }
    guard
      manifest.segmentFormatVersion == Int(SegmentFormat.version)
        || (allowingOlderSegments && (1..<Int(SegmentFormat.version)).contains(manifest.segmentFormatVersion))
    else {
      // The error's description adds how to rebuild it.
      let age = manifest.segmentFormatVersion < Int(SegmentFormat.version) ? "older" : "newer"
      throw .corrupt(
        file: path,
        reason: "segment format version \(manifest.segmentFormatVersion), \(age) than this build's \(SegmentFormat.version)")
    }
    for segment in manifest.segments {
      guard !segment.file.isEmpty, !segment.file.contains("/"), segment.file != ".", segment.file != "..",
        segment.documentIDs.count == segment.tokenCounts.count,
        segment.textBytes.map({ $0.count == segment.documentIDs.count }) ?? true
      else { throw .corrupt(file: path, reason: "manifest names an invalid segment entry") }
    }
    return manifest
  }

  /// Writes the manifest atomically to `<directory>/manifest.json` (through
  /// `manifest.json.tmp`, `fsync`, rename, `fsync` of the folder).
  ///
  /// - Throws: ``IndexError/io(path:reason:)``.
  public func write(directory: URL) throws(IndexError) {
    try SegmentFormat.writeAtomically(encoded(), to: directory.appendingPathComponent(Self.fileName).path)
  }
}

/// One document's occurrences of a key in a committed index, with its global id.
public struct IndexPosting: Sendable, Hashable {
  /// The document's id in the project store.
  public var documentID: Int64
  /// Token positions, ascending.
  public var positions: [UInt32]
  /// The UTF-8 range of each occurrence, parallel to `positions`.
  public var ranges: [Range<Int>]

  /// Creates a posting.
  public init(documentID: Int64, positions: [UInt32], ranges: [Range<Int>]) {
    self.documentID = documentID
    self.positions = positions
    self.ranges = ranges
  }
}

/// A read-only view of the last committed index: the segments its manifest names, mapped.
///
/// Later commits do not change an open snapshot (segment files are never rewritten, and a
/// deleted file stays mapped until the snapshot goes away).
///
///     let snapshot = try IndexSnapshot(directory: indexFolder)
///     for hit in try snapshot.postings(forStem: "entretien") { print(hit.documentID) }
public final class IndexSnapshot: Sendable {
  /// The manifest the snapshot was opened from.
  public let manifest: IndexManifest
  /// The segments, in manifest order.
  public let segments: [SegmentReader]

  /// Opens the index in `directory` (an empty snapshot when nothing was committed yet).
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)`` when the manifest or a segment it names
  ///   is damaged or disagrees with it; ``IndexError/io(path:reason:)``.
  public convenience init(directory: URL) throws(IndexError) {
    try self.init(manifest: try IndexManifest.read(directory: directory), directory: directory)
  }

  /// Opens the segments of `manifest`, read from `directory` by the caller (who may look at
  /// it while the segments are checked), as ``init(directory:)`` does: every byte hashed.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``, ``IndexError/io(path:reason:)``.
  public init(manifest: IndexManifest, directory: URL) throws(IndexError) {
    self.manifest = manifest
    segments = try Self.open(manifest, in: directory, verifyingChecksums: true)
  }

  /// The index `manifest` describes, as the writer that committed it has it in memory: the
  /// manifest is not read back, and its segments are opened without hashing every byte again
  /// (structure checks only; see ``SegmentReader/init(path:verifiesChecksum:)``). For what
  /// `verbatim index` reports once it has committed; searches open an index with ``init(directory:)``.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``, ``IndexError/io(path:reason:)``.
  public init(committed manifest: IndexManifest, directory: URL) throws(IndexError) {
    self.manifest = manifest
    segments = try Self.open(manifest, in: directory, verifyingChecksums: false)
  }

  private static func open(_ manifest: IndexManifest, in directory: URL, verifyingChecksums: Bool) throws(IndexError)
    -> [SegmentReader]
  {
    // Segments are opened (and their bytes hashed) on every core, one task each; the first
    // failure in the manifest's order is reported, whatever the order the threads finished in.
    let entries = manifest.segments
    return try concurrentMap(count: entries.count, threads: entries.count) { index throws(IndexError) in
      let entry = entries[index]
      let reader = try SegmentReader(
        path: directory.appendingPathComponent(entry.file).path, verifiesChecksum: verifyingChecksums)
      guard reader.documents.map(\.documentID) == entry.documentIDs,
        reader.documents.map(\.tokenCount) == entry.tokenCounts
      else { throw .corrupt(file: reader.path, reason: "documents differ from the manifest's list") }
      // The checks read a few places of each file (header, footer, the dictionaries' block
      // tables, the document table), but the kernel maps the page cache's large folios whole
      // around each: 240 MB resident after opening the 239 segments of a 4 GB index. A search
      // maps again only what it reads.
      reader.releaseResidentPages()
      return reader
    }
  }

  /// Every document id of the index, ascending.
  public var documentIDs: [Int64] { manifest.segments.flatMap(\.documentIDs).sorted() }

  /// The number of distinct normalised terms and of distinct stems over every segment (a
  /// word indexed in several segments counts once): k-way merges of the sorted dictionaries,
  /// 16 at a time (``distinctKeys(_:)``).
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func distinctKeyCounts() throws(IndexError) -> (terms: Int, stems: Int) {
    // Terms and stems on two threads, each writing its own property of one box.
    final class Counts: @unchecked Sendable {
      var terms: Result<Int, IndexError> = .success(0)
      var stems: Result<Int, IndexError> = .success(0)
    }
    let counts = Counts()
    let terms = segments.map(\.terms)
    let stems = segments.map(\.stems)
    DispatchQueue.concurrentPerform(iterations: 2) { kind in
      if kind == 0 {
        counts.terms = Result { () throws(IndexError) in try Self.distinctKeys(terms) }
      } else {
        counts.stems = Result { () throws(IndexError) in try Self.distinctKeys(stems) }
      }
    }
    return (try counts.terms.get(), try counts.stems.get())
  }

  /// How many dictionaries a distinct-key count merges at once.
  static let distinctKeyGroup = 16

  /// The number of distinct keys over `dictionaries`: groups of ``distinctKeyGroup``
  /// dictionaries are merged into runs of their distinct keys, each group's pages released once
  /// merged, then the runs are merged. Merging all at once kept every dictionary resident as it
  /// was read: 300 MB at 4 GB (239 segments), the peak of a whole `verbatim index`. A run is the
  /// group's distinct keys, flat (about 1.3 MB at 1 GB).
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  static func distinctKeys(_ dictionaries: [TermDictionary]) throws(IndexError) -> Int {
    if dictionaries.count == 1 { return dictionaries[0].count }
    var count = 0
    if dictionaries.count <= distinctKeyGroup {
      var iterators = dictionaries.map { $0.makeEntryIterator() }
      try mergeDistinct(&iterators) { _ in count += 1 }
      for dictionary in dictionaries { dictionary.releaseResidentPages() }
      return count
    }
    var runs: [KeyRun] = []
    for start in stride(from: 0, to: dictionaries.count, by: distinctKeyGroup) {
      let group = dictionaries[start..<min(start + distinctKeyGroup, dictionaries.count)]
      var iterators = group.map { $0.makeEntryIterator() }
      var run = KeyRun()
      try mergeDistinct(&iterators) { run.append($0) }
      for dictionary in group { dictionary.releaseResidentPages() }
      runs.append(run)
    }
    var cursors = runs.map { KeyRun.Cursor($0) }
    try mergeDistinct(&cursors) { _ in count += 1 }
    return count
  }

  /// Keys in ascending byte order, flat: what a group of dictionaries holds, each key once.
  struct KeyRun {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    mutating func append(_ key: UnsafeBufferPointer<UInt8>) {
      bytes.append(contentsOf: key)
      ends.append(bytes.count)
    }

    /// Reads a run's keys in order.
    struct Cursor: SortedKeySource {
      private let run: KeyRun
      private var index = -1

      init(_ run: KeyRun) { self.run = run }

      mutating func advanceKey() -> Bool {
        index += 1
        return index < run.ends.count
      }

      func withCurrentKey<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let start = index == 0 ? 0 : run.ends[index - 1]
        return run.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<run.ends[index]])) }
      }
    }
  }

  /// Calls `body` with each distinct key of `sources` (each sorted, keys unique within it), in
  /// ascending byte order: a k-way merge on a binary min-heap of source indices.
  private static func mergeDistinct<Source: SortedKeySource>(
    _ sources: inout [Source], _ body: (UnsafeBufferPointer<UInt8>) -> Void
  ) throws(IndexError) {
    // The sources and the heap are read through buffer pointers handed down as arguments:
    // local functions capturing the arrays had every access checked for exclusivity at run
    // time (15 % of the samples of a `verbatim index` with nothing to do, at 1 GB).
    var heap: [Int] = []
    for source in sources.indices where try sources[source].advanceKey() { heap.append(source) }
    guard !heap.isEmpty else { return }
    @inline(__always)
    func less(_ sources: UnsafeMutableBufferPointer<Source>, _ a: Int, _ b: Int) -> Bool {
      sources[a].withCurrentKey { left in sources[b].withCurrentKey { right in ByteKey.precedes(left, right) } }
    }
    func siftDown(_ heap: UnsafeMutableBufferPointer<Int>, _ size: Int, _ sources: UnsafeMutableBufferPointer<Source>, _ start: Int) {
      var index = start
      while true {
        let left = 2 * index + 1
        guard left < size else { return }
        var smallest = left
        if left + 1 < size && less(sources, heap[left + 1], heap[left]) { smallest = left + 1 }
        guard less(sources, heap[smallest], heap[index]) else { return }
        heap.swapAt(smallest, index)
        index = smallest
      }
    }
    var previous: [UInt8] = []
    var first = true
    var failure: IndexError?
    sources.withUnsafeMutableBufferPointer { sources in
      heap.withUnsafeMutableBufferPointer { heap in
        var size = heap.count
        for index in stride(from: size / 2 - 1, through: 0, by: -1) { siftDown(heap, size, sources, index) }
        while size > 0 {
          let top = heap[0]
          sources[top].withCurrentKey { key in
            if first || !key.elementsEqual(previous) {
              first = false
              body(key)
              previous.removeAll(keepingCapacity: true)
              previous.append(contentsOf: key)
            }
          }
          do throws(IndexError) {
            if try !sources[top].advanceKey() {
              heap[0] = heap[size - 1]
              size -= 1
            }
          } catch {
            failure = error
            return
          }
          siftDown(heap, size, sources, 0)
        }
      }
    }
    if let failure { throw failure }
  }

  /// The occurrences of the stem `stem`, by ascending document id.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func postings(forStem stem: String) throws(IndexError) -> [IndexPosting] {
    var result: [IndexPosting] = []
    for reader in segments {
      if let list = try reader.postings(forStem: stem) { Self.append(list, of: reader, to: &result) }
    }
    return result.sorted { $0.documentID < $1.documentID }
  }

  /// The occurrences of the normalised term `term` (an `=exact` query), by ascending document id.
  ///
  /// - Throws: ``IndexError/corrupt(file:reason:)``.
  public func postings(forTerm term: String) throws(IndexError) -> [IndexPosting] {
    var result: [IndexPosting] = []
    for reader in segments {
      if let list = try reader.postings(forTerm: term) { Self.append(list, of: reader, to: &result) }
    }
    return result.sorted { $0.documentID < $1.documentID }
  }

  private static func append(_ list: PostingList, of reader: SegmentReader, to result: inout [IndexPosting]) {
    for index in 0..<list.count {
      result.append(
        IndexPosting(
          documentID: reader.document(at: Int(list.documents[index])).documentID,
          positions: Array(list.positions(at: index)), ranges: list.ranges(at: index)))
    }
  }
}

/// The bytes of the file at `path`, or `nil` when it cannot be read whole.
private func contents(ofFile path: String) -> [UInt8]? {
  let descriptor = open(path, O_RDONLY | O_CLOEXEC)
  guard descriptor >= 0 else { return nil }
  defer { close(descriptor) }
  var status = stat()
  guard fstat(descriptor, &status) == 0 else { return nil }
  let size = Int(status.st_size)
  var complete = true
  let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
    while initialized < size {
      let count = read(descriptor, buffer.baseAddress! + initialized, size - initialized)
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { break }
      initialized += count
    }
    complete = initialized == size
  }
  return complete ? bytes : nil
}

/// A sorted sequence of distinct keys read one at a time, in place: a dictionary's entries, or
/// a run of keys a merge kept.
protocol SortedKeySource {
  /// Moves to the next key; `false` after the last.
  mutating func advanceKey() throws(IndexError) -> Bool
  /// Calls `body` with the current key's bytes.
  func withCurrentKey<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result
}

extension TermDictionary.EntryIterator: SortedKeySource {
  mutating func advanceKey() throws(IndexError) -> Bool { try advance() != nil }

  func withCurrentKey<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    currentKey.withUnsafeBufferPointer(body)
  }
}
