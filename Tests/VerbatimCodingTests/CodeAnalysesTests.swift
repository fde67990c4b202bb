import Foundation
import Testing
import VerbatimCoding
import VerbatimTestSupport

/// Document 1: four units of 10 bytes (speakers E, L, E, L; commune Rennes); document 2: two
/// units (speaker L; commune Brest).
private let units: [CodingUnit] = [
  CodingUnit(document: 1, kind: "segment", ordinal: 1, range: 0..<10, speaker: "E", metadata: ["commune": "Rennes"]),
  CodingUnit(document: 1, kind: "segment", ordinal: 2, range: 10..<20, speaker: "L", metadata: ["commune": "Rennes"]),
  CodingUnit(document: 1, kind: "segment", ordinal: 3, range: 20..<30, speaker: "E", metadata: ["commune": "Rennes"]),
  CodingUnit(document: 1, kind: "segment", ordinal: 4, range: 30..<40, speaker: "L", metadata: ["commune": "Rennes"]),
  CodingUnit(document: 2, kind: "segment", ordinal: 1, range: 0..<10, speaker: "L", metadata: ["commune": "Brest"]),
  CodingUnit(document: 2, kind: "segment", ordinal: 2, range: 10..<20, speaker: "L", metadata: ["commune": "Brest"]),
]

/// Unit codes: u1 {X, Y}, u2 {X}, u3 {}, u4 {Y}, v1 {X}, v2 {X, Z}.
private let codings: [Coding] = [
  Coding(coder: "A", document: 1, range: 5..<12, code: "X"),
  Coding(coder: "A", document: 1, range: 8..<9, code: "Y"),
  Coding(coder: "A", document: 1, range: 30..<40, code: "Y"),
  Coding(coder: "A", document: 2, range: 0..<20, code: "X"),
  Coding(coder: "A", document: 2, range: 12..<13, code: "Z"),
  Coding(coder: "A", document: 3, range: 0..<5, code: "W"),  // no such unit: ignored
]

