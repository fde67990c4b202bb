import Foundation

/// Lexicometric scores of one word in one part of a corpus.
public enum LexicalStatistics {
  /// Lafon's specificity score (Lafon 1980; TXM and `textometry::specificities`,
  /// `../shared/reference/ALGORITHMS.md` §4): with `total` tokens in the corpus, `partSize` in
  /// the part, `corpusFrequency` occurrences of the word in the corpus and `frequency` in the
  /// part, `f ~ Hypergeometric(T, F, t)`;
  /// - over-use (`f ≥ F·t/T`): `+|log10 P(X ≥ f)|`;
  /// - under-use: `log10 P(X ≤ f)` (negative).
  ///
  /// Computed exactly in log space (log-gamma binomials, log-sum-exp over the tail), so it
  /// never underflows to ±infinity as TXM's double sums do for very specific words.
  public static func specificity(frequency f: Int, partSize t: Int, corpusFrequency F: Int, total T: Int) -> Double {
    precondition(f >= 0 && f <= F && f <= t && F <= T && t <= T, "inconsistent counts")
    let expected = Double(F) * Double(t) / Double(T)
    if Double(f) >= expected {
      return -logHypergeometricTail(from: f, upward: true, total: T, successes: F, draws: t) / log(10)
    } else {
      return logHypergeometricTail(from: f, upward: false, total: T, successes: F, draws: t) / log(10)
    }
  }

  /// `ln P(X ≥ k)` (upward) or `ln P(X ≤ k)` for `X ~ Hypergeometric(total, successes, draws)`.
  public static func logHypergeometricTail(from k: Int, upward: Bool, total: Int, successes: Int, draws: Int) -> Double {
    let low = max(0, draws - (total - successes))
    let high = min(successes, draws)
    if upward && k <= low { return 0 }
    if !upward && k >= high { return 0 }
    let logDenominator = logChoose(total, draws)
    func logTerm(_ x: Int) -> Double {
      logChoose(successes, x) + logChoose(total - successes, draws - x) - logDenominator
    }
    // Terms fall geometrically away from the mode; stop when they no longer change the sum.
    let mode = Int((Double(draws + 1) * Double(successes + 1) / Double(total + 2)).rounded(.down))
    var accumulated = -Double.infinity
    var x = k
    while upward ? x <= high : x >= low {
      let term = logTerm(x)
      accumulated = logAdd(accumulated, term)
      let pastMode = upward ? x > mode : x < mode
      if pastMode && term < accumulated - 40 { break }
      x += upward ? 1 : -1
    }
    return min(accumulated, 0)
  }

  /// `ln C(n, k)` through `lgamma`.
  static func logChoose(_ n: Int, _ k: Int) -> Double {
    lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
  }

  static func logAdd(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity { return b }
    if b == -.infinity { return a }
    let high = max(a, b)
    return high + log1p(exp(min(a, b) - high))
  }

  /// Continuity corrections of quanteda's `textstat_keyness`.
  public enum KeynessCorrection: String, Sendable, CaseIterable {
    /// quanteda's "default": Yates for both χ² and G².
    case `default`
    /// Yates (δ = 0.5 when |ad − bc| ≥ N/2 and an expected cell is below 5).
    case yates
    /// Williams' q divides the statistic.
    case williams
    /// No correction.
    case none
  }

  /// quanteda's signed keyness χ² (`quanteda.textstats` `src/keyness.cpp`, `chisq_lambda`):
  /// `a` = count in the target, `b` = count in the reference, `c = targetSize − a`,
  /// `d = referenceSize − b`; `N (|ad − bc| − N·δ)² / ((a+b)(c+d)(a+c)(b+d))`, negative when
  /// `a ≤ E = (a+b)(a+c)/N`. Williams divides the statistic by `q` (Williams 1976, and quanteda's
  /// own G²); quanteda's `chisq_lambda` divides the denominator by `q` instead, which multiplies
  /// χ² by `q`: a slip we do not copy.
  public static func keynessChi2(
    target a: Double, reference b: Double, targetSize: Double, referenceSize: Double,
    correction: KeynessCorrection = .default
  ) -> Double {
    let c = targetSize - a
    let d = referenceSize - b
    let n = a + b + c + d
    let expected = (a + b) * (a + c) / n
    let delta = correction == .default || correction == .yates ? yates(a, b, c, d) : 0
    let q = correction == .williams ? williams(a, b, c, d) : 1
    let numerator = n * pow(abs(a * d - b * c) - n * delta, 2)
    let denominator = (a + b) * (c + d) * (a + c) * (b + d) * (a > expected ? 1 : -1)
    return numerator / denominator / q
  }

  /// quanteda's signed keyness G² (`lr_lambda`): with Yates (default) the four cells move by
  /// δ towards independence; `2 Σ O ln(O/E + 1e-9)` with `E` from the adjusted margins and
  /// the unadjusted N; negative when `a ≤ E`; Williams divides by `q`. The `1e-9` inside the
  /// logarithm is quanteda's: it adds about `2N·1e-9` to the exact G².
  public static func keynessG2(
    target a: Double, reference b: Double, targetSize: Double, referenceSize: Double,
    correction: KeynessCorrection = .default
  ) -> Double {
    let c = targetSize - a
    let d = referenceSize - b
    let n = a + b + c + d
    let expected = (a + b) * (a + c) / n
    var (aa, bb, cc, dd) = (a, b, c, d)
    if correction == .default || correction == .yates {
      let delta = yates(a, b, c, d)
      let positive = a * d - b * c > 0
      aa += positive ? -delta : delta
      bb += positive ? delta : -delta
      cc += positive ? delta : -delta
      dd += positive ? -delta : delta
    }
    let epsilon = 1e-9
    func cell(_ observed: Double, _ row: Double, _ column: Double) -> Double {
      observed * log(observed / (row * column / n) + epsilon)
    }
    var result =
      2 * (cell(aa, aa + bb, aa + cc) + cell(bb, aa + bb, bb + dd) + cell(cc, aa + cc, cc + dd)
        + cell(dd, bb + dd, cc + dd))
    result *= a > expected ? 1 : -1
    if correction == .williams { result /= williams(a, b, c, d) }
    return result
  }

  static func yates(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
    let n = a + b + c + d
    let small =
      (a + b) * (a + c) / n < 5 || (a + b) * (b + d) / n < 5 || (a + c) * (c + d) / n < 5
      || (c + d) * (b + d) / n < 5
    return abs(a * d - b * c) >= n / 2 && small ? 0.5 : 0
  }

  static func williams(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> Double {
    if a * b * c * d == 0 { return 1 }
    let n = a + b + c + d
    return 1 + (n / (a + b) + n / (c + d) - 1) * (n / (a + c) + n / (b + d) - 1) / (6 * n)
  }

  /// TF-IDF of a word in a group (quanteda's `dfm_tfidf` defaults, groups as documents):
  /// `count × log10(groups / groups holding the word)`.
  public static func tfidf(count: Int, groups: Int, groupsWithWord: Int) -> Double {
    guard groupsWithWord > 0 else { return 0 }
    return Double(count) * log10(Double(groups) / Double(groupsWithWord))
  }
}
