import Testing
import VerbatimCorpus
@testable import VerbatimIndex
import VerbatimTestSupport

/// Outline skips (format 4): a search that locates its hits' units from the marks finds the
/// same unit, with the same speaker and turn, as a galloping search over every unit decoded
/// from the first (`decodeAll`), over seeded long outlines (hundreds of turns and units).
@Suite struct OutlineSkipsTests {
  /// A seeded outline with up to `maxTurns` turns of up to `maxUnits` sentences and segments.
  static func longOutline(_ random: inout SplitMix64, turns maxTurns: Int, units maxUnits: Int) -> DocumentOutline {
    var turns: [DocumentOutline.Turn] = []
    var sentences: [DocumentOutline.Unit] = []
    var segments: [DocumentOutline.Unit] = []
    var offset = random.next(below: 30)
    let names = ["Maire", "Élu chargé du numérique", "Interlocuteur (EPCI)", "DSI"]
    for turn in 1...(1 + random.next(below: maxTurns)) {
      let start = offset
      for kind in 0..<2 {
        var unitOffset = start
        for _ in 0..<random.next(below: maxUnits + 1) {
          unitOffset += random.next(below: 3)
          let length = 1 + random.next(below: 120)
          let unit = DocumentOutline.Unit(turn: turn, range: unitOffset..<(unitOffset + length))
          if kind == 0 { sentences.append(unit) } else { segments.append(unit) }
          unitOffset += length
        }
        offset = max(offset, unitOffset)
      }
      let speaker = random.next(below: 5) == 0 ? nil : names[random.next(below: names.count)]
      turns.append(DocumentOutline.Turn(range: start..<offset, speaker: speaker))
      offset += 1 + random.next(below: 50)
    }
    return DocumentOutline(turns: turns, sentences: sentences, segments: segments, metadata: ["région": "Bretagne"])
  }

