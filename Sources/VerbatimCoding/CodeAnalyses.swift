import Foundation

/// A text unit that codings are counted over: a segment, sentence, paragraph or turn of a
/// document, with what analyses group by.
public struct CodingUnit: Sendable, Hashable {
  /// The document id.
  public var document: Int64
  /// The kind of unit (`segment`, `sentence`, `paragraph`, `turn`).
  public var kind: String
  /// The 1-based ordinal of the unit in its document.
  public var ordinal: Int
  /// The UTF-8 byte range of the unit in the document text.
  public var range: Range<Int>
  /// The speaker of the unit's turn (nil: unnamed).
  public var speaker: String?
  /// The document's metadata, as text.
  public var metadata: [String: String]

  /// Creates a unit.
  public init(
    document: Int64, kind: String, ordinal: Int, range: Range<Int>, speaker: String? = nil,
    metadata: [String: String] = [:]
  ) {
    self.document = document
    self.kind = kind
    self.ordinal = ordinal
    self.range = range
    self.speaker = speaker
    self.metadata = metadata
  }
}

/// How units are grouped in frequencies, crosstabs and co-occurrence by group.
public enum UnitGrouping: Sendable, Hashable {
  /// One group per document (its id).
  case document
  /// One group per speaker (empty for unnamed turns).
  case speaker
  /// One group per value of a document metadata field (empty when a document lacks it).
  case metadata(String)

  /// The group of a unit.
  public func group(of unit: CodingUnit) -> String {
    switch self {
    case .document: String(unit.document)
    case .speaker: unit.speaker ?? ""
    case let .metadata(field): unit.metadata[field] ?? ""
    }
  }
}

/// Which codes each unit is coded with: a unit counts as coded with a code when a coding of
/// that code overlaps it (shares at least one byte), the rule of `verbatim agree`.
///
/// Units of one document must not overlap each other (segments, sentences, paragraphs and
/// turns never do); codings may overlap anything.
///
/// - Complexity: O((*u* + *c*) log *u*) for *u* units and *c* codings, plus the overlaps.
public struct UnitCodeMatrix: Sendable {
  /// The units, in the order given.
  public let units: [CodingUnit]
  /// The distinct codes of the codings that overlap at least one unit, sorted.
  public let codes: [String]
  /// For each unit, the indices into ``codes`` it is coded with, ascending.
  public let unitCodes: [[Int]]
  /// For each coding (in the order given), the indices of the units it overlaps, ascending.
  public let codingUnits: [[Int]]
  /// For each unit, the indices of the codings that overlap it, ascending.
  public let unitCodings: [[Int]]

  /// Maps codings onto units.
  public init(units: [CodingUnit], codings: [Coding]) {
    self.units = units
    let index = UnitIndex(units)
    var codingUnits: [[Int]] = []
    codingUnits.reserveCapacity(codings.count)
    var codeSet = Set<String>()
    for coding in codings {
      let hit = index.overlapping(document: coding.document, range: coding.range)
      codingUnits.append(hit)
      if !hit.isEmpty { codeSet.insert(coding.code) }
    }
    let codes = codeSet.sorted()
    let codeIndex = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
    var sets = [Set<Int>](repeating: [], count: units.count)
    var unitCodings = [[Int]](repeating: [], count: units.count)
    for (index, (coding, hit)) in zip(codings, codingUnits).enumerated() {
      guard let code = codeIndex[coding.code] else { continue }
      for unit in hit {
        sets[unit].insert(code)
        unitCodings[unit].append(index)
      }
    }
    self.unitCodings = unitCodings
    self.codes = codes
    self.unitCodes = sets.map { $0.sorted() }
    self.codingUnits = codingUnits
  }
}

/// Finds the units of a document that a byte range overlaps, by binary search.
struct UnitIndex {
  /// Per document, unit indices sorted by start.
  private var byDocument: [Int64: [Int]] = [:]
  private let units: [CodingUnit]

  init(_ units: [CodingUnit]) {
    self.units = units
    for (index, unit) in units.enumerated() { byDocument[unit.document, default: []].append(index) }
    for key in byDocument.keys { byDocument[key]!.sort { units[$0].range.lowerBound < units[$1].range.lowerBound } }
  }

