import Foundation
import Testing
import VerbatimTestSupport
@testable import VerbatimIndex

/// The manifest codec against Foundation's `JSONEncoder` and `JSONDecoder` (the independent
/// reference: `IndexManifest` keeps its `Codable` conformance for them).
@Suite struct ManifestJSONTests {
  /// Strings that need escaping or are not ASCII, in keys and values.
  static let awkward = [
    "plain", "with \"quotes\"", "back\\slash", "a/b", "tab\tnew\nline\r", "bell\u{07}\u{1F}", "élu·e·s", "😀 emoji",
    "", "\u{7F}del", "ff\u{0C}bs\u{08}",
  ]

  static func sample(seed: UInt64) -> IndexManifest {
    var random = SplitMix64(seed: seed)
    var segments: [IndexManifest.Segment] = []
    var next: Int64 = 1
    for index in 0..<Int(random.next() % 5) {
      let count = Int(random.next() % 40)
      let ids = (0..<count).map { _ in
        next += Int64(1 + random.next() % 1000)
        return next
      }
      segments.append(
        IndexManifest.Segment(
          file: "seg-\(index)-\(awkward[Int(random.next() % UInt64(awkward.count))]).vbseg", documentIDs: ids,
          tokenCounts: ids.map { _ in UInt32(truncatingIfNeeded: random.next()) },
          textBytes: random.next() % 3 == 0 ? nil : ids.map { _ in UInt32(truncatingIfNeeded: random.next() >> 7) }))
    }
    var versions: [String: String] = [:]
    for segment in segments {
      for id in segment.documentIDs where random.next() % 4 != 0 {
        versions[String(id)] = "xxh64:\(String(random.next(), radix: 16))/\(awkward[Int(random.next() % UInt64(awkward.count))])"
      }
    }
    for word in awkward { versions[word] = word }
    var manifest = IndexManifest(generation: Int(random.next() % 100_000), segments: segments, documentVersions: versions)
    manifest.segmentFormatVersion = Int(random.next() % 4)
    if random.next() % 3 != 0 {
      manifest.distinctKeys = .init(terms: Int(random.next() >> 20), stems: Int(random.next() % 1000))
    }
    return manifest
  }

