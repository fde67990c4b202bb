/// A parsed query of the Verbatim query language (``QueryParser`` builds it; ``QueryMatcher``
/// and the index evaluate it).
///
/// Words are stored already analysed: ``stem(_:)`` holds a Snowball stem, ``term(_:)`` and
/// ``prefix(_:)`` hold normalised terms (NFC, case-folded, accents as the analyzer keeps them).
///
/// Shape of a parsed query (the parser guarantees it; hand-built queries may differ, and
/// ``QueryMatcher`` still gives them the meaning documented there):
/// - ``and(_:)`` and ``or(_:)`` have at least two operands and are flat (no `and` directly
///   inside an `and`, no `or` directly inside an `or`);
/// - a ``not(_:)`` only appears as an operand of an ``and(_:)`` that has at least one operand
///   that is not a `not`; a query or group made only of negations starts with ``all``
///   (`NOT a` is `.and([.all, .not(.stem("a"))])`);
/// - ``near(_:_:distance:)`` operands have positions (``hasPositions``);
/// - ``phrase(_:)`` has at least two words.
///
///     try QueryParser().parse("numérique* NEAR/5 \"l'école\"")
///     // .near(.prefix("numérique"), .phrase([.stem("l"), .stem("écol")]), distance: 5)
public indirect enum Query: Sendable, Hashable {
  /// A word matched by its stem (`mot`).
  case stem(String)
  /// A word matched by its exact normalised term (`=mot`).
  case term(String)
  /// Terms that start with this normalised text (`mot*`).
  case prefix(String)
  /// Words at consecutive positions (`"deux mots"`).
  case phrase([PhraseWord])
  /// Both operands within `distance` positions of each other, in either order (`a NEAR/5 b`).
  case near(Query, Query, distance: Int)
  /// Every operand matches (`a AND b`, `a b`).
  case and([Query])
  /// At least one operand matches (`a OR b`).
  case or([Query])
  /// The operand does not match (`NOT a`).
  case not(Query)
  /// Every unit (`*`; also the implicit first operand of a query made only of negations).
  case all
  /// A filter on the turn's speaker (`name` is `speaker`) or on a document metadata field;
  /// `name` and `value` are lowercased, `isPrefix` for `field:value*`.
  case field(name: String, value: String, isPrefix: Bool)
}

/// One word of a phrase.
public enum PhraseWord: Sendable, Hashable {
  /// A word matched by its stem.
  case stem(String)
  /// A word matched by its exact normalised term (`=mot` inside the quotes).
  case term(String)
  /// A term prefix (`mot*` inside the quotes).
  case prefix(String)
}

extension Query {
  /// Whether matches of this query have token positions (words, prefixes, phrases, `NEAR`, and
  /// `AND`/`OR` made only of those). Filters, `NOT` and ``all`` have none, so they cannot be
  /// operands of `NEAR`.
  public var hasPositions: Bool {
    switch self {
    case .stem, .term, .prefix, .phrase, .near: true
    case let .and(operands), let .or(operands): !operands.isEmpty && operands.allSatisfy(\.hasPositions)
    case .not, .all, .field: false
    }
  }
}

extension Query: CustomStringConvertible {
  /// The query written in the query language, fully explicit (`AND` between operands, groups in
  /// parentheses). Parsing it again gives the same query when its words are stable under the
  /// analysis chain (a stem that stems to itself).
  ///
  ///     Query.and([.stem("numer"), .not(.prefix("tabl"))]).description
  ///     // "numer AND NOT tabl*"
  public var description: String {
    switch self {
    case let .stem(stem): return stem
    case let .term(term): return "=" + term
    case let .prefix(prefix): return prefix + "*"
    case let .phrase(words): return "\"" + words.map(\.description).joined(separator: " ") + "\""
    case let .near(left, right, distance):
      let leftText = left.isNearOperandAtom || left.isNear ? left.description : "(\(left))"
      let rightText = right.isNearOperandAtom ? right.description : "(\(right))"
      return "\(leftText) NEAR/\(distance) \(rightText)"
    case let .and(operands):
      var shown = operands
      if operands.count > 1, operands.first == .all, operands.dropFirst().allSatisfy(\.isNot) {
        shown.removeFirst()
      }
      if shown.isEmpty { return "*" }
      return shown.map { $0.isOr || $0.isAnd ? "(\($0))" : $0.description }.joined(separator: " AND ")
    case let .or(operands):
      if operands.isEmpty { return "NOT *" }
      return operands.map { $0.isOr ? "(\($0))" : $0.description }.joined(separator: " OR ")
    case let .not(operand):
      return operand.isOr || operand.isAnd ? "NOT (\(operand))" : "NOT \(operand)"
    case .all: return "*"
    case let .field(name, value, isPrefix):
      let plain = !value.isEmpty && value.allSatisfy { !$0.isWhitespace && !"()\"*:".contains($0) }
      return name + ":" + (plain ? value : "\"\(value)\"") + (isPrefix ? "*" : "")
    }
  }

  private var isAnd: Bool { if case .and = self { true } else { false } }
  private var isOr: Bool { if case .or = self { true } else { false } }
  private var isNot: Bool { if case .not = self { true } else { false } }
  private var isNear: Bool { if case .near = self { true } else { false } }
  private var isNearOperandAtom: Bool {
    switch self {
    case .stem, .term, .prefix, .phrase, .field, .all: true
    default: false
    }
  }
}

extension PhraseWord: CustomStringConvertible {
  /// The word as written inside a phrase: `mot`, `=mot` or `mot*`.
  public var description: String {
    switch self {
    case let .stem(stem): stem
    case let .term(term): "=" + term
    case let .prefix(prefix): prefix + "*"
    }
  }
}