  /// The indices of the units of `document` that share at least one byte with `range`, ascending.
  func overlapping(document: Int64, range: Range<Int>) -> [Int] {
    guard !range.isEmpty, let list = byDocument[document] else { return [] }
    // Non-overlapping units sorted by start are also sorted by end: find the first that ends
    // after the range starts.
    var low = 0
    var high = list.count
    while low < high {
      let middle = (low + high) / 2
      if units[list[middle]].range.upperBound <= range.lowerBound { low = middle + 1 } else { high = middle }
    }
    var result: [Int] = []
    var position = low
    while position < list.count, units[list[position]].range.lowerBound < range.upperBound {
      if !units[list[position]].range.isEmpty { result.append(list[position]) }
      position += 1
    }
    return result.sorted()
  }
}

/// One row of code frequencies: in a group of units, how many are coded with a code and how
/// many codings of it touch the group.
public struct CodeFrequency: Sendable, Hashable {
  /// The group (document id, speaker or metadata value).
  public var group: String
  /// The code path.
  public var code: String
  /// Units of the group coded with the code.
  public var units: Int
  /// Units in the group.
  public var groupUnits: Int
  /// Codings of the code that overlap at least one unit of the group.
  public var codings: Int

  /// Creates a value.
  public init(group: String, code: String, units: Int, groupUnits: Int, codings: Int) {
    self.group = group
    self.code = code
    self.units = units
    self.groupUnits = groupUnits
    self.codings = codings
  }
}

/// One pair of codes and how often they code the same units.
public struct CodeCooccurrence: Sendable, Hashable {
  /// The first code (sorts before ``codeB``).
  public var codeA: String
  /// The second code.
  public var codeB: String
  /// Units coded with both codes (*n*₁₂).
  public var units: Int
  /// Units coded with ``codeA`` (*n*₁).
  public var unitsA: Int
  /// Units coded with ``codeB`` (*n*₂).
  public var unitsB: Int
  /// Codings of ``codeA`` that overlap the units (ATLAS.ti's quotations of the code).
  public var codingsA: Int
  /// Codings of ``codeB`` that overlap the units.
  public var codingsB: Int
  /// Pairs of a coding of ``codeA`` and a coding of ``codeB`` in one document whose ranges
  /// overlap (ATLAS.ti's co-occurrence frequency).
  public var overlappingCodings: Int

  /// Jaccard over units: *n*₁₂ / (*n*₁ + *n*₂ − *n*₁₂).
  public var jaccard: Double {
    let union = unitsA + unitsB - units
    return union > 0 ? Double(units) / Double(union) : 0
  }

  /// ATLAS.ti's c-coefficient over codings (quotations):
  /// *c* = *n*₁₂ / (*n*₁ + *n*₂ − *n*₁₂) with *n*₁₂ the overlapping pairs and *n*₁, *n*₂ the
  /// codings of each code. As in ATLAS.ti, a coding that overlaps several codings of the
  /// other code counts once per pair, so *c* can exceed 1 when codings are nested.
  public var cCoefficient: Double {
    let denominator = codingsA + codingsB - overlappingCodings
    return denominator > 0 ? Double(overlappingCodings) / Double(denominator) : 0
  }
}

/// One cell of a code × group crosstab, with the code's χ² test.
public struct CodeCrosstabCell: Sendable, Hashable {
  /// The code path.
  public var code: String
  /// The group (a metadata value, speaker or document).
  public var group: String
  /// Units of the group coded with the code.
  public var units: Int
  /// Units in the group.
  public var groupUnits: Int
  /// Units coded with the code in every group.
  public var codeUnits: Int
  /// Share of the code's units that fall in this group, in percent.
  public var rowPercent: Double
  /// Share of the group's units coded with the code, in percent.
  public var columnPercent: Double
  /// Pearson's χ² of the code's 2 × *k* table (coded or not × group); nil when the code
  /// codes every unit or none, or there is one group.
  public var chiSquare: Double?
  /// Degrees of freedom, *k* − 1.
  public var degreesOfFreedom: Int
  /// The χ² upper tail probability; nil with ``chiSquare``.
  public var pValue: Double?
}