  @Test func skippingFindsTheUnitsOfAFullDecode() throws {
    var random = SplitMix64(seed: 404)
    var skippedTurns = 0
    var skippedUnits = 0
    for round in 0..<150 {
      let outline = Self.longOutline(&random, turns: round % 2 == 0 ? 200 : 20, units: round % 3 == 0 ? 1 : 8)
      let bytes = outline.encoded()
      let encodedSkips = bytes.withUnsafeBytes { OutlineSkips.encode(outline: $0) }
      let counts = [outline.turns.count, outline.sentences.count, outline.segments.count]
      let interval = OutlineSkips.interval
      #expect(encodedSkips.isEmpty == counts.allSatisfy { $0 <= interval }, "skips only for parts of more units than the interval")
      try bytes.withUnsafeBytes { outlineBytes in
        try encodedSkips.withUnsafeBytes { skipBytes in
          let skips = try #require(OutlineSkips(skipBytes))
          let parts = [skips.turns, skips.sentences, skips.segments]
          for (part, count) in zip(parts, counts) { #expect(part.count == max(0, (count - 1) / interval)) }
          let end = outline.turns.last?.range.upperBound ?? 0
          for kind in DocumentOutline.UnitKind.allCases {
            for trial in 0..<4 {
              // Units located through the marks (or, one time in four, without them) …
              var skipping = IndexSearcher.UnitTable()
              let skippingFilled = skipping.fill(
                outline: outlineBytes, skips: trial == 3 ? .none : skips, kind: kind, withMetadata: false)
              #expect(skippingFilled)
              // … against every unit decoded, searched with the galloping search.
              var full = IndexSearcher.UnitTable()
              let fullFilled = full.fill(outline: outlineBytes, skips: .none, kind: kind, withMetadata: false)
              #expect(fullFilled)
              let fullDecoded = full.decodeAll()
              #expect(fullDecoded)
              // Ascending offsets, sparse or dense, some between units or past the last.
              var offset = random.next(below: 50)
              let step = 1 + random.next(below: random.next(below: 2) == 0 ? 40 : 2_000)
              var fullCursor = 0
              while offset <= end + 10 {
                var damaged = false
                let found = skipping.locate(offset, damaged: &damaged)
                #expect(!damaged)
                let expected = IndexSearcher.unitIndex(containing: offset, from: &fullCursor, in: full.ranges)
                #expect(found == expected, "\(kind) offset \(offset)")
                if let found, let expected {
                  #expect(skipping.locatedRange == full.ranges[expected])
                  let unit = skipping.locatedUnit()
                  #expect(unit == full.unit(expected), "\(kind) offset \(offset) unit \(found)")
                }
                offset += 1 + random.next(below: step)
              }
              skippedUnits += skipping.skippedUnits
              skippedTurns += kind == .turn ? 0 : skipping.skippedTurns
              // decodeAll ignores the marks: every unit, as without them.
              var again = IndexSearcher.UnitTable()
              let againFilled = again.fill(outline: outlineBytes, skips: skips, kind: kind, withMetadata: false)
              #expect(againFilled)
              let againDecodedAll = again.decodeAll()
              #expect(againDecodedAll)
              #expect(again.ranges == full.ranges)
              #expect(again.ranges.indices.map { again.unit($0) } == full.ranges.indices.map { full.unit($0) })
            }
          }
        }
      }
    }
    #expect(skippedUnits > 10_000, "units should be skipped")
    #expect(skippedTurns > 200, "turns should be skipped")
  }

  /// Outlines a search may not skip through get no marks: units whose turns go back, ends
  /// that go back, a turn whose speaker is not named.
  @Test func outlinesThatGoBackGetNoSkips() throws {
    var random = SplitMix64(seed: 405)
    let outline = Self.longOutline(&random, turns: 1, units: 0)
    var units = (0..<(2 * OutlineSkips.interval + 8)).map { DocumentOutline.Unit(turn: 1, range: (10 * $0)..<(10 * $0 + 5)) }
    let turns = [
      DocumentOutline.Turn(range: 0..<200, speaker: "A"), DocumentOutline.Turn(range: 200..<400, speaker: nil),
    ]
    let good = DocumentOutline(turns: turns, sentences: units, segments: [], metadata: outline.metadata)
    #expect(!good.encoded().withUnsafeBytes { OutlineSkips.encode(outline: $0) }.isEmpty)
    units[OutlineSkips.interval + 4].turn = 2
    units[OutlineSkips.interval + 10].turn = 1
    let turnBack = DocumentOutline(turns: turns, sentences: units, segments: [], metadata: [:])
    #expect(turnBack.encoded().withUnsafeBytes { OutlineSkips.encode(outline: $0) }.isEmpty)
    units[OutlineSkips.interval + 4].turn = 1
    units[2 * OutlineSkips.interval + 3].range = 3..<4
    let endBack = DocumentOutline(turns: turns, sentences: units, segments: [], metadata: [:])
    #expect(endBack.encoded().withUnsafeBytes { OutlineSkips.encode(outline: $0) }.isEmpty)
    var damaged = good.encoded()
    damaged.removeLast()
    #expect(damaged.withUnsafeBytes { OutlineSkips.encode(outline: $0) }.isEmpty)
    #expect([UInt8]([1, 2, 3]).withUnsafeBytes { OutlineSkips($0) } == nil, "a mark cut short")
  }

  /// The skips' reader against a plain reading of their layout (three parts, each a LEB128
  /// count then 12 bytes a mark, ending the bytes exactly), on encoded skips, their prefixes,
  /// counts of one to three varint bytes, and random bytes: the same parts, or `nil` for both.
  @Test func readsWhatTheLayoutSays() throws {
    func reference(_ bytes: [UInt8]) -> [(offset: Int, count: Int)]? {
      if bytes.isEmpty { return [(0, 0), (0, 0), (0, 0)] }
      var offset = 0
      var parts: [(offset: Int, count: Int)] = []
      for _ in 0..<3 {
        var count = 0
        var shift = 0
        while true {
          guard offset < bytes.count, shift < 63 else { return nil }
          let byte = bytes[offset]
          offset += 1
          count |= Int(byte & 0x7F) << shift
          if byte < 0x80 { break }
          shift += 7
        }
        guard count <= (bytes.count - offset) / 12 else { return nil }
        parts.append((offset, count))
        offset += 12 * count
      }
      return offset == bytes.count ? parts : nil
    }
    func read(_ bytes: [UInt8]) -> [(offset: Int, count: Int)]? {
      bytes.withUnsafeBytes { buffer -> [(offset: Int, count: Int)]? in
        guard let skips = OutlineSkips(buffer) else { return nil }
        return [skips.turns, skips.sentences, skips.segments].map { part in
          guard let start = part.entries.baseAddress, let base = buffer.baseAddress else { return (0, part.count) }
          #expect(part.entries.count == 12 * part.count)
          return (start - base, part.count)
        }
      }
    }
    var random = SplitMix64(seed: 406)
    var samples: [[UInt8]] = [[], [0, 0, 0], [0, 0], [0, 0, 0, 0], [1, 2, 3]]
    for _ in 0..<300 {
      var bytes: [UInt8] = []
      for _ in 0..<3 {
        let count = random.next(below: 4) == 0 ? 128 + random.next(below: 300) : random.next(below: 5)
        var value = count
        // Sometimes an over-long count (a zero high byte): still the count the layout says.
        let padded = random.next(below: 8) == 0
        repeat {
          let low = UInt8(value & 0x7F)
          value >>= 7
          bytes.append(value > 0 || padded ? low | 0x80 : low)
        } while value > 0
        if padded { bytes.append(0) }
        for _ in 0..<(12 * count) { bytes.append(UInt8(random.next(below: 256))) }
      }
      samples.append(bytes)
      samples.append(Array(bytes.prefix(random.next(below: bytes.count + 1))))
      samples.append(bytes + [UInt8(random.next(below: 256))])
      samples.append((0..<random.next(below: 40)).map { _ in UInt8(random.next(below: 256)) })
    }
    var valid = 0
    for bytes in samples {
      let expected = reference(bytes)
      let found = read(bytes)
      #expect(found?.map(\.offset) == expected?.map(\.offset), "\(bytes.prefix(12))")
      #expect(found?.map(\.count) == expected?.map(\.count), "\(bytes.prefix(12))")
      if expected != nil { valid += 1 }
    }
    #expect(valid > 300, "\(valid) valid samples")
  }
}