  static func foundationBytes(_ manifest: IndexManifest) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(manifest))
  }

  @Test(arguments: 0..<40 as Range<UInt64>) func writesJSONEncodersBytes(seed: UInt64) throws {
    let manifest = Self.sample(seed: seed)
    #expect(ManifestJSON.encode(manifest) == (try Self.foundationBytes(manifest)))
  }

  @Test(arguments: 0..<40 as Range<UInt64>) func readsWhatJSONEncoderWrites(seed: UInt64) throws {
    let manifest = Self.sample(seed: seed)
    #expect(try ManifestJSON.decode(Self.foundationBytes(manifest)) == manifest)
    // Pretty-printed, keys unsorted, slashes escaped: still the same manifest.
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted]
    #expect(try ManifestJSON.decode(Array(encoder.encode(manifest))) == manifest)
    #expect(try JSONDecoder().decode(IndexManifest.self, from: Data(ManifestJSON.encode(manifest))) == manifest)
  }

  @Test func unknownKeysAndNullTextBytesAndEscapes() throws {
    let json = #"""
      { "extra": [1, -2.5e3, {"a": [true, false, null]}, "x\"y"],
        "segments": [ {"file": "s\u00e9g\ud83d\ude00.vbseg", "documentIDs": [3, 9], "tokenCounts": [0, 4294967295],
                       "textBytes": null, "later": {} } ],
        "generation": 7, "segmentFormatVersion": 3, "formatVersion": 1,
        "documentVersions": {"3": "v\/3"} }
      """#
    let manifest = try ManifestJSON.decode(Array(json.utf8))
    #expect(manifest.generation == 7)
    #expect(manifest.segments == [IndexManifest.Segment(file: "ség😀.vbseg", documentIDs: [3, 9], tokenCounts: [0, .max])])
    #expect(manifest.documentVersions == ["3": "v/3"])
    #expect(manifest.distinctKeys == nil, "a manifest written before the counts were recorded")
  }

  /// The recorded counts are read whatever the order of their keys, and both must be there.
  @Test func distinctKeysNeedBothCounts() throws {
    let head = #"{"formatVersion":1,"generation":1,"segmentFormatVersion":4,"segments":[],"#
    let both = try ManifestJSON.decode(Array((head + #""distinctKeys":{"terms":12,"x":[],"stems":7}}"#).utf8))
    #expect(both.distinctKeys == IndexManifest.DistinctKeys(terms: 12, stems: 7))
    #expect(throws: ManifestJSON.Failure.self) {
      try ManifestJSON.decode(Array((head + #""distinctKeys":{"terms":12}}"#).utf8))
    }
  }

  /// A document's version given twice keeps the last one, as this reader always did (the
  /// writer never repeats a key); an empty object gives no versions.
  @Test func aVersionGivenTwiceKeepsTheLast() throws {
    let json = #"{"documentVersions":{"5":"a","2":"x","5":"b"},"formatVersion":1,"generation":1,"segmentFormatVersion":4,"segments":[]}"#
    let manifest = try ManifestJSON.decode(Array(json.utf8))
    #expect(manifest.documentVersions == ["5": "b", "2": "x"])
    let empty = #"{"documentVersions":{},"formatVersion":1,"generation":1,"segmentFormatVersion":4,"segments":[]}"#
    #expect(try ManifestJSON.decode(Array(empty.utf8)).documentVersions.isEmpty)
  }

  @Test(arguments: [
    ("", 0, "'{'"),
    (#"{"formatVersion":1"#, 18, "',' or '}'"),
    (#"{"formatVersion":1.5}"#, 17, "an integer"),
    (#"{"formatVersion":1,"generation":2,"segmentFormatVersion":3,"segments":[]} x"#, 74, "the end of the file"),
    (#"{"formatVersion":1,"generation":2,"segmentFormatVersion":3}"#, 59, "the key segments"),
    (#"{"segments":[{"file":"a","documentIDs":[1],"tokenCounts":[-1]}]}"#, 58, "an integer"),
    (#"{"segments":[{"file":"a","documentIDs":[1],"tokenCounts":[4294967296]}]}"#, 58, "an integer"),
    (#"{"segments":[{"file":"a","documentIDs":[1]}]}"#, 43, "a segment with"),
    (#"{"documentVersions":{"1":"a\qb"}}"#, 28, "an escape"),
    (#"{"documentVersions":{"1":"\ud800x"}}"#, 32, "a low surrogate"),
    ("{\"documentVersions\":{\"1\":\"a\nb\"}}", 27, "an escaped control"),
    (#"{"segments":[1]}"#, 13, "'{'"),
    (#"{"extra":[1 2]}"#, 12, "',' or ']'"),
  ]) func pointsAtWhatIsWrong(json: String, offset: Int, expected: String) {
    #expect {
      _ = try ManifestJSON.decode(Array(json.utf8))
    } throws: { error in
      guard let failure = error as? ManifestJSON.Failure else { return false }
      return failure.offset == offset && failure.expected.hasPrefix(expected)
    }
  }

  @Test func rejectsInvalidUTF8() {
    let bytes = Array(#"{"documentVersions":{"1":""#.utf8) + [0xC3, 0x28] + Array(#""}}"#.utf8)
    #expect(throws: ManifestJSON.Failure.self) { try ManifestJSON.decode(bytes) }
    #expect(throws: (any Error).self) { try JSONDecoder().decode([String: [String: String]].self, from: Data(bytes)) }
    // The failure points at the start of the string, key or value.
    let key = Array(#"{"documentVersions":{""#.utf8) + [0xC3, 0x28] + Array(#"":"a"}}"#.utf8)
    for (json, offset, expected) in [(bytes, 25, "a UTF-8 string"), (key, 21, "a UTF-8 key")] {
      #expect {
        _ = try ManifestJSON.decode(json)
      } throws: { error in
        guard let failure = error as? ManifestJSON.Failure else { return false }
        return failure.offset == offset && failure.expected == expected
      }
    }
  }

  @Test func damagedManifestFileIsCorruptWithItsOffset() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-json-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(#"{"formatVersion":1,"generation":"#.utf8).write(to: folder.appendingPathComponent(IndexManifest.fileName))
    #expect {
      _ = try IndexManifest.read(directory: folder)
    } throws: { error in
      guard case let .corrupt(file, reason) = error as? IndexError else { return false }
      return file.hasSuffix("manifest.json") && reason.contains("at byte 32")
    }
  }
}