/// One code's scores when a coder (say the automatic coder) is checked against a reference
/// coder, unit by unit.
public struct CodeValidation: Sendable, Hashable {
  /// The code path.
  public var code: String
  /// Units both coded with the code.
  public var truePositives: Int
  /// Units only the checked coder coded with it.
  public var falsePositives: Int
  /// Units only the reference coded with it.
  public var falseNegatives: Int
  /// TP / (TP + FP); nil when the checked coder never used the code.
  public var precision: Double? {
    truePositives + falsePositives > 0 ? Double(truePositives) / Double(truePositives + falsePositives) : nil
  }
  /// TP / (TP + FN); nil when the reference never used the code.
  public var recall: Double? {
    truePositives + falseNegatives > 0 ? Double(truePositives) / Double(truePositives + falseNegatives) : nil
  }
  /// 2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall.
  public var f1: Double? {
    let denominator = 2 * truePositives + falsePositives + falseNegatives
    return denominator > 0 ? Double(2 * truePositives) / Double(denominator) : nil
  }

  /// Creates a value.
  public init(code: String, truePositives: Int, falsePositives: Int, falseNegatives: Int) {
    self.code = code
    self.truePositives = truePositives
    self.falsePositives = falsePositives
    self.falseNegatives = falseNegatives
  }
}

/// Counts over codes and units: frequencies, co-occurrence, crosstabs and codebook validation.
///
/// Every function is pure: it takes units (from the project store) and codings (human or
/// automatic) and returns rows in a fixed order. A unit counts as coded with a code when a
/// coding of that code overlaps it.
public enum CodeAnalyses {
  /// Code frequencies per group: for each group and each code used in it, the units coded
  /// and the codings that touch the group. Rows sorted by group, then code.
  ///
  ///     // two segments of document 1; one coding of "A" over both
  ///     CodeAnalyses.frequencies(units: units, codings: codings, by: .document)
  ///     // [CodeFrequency(group: "1", code: "A", units: 2, groupUnits: 2, codings: 1)]
  public static func frequencies(units: [CodingUnit], codings: [Coding], by grouping: UnitGrouping)
    -> [CodeFrequency]
  {
    let matrix = UnitCodeMatrix(units: units, codings: codings)
    let groups = units.map(grouping.group(of:))
    var groupUnits: [String: Int] = [:]
    for group in groups { groupUnits[group, default: 0] += 1 }
    var unitCounts: [String: [Int: Int]] = [:]
    for (unit, codes) in matrix.unitCodes.enumerated() {
      for code in codes { unitCounts[groups[unit], default: [:]][code, default: 0] += 1 }
    }
    let codeIndex = Dictionary(uniqueKeysWithValues: matrix.codes.enumerated().map { ($1, $0) })
    var codingCounts: [String: [Int: Int]] = [:]
    for (coding, hit) in zip(codings, matrix.codingUnits) {
      guard let code = codeIndex[coding.code] else { continue }
      for group in Set(hit.map { groups[$0] }) { codingCounts[group, default: [:]][code, default: 0] += 1 }
    }
    var rows: [CodeFrequency] = []
    for group in groupUnits.keys.sorted() {
      for (code, count) in (unitCounts[group] ?? [:]).sorted(by: { $0.key < $1.key }) {
        rows.append(
          CodeFrequency(
            group: group, code: matrix.codes[code], units: count, groupUnits: groupUnits[group] ?? 0,
            codings: codingCounts[group]?[code] ?? 0))
      }
    }
    return rows
  }

  /// Code × code co-occurrence over units (theme co-occurrence): one row per pair of codes
  /// (`codeA < codeB`) that code at least one unit together, sorted by `codeA`, `codeB`.
  public static func cooccurrences(units: [CodingUnit], codings: [Coding]) -> [CodeCooccurrence] {
    let matrix = UnitCodeMatrix(units: units, codings: codings)
    return cooccurrences(matrix, codings: codings, units: Array(matrix.units.indices))
  }

