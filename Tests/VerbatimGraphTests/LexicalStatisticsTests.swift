import Foundation
import Testing
@testable import VerbatimGraph

/// Reads a committed fixture table (`# comment`, a header, tab-separated rows).
func fixtureRows(_ name: String) throws -> [[String: String]] {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/graph/\(name)")
  let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
  let header = lines[0].split(separator: "\t").map(String.init)
  return lines.dropFirst().map { line in
    Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: "\t").map(String.init)))
  }
}

func close(_ value: Double, _ expected: Double, relative: Double = 1e-9, absolute: Double = 1e-9) -> Bool {
  abs(value - expected) <= max(absolute, relative * abs(expected))
}

@Suite struct LexicalStatisticsTests {
  /// Golden values: SciPy's hypergeometric `logsf`/`logcdf` (Tests/Fixtures/graph/make_stat_fixtures.py).
  @Test func lafonSpecificitiesMatchSciPy() throws {
    let rows = try fixtureRows("lafon_scipy.tsv")
    #expect(rows.count >= 15)
    for row in rows {
      let (T, t, F, f) = (Int(row["T"]!)!, Int(row["t"]!)!, Int(row["F"]!)!, Int(row["f"]!)!)
      let upper = LexicalStatistics.logHypergeometricTail(from: f, upward: true, total: T, successes: F, draws: t)
      let lower = LexicalStatistics.logHypergeometricTail(from: f, upward: false, total: T, successes: F, draws: t)
      #expect(close(upper, Double(row["ln_upper"]!)!, relative: 1e-7, absolute: 1e-9), "upper tail \(row)")
      #expect(close(lower, Double(row["ln_lower"]!)!, relative: 1e-7, absolute: 1e-9), "lower tail \(row)")
      let score = LexicalStatistics.specificity(frequency: f, partSize: t, corpusFrequency: F, total: T)
      #expect(close(score, Double(row["specificity"]!)!, relative: 1e-7, absolute: 1e-9), "specificity \(row)")
    }
  }

  /// A specificity far beyond double range stays finite in log space (TXM would print ±Inf).
  @Test func extremeSpecificitiesStayFinite() {
    let score = LexicalStatistics.specificity(frequency: 5000, partSize: 10000, corpusFrequency: 5000, total: 10_000_000)
    #expect(score.isFinite && score > 1000)
  }

  /// Golden values: SciPy's `chi2_contingency` (plain, Yates, log-likelihood), signed as quanteda.
  @Test func keynessMatchesSciPy() throws {
    for row in try fixtureRows("keyness_scipy.tsv") {
      let a = Double(row["a"]!)!
      let b = Double(row["b"]!)!
      let target = Double(row["target_size"]!)!
      let reference = Double(row["reference_size"]!)!
      let chi2 = LexicalStatistics.keynessChi2(target: a, reference: b, targetSize: target, referenceSize: reference, correction: .none)
      #expect(close(chi2, Double(row["chi2_none"]!)!, relative: 1e-9), "chi2 \(row)")
      let g2 = LexicalStatistics.keynessG2(target: a, reference: b, targetSize: target, referenceSize: reference, correction: .none)
      // quanteda's ε = 1e-9 inside ln(O/E + ε) adds Σ 2·E·ε = 2N·ε (signed) to the exact G².
      let n = target + reference
      let sign: Double = a > (a + b) * target / n ? 1 : -1
      #expect(close(g2, Double(row["g2_none"]!)! + sign * 2 * n * 1e-9, relative: 1e-9, absolute: 1e-9), "g2 \(row)")
      let yates = Double(row["chi2_yates"]!)!
      let corrected = LexicalStatistics.keynessChi2(target: a, reference: b, targetSize: target, referenceSize: reference)
      if yates.isNaN {
        // quanteda applies no correction here (expected cells ≥ 5): the default equals the plain χ².
        #expect(close(corrected, chi2), "default without Yates \(row)")
      } else {
        #expect(close(corrected, yates, relative: 1e-9), "Yates \(row)")
      }
    }
  }

  /// Williams' q by hand for a = 10, b = 20, c = 90, d = 880 (N = 1000):
  /// q = 1 + (1000/30 + 1000/970 − 1)(1000/100 + 1000/900 − 1)/6000 = 1.05676…
  @Test func williamsCorrectionByHand() {
    let q = LexicalStatistics.williams(10, 20, 90, 880)
    let expected = 1 + (1000.0 / 30 + 1000.0 / 970 - 1) * (1000.0 / 100 + 1000.0 / 900 - 1) / 6000
    #expect(close(q, expected))
    let plain = LexicalStatistics.keynessChi2(target: 10, reference: 20, targetSize: 100, referenceSize: 900, correction: .none)
    let williams = LexicalStatistics.keynessChi2(target: 10, reference: 20, targetSize: 100, referenceSize: 900, correction: .williams)
    #expect(close(williams, plain / expected))
  }

  /// quanteda's `dfm_tfidf` defaults: count × log10(N / df).
  @Test func tfidfByHand() {
    #expect(close(LexicalStatistics.tfidf(count: 3, groups: 4, groupsWithWord: 1), 3 * log10(4.0)))
    #expect(LexicalStatistics.tfidf(count: 7, groups: 4, groupsWithWord: 4) == 0)
  }
}