@Suite struct CodeAnalysesTests {
  @Test func unitsAreCodedWhenACodingOverlapsThem() {
    let matrix = UnitCodeMatrix(units: units, codings: codings)
    #expect(matrix.codes == ["X", "Y", "Z"])
    #expect(matrix.unitCodes == [[0, 1], [0], [], [1], [0], [0, 2]])
    // Touching is not overlapping: 10..<20 does not overlap a coding ending at 10.
    let touching = UnitCodeMatrix(units: units, codings: [Coding(coder: "A", document: 1, range: 10..<10, code: "E")])
    #expect(touching.unitCodes.allSatisfy { $0.isEmpty })
    #expect(UnitCodeMatrix(units: units, codings: [Coding(coder: "A", document: 1, range: 9..<11, code: "E")]).unitCodes
      == [[0], [0], [], [], [], []])
  }

  @Test func frequenciesByDocumentAndSpeaker() {
    #expect(CodeAnalyses.frequencies(units: units, codings: codings, by: .document) == [
      CodeFrequency(group: "1", code: "X", units: 2, groupUnits: 4, codings: 1),
      CodeFrequency(group: "1", code: "Y", units: 2, groupUnits: 4, codings: 2),
      CodeFrequency(group: "2", code: "X", units: 2, groupUnits: 2, codings: 1),
      CodeFrequency(group: "2", code: "Z", units: 1, groupUnits: 2, codings: 1),
    ])
    #expect(CodeAnalyses.frequencies(units: units, codings: codings, by: .speaker) == [
      CodeFrequency(group: "E", code: "X", units: 1, groupUnits: 2, codings: 1),
      CodeFrequency(group: "E", code: "Y", units: 1, groupUnits: 2, codings: 1),
      CodeFrequency(group: "L", code: "X", units: 3, groupUnits: 4, codings: 2),
      CodeFrequency(group: "L", code: "Y", units: 1, groupUnits: 4, codings: 1),
      CodeFrequency(group: "L", code: "Z", units: 1, groupUnits: 4, codings: 1),
    ])
    #expect(CodeAnalyses.frequencies(units: units, codings: codings, by: .metadata("commune")).map(\.group)
      == ["Brest", "Brest", "Rennes", "Rennes"])
  }

  @Test func cooccurrenceCountJaccardAndCCoefficient() {
    let pairs = CodeAnalyses.cooccurrences(units: units, codings: codings)
    #expect(pairs.map { "\($0.codeA)-\($0.codeB)" } == ["X-Y", "X-Z"])
    // X-Y: one unit together; X codes 4 units, Y 2: 1 / (4 + 2 - 1).
    #expect(pairs[0].units == 1 && pairs[0].unitsA == 4 && pairs[0].unitsB == 2)
    #expect(pairs[0].jaccard == 1.0 / 5)
    // Codings: X 2, Y 2, one overlapping X-Y pair: 1 / (2 + 2 - 1).
    #expect(pairs[0].codingsA == 2 && pairs[0].codingsB == 2 && pairs[0].overlappingCodings == 1)
    #expect(pairs[0].cCoefficient == 1.0 / 3)
    #expect(pairs[1].jaccard == 1.0 / 4)
    #expect(pairs[1].cCoefficient == 1.0 / 2)
  }

  @Test func cCoefficientCountsEveryOverlappingPairLikeATLASti() {
    // One long A quotation overlapping two B quotations: n12 = 2, n1 = 1, n2 = 2 → 2 / 1.
    let long = [
      Coding(coder: "A", document: 1, range: 0..<40, code: "A"),
      Coding(coder: "A", document: 1, range: 2..<3, code: "B"),
      Coding(coder: "A", document: 1, range: 32..<33, code: "B"),
    ]
    let pair = CodeAnalyses.cooccurrences(units: units, codings: long)[0]
    #expect(pair.overlappingCodings == 2)
    #expect(pair.cCoefficient == 2)
    #expect(pair.jaccard == 2.0 / 4)
  }

  @Test func crosstabWithPercentagesAndChiSquare() throws {
    let cells = CodeAnalyses.crosstab(units: units, codings: codings, by: .metadata("commune"))
    #expect(cells.map { "\($0.code)/\($0.group)=\($0.units)" } == [
      "X/Brest=2", "X/Rennes=2", "Y/Brest=0", "Y/Rennes=2", "Z/Brest=1", "Z/Rennes=0",
    ])
    let brest = cells[0]
    #expect(brest.rowPercent == 50 && brest.columnPercent == 100 && cells[1].columnPercent == 50)
    // X: coded [2, 2], not coded [0, 2] over groups (Brest, Rennes); by hand χ² = 1.5, df 1.
    let chi = try #require(brest.chiSquare)
    #expect(abs(chi - 1.5) < 1e-12)
    #expect(brest.degreesOfFreedom == 1)
    let p = try #require(brest.pValue)
    #expect(abs(p - erfc((1.5 / 2).squareRoot())) < 1e-12)
  }

  @Test func chiSquareSurvivalMatchesClosedForms() {
    for x in [0.1, 0.5, 1.0, 2.5, 3.841458820694124, 7.0, 15.0, 40.0, 90.0] {
      // df 1: erfc(√(x/2)); df 2: e^(−x/2); df 3: erfc(√(x/2)) + √(2x/π) e^(−x/2); df 4: e^(−x/2)(1 + x/2).
      let expected = [
        1: erfc((x / 2).squareRoot()), 2: exp(-x / 2),
        3: erfc((x / 2).squareRoot()) + (2 * x / Double.pi).squareRoot() * exp(-x / 2),
        4: exp(-x / 2) * (1 + x / 2),
      ]
      for (df, value) in expected {
        let p = CodeAnalyses.chiSquareSurvival(x, degreesOfFreedom: df)
        #expect(abs(p - value) <= 1e-12 + 1e-9 * value, "x \(x) df \(df): \(p) vs \(value)")
      }
    }
    #expect(abs(CodeAnalyses.chiSquareSurvival(3.841458820694124, degreesOfFreedom: 1) - 0.05) < 1e-12)
  }

  @Test func chiSquareTestOfATable() throws {
    // [[10, 20], [30, 40]]: expected [[12, 18], [28, 42]]; χ² = 4/12 + 4/18 + 4/28 + 4/42.
    let test = try #require(CodeAnalyses.chiSquareTest([[10, 20], [30, 40]]))
    #expect(abs(test.chiSquare - (4.0 / 12 + 4.0 / 18 + 4.0 / 28 + 4.0 / 42)) < 1e-12)
    #expect(test.degreesOfFreedom == 1)
    #expect(CodeAnalyses.chiSquareTest([[3, 0], [0, 0]]) == nil)
  }

  @Test func validationPrecisionRecallF1ByUnit() {
    let human = [
      Coding(coder: "H", document: 1, range: 0..<20, code: "X"),  // u1, u2
      Coding(coder: "H", document: 1, range: 30..<31, code: "Y"),  // u4
    ]
    let automatic = [
      Coding(coder: Coding.automaticCoder, document: 1, range: 10..<30, code: "X"),  // u2, u3
      Coding(coder: Coding.automaticCoder, document: 2, range: 0..<10, code: "Z"),  // v1
    ]
    let rows = CodeAnalyses.validate(units: units, checked: automatic, reference: human)
    #expect(rows == [
      CodeValidation(code: "X", truePositives: 1, falsePositives: 1, falseNegatives: 1),
      CodeValidation(code: "Y", truePositives: 0, falsePositives: 0, falseNegatives: 1),
      CodeValidation(code: "Z", truePositives: 0, falsePositives: 1, falseNegatives: 0),
    ])
    #expect(rows[0].precision == 0.5 && rows[0].recall == 0.5 && rows[0].f1 == 0.5)
    #expect(rows[1].precision == nil && rows[1].recall == 0 && rows[1].f1 == 0)
  }

  @Test func cooccurrenceOverAGroupEqualsCooccurrenceOverItsUnitsAlone() {
    var random = SplitMix64(seed: 99)
    for _ in 0..<50 {
      var pool: [CodingUnit] = []
      for document in 1...3 {
        var offset = 0
        for ordinal in 1...(2 + random.next(below: 6)) {
          let length = 1 + random.next(below: 9)
          pool.append(
            CodingUnit(
              document: Int64(document), kind: "turn", ordinal: ordinal, range: offset..<(offset + length),
              speaker: ["E", "L", "M"][random.next(below: 3)]))
          offset += length + random.next(below: 2)
        }
      }
      let codings = (0..<(1 + random.next(below: 25))).map { _ in
        let start = random.next(below: 50)
        return Coding(
          coder: "A", document: Int64(1 + random.next(below: 3)), range: start..<(start + 1 + random.next(below: 12)),
          code: ["P", "Q", "R", "S"][random.next(below: 4)])
      }
      let matrix = UnitCodeMatrix(units: pool, codings: codings)
      for speaker in ["E", "L", "M"] {
        let subset = pool.indices.filter { pool[$0].speaker == speaker }
        let alone = CodeAnalyses.cooccurrences(units: subset.map { pool[$0] }, codings: codings)
        #expect(CodeAnalyses.cooccurrences(matrix, codings: codings, units: subset) == alone)
      }
    }
  }
}