  /// Code × code co-occurrence over some units of a matrix (a group of them): the units given
  /// by index, and the codings that overlap at least one of them.
  ///
  /// - Parameter codings: the codings the matrix was built from, in the same order.
  public static func cooccurrences(_ matrix: UnitCodeMatrix, codings: [Coding], units subset: [Int])
    -> [CodeCooccurrence]
  {
    precondition(codings.count == matrix.codingUnits.count, "the codings the matrix was built from")
    let count = matrix.codes.count
    var single = [Int](repeating: 0, count: count)
    var pairs: [Int: Int] = [:]
    for unit in subset {
      let codes = matrix.unitCodes[unit]
      for (position, first) in codes.enumerated() {
        single[first] += 1
        for second in codes[(position + 1)...] { pairs[first * count + second, default: 0] += 1 }
      }
    }
    guard !pairs.isEmpty else { return [] }
    // Codings that overlap the units, per code, and overlapping pairs per code pair.
    let codeIndex = Dictionary(uniqueKeysWithValues: matrix.codes.enumerated().map { ($1, $0) })
    var inBlock: [Int]
    if subset.count == matrix.units.count {
      inBlock = matrix.codingUnits.indices.filter { !matrix.codingUnits[$0].isEmpty }
    } else {
      var seen = Set<Int>()
      for unit in subset { for coding in matrix.unitCodings[unit] { seen.insert(coding) } }
      inBlock = seen.sorted()
    }
    var codingCount = [Int](repeating: 0, count: count)
    var byDocument: [Int64: [(range: Range<Int>, code: Int)]] = [:]
    for index in inBlock {
      let coding = codings[index]
      guard let code = codeIndex[coding.code] else { continue }
      codingCount[code] += 1
      byDocument[coding.document, default: []].append((coding.range, code))
    }
    var overlapping: [Int: Int] = [:]
    for (_, list) in byDocument {
      let sorted = list.sorted { $0.range.lowerBound < $1.range.lowerBound }
      for (position, first) in sorted.enumerated() {
        for second in sorted[(position + 1)...] {
          if second.range.lowerBound >= first.range.upperBound { break }
          guard first.code != second.code else { continue }
          let (low, high) = first.code < second.code ? (first.code, second.code) : (second.code, first.code)
          overlapping[low * count + high, default: 0] += 1
        }
      }
    }
    return pairs.keys.sorted().map { key in
      let first = key / count
      let second = key % count
      return CodeCooccurrence(
        codeA: matrix.codes[first], codeB: matrix.codes[second], units: pairs[key] ?? 0, unitsA: single[first],
        unitsB: single[second], codingsA: codingCount[first], codingsB: codingCount[second],
        overlappingCodings: overlapping[key] ?? 0)
    }
  }

  /// Code × group crosstab with row and column percentages and, per code, Pearson's χ² of
  /// its 2 × *k* table (units coded or not × group; *k* the groups). Rows sorted by code,
  /// then group; every group appears for every code used.
  public static func crosstab(units: [CodingUnit], codings: [Coding], by grouping: UnitGrouping)
    -> [CodeCrosstabCell]
  {
    let matrix = UnitCodeMatrix(units: units, codings: codings)
    let groups = units.map(grouping.group(of:))
    let groupNames = Set(groups).sorted()
    let groupIndex = Dictionary(uniqueKeysWithValues: groupNames.enumerated().map { ($1, $0) })
    var groupUnits = [Int](repeating: 0, count: groupNames.count)
    for group in groups { groupUnits[groupIndex[group]!] += 1 }
    var cells = [[Int]](repeating: [Int](repeating: 0, count: groupNames.count), count: matrix.codes.count)
    for (unit, codes) in matrix.unitCodes.enumerated() {
      let group = groupIndex[groups[unit]]!
      for code in codes { cells[code][group] += 1 }
    }
    var rows: [CodeCrosstabCell] = []
    for (code, counts) in cells.enumerated() {
      let codeUnits = counts.reduce(0, +)
      let test = chiSquareTest([counts, zip(groupUnits, counts).map { $0 - $1 }])
      for (group, count) in counts.enumerated() {
        rows.append(
          CodeCrosstabCell(
            code: matrix.codes[code], group: groupNames[group], units: count, groupUnits: groupUnits[group],
            codeUnits: codeUnits, rowPercent: codeUnits > 0 ? 100 * Double(count) / Double(codeUnits) : 0,
            columnPercent: groupUnits[group] > 0 ? 100 * Double(count) / Double(groupUnits[group]) : 0,
            chiSquare: test?.chiSquare, degreesOfFreedom: max(groupNames.count - 1, 0), pValue: test?.pValue))
      }
    }
    return rows
  }

