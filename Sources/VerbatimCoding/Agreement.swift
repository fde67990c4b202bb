import Foundation

/// Inter-coder agreement statistics: percent agreement, Cohen's κ and Krippendorff's α
/// (nominal).
///
/// References: J. Cohen, "A coefficient of agreement for nominal scales", *Educational and
/// Psychological Measurement* 20 (1960); K. Krippendorff, "Computing Krippendorff's
/// Alpha-Reliability" (2011), whose worked example (4 coders, 12 units, missing values) gives
/// nominal α = 0.743 and is one of the tests.
public enum AgreementStatistics {
  /// Cohen's κ of two coders' nominal labels, unit by unit (units where either label is nil
  /// are skipped): (*p*ₒ − *p*ₑ) / (1 − *p*ₑ). Nil when no unit is left or *p*ₑ = 1 (both
  /// coders always chose one and the same label).
  ///
  ///     AgreementStatistics.cohenKappa([1, 1, 0, 0], [1, 0, 0, 0])  // 0.5
  public static func cohenKappa<Label: Hashable>(_ first: [Label?], _ second: [Label?]) -> Double? {
    precondition(first.count == second.count, "both coders must rate the same units")
    var labels = LabelIndex<Label>()
    var pairs: [(Int, Int)] = []
    for (a, b) in zip(first, second) {
      guard let a, let b else { continue }
      pairs.append((labels.index(a), labels.index(b)))
    }
    var table = [[Double]](repeating: [Double](repeating: 0, count: labels.count), count: labels.count)
    for (row, column) in pairs { table[row][column] += 1 }
    return cohenKappa(table: table)
  }

  /// Cohen's κ from a square contingency table of weights (`table[a][b]`: units the first
  /// coder labelled `a` and the second `b`). Sums run in index order, so results repeat
  /// bit for bit.
  ///
  ///     AgreementStatistics.cohenKappa(table: [[20, 5], [10, 15]])  // 0.4
  public static func cohenKappa(table: [[Double]]) -> Double? {
    let size = table.count
    var total = 0.0
    var agreed = 0.0
    var firstMargin = [Double](repeating: 0, count: size)
    var secondMargin = [Double](repeating: 0, count: size)
    for a in 0..<size {
      precondition(table[a].count == size, "the table must be square")
      for b in 0..<size {
        let weight = table[a][b]
        total += weight
        if a == b { agreed += weight }
        firstMargin[a] += weight
        secondMargin[b] += weight
      }
    }
    guard total > 0 else { return nil }
    var expected = 0.0
    for label in 0..<size { expected += firstMargin[label] * secondMargin[label] }
    expected /= total * total
    let observed = agreed / total
    guard expected < 1 - 1e-12 else { return nil }
    return (observed - expected) / (1 - expected)
  }

  /// Krippendorff's α for nominal data. `data[coder][unit]` is a label or nil (missing);
  /// units with fewer than two labels are not pairable and are left out. Nil when fewer than
  /// two pairable values exist or every pairable value is the same label (no variation).
  ///
  /// α = 1 − (*n* − 1) · Σ_{c≠k} *o*_{ck} / Σ_{c≠k} *n*_c *n*_k over the coincidence matrix *o*.
  public static func krippendorffAlphaNominal<Label: Hashable>(_ data: [[Label?]]) -> Double? {
    let unitCount = data.map(\.count).max() ?? 0
    var labels = LabelIndex<Label>()
    var coincidences: [[Double]] = []
    for unit in 0..<unitCount {
      let values = data.compactMap { unit < $0.count ? $0[unit] : nil }.map { labels.index($0) }
      let m = values.count
      guard m >= 2 else { continue }
      while coincidences.count < labels.count { coincidences.append([]) }
      for row in coincidences.indices where coincidences[row].count < labels.count {
        coincidences[row] += [Double](repeating: 0, count: labels.count - coincidences[row].count)
      }
      var counts = [Int](repeating: 0, count: labels.count)
      for value in values { counts[value] += 1 }
      for c in counts.indices where counts[c] > 0 {
        for k in counts.indices where counts[k] > 0 {
          let pairs = c == k ? counts[c] * (counts[c] - 1) : counts[c] * counts[k]
          if pairs > 0 { coincidences[c][k] += Double(pairs) / Double(m - 1) }
        }
      }
    }
    var margins = [Double](repeating: 0, count: coincidences.count)
    var n = 0.0
    var disagreement = 0.0
    for c in coincidences.indices {
      for (k, weight) in coincidences[c].enumerated() {
        margins[c] += weight
        n += weight
        if c != k { disagreement += weight }
      }
    }
    guard n > 1 else { return nil }
    var expectedPairs = 0.0
    for c in margins.indices { for k in margins.indices where c != k { expectedPairs += margins[c] * margins[k] } }
    guard expectedPairs > 0 else { return nil }
    return 1 - (n - 1) * disagreement / expectedPairs
  }
}

