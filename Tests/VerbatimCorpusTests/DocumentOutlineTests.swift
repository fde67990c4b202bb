import Testing
import VerbatimCorpus
import VerbatimTestSupport

/// The outline codec: what is encoded decodes back, and damaged bytes are refused.
@Suite struct DocumentOutlineTests {
  /// A seeded random outline: turns with and without speakers (some names repeated, one not
  /// ASCII), units inside turns, metadata.
  static func randomOutline(_ random: inout SplitMix64, turns maxTurns: Int = 6, units maxUnits: Int = 5)
    -> DocumentOutline
  {
    var turns: [DocumentOutline.Turn] = []
    var sentences: [DocumentOutline.Unit] = []
    var segments: [DocumentOutline.Unit] = []
    var offset = random.next(below: 40)
    let names = ["Maire", "Élu chargé du numérique", "Interlocuteur (EPCI)"]
    for turn in 1...(1 + random.next(below: maxTurns)) {
      let start = offset
      for units in [0, 1] {
        var unitOffset = start
        for _ in 0..<random.next(below: maxUnits) {
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

  /// The searcher's names in place (`speakerRanges(into:)`, made into strings on demand) are
  /// the outline's speakers in order of first use; a name that is not UTF-8 is refused, in
  /// place and by `speakers()`.
  @Test func speakerRangesGiveTheNames() throws {
    var random = SplitMix64(seed: 43)
    var checked = 0
    for _ in 0..<200 {
      let outline = Self.randomOutline(&random)
      var expected: [String] = []
      for case let speaker? in outline.turns.map(\.speaker) where !expected.contains(speaker) { expected.append(speaker) }
      var bytes = outline.encoded()
      bytes.withUnsafeBytes { buffer in
        var names = DocumentOutline.Reader(buffer)
        var inPlace = DocumentOutline.Reader(buffer)
        var ranges: [Range<Int>] = []
        let decoded = names.speakers()
        #expect(decoded == expected)
        let read = inPlace.speakerRanges(into: &ranges)
        #expect(read)
        #expect(ranges.map { DocumentOutline.Reader.name(in: buffer, $0) } == expected)
        // Both readers stand at the turns.
        let skipped = names.skipPart() && inPlace.skipPart()
        #expect(skipped)
      }
      // bytes: part length, name count, first name's length, its first byte.
      guard bytes.count > 3, bytes[1] > 0, bytes[2] > 0 else { continue }
      for invalid: UInt8 in [0xFF, 0xF8, 0x80] {
        bytes[3] = invalid
        bytes.withUnsafeBytes { buffer in
          var names = DocumentOutline.Reader(buffer)
          var inPlace = DocumentOutline.Reader(buffer)
          var ranges: [Range<Int>] = []
          let decoded = names.speakers()
          let read = inPlace.speakerRanges(into: &ranges)
          #expect(decoded == nil)
          #expect(!read)
          // Read without validating (a searcher's way), the bad name is found when made.
          var unchecked = DocumentOutline.Reader(buffer)
          let readUnchecked = unchecked.speakerRanges(into: &ranges, validating: false)
          #expect(readUnchecked)
          #expect(ranges.count == expected.count)
          #expect(DocumentOutline.Reader.validName(in: buffer, ranges[0]) == nil)
          for (range, name) in zip(ranges, expected).dropFirst() {
            #expect(DocumentOutline.Reader.validName(in: buffer, range) == name)
          }
        }
      }
      checked += 1
    }
    #expect(checked > 50)
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

  /// Every unit of an outline's three parts, read through the lazy streams (as the searcher
  /// reads them); `nil` as soon as one is refused.
  static func streamed(_ buffer: UnsafeRawBufferPointer) -> [[(range: Range<Int>, value: Int)]]? {
    var reader = DocumentOutline.Reader(buffer)
    guard reader.speakers() != nil else { return nil }
    var parts: [[(range: Range<Int>, value: Int)]] = []
    for part in 0..<3 {
      guard var stream = reader.unitStream() else { return nil }
      var units: [(range: Range<Int>, value: Int)] = []
      while !stream.isAtEnd {
        guard let unit = stream.next(isTurn: part == 0) else { return nil }
        units.append(unit)
      }
      #expect(units.count == stream.count)
      parts.append(units)
    }
    return reader.metadata() != nil && reader.isAtEnd ? parts : nil
  }

  /// The lazy unit streams give the units the eager decoder gives (turns with their speaker
  /// numbers); on damaged bytes they refuse or decode without trapping.
  @Test func streamsGiveTheDecodedUnits() throws {
    var random = SplitMix64(seed: 43)
    for _ in 0..<300 {
      let outline = Self.randomOutline(&random)
      let bytes = outline.encoded()
      let parts = try #require(bytes.withUnsafeBytes { Self.streamed($0) })
      var names: [String] = []
      for turn in outline.turns where turn.speaker.map({ !names.contains($0) }) ?? false { names.append(turn.speaker!) }
      #expect(parts[0].map(\.range) == outline.turns.map(\.range))
      #expect(parts[0].map(\.value) == outline.turns.map { turn in turn.speaker.map { names.firstIndex(of: $0)! + 1 } ?? 0 })
      #expect(parts[1].map(\.range) == outline.sentences.map(\.range) && parts[1].map(\.value) == outline.sentences.map(\.turn))
      #expect(parts[2].map(\.range) == outline.segments.map(\.range) && parts[2].map(\.value) == outline.segments.map(\.turn))
      for length in 1..<bytes.count {
        #expect(bytes[..<length].withUnsafeBytes { Self.streamed($0) } == nil, "prefix \(length)")
      }
      for _ in 0..<10 {
        var damaged = bytes
        damaged[random.next(below: damaged.count)] ^= UInt8(1 << random.next(below: 8))
        _ = damaged.withUnsafeBytes { Self.streamed($0) }
      }
    }
  }

  /// Every unit of an outline's three parts read in batches with `decode(past:)`, each batch
  /// asked to go past a seeded offset (as the searcher asks before each hit); `nil` as soon as
  /// one is refused.
  static func batched(_ buffer: UnsafeRawBufferPointer, _ random: inout SplitMix64)
    -> [[(range: Range<Int>, value: Int)]]?
  {
    var reader = DocumentOutline.Reader(buffer)
    guard reader.speakers() != nil else { return nil }
    var parts: [[(range: Range<Int>, value: Int)]] = []
    for part in 0..<3 {
      guard var stream = reader.unitStream() else { return nil }
      var ranges: [Range<Int>] = []
      var values: [Int] = []
      var past = 0
      while !stream.isAtEnd {
        let before = ranges.count
        past += random.next(below: 10) == 0 ? 1_000_000 : random.next(below: 2_000)
        guard stream.decode(past: past, isTurn: part == 0, ranges: &ranges, values: &values) else { return nil }
        // It stops at the first unit ending after `past`, or at the part's end.
        #expect(ranges.count > before)
        #expect(ranges[before..<(ranges.count - 1)].allSatisfy { $0.upperBound <= past })
        #expect(stream.isAtEnd || ranges.last!.upperBound > past)
      }
      #expect(ranges.count == stream.count && values.count == stream.count)
      parts.append(zip(ranges, values).map { (range: $0, value: $1) })
    }
    return reader.metadata() != nil && reader.isAtEnd ? parts : nil
  }

  /// Batches give exactly the units one-at-a-time streaming gives, and refuse the same
  /// truncated outlines.
  @Test func batchesGiveTheStreamedUnits() throws {
    var random = SplitMix64(seed: 47)
    for round in 0..<300 {
      // A third with hundreds of units per part: batches fill the 64-unit buffer several times.
      let bytes = (round % 3 == 0 ? Self.randomOutline(&random, turns: 60, units: 12) : Self.randomOutline(&random))
        .encoded()
      let streamed = try #require(bytes.withUnsafeBytes { Self.streamed($0) })
      let batched = try #require(bytes.withUnsafeBytes { Self.batched($0, &random) })
      for part in 0..<3 {
        #expect(batched[part].map(\.range) == streamed[part].map(\.range))
        #expect(batched[part].map(\.value) == streamed[part].map(\.value))
      }
      for length in stride(from: 1, to: bytes.count, by: round % 3 == 0 ? 7 : 1) {
        #expect(bytes[..<length].withUnsafeBytes { Self.batched($0, &random) } == nil, "prefix \(length)")
      }
      for _ in 0..<10 {
        var damaged = bytes
        damaged[random.next(below: damaged.count)] ^= UInt8(1 << random.next(below: 8))
        let oneByOne = damaged.withUnsafeBytes { Self.streamed($0) }
        let inBatches = damaged.withUnsafeBytes { Self.batched($0, &random) }
        #expect((oneByOne == nil) == (inBatches == nil))
      }
    }
  }

  /// `last(past:)` stops where a batch stops and returns the unit a batch would end with:
  /// reference, the units streamed one at a time (the first ending after the offset, else
  /// the part's last); its index is `decoded - 1`.
  @Test func lastGivesTheUnitABatchEndsWith() throws {
    var random = SplitMix64(seed: 48)
    for round in 0..<300 {
      let bytes = (round % 3 == 0 ? Self.randomOutline(&random, turns: 60, units: 12) : Self.randomOutline(&random))
        .encoded()
      let streamed = try #require(bytes.withUnsafeBytes { Self.streamed($0) })
      try bytes.withUnsafeBytes { buffer in
        var reader = DocumentOutline.Reader(buffer)
        let speakers = reader.speakers()
        #expect(speakers != nil)
        for part in 0..<3 {
          let unitStream = reader.unitStream()
          var stream = try #require(unitStream)
          let units = streamed[part]
          var past = 0
          while !stream.isAtEnd {
            past += random.next(below: 10) == 0 ? 1_000_000 : random.next(below: 2_000)
            let before = stream.decoded
            let last = stream.last(past: past, isTurn: part == 0)
            let unit = try #require(last)
            let expected = units[before...].firstIndex { $0.range.upperBound > past } ?? units.count - 1
            #expect(stream.decoded == expected + 1)
            #expect(unit.range == units[expected].range && unit.value == units[expected].value)
          }
          let afterEnd = stream.last(past: .max, isTurn: part == 0)
          #expect(afterEnd == nil, "nothing left")
        }
      }
      for length in stride(from: 1, to: bytes.count, by: 5) {
        // A truncated outline is refused by one of its streams or its metadata.
        let complete = bytes[..<length].withUnsafeBytes { buffer -> Bool in
          var reader = DocumentOutline.Reader(buffer)
          guard reader.speakers() != nil else { return false }
          for part in 0..<3 {
            guard var stream = reader.unitStream() else { return false }
            while !stream.isAtEnd { if stream.last(past: .max, isTurn: part == 0) == nil { return false } }
          }
          return reader.metadata() != nil && reader.isAtEnd
        }
        #expect(!complete, "prefix \(length)")
      }
    }
  }
}
