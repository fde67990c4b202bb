/// Where two tokens count as co-occurring (`BRIEF.md`, co-occurrence semantics).
///
/// `window(n)`: every unordered pair of token occurrences at distance 1…n positions inside
/// one turn; the unit scopes count each unordered pair of distinct stems once per unit.
public enum CooccurrenceScope: Sendable, Hashable {
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
}
