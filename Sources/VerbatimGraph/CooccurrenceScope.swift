/// Where two tokens count as co-occurring (`BRIEF.md`, co-occurrence semantics).
///
/// `window(n)`: every unordered pair of token occurrences at distance 1…n positions inside
/// one turn (quanteda's `fcm(context = "window", window = n)`); the unit scopes count each
/// unordered pair of distinct nodes once per unit (IRaMuTeQ's similitude counts).
///
///     try CooccurrenceScope(parsing: "window:5")  // .window(5)
///     try CooccurrenceScope(parsing: "segment")   // .segment
public enum CooccurrenceScope: Sendable, Hashable, CustomStringConvertible {
  /// Pairs of occurrences at most `n` positions apart, inside one turn.
  case window(Int)
  /// Distinct pairs once per sentence.
  case sentence
  /// Distinct pairs once per segment (IRaMuTeQ's similitude default).
  case segment
  /// Distinct pairs once per speaker turn.
  case turn
  /// Distinct pairs once per document.
  case document

  /// Parses `window:N`, `sentence`, `segment`, `turn` or `document`.
  ///
  /// - Throws: ``GraphError/badOption(option:reason:)``.
  public init(parsing text: String) throws(GraphError) {
    switch text {
    case "sentence": self = .sentence
    case "segment": self = .segment
    case "turn": self = .turn
    case "document": self = .document
    default:
      guard text.hasPrefix("window:"), let size = Int(text.dropFirst("window:".count)), size >= 1 else {
        throw .badOption(
          option: "--scope \(text)", reason: "expected window:N (N ≥ 1), sentence, segment, turn or document")
      }
      self = .window(size)
    }
  }

  /// The spelling `init(parsing:)` accepts.
  public var description: String {
    switch self {
    case let .window(size): "window:\(size)"
    case .sentence: "sentence"
    case .segment: "segment"
    case .turn: "turn"
    case .document: "document"
    }
  }

  /// Whether pairs are counted once per unit (true) or per pair of occurrences (windows).
  public var isUnitScope: Bool {
    if case .window = self { return false }
    return true
  }
}