/// Labels numbered in order of first appearance (so sums run in a repeatable order).
struct LabelIndex<Label: Hashable> {
  private var numbers: [Label: Int] = [:]
  /// How many labels were seen.
  var count: Int { numbers.count }

  /// The label's number, assigning the next one to a new label.
  mutating func index(_ label: Label) -> Int {
    if let known = numbers[label] { return known }
    numbers[label] = numbers.count
    return numbers.count - 1
  }
}

/// Agreement on one binary variable (a code present or absent) over weighted units, for any
/// number of coders with missing values: the coincidence counts of Krippendorff's α and, for
/// two coders, the 2 × 2 table of Cohen's κ.
///
/// A unit's weight lets a run of identical units (characters between two coding boundaries)
/// count as many units at once.
public struct BinaryAgreement: Sendable, Hashable {
  /// Coincidences of (absent, absent), (absent, present) — equal to (present, absent) — and
  /// (present, present).
  public private(set) var o00 = 0.0, o01 = 0.0, o11 = 0.0
  /// Weights of the two-coder table: `table[a][b]`, 0 absent, 1 present (only units where
  /// exactly two values are given).
  public private(set) var table = [[0.0, 0.0], [0.0, 0.0]]
  /// Units with at least two values (pairable), by weight.
  public private(set) var pairableUnits = 0

  /// An empty accumulator.
  public init() {}

  /// Adds a unit: one value per coder (nil: that coder gave none), `weight` times.
  public mutating func add(_ values: [Bool?], weight: Int = 1) {
    var m = 0
    var ones = 0
    for value in values {
      guard let value else { continue }
      m += 1
      if value { ones += 1 }
    }
    guard m >= 2, weight > 0 else { return }
    let w = Double(weight)
    let zeros = m - ones
    let scale = w / Double(m - 1)
    o11 += Double(ones * (ones - 1)) * scale
    o00 += Double(zeros * (zeros - 1)) * scale
    o01 += Double(ones * zeros) * scale
    pairableUnits += weight
    if values.count == 2, let a = values[0], let b = values[1] { table[a ? 1 : 0][b ? 1 : 0] += w }
  }

  /// Adds another accumulator's counts (for pooled, overall agreement).
  public mutating func merge(_ other: BinaryAgreement) {
    o00 += other.o00
    o01 += other.o01
    o11 += other.o11
    pairableUnits += other.pairableUnits
    for a in 0..<2 { for b in 0..<2 { table[a][b] += other.table[a][b] } }
  }

  /// Observed agreement in percent: agreeing pairable value pairs over all (Σ *o*_cc / *n*);
  /// with two coders, the share of units where they agree. Nil without pairable units.
  public var percent: Double? {
    let n = o00 + 2 * o01 + o11
    return n > 0 ? 100 * (o00 + o11) / n : nil
  }

  /// Krippendorff's α (nominal, binary); nil without variation.
  public var alpha: Double? {
    let n1 = o11 + o01
    let n0 = o00 + o01
    let n = n0 + n1
    guard n > 1, n0 > 0, n1 > 0 else { return nil }
    return 1 - (n - 1) * o01 / (n0 * n1)
  }

  /// Cohen's κ from the two-coder table; nil when it is empty or undefined.
  public var kappa: Double? { AgreementStatistics.cohenKappa(table: table) }
}

