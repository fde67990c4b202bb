import Foundation
import Testing
import VerbatimCoding
import VerbatimTestSupport

/// `Tests/Fixtures/agreement/golden.json`, written by `generate.py` in that folder with the
/// PyPI packages krippendorff 0.9.0 and scikit-learn 1.9.1.
private struct Golden: Decodable {
  struct Case: Decodable {
    var name: String
    var data: [[Int?]]
    var alpha: Double
    var kappa: Double?
  }
  var cases: [Case]

  static func load() throws -> Golden {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/agreement/golden.json")
    return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
  }
}

private func close(_ value: Double?, _ expected: Double, _ tolerance: Double = 1e-12) -> Bool {
  guard let value else { return false }
  return abs(value - expected) <= tolerance
}

@Suite struct AgreementTests {
  @Test func krippendorffsOwnWorkedExample() {
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: nominal α = 0.743.
    let data: [[Int?]] = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, nil, nil, nil],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nil, 3],
      [nil, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nil],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nil],
    ]
    let alpha = AgreementStatistics.krippendorffAlphaNominal(data)
    #expect(close(alpha, 0.743, 0.0005))
  }

  @Test func cohensKappaTextbookTables() {
    // Wikipedia, "Cohen's kappa", worked example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → 0.4;
    // and its two tables with equal agreement: [[45, 15], [25, 15]] → 0.1304, [[25, 35], [5, 35]] → 0.2593.
    let kappa = { (table: [[Double]]) in AgreementStatistics.cohenKappa(table: table) }
    #expect(close(kappa([[20, 5], [10, 15]]), 0.4))
    #expect(close(kappa([[45, 15], [25, 15]]), 0.06 / 0.46))
    #expect(close(kappa([[25, 35], [5, 35]]), 0.14 / 0.54))
    #expect(close(kappa([[45, 15], [25, 15]]), 0.1304, 0.00005))
    #expect(AgreementStatistics.cohenKappa([1, 1, 1], [1, 1, 1]) == nil)  // p_e = 1: undefined
  }

  @Test func matchesThePyPIImplementationsOnSeededData() throws {
    let golden = try Golden.load()
    #expect(golden.cases.count == 8)
    for item in golden.cases {
      #expect(close(AgreementStatistics.krippendorffAlphaNominal(item.data), item.alpha, 1e-10), "\(item.name)")
      if let kappa = item.kappa {
        #expect(close(AgreementStatistics.cohenKappa(item.data[0], item.data[1]), kappa, 1e-10), "\(item.name)")
      }
    }
  }

  @Test func binaryAccumulatorEqualsTheGeneralFormulas() {
    var random = SplitMix64(seed: 42)
    for round in 0..<200 {
      let coders = 2 + random.next(below: 4)
      let unitCount = 1 + random.next(below: 40)
      let data: [[Bool?]] = (0..<coders).map { _ in
        (0..<unitCount).map { _ in random.next(below: 5) == 0 ? nil : random.next(below: 3) == 0 }
      }
      var accumulator = BinaryAgreement()
      for unit in 0..<unitCount { accumulator.add(data.map { $0[unit] }) }
      let alpha = AgreementStatistics.krippendorffAlphaNominal(data)
      #expect(alpha == nil ? accumulator.alpha == nil : close(accumulator.alpha, alpha!, 1e-9), "round \(round)")
      if coders == 2 {
        let kappa = AgreementStatistics.cohenKappa(data[0], data[1])
        #expect(kappa == nil ? accumulator.kappa == nil : close(accumulator.kappa, kappa!, 1e-9), "round \(round)")
        let both = (0..<unitCount).filter { data[0][$0] != nil && data[1][$0] != nil }
        if !both.isEmpty {
          let agreed = both.filter { data[0][$0] == data[1][$0] }.count
          #expect(close(accumulator.percent, 100 * Double(agreed) / Double(both.count), 1e-9))
        }
      }
    }
  }

  @Test func overUnitsByHandWithAMissingCoder() {
    let units = (0..<4).map { CodingUnit(document: 1, kind: "segment", ordinal: $0 + 1, range: ($0 * 10)..<($0 * 10 + 10)) }
      + (0..<2).map { CodingUnit(document: 2, kind: "segment", ordinal: $0 + 1, range: ($0 * 10)..<($0 * 10 + 10)) }
    let codings = [
      Coding(coder: "A", document: 1, range: 5..<12, code: "X"),  // u1, u2
      Coding(coder: "A", document: 1, range: 35..<36, code: "Y"),  // u4
      Coding(coder: "B", document: 1, range: 0..<3, code: "X"),  // u1
      Coding(coder: "B", document: 1, range: 30..<40, code: "Y"),  // u4
      Coding(coder: "B", document: 1, range: 22..<25, code: "X"),  // u3
      Coding(coder: "B", document: 2, range: 0..<10, code: "X"),  // A coded nothing in document 2: missing
      Coding(coder: "C", document: 1, range: 0..<40, code: "X"),  // not compared
    ]
    let rows = Agreement.overUnits(units, codings: codings, coders: ["A", "B"])
    #expect(rows.map { $0.code ?? "(overall)" } == ["X", "Y", "(overall)"])
    #expect(rows.map(\.units) == [4, 4, 4])
    // X: A [1,1,0,0], B [1,0,1,0]: 50 %, κ 0, α = 1 − 7·2 / (4·4) = 0.125.
    #expect(close(rows[0].percent, 50) && close(rows[0].kappa, 0) && close(rows[0].alpha, 0.125))
    #expect(close(rows[1].percent, 100) && close(rows[1].kappa, 1) && close(rows[1].alpha, 1))
    // Pooled: table [[4, 1], [1, 2]] (absent/present): p_o 0.75, p_e 34/64 → κ = 0.21875 / 0.46875;
    // α = 1 − 15·2 / (10·6) = 0.5.
    #expect(close(rows[2].percent, 75) && close(rows[2].kappa, 0.21875 / 0.46875) && close(rows[2].alpha, 0.5))
    // With A treated as complete (an automatic coder), document 2 counts too.
    #expect(Agreement.overUnits(units, codings: codings, coders: ["A", "B"], complete: ["A"]).map(\.units) == [6, 6, 6])
    // Three coders: no κ.
    #expect(Agreement.overUnits(units, codings: codings, coders: ["A", "B", "C"]).allSatisfy { $0.kappa == nil })
  }

  @Test func characterAgreementEqualsABruteForceOverCodePoints() {
    var random = SplitMix64(seed: 7)
    let alphabet: [String] = ["a", "é", " ", "’", "😀", "ß", "\n", "中"]
    for round in 0..<60 {
      var texts: [Int64: String] = [:]
      for document in 1...3 {
        texts[Int64(document)] = String((0..<(5 + random.next(below: 40))).map { _ in alphabet[random.next(below: alphabet.count)] }.joined())
      }
      let coders = ["A", "B", "C"].prefix(2 + random.next(below: 2)).map { $0 }
      var codings: [Coding] = []
      for _ in 0..<(1 + random.next(below: 12)) {
        let document = Int64(1 + random.next(below: 3))
        let bytes = Array(texts[document]!.utf8)
        let boundaries = (0...bytes.count).filter { $0 == bytes.count || bytes[$0] & 0xC0 != 0x80 }
        let a = boundaries[random.next(below: boundaries.count)]
        let b = boundaries[random.next(below: boundaries.count)]
        guard a != b else { continue }
        codings.append(
          Coding(
            coder: coders[random.next(below: coders.count)], document: document, range: min(a, b)..<max(a, b),
            code: ["P", "Q/R"][random.next(below: 2)]))
      }
      let fast = Agreement.overCharacters(texts: texts, codings: codings, coders: coders)
      // Brute force: one unit per code point of every coded document.
      let covered = Dictionary(grouping: codings, by: \.document).mapValues { Set($0.map(\.coder)) }
      let codes = Set(codings.map(\.code)).sorted()
      var perCode = [BinaryAgreement](repeating: BinaryAgreement(), count: codes.count)
      var characters = 0
      for document in covered.keys.sorted() {
        var offset = 0
        for scalar in texts[document]!.unicodeScalars {
          let width = String(scalar).utf8.count
          if covered[document]!.count >= 2 { characters += 1 }
          for (index, code) in codes.enumerated() {
            let values: [Bool?] = coders.map { coder in
              guard covered[document]!.contains(coder) else { return nil }
              return codings.contains { $0.coder == coder && $0.document == document && $0.code == code && $0.range.contains(offset) }
            }
            perCode[index].add(values)
          }
          offset += width
        }
      }
      var overall = BinaryAgreement()
      for item in perCode { overall.merge(item) }
      let expected = zip(codes, perCode).map { ($0, $1) } + [("(overall)", overall)]
      #expect(fast.count == expected.count, "round \(round)")
      for (row, (code, agreement)) in zip(fast, expected) {
        #expect((row.code ?? "(overall)") == code)
        #expect(row.units == (row.code == nil ? characters : agreement.pairableUnits), "round \(round)")
        for (value, reference) in [(row.percent, agreement.percent), (row.alpha, agreement.alpha)] {
          #expect(reference == nil ? value == nil : close(value, reference!, 1e-9), "round \(round) \(code)")
        }
        if coders.count == 2 {
          #expect(agreement.kappa == nil ? row.kappa == nil : close(row.kappa, agreement.kappa!, 1e-9))
        }
      }
    }
  }
}
