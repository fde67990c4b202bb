import Testing
import VerbatimCorpus
import VerbatimTestSupport

/// The outline codec: what is encoded decodes back, and damaged bytes are refused.
@Suite struct DocumentOutlineTests {
  /// A seeded random outline: turns with and without speakers (some names repeated, one not
  /// ASCII), units inside turns, metadata.
  static func randomOutline(_ random: inout SplitMix64) -> DocumentOutline {
    var turns: [DocumentOutline.Turn] = []
    var sentences: [DocumentOutline.Unit] = []
    var segments: [DocumentOutline.Unit] = []
    var offset = random.next(below: 40)
    let names = ["Maire", "Élu chargé du numérique", "Interlocuteur (EPCI)"]
    for turn in 1...(1 + random.next(below: 6)) {
      let start = offset
      for units in [0, 1] {
        var unitOffset = start
        for _ in 0..<random.next(below: 5) {
          unitOffset += random.next(below: 3)
          let length = 1 + random.next(below: 300)
          let unit = DocumentOutline.Unit(turn: turn, range: unitOffset..<(unitOffset + length))
          if units == 0 { sentences.append(unit) } else { segments.append(unit) }
          unitOffset += length
        }
        offset = max(offset, unitOffset)
      }
      let speaker = random.next(below: 4) == 0 ? nil : names[random.next(below: names.count)]
      turns.append(DocumentOutline.Turn(range: start..<offset, speaker: speaker))
      offset += 1 + random.next(below: 20_000)
    }
    var metadata: [String: String] = [:]
    for field in ["authority_type", "population", "région"] where random.next(below: 2) == 0 {
      metadata[field] = "valeur \(random.next(below: 100)) é"
    }
    return DocumentOutline(turns: turns, sentences: sentences, segments: segments, metadata: metadata)
  }

  @Test func decodesWhatItEncodes() throws {
    var random = SplitMix64(seed: 41)
    for _ in 0..<300 {
      let outline = Self.randomOutline(&random)
      let bytes = outline.encoded()
      #expect(bytes == outline.encoded(), "deterministic")
      let decoded = bytes.withUnsafeBytes { DocumentOutline(decoding: $0) }
      #expect(decoded == outline)
      // The searcher's allocation-free form reads the same units.
      bytes.withUnsafeBytes { buffer in
        var reader = DocumentOutline.Reader(buffer)
        var ranges: [Range<Int>] = []
        var turns: [Int] = []
        #expect(reader.skipPart() && reader.skipPart())
        #expect(reader.units(ranges: &ranges, turns: &turns))
        #expect(ranges == outline.sentences.map(\.range) && turns == outline.sentences.map(\.turn))
        #expect(reader.units(ranges: &ranges, turns: &turns))
        #expect(ranges == outline.segments.map(\.range) && turns == outline.segments.map(\.turn))
        #expect(reader.metadata() == outline.metadata && reader.isAtEnd)
      }
    }
    let empty: [UInt8] = []
    #expect(empty.withUnsafeBytes { DocumentOutline(decoding: $0) } == DocumentOutline(turns: [], sentences: [], segments: [], metadata: [:]))
  }

  /// Every strict prefix of an encoded outline, and a byte added at its end, is refused (each
  /// part carries its length, and the last must end the bytes); a flipped length is refused
  /// or decodes without trapping.
  @Test func refusesDamagedBytes() throws {
    var random = SplitMix64(seed: 7)
    for _ in 0..<40 {
      let bytes = Self.randomOutline(&random).encoded()
      for length in 1..<bytes.count {
        #expect(bytes[..<length].withUnsafeBytes { DocumentOutline(decoding: $0) } == nil, "prefix \(length)")
      }
      #expect((bytes + [0]).withUnsafeBytes { DocumentOutline(decoding: $0) } == nil)
      for _ in 0..<20 {
        var damaged = bytes
        damaged[random.next(below: damaged.count)] ^= UInt8(1 << random.next(below: 8))
        _ = damaged.withUnsafeBytes { DocumentOutline(decoding: $0) }
      }
    }
  }
}
