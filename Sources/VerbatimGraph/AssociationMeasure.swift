import Foundation

/// The 2×2 table of a pair (j, k) over a sample of `n` units:
///
/// |        | k      | not k  |
/// |--------|--------|--------|
/// | j      | a      | b      |
/// | not j  | c      | d      |
///
/// built from `a`, the margins `a + b` (units with j) and `a + c` (units with k), and `n`.
public struct ContingencyTable: Sendable, Hashable {
  /// Units holding both.
  public var a: Double
  /// Units holding j and not k.
  public var b: Double
  /// Units holding k and not j.
  public var c: Double
  /// Units holding neither.
  public var d: Double

  /// Creates a table from its four cells.
  public init(a: Double, b: Double, c: Double, d: Double) {
    self.a = a
    self.b = b
    self.c = c
    self.d = d
  }

  /// Creates a table from `a`, the two margins and `n`.
  public init(cooccurrences: Int, first: Int, second: Int, total: Int) {
    a = Double(cooccurrences)
    b = Double(first - cooccurrences)
    c = Double(second - cooccurrences)
    d = Double(total - first - second + cooccurrences)
  }

  /// `n = a + b + c + d`.
  public var n: Double { a + b + c + d }
  /// `a` expected under independence: `(a + b)(a + c) / n`.
  public var expected: Double { (a + b) * (a + c) / n }
}

/// An association measure computed from a pair's ``ContingencyTable``
/// (`../shared/reference/ALGORITHMS.md` §2, §5).
public enum AssociationMeasure: String, Sendable, CaseIterable {
  /// `a`: the co-occurrence count (IRaMuTeQ's default index, `cooccurrence`).
  case count
  /// Pointwise mutual information, `log2(a·n / ((a+b)(a+c)))` (Church and Hanks 1990); `-inf` when `a = 0`.
  case pmi
  /// Normalised PMI, `pmi / −log2(a/n)` in [−1, 1] (Bouma 2009); 1 when `a = n`.
  case npmi
  /// Log-likelihood G² = `2 Σ O ln(O/E)` over the four cells (Dunning 1993), signed: negative
  /// when `a` is below its expectation. Cells with O = 0 add 0.
  case loglikelihood
  /// Pearson's χ² = `n (ad − bc)² / ((a+b)(c+d)(a+c)(b+d))`, no continuity correction, signed
  /// like G² (IRaMuTeQ's class profiles); 0 when a margin is 0.
  case chi2
  /// Jaccard, `a / (a + b + c)`.
  case jaccard
  /// Dice (Sørensen), `2a / (2a + b + c)`.
  case dice
  /// Cosine of the binary vectors, Ochiai's index: `a / √((a+b)(a+c))`.
  case cosine

  /// Accepted spellings on the command line, besides the raw value.
  public static func parse(_ text: String) -> AssociationMeasure? {
    switch text.lowercased() {
    case "g2", "ll", "log-likelihood", "loglikelihood": .loglikelihood
    case "ochiai", "cosine": .cosine
    case "cooccurrence", "count": .count
    case "chi2", "chisq", "chi-squared": .chi2
    default: AssociationMeasure(rawValue: text.lowercased())
    }
  }

  /// The measure's value for one table.
  public func value(_ table: ContingencyTable) -> Double {
    let (a, b, c, d, n) = (table.a, table.b, table.c, table.d, table.n)
    switch self {
    case .count:
      return a
    case .pmi:
      return log2(a * n / ((a + b) * (a + c)))
    case .npmi:
      if a == 0 { return -1 }
      if a == n { return 1 }
      return log2(a * n / ((a + b) * (a + c))) / -log2(a / n)
    case .loglikelihood:
      let rows = (a + b, c + d)
      let columns = (a + c, b + d)
      func term(_ observed: Double, _ row: Double, _ column: Double) -> Double {
        observed > 0 ? observed * log(observed / (row * column / n)) : 0
      }
      let g2 =
        2 * (term(a, rows.0, columns.0) + term(b, rows.0, columns.1) + term(c, rows.1, columns.0)
          + term(d, rows.1, columns.1))
      return a < table.expected ? -g2 : g2
    case .chi2:
      let denominator = (a + b) * (c + d) * (a + c) * (b + d)
      if denominator == 0 { return 0 }
      let chi2 = n * (a * d - b * c) * (a * d - b * c) / denominator
      return a < table.expected ? -chi2 : chi2
    case .jaccard:
      return a + b + c == 0 ? 0 : a / (a + b + c)
    case .dice:
      return 2 * a + b + c == 0 ? 0 : 2 * a / (2 * a + b + c)
    case .cosine:
      let denominator = ((a + b) * (a + c)).squareRoot()
      return denominator == 0 ? 0 : a / denominator
    }
  }
}