  /// Scores a coder (`checked`, e.g. the automatic coder's codings) against a reference
  /// coder per code, by unit: true positives are units both coded with the code. One row per
  /// code either used, sorted by code.
  public static func validate(units: [CodingUnit], checked: [Coding], reference: [Coding]) -> [CodeValidation] {
    let index = UnitIndex(units)
    func unitSets(_ codings: [Coding]) -> [String: Set<Int>] {
      var result: [String: Set<Int>] = [:]
      for coding in codings {
        let hit = index.overlapping(document: coding.document, range: coding.range)
        if !hit.isEmpty { result[coding.code, default: []].formUnion(hit) }
      }
      return result
    }
    let predicted = unitSets(checked)
    let expected = unitSets(reference)
    return Set(predicted.keys).union(expected.keys).sorted().map { code in
      let found = predicted[code] ?? []
      let truth = expected[code] ?? []
      let both = found.intersection(truth).count
      return CodeValidation(
        code: code, truePositives: both, falsePositives: found.count - both, falseNegatives: truth.count - both)
    }
  }

  /// Pearson's χ² test of independence of an *r* × *k* table of counts. Rows or columns
  /// whose total is zero are dropped first; nil when fewer than two rows or columns remain.
  ///
  ///     CodeAnalyses.chiSquareTest([[10, 20], [30, 40]])  // χ² ≈ 0.794, df 1, p ≈ 0.373
  public static func chiSquareTest(_ table: [[Int]]) -> (chiSquare: Double, degreesOfFreedom: Int, pValue: Double)? {
    let rows = table.filter { $0.reduce(0, +) > 0 }
    guard let width = rows.first?.count else { return nil }
    let columns = (0..<width).filter { column in rows.reduce(0) { $0 + $1[column] } > 0 }
    guard rows.count >= 2, columns.count >= 2 else { return nil }
    let rowTotals = rows.map { row in columns.reduce(0) { $0 + row[$1] } }
    let columnTotals = columns.map { column in rows.reduce(0) { $0 + $1[column] } }
    let total = Double(rowTotals.reduce(0, +))
    var statistic = 0.0
    for (row, values) in rows.enumerated() {
      for (position, column) in columns.enumerated() {
        let expected = Double(rowTotals[row]) * Double(columnTotals[position]) / total
        let difference = Double(values[column]) - expected
        statistic += difference * difference / expected
      }
    }
    let freedom = (rows.count - 1) * (columns.count - 1)
    return (statistic, freedom, chiSquareSurvival(statistic, degreesOfFreedom: freedom))
  }

  /// P(X ≥ x) for X ~ χ²(df): the regularized upper incomplete gamma Q(df/2, x/2), by its
  /// series below a + 1 and Lentz's continued fraction above (Numerical Recipes §6.2).
  public static func chiSquareSurvival(_ x: Double, degreesOfFreedom: Int) -> Double {
    guard x > 0, degreesOfFreedom > 0 else { return 1 }
    return upperRegularizedGamma(Double(degreesOfFreedom) / 2, x / 2)
  }

  static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
    let logPrefix = -x + a * Foundation.log(x) - lgamma(a)
    if x < a + 1 {
      var term = 1 / a
      var sum = term
      var n = a
      for _ in 0..<10_000 {
        n += 1
        term *= x / n
        sum += term
        if abs(term) < abs(sum) * 1e-16 { break }
      }
      return max(0, min(1, 1 - sum * Foundation.exp(logPrefix)))
    }
    let tiny = 1e-300
    var b = x + 1 - a
    var c = 1 / tiny
    var d = 1 / b
    var h = d
    for i in 1..<10_000 {
      let an = -Double(i) * (Double(i) - a)
      b += 2
      d = an * d + b
      if abs(d) < tiny { d = tiny }
      c = b + an / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < 1e-16 { break }
    }
    return max(0, min(1, Foundation.exp(logPrefix) * h))
  }
}
