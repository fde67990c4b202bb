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
}
