import Foundation
import Testing
@testable import VerbatimGraph

@Suite struct AssociationMeasureTests {
  /// Manning and Schütze, *Foundations of Statistical NLP* (1999), table 5.8 and §5.3.3:
  /// "new companies" in 14,307,668 bigrams, a = 8, c(new) = 15,828, c(companies) = 4,675: χ² = 1.55.
  @Test func chiSquaredOfManningSchutzeNewCompanies() {
    let table = ContingencyTable(cooccurrences: 8, first: 15828, second: 4675, total: 14_307_668)
    // (The book prints d = 14,287,181; the margins give 14,287,173, which is what χ² = 1.55 needs.)
    #expect(table.d == 14_287_173)
    let chi2 = AssociationMeasure.chi2.value(table)
    #expect(abs(chi2 - 1.55) < 0.005)
    #expect(chi2 > 0)  // a = 8 is above E = 5.17
  }

  /// Manning and Schütze table 5.16: "Ayatollah Ruhollah", c(w1) = 42, c(w2) = 20, c(w1 w2) = 20,
  /// N = 14,307,668: I = log2(20·N / (42·20)) = 18.38 bits.
  @Test func pmiOfAyatollahRuhollah() {
    let table = ContingencyTable(cooccurrences: 20, first: 42, second: 20, total: 14_307_668)
    #expect(abs(AssociationMeasure.pmi.value(table) - 18.38) < 0.005)
    // NPMI = PMI / −log2(a/n) = 18.38 / 19.45.
    let npmi = AssociationMeasure.npmi.value(table)
    #expect(abs(npmi - 18.3785 / -log2(20.0 / 14_307_668)) < 1e-3)
  }

  /// NPMI's fixed points (Bouma 2009): 1 for complete co-occurrence, 0 for independence.
  @Test func npmiBounds() {
    #expect(AssociationMeasure.npmi.value(ContingencyTable(a: 5, b: 0, c: 0, d: 5)) == 1)
    #expect(abs(AssociationMeasure.npmi.value(ContingencyTable(a: 10, b: 10, c: 10, d: 10))) < 1e-12)
  }

  /// a = 2, b = 1, c = 3, d = 4 by hand: Jaccard 2/6, Dice 4/8, Ochiai 2/√15.
  @Test func setMeasuresByHand() {
    let table = ContingencyTable(a: 2, b: 1, c: 3, d: 4)
    #expect(abs(AssociationMeasure.jaccard.value(table) - 2.0 / 6) < 1e-15)
    #expect(abs(AssociationMeasure.dice.value(table) - 4.0 / 8) < 1e-15)
    #expect(abs(AssociationMeasure.cosine.value(table) - 2 / 15.0.squareRoot()) < 1e-15)
    #expect(AssociationMeasure.count.value(table) == 2)
  }

  /// G² against its entropy form, G² = 2N (H(rows) + H(columns) − H(cells)) (Dunning 1993),
  /// and its sign: negative below expectation.
  @Test func logLikelihoodMatchesEntropyForm() {
    for (a, b, c, d) in [(10.0, 20.0, 30.0, 940.0), (110.0, 2442.0, 111.0, 29114.0), (1.0, 50.0, 40.0, 9.0)] {
      let table = ContingencyTable(a: a, b: b, c: c, d: d)
      let n = a + b + c + d
      func h(_ values: [Double]) -> Double { -values.filter { $0 > 0 }.reduce(0) { $0 + $1 / n * log($1 / n) } }
      let g2 = 2 * n * (h([a + b, c + d]) + h([a + c, b + d]) - h([a, b, c, d]))
      let value = AssociationMeasure.loglikelihood.value(table)
      #expect(abs(abs(value) - g2) < 1e-9 * g2)
      #expect((value < 0) == (a < table.expected))
    }
  }

  @Test func parsesAliases() {
    #expect(AssociationMeasure.parse("g2") == .loglikelihood)
    #expect(AssociationMeasure.parse("ochiai") == .cosine)
    #expect(AssociationMeasure.parse("NPMI") == .npmi)
    #expect(AssociationMeasure.parse("lift") == nil)
  }
}
