import Foundation
import Testing
import VerbatimCorpus

@testable import VerbatimIndex

/// The streaming XXH64 of merged segments against the one-shot `ContentHash.xxh64` (itself
/// checked against the published XXH64 vectors in the corpus tests), and the file writer.
@Suite struct SegmentFileWriterTests {
  /// Published XXH64 (seed 0) values (xxHash's reference implementation).
  @Test func knownVectors() {
    var empty = StreamingXXH64()
    empty.update([UInt8]())
    #expect(empty.digest() == 0xEF46_DB37_51D8_E999)
    #expect(ContentHash.xxh64([UInt8]()) == 0xEF46_DB37_51D8_E999)
  }

  /// Any split of any input hashes like the whole input, one shot.
  @Test func piecesHashLikeTheWhole() {
    var generator = SystemRandomNumberGenerator()
    for length in [0, 1, 3, 4, 7, 8, 31, 32, 33, 63, 64, 65, 100, 1000, 5000] {
      let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let expected = ContentHash.xxh64(bytes)
      for _ in 0..<20 {
        var hasher = StreamingXXH64()
        var offset = 0
        while offset < length {
          let piece = Int.random(in: 0...min(70, length - offset), using: &generator)
          hasher.update(Array(bytes[offset..<(offset + piece)]))
          offset += piece
        }
        #expect(hasher.digest() == expected, "length \(length)")
      }
    }
  }

  /// What is appended is what is read back and what the committed file holds; the hash covers
  /// exactly the hashed appends.
  @Test func writesReadsBackAndCommits() throws {
    let folder = NSTemporaryDirectory() + "verbatim-filewriter-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let writer = try SegmentFileWriter(temporaryPath: folder + "/x.tmp", hashing: true)
    var expected: [UInt8] = []
    for round in 0..<40 {
      // Pieces around the 1 MiB buffer size, so both buffered and direct writes happen.
      let count = round % 7 == 0 ? (1 << 20) + round : round * 997
      let piece = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ round) }
      writer.append(piece)
      expected += piece
      if round % 5 == 0 {
        let at = expected.count / 3
        #expect(try writer.read(offset: UInt64(at), length: min(100, expected.count - at)) == Array(expected[at..<min(at + 100, expected.count)]))
      }
    }
    #expect(writer.hasher.digest() == ContentHash.xxh64(expected))
    writer.append([1, 2, 3], hashed: false)
    #expect(writer.hasher.digest() == ContentHash.xxh64(expected))
    try writer.commit(to: folder + "/x")
    #expect(try Array(Data(contentsOf: URL(fileURLWithPath: folder + "/x"))) == expected + [1, 2, 3])
    #expect(!FileManager.default.fileExists(atPath: folder + "/x.tmp"))
  }
}
