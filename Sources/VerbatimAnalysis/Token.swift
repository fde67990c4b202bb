/// What a token is: a word, a number, or a symbol such as `€`, `%` or `+`.
public enum TokenKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  /// Letters (possibly with digits, apostrophes or inclusive-writing points inside).
  case word = 0
  /// Digits, with the French decimal comma kept (`3,5`) and thousands spaces removed.
  case number = 1
  /// A symbol character (Unicode categories S*, plus `%`, `&`, `@`, `#`, `§`).
  case symbol = 2

  /// The lowercase name used in the CLI's `kind` column.
  public var description: String {
    switch self {
    case .word: "word"
    case .number: "number"
    case .symbol: "symbol"
    }
  }
}

/// Facts the French rules recorded about a token.
public struct TokenFlags: OptionSet, Sendable, Hashable {
  public let rawValue: UInt8
  /// Creates flags from their raw bits.
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  /// An elided article or pronoun split off a word: `l` of `l’entretien`.
  public static let elided = TokenFlags(rawValue: 1 << 0)
  /// Inclusive writing folded to its base: `élu.e.s` → `élu`.
  public static let inclusive = TokenFlags(rawValue: 1 << 1)
  /// A part of a hyphenated compound: `peut` and `être` of `peut-être`.
  public static let compoundPart = TokenFlags(rawValue: 1 << 2)
  /// A number whose thousands separators were removed: `20 000` → `20000`.
  public static let thousandsJoined = TokenFlags(rawValue: 1 << 3)

  /// The flags' names, in a fixed order, for machine-readable output.
  public var names: [String] {
    var result: [String] = []
    if contains(.elided) { result.append("elided") }
    if contains(.inclusive) { result.append("inclusive") }
    if contains(.compoundPart) { result.append("compound") }
    if contains(.thousandsJoined) { result.append("thousands") }
    return result
  }
}

/// One analysed token as the hot path sees it: offsets, position, and vocabulary ids.
///
/// `termID` and `stemID` index the ``Vocabulary`` of the ``AnalysisPipeline`` that produced
/// the token; ids are per pipeline (per worker), not global.
public struct RawToken: Sendable, Hashable {
  /// UTF-8 byte offset of the first byte of the token's surface in the analysed text.
  public var start: Int
  /// UTF-8 byte offset just past the surface (exclusive).
  public var end: Int
  /// Position in the token sequence, from 0; elided forms count, dropped euphonic `t` does not.
  public var position: Int32
  /// The term's id in the pipeline's vocabulary.
  public var termID: Int32
  /// The stem's id in the pipeline's vocabulary.
  public var stemID: Int32
  /// Word, number or symbol.
  public var kind: TokenKind
  /// Facts recorded by the French rules.
  public var flags: TokenFlags
}

/// One analysed token with its strings: the convenient, slower form.
///
///     "L’entretien" → (0, "L’", "l", "l", 0..<4, word, elided), (1, "entretien", "entretien", "entretien", 4..<13, word)
public struct Token: Sendable, Hashable {
  /// Position in the token sequence, from 0.
  public var position: Int
  /// The exact text of the token in the original input.
  public var surface: String
  /// The normalised term: NFC, case-folded, `’` written `'`, accents folded if asked.
  public var term: String
  /// The Snowball French stem of the term (the term itself for numbers and symbols).
  public var stem: String
  /// UTF-8 byte range of the surface in the original input.
  public var utf8Range: Range<Int>
  /// Word, number or symbol.
  public var kind: TokenKind
  /// Facts recorded by the French rules.
  public var flags: TokenFlags

  /// Creates a token.
  public init(
    position: Int, surface: String, term: String, stem: String, utf8Range: Range<Int>,
    kind: TokenKind, flags: TokenFlags = []
  ) {
    self.position = position
    self.surface = surface
    self.term = term
    self.stem = stem
    self.utf8Range = utf8Range
    self.kind = kind
    self.flags = flags
  }
}

/// An error raised by the analysis chain.
public enum AnalysisError: Error, Equatable, CustomStringConvertible {
  /// The input is not well-formed UTF-8; `offset` is the byte offset of the first bad byte.
  case invalidUTF8(offset: Int)
  /// ICU reported an error (a broken installation or an out-of-memory condition).
  case icu(operation: String, code: Int32)
  /// A text is larger than the analysis chain accepts in one piece.
  case textTooLarge(bytes: Int, limit: Int)

  /// A message that names what went wrong and what to do; it never quotes the text.
  public var description: String {
    switch self {
    case let .invalidUTF8(offset):
      "invalid UTF-8 at byte offset \(offset); convert the file to UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8)"
    case let .icu(operation, code):
      "ICU failed to \(operation) (error code \(code)); check that libicu is installed"
    case let .textTooLarge(bytes, limit):
      "a text of \(bytes) bytes exceeds the limit of \(limit) bytes per document; split it"
    }
  }
}