/// The unit at which agreement is measured.
public enum AgreementUnit: String, Sendable, CaseIterable {
  /// IRaMuTeQ-style segments.
  case segment
  /// Sentences.
  case sentence
  /// Paragraphs (non-blank lines of a turn).
  case paragraph
  /// Speaker turns.
  case turn
  /// Unicode code points of the document text.
  case character
}

/// One row of `verbatim agree`: a code (or the pooled overall row) and its statistics.
public struct AgreementRow: Sendable, Hashable {
  /// The code path, or nil for the overall row (every code pooled).
  public var code: String?
  /// The coders compared.
  public var coders: [String]
  /// Pairable units: units (or characters) where at least two coders give a value.
  public var units: Int
  /// Percent agreement.
  public var percent: Double?
  /// Cohen's κ (two coders only).
  public var kappa: Double?
  /// Krippendorff's α, nominal.
  public var alpha: Double?

  /// Creates a value.
  public init(code: String?, coders: [String], units: Int, percent: Double?, kappa: Double?, alpha: Double?) {
    self.code = code
    self.coders = coders
    self.units = units
    self.percent = percent
    self.kappa = kappa
    self.alpha = alpha
  }
}

/// Inter-coder agreement over units and codings.
///
/// For each code, each unit gets one binary value per coder: present when a coding of that
/// code by that coder overlaps the unit. The units are those of every document that any of
/// the coders coded. A coder who coded nothing in a document has *missing* values for its
/// units (the document was not given to them), unless the coder is listed in `complete`
/// (e.g. the automatic coder, which reads every document). The overall row pools every
/// (unit, code) decision. Codes are those any of the coders used, sorted.
public enum Agreement {
  /// Agreement over text units (segments, sentences, paragraphs or turns).
  ///
  /// - Parameters:
  ///   - units: every unit of the kind in the project (units of uncoded documents are ignored).
  ///   - codings: codings of any coders; only `coders`' are used.
  ///   - coders: the coders compared, in output order.
  ///   - complete: coders whose absence of codings in a document means "coded, nothing applies".
  public static func overUnits(
    _ units: [CodingUnit], codings: [Coding], coders: [String], complete: Set<String> = []
  ) -> [AgreementRow] {
    let coderIndex = Dictionary(coders.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    let used = codings.filter { coderIndex[$0.coder] != nil }
    var covered: [Int64: Set<Int>] = [:]
    for coding in used { covered[coding.document, default: []].insert(coderIndex[coding.coder]!) }
    let universe = units.filter { covered[$0.document] != nil }
    let codes = Set(used.map(\.code)).sorted()
    let codePosition = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
    let index = UnitIndex(universe)
    // For each unit: (coder, code) pairs present.
    var present = [Set<Int>](repeating: [], count: universe.count)
    for coding in used {
      let key = coderIndex[coding.coder]! * codes.count + codePosition[coding.code]!
      for unit in index.overlapping(document: coding.document, range: coding.range) { present[unit].insert(key) }
    }
    let completeIndices = Set(complete.compactMap { coderIndex[$0] })
    var perCode = [BinaryAgreement](repeating: BinaryAgreement(), count: codes.count)
    var values = [Bool?](repeating: nil, count: coders.count)
    for (position, unit) in universe.enumerated() {
      let coveredBy = covered[unit.document]!
      for code in 0..<codes.count {
        for coder in 0..<coders.count {
          values[coder] =
            coveredBy.contains(coder) || completeIndices.contains(coder)
            ? present[position].contains(coder * codes.count + code) : nil
        }
        perCode[code].add(values)
      }
    }
    return rows(codes: codes, perCode: perCode, coders: coders, unitCount: pairable(universe.map { unit in
      let count = covered[unit.document]!.union(completeIndices).count
      return (count, 1)
    }))
  }

  /// Agreement over characters (Unicode code points) of the coded documents' texts.
  ///
  /// Works on coding boundaries: between two consecutive boundaries every coder's value is
  /// constant, so each run counts once with its length in code points as weight. The result
  /// equals a per-character computation (tested against one).
  ///
  /// - Parameter texts: the text of every document the codings may name.
  public static func overCharacters(
    texts: [Int64: String], codings: [Coding], coders: [String], complete: Set<String> = []
  ) -> [AgreementRow] {
    let coderIndex = Dictionary(coders.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    let used = codings.filter { coderIndex[$0.coder] != nil && texts[$0.document] != nil }
    var covered: [Int64: Set<Int>] = [:]
    for coding in used { covered[coding.document, default: []].insert(coderIndex[coding.coder]!) }
    let codes = Set(used.map(\.code)).sorted()
    let codePosition = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
    let completeIndices = Set(complete.compactMap { coderIndex[$0] })
    var perCode = [BinaryAgreement](repeating: BinaryAgreement(), count: codes.count)
    var unitCount = 0
    // Codings by document, then code.
    var grouped: [Int64: [Int: [Coding]]] = [:]
    for coding in used { grouped[coding.document, default: [:]][codePosition[coding.code]!, default: []].append(coding) }
    for document in covered.keys.sorted() {
      let bytes = Array(texts[document]!.utf8)
      let present = covered[document]!.union(completeIndices)
      // Boundary events per code: +1 / −1 per coder, clamped to the text.
      var eventsByCode: [[(offset: Int, coder: Int, delta: Int)]] = []
      var offsets: Set<Int> = [0, bytes.count]
      for code in 0..<codes.count {
        var events: [(offset: Int, coder: Int, delta: Int)] = []
        for coding in grouped[document]?[code] ?? [] {
          let start = min(max(coding.range.lowerBound, 0), bytes.count)
          let end = min(max(coding.range.upperBound, 0), bytes.count)
          guard start < end else { continue }
          let coder = coderIndex[coding.coder]!
          events.append((start, coder, 1))
          events.append((end, coder, -1))
          offsets.insert(start)
          offsets.insert(end)
        }
        events.sort { $0.offset < $1.offset }
        eventsByCode.append(events)
      }
      let scalars = scalarCounts(bytes, at: offsets)
      if present.count >= 2 { unitCount += scalars[bytes.count]! }
      for code in 0..<codes.count {
        let events = eventsByCode[code]
        var depth = [Int](repeating: 0, count: coders.count)
        var values = [Bool?](repeating: nil, count: coders.count)
        var previous = 0
        var event = 0
        func addRun(upTo offset: Int) {
          let length = scalars[offset]! - scalars[previous]!
          guard length > 0 else { return }
          for coder in 0..<coders.count { values[coder] = present.contains(coder) ? depth[coder] > 0 : nil }
          perCode[code].add(values, weight: length)
        }
        while event < events.count {
          let offset = events[event].offset
          addRun(upTo: offset)
          while event < events.count && events[event].offset == offset {
            depth[events[event].coder] += events[event].delta
            event += 1
          }
          previous = offset
        }
        addRun(upTo: bytes.count)
      }
    }
    return rows(codes: codes, perCode: perCode, coders: coders, unitCount: unitCount)
  }

  /// The number of code points before each offset, in one pass over the bytes.
  static func scalarCounts(_ bytes: [UInt8], at offsets: Set<Int>) -> [Int: Int] {
    var result: [Int: Int] = [:]
    var count = 0
    var offset = 0
    for target in offsets.sorted() {
      while offset < target {
        if bytes[offset] & 0xC0 != 0x80 { count += 1 }
        offset += 1
      }
      result[target] = count
    }
    return result
  }

  private static func pairable(_ units: [(coders: Int, weight: Int)]) -> Int {
    units.reduce(0) { $0 + ($1.coders >= 2 ? $1.weight : 0) }
  }

  private static func rows(codes: [String], perCode: [BinaryAgreement], coders: [String], unitCount: Int)
    -> [AgreementRow]
  {
    let isPair = coders.count == 2
    var overall = BinaryAgreement()
    var result: [AgreementRow] = []
    for (code, agreement) in zip(codes, perCode) {
      overall.merge(agreement)
      result.append(
        AgreementRow(
          code: code, coders: coders, units: agreement.pairableUnits, percent: agreement.percent,
          kappa: isPair ? agreement.kappa : nil, alpha: agreement.alpha))
    }
    result.append(
      AgreementRow(
        code: nil, coders: coders, units: unitCount, percent: overall.percent, kappa: isPair ? overall.kappa : nil,
        alpha: overall.alpha))
    return result
  }
}
