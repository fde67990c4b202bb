import VerbatimAnalysis

/// A sentence or a segment: the turn it belongs to, its exact UTF-8 range in the document
/// text, and how many tokens of the analysis chain it holds.
///
/// Ranges never cross a turn, never start or end with whitespace, and never overlap.
public struct TextUnit: Sendable, Hashable {
  /// Index of the turn in the document's `turns` (0-based).
  public var turn: Int
  /// UTF-8 byte range in the document text, `end` exclusive.
  public var range: Range<Int>
  /// Tokens of the analysis chain that start inside the range.
  public var tokenCount: Int

  /// Creates a unit.
  public init(turn: Int, range: Range<Int>, tokenCount: Int) {
    self.turn = turn
    self.range = range
    self.tokenCount = tokenCount
  }
}

/// The paragraphs, sentences and segments of one document, in text order.
public struct DocumentUnits: Sendable, Hashable {
  /// Paragraphs: the non-blank lines of each turn (a docx/odt paragraph or a line of a text
  /// file), trimmed; a paragraph never crosses a turn.
  public var paragraphs: [TextUnit] = []
  /// Sentences (ICU French sentence break, with the French fixes of ``Segmenter``).
  public var sentences: [TextUnit]
  /// Segments of about 40 tokens (IRaMuTeQ's rule, ``SegmentationRule``).
  public var segments: [TextUnit]
  /// Tokens of the analysis chain inside each turn, by turn index.
  public var turnTokenCounts: [Int]

  /// Tokens of the analysis chain inside all turns (labels and text between turns excluded).
  public var tokenCount: Int { turnTokenCounts.reduce(0, +) }

  /// Creates the units of a document.
  public init(sentences: [TextUnit], segments: [TextUnit], turnTokenCounts: [Int]) {
    self.sentences = sentences
    self.segments = segments
    self.turnTokenCounts = turnTokenCounts
  }
}

/// IRaMuTeQ's rule for cutting a turn into text segments ("UCE", `ucemethod=1`, `ucesize=40`).
///
/// The rule implemented, on the tokens of one turn counted by the analysis chain:
///
/// 1. Each gap between token *k* and token *k* + 1 (*k* = 1, 2, …) gets a weight
///    (``gapWeight(hasSentenceBoundary:scalars:)``): 6 for a sentence end (a boundary of
///    ``Segmenter``'s sentences, or `?`, `!`, `…`, `...`), 5 for `:`, 4 for `;`, 1 for `,`,
///    0.01 for plain whitespace, and 0 for a gap without whitespace or punctuation (inside
///    `l’école`, `peut-être`), where a segment is never cut. A point that does not end a
///    sentence (`M.`, `p.`, `J.-P.`) weighs like a space. The heaviest mark in the gap counts.
/// 2. When at most ``windowTokens`` (55) tokens remain, they form the last segment.
/// 3. Otherwise the cut goes after the *k* tokens (1 ≤ *k* ≤ 55) that maximise
///    `weight(k) / (|40 − k| + 1)`; on a tie, the larger *k* wins (IRaMuTeQ scans backwards and
///    keeps the first strict maximum). When every weight in the window is 0, the cut goes
///    after 55 tokens.
/// 4. The next segment starts with token *k* + 1; repeat.
///
/// IRaMuTeQ (`corpus.py: decouperlist`, called with `ucesize + 15 = 55` and `ucesize = 40`)
/// counts punctuation marks as list items and uses 0-based indices; here positions count the
/// analysis chain's tokens only, so position *k* is the number of tokens in the segment.
///
///     cut(after: weights) where weight(38) = 6 (a point), weight(41) = 1 (a comma):
///     6 / 3 = 2 > 1 / 2  →  the segment ends after token 38.
public struct SegmentationRule: Sendable, Hashable {
  /// The preferred number of tokens per segment (IRaMuTeQ's `ucesize`, 40).
  public var targetTokens: Int
  /// The longest segment, and the window scanned for a cut (`ucesize + 15`, 55).
  public var windowTokens: Int

  /// IRaMuTeQ's defaults: 40 tokens, a window of 55.
  public static let iramuteq = SegmentationRule(targetTokens: 40, windowTokens: 55)

  /// Creates a rule.
  public init(targetTokens: Int, windowTokens: Int) {
    precondition(targetTokens >= 1 && windowTokens >= targetTokens, "need 1 ≤ target ≤ window")
    self.targetTokens = targetTokens
    self.windowTokens = windowTokens
  }

  /// Weight of a sentence end (`.`, `?`, `!`, `…`), as IRaMuTeQ's `. ? ! £$£`.
  public static let sentenceEndWeight = 6.0
  /// Weight of `:`.
  public static let colonWeight = 5.0
  /// Weight of `;`.
  public static let semicolonWeight = 4.0
  /// Weight of `,`.
  public static let commaWeight = 1.0
  /// Weight of plain whitespace.
  public static let spaceWeight = 0.01

  /// The weight of the gap between two tokens.
  ///
  /// - Parameters:
  ///   - hasSentenceBoundary: a sentence of ``Segmenter`` ends in this gap.
  ///   - scalars: the characters of the gap.
  public static func gapWeight(hasSentenceBoundary: Bool, scalars: some Sequence<Unicode.Scalar>) -> Double {
    if hasSentenceBoundary { return sentenceEndWeight }
    var weight = 0.0
    var points = 0
    var previousWasPoint = false
    for scalar in scalars {
      switch scalar {
      case "?", "!", "…", "\u{203D}", "\u{2047}", "\u{2048}", "\u{2049}": return sentenceEndWeight
      case ".":
        if previousWasPoint { points += 1 } else { points = 1 }
        if points >= 2 { return sentenceEndWeight }  // "...": IRaMuTeQ's £$£
        previousWasPoint = true
        continue
      case ":": weight = max(weight, colonWeight)
      case ";": weight = max(weight, semicolonWeight)
      case ",": weight = max(weight, commaWeight)
      default:
        if UTF8Text.isWhitespace(scalar) { weight = max(weight, spaceWeight) }
      }
      previousWasPoint = false
    }
    return weight
  }

  /// The number of tokens of the next segment.
  ///
  /// - Parameter gapWeights: `gapWeights[i]` is the weight of the gap after the first
  ///   `i + 1` remaining tokens; its count is the number of remaining tokens (the last gap,
  ///   the end of the turn, is never weighed).
  /// - Returns: a count in `1...gapWeights.count` (0 when nothing remains).
  /// - Complexity: O(``windowTokens``).
  public func cutLength<Weights: RandomAccessCollection<Double>>(gapWeights: Weights) -> Int
  where Weights.Index == Int {
    let remaining = gapWeights.count
    if remaining <= windowTokens { return remaining }
    var best = windowTokens
    var bestScore = 0.0
    var length = windowTokens
    while length >= 1 {
      let weight = gapWeights[gapWeights.startIndex + length - 1]
      let score = weight / Double(abs(targetTokens - length) + 1)
      if score > bestScore {
        bestScore = score
        best = length
      }
      length -= 1
    }
    return best
  }
}

/// Cuts documents into sentences and segments, turn by turn.
///
/// Sentences come from ICU's French sentence break run inside each turn, then fixed for French:
///
/// - no sentence ends after a title or abbreviation: `M.`, `MM.`, `Mme.`, `Mmes.`, `Mlle.`,
///   `Mlles.`, `Dr.`, `Pr.`, `p.`, `pp.`, `cf.`, `n°.`, `art.` before a number (`art. 3`;
///   `de l'art. Puis` ends a sentence), nor after an initial
///   (a single capital letter and a point: `J.-P. Martin`); a sentence that really ends with
///   a single capital (`le plan B. Puis`) is therefore joined to the next one;
/// - `etc.` ends a sentence only when a capitalised word follows (`etc. Puis` ends one,
///   `etc. et puis` does not);
/// - `…` followed by whitespace and a capital ends a sentence, as `...` does in ICU;
/// - a closing mark after a space (`« Bonjour. »`, French typography) stays with its sentence,
///   and so does a piece made only of quotation marks (`… en présentiel. “`);
/// - a paragraph break (a newline inside a turn) always ends a sentence, and no sentence
///   crosses a turn.
///
/// Every range is trimmed of leading and trailing whitespace; whitespace-only pieces are dropped.
/// Segments follow ``SegmentationRule``; a turn with text but no token is one segment.
///
///     let segmenter = try Segmenter()
///     segmenter.sentenceRanges(in: "M. Dupont est venu. Il a dit non.", turnRange: 0..<33)
///     // [0..<19, 20..<33]
///
/// Not thread-safe: one per worker (it owns an ``AnalysisPipeline`` and a ``SentenceBreaker``).
public final class Segmenter {
  /// The segment rule.
  public let rule: SegmentationRule
  private let pipeline: AnalysisPipeline
  private let breaker: SentenceBreaker

  /// Creates a segmenter with its own analysis pipeline and sentence breaker.
  ///
  /// - Throws: ``AnalysisError`` when ICU cannot open a breaker.
  public init(analyzer: Analyzer = .french, rule: SegmentationRule = .iramuteq) throws(AnalysisError) {
    self.rule = rule
    pipeline = try analyzer.makePipeline()
    breaker = try SentenceBreaker(locale: analyzer.locale)
  }

  /// Titles and abbreviations after which a point never ends a sentence (case-sensitive).
  public static let titles: Set<String> = ["M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Dr", "Pr"]
  /// Abbreviations after which a point never ends a sentence (compared in lowercase).
  public static let abbreviations: Set<String> = ["p", "pp", "cf", "n°"]

  /// The sentences and segments of `text`, turn by turn.
  ///
  /// - Parameters:
  ///   - text: the stored document text.
  ///   - turns: its speaker turns, in order, with ranges inside the text on character
  ///     boundaries (``ImportedDocument/turns``).
  /// - Throws: ``AnalysisError`` when the analysis chain fails (a text too large).
  public func units(of text: String, turns: [Turn]) throws(AnalysisError) -> DocumentUnits {
    var copy = text
    let result: Result<DocumentUnits, AnalysisError> = copy.withUTF8 { bytes in
      do throws(AnalysisError) {
        var units = DocumentUnits(sentences: [], segments: [], turnTokenCounts: [])
        for (index, turn) in turns.enumerated() {
          let range = turn.range.clamped(to: 0..<bytes.count)
          let sentences = try sentenceRanges(in: bytes, turnRange: range)
          let tokens = try tokenRanges(in: bytes, turnRange: range)
          units.turnTokenCounts.append(tokens.count)
          units.paragraphs += Self.counted(paragraphRanges(in: bytes, turnRange: range), tokens: tokens, turn: index)
          units.sentences += Self.counted(sentences, tokens: tokens, turn: index)
          units.segments += segments(in: bytes, turnRange: range, sentences: sentences, tokens: tokens, turn: index)
        }
        return .success(units)
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// The sentence ranges inside one turn of `text` (a convenience for tests and tools).
  public func sentenceRanges(in text: String, turnRange: Range<Int>) -> [Range<Int>] {
    var copy = text
    return copy.withUTF8 { bytes in
      (try? sentenceRanges(in: bytes, turnRange: turnRange.clamped(to: 0..<bytes.count))) ?? []
    }
  }

  /// The segment ranges and token counts inside one turn of `text` (a convenience for tests).
  public func segments(in text: String, turnRange: Range<Int>) -> [TextUnit] {
    (try? units(of: text, turns: [Turn(speaker: nil, range: turnRange)]).segments) ?? []
  }

  // MARK: - Paragraphs

  /// The non-blank lines inside one turn, trimmed of spaces (LF, CR, U+2028 and U+2029 end
  /// a line).
  func paragraphRanges(in bytes: UnsafeBufferPointer<UInt8>, turnRange: Range<Int>) -> [Range<Int>] {
    let text = UTF8Text(bytes: bytes)
    var result: [Range<Int>] = []
    var lineStart = turnRange.lowerBound
    var offset = turnRange.lowerBound
    func close(_ end: Int) {
      let trimmed = text.trimmed(lineStart..<end)
      if !trimmed.isEmpty { result.append(trimmed) }
    }
    while offset < turnRange.upperBound {
      let byte = bytes[offset]
      if byte == 0x0A || byte == 0x0D {
        close(offset)
        offset += 1
        lineStart = offset
      } else if byte == 0xE2 && offset + 2 < turnRange.upperBound && bytes[offset + 1] == 0x80
        && (bytes[offset + 2] == 0xA8 || bytes[offset + 2] == 0xA9)
      {
        close(offset)
        offset += 3
        lineStart = offset
      } else {
        offset += 1
      }
    }
    close(turnRange.upperBound)
    return result
  }

  // MARK: - Sentences

  func sentenceRanges(in bytes: UnsafeBufferPointer<UInt8>, turnRange: Range<Int>) throws(AnalysisError)
    -> [Range<Int>]
  {
    let text = UTF8Text(bytes: bytes)
    let content = text.trimmed(turnRange)
    guard !content.isEmpty else { return [] }
    let slice = UnsafeBufferPointer(rebasing: bytes[content])
    let icu = try breaker.sentences(in: slice).map { ($0.lowerBound + content.lowerBound)..<($0.upperBound + content.lowerBound) }
    // Boundaries between ICU sentences, then the French fixes.
    var boundaries: [Int] = icu.dropLast().map(\.upperBound)
    boundaries += ellipsisBoundaries(text, content)
    boundaries.sort()
    var result: [Range<Int>] = []
    var start = content.lowerBound
    var index = 0
    while index < boundaries.count {
      var boundary = boundaries[index]
      index += 1
      guard boundary > start, boundary < content.upperBound else { continue }
      let current = text.trimmed(start..<boundary)
      if current.isEmpty { continue }
      if !text.containsLineBreak(current.upperBound..<boundary) {
        if joinsNext(text, sentence: current, next: boundary..<content.upperBound) { continue }
        // A closing mark after the space ("Bonjour. »") stays with its sentence.
        boundary = text.skippingClosingMarks(from: boundary, limit: content.upperBound)
        if boundary >= content.upperBound { break }
        while index < boundaries.count && boundaries[index] <= boundary { index += 1 }
      }
      append(text.trimmed(start..<boundary), to: &result, text)
      start = boundary
    }
    append(text.trimmed(start..<content.upperBound), to: &result, text)
    return result
  }

  /// Appends a sentence, or joins a piece made only of quotation marks (`“` written to close a
  /// quotation) to the sentence before it.
  private func append(_ sentence: Range<Int>, to result: inout [Range<Int>], _ text: UTF8Text) {
    guard !sentence.isEmpty else { return }
    if let previous = result.last, text.scalars(sentence).allSatisfy(UTF8Text.isQuotationOrClosing) {
      result[result.count - 1] = previous.lowerBound..<sentence.upperBound
    } else {
      result.append(sentence)
    }
  }

  /// Extra boundaries after `…` followed by whitespace and a capital letter.
  private func ellipsisBoundaries(_ text: UTF8Text, _ range: Range<Int>) -> [Int] {
    var result: [Int] = []
    var offset = range.lowerBound
    // `…` is E2 80 A6 in UTF-8: scan bytes, decode only around a match.
    while offset + 2 < range.upperBound {
      guard text.bytes[offset] == 0xE2, text.bytes[offset + 1] == 0x80, text.bytes[offset + 2] == 0xA6 else {
        offset += 1
        continue
      }
      offset += 3
      var next = offset
      var sawSpace = false
      while next < range.upperBound {
        let (following, followingLength) = text.decodeScalar(at: next)
        if UTF8Text.isWhitespace(following) {
          sawSpace = true
          next += followingLength
        } else {
          if sawSpace && following.properties.isUppercase { result.append(next) }
          break
        }
      }
    }
    return result
  }

  /// Whether the sentence `sentence` (trimmed) must continue into `next`.
  private func joinsNext(_ text: UTF8Text, sentence: Range<Int>, next: Range<Int>) -> Bool {
    guard sentence.upperBound > sentence.lowerBound else { return false }
    let (last, lastLength) = text.decodeScalar(before: sentence.upperBound)
    guard last == "." else { return false }
    // The word before the point: letters, and `°` for `n°`.
    let wordEnd = sentence.upperBound - lastLength
    var wordStart = wordEnd
    while wordStart > sentence.lowerBound {
      let (scalar, length) = text.decodeScalar(before: wordStart)
      guard scalar.properties.isAlphabetic || scalar == "°" else { break }
      wordStart -= length
    }
    guard wordStart < wordEnd else { return false }
    if wordStart > sentence.lowerBound {
      // `...` or `a.b.`: only a word that stands alone (after a space, a hyphen, a point or
      // an opening mark) is an abbreviation.
      let (before, _) = text.decodeScalar(before: wordStart)
      let standsAlone =
        UTF8Text.isWhitespace(before) || before == "-" || before == "." || before == "("
        || before == "«" || before == "\u{2010}" || before == "'" || before == "’"
      guard standsAlone else { return false }
    }
    let word = text.string(wordStart..<wordEnd)
    if word == "etc" || word == "Etc" {
      // `etc.` ends a sentence when a capitalised word follows.
      return !text.startsWithCapital(next)
    }
    if Self.titles.contains(word) { return true }
    if Self.abbreviations.contains(word.lowercased()) { return true }
    // `art.` is also a word (`de l'art.`): an abbreviation only before a number (`art. 3`).
    if word.lowercased() == "art" { return text.startsWithDigit(next) }
    // An initial: one capital letter (`J.-P. Martin`).
    if word.unicodeScalars.count == 1, let scalar = word.unicodeScalars.first, scalar.properties.isUppercase {
      return true
    }
    return false
  }

  // MARK: - Tokens and segments

  private func tokenRanges(in bytes: UnsafeBufferPointer<UInt8>, turnRange: Range<Int>) throws(AnalysisError)
    -> [Range<Int>]
  {
    guard !turnRange.isEmpty else { return [] }
    var result: [Range<Int>] = []
    let base = turnRange.lowerBound
    try pipeline.analyze(UnsafeBufferPointer(rebasing: bytes[turnRange]), validating: false) { batch in
      for token in batch { result.append((token.start + base)..<(token.end + base)) }
    }
    return result
  }

  private static func counted(_ ranges: [Range<Int>], tokens: [Range<Int>], turn: Int) -> [TextUnit] {
    var result: [TextUnit] = []
    result.reserveCapacity(ranges.count)
    var tokenIndex = 0
    for range in ranges {
      while tokenIndex < tokens.count && tokens[tokenIndex].lowerBound < range.lowerBound { tokenIndex += 1 }
      var count = 0
      while tokenIndex < tokens.count && tokens[tokenIndex].lowerBound < range.upperBound {
        count += 1
        tokenIndex += 1
      }
      result.append(TextUnit(turn: turn, range: range, tokenCount: count))
    }
    return result
  }

  private func segments(
    in bytes: UnsafeBufferPointer<UInt8>, turnRange: Range<Int>, sentences: [Range<Int>], tokens: [Range<Int>],
    turn: Int
  ) -> [TextUnit] {
    let text = UTF8Text(bytes: bytes)
    let content = text.trimmed(turnRange)
    guard !content.isEmpty else { return [] }
    guard !tokens.isEmpty else { return [TextUnit(turn: turn, range: content, tokenCount: 0)] }
    // Sentence starts after the first: a gap holding one is a sentence end.
    let sentenceStarts = sentences.dropFirst().map(\.lowerBound)
    var weights: [Double] = []
    weights.reserveCapacity(tokens.count)
    var sentenceIndex = 0
    for index in tokens.indices {
      let gap = tokens[index].upperBound..<(index + 1 < tokens.count ? tokens[index + 1].lowerBound : content.upperBound)
      while sentenceIndex < sentenceStarts.count && sentenceStarts[sentenceIndex] <= gap.lowerBound {
        sentenceIndex += 1
      }
      let hasBoundary = sentenceIndex < sentenceStarts.count && sentenceStarts[sentenceIndex] <= gap.upperBound
        && index + 1 < tokens.count
      weights.append(SegmentationRule.gapWeight(hasSentenceBoundary: hasBoundary, scalars: text.scalars(gap)))
    }
    var result: [TextUnit] = []
    var first = 0
    var start = content.lowerBound
    var nextSentence = 1  // the first sentence that may start in a later gap
    while first < tokens.count {
      let length = rule.cutLength(gapWeights: weights[first...])
      let last = first + length - 1
      if last == tokens.count - 1 {
        result.append(TextUnit(turn: turn, range: start..<content.upperBound, tokenCount: length))
        break
      }
      let gap = tokens[last].upperBound..<tokens[last + 1].lowerBound
      while nextSentence < sentences.count && sentences[nextSentence].lowerBound <= gap.lowerBound {
        nextSentence += 1
      }
      let (end, next) = cutPoint(text, gap: gap, sentences: sentences, candidate: nextSentence)
      result.append(TextUnit(turn: turn, range: start..<end, tokenCount: length))
      start = next
      first = last + 1
    }
    return result
  }

  /// Where a segment cut in `gap` ends the segment and starts the next one.
  ///
  /// At a sentence boundary, the sentences' own ends; otherwise the marks of the gap stay with
  /// the segment before, except an opening mark (`«`, `(`, `“`, a dash) after whitespace and
  /// what follows it, which open the next segment.
  ///
  /// - Parameter candidate: the first sentence (index ≥ 1) that starts after `gap.lowerBound`.
  private func cutPoint(_ text: UTF8Text, gap: Range<Int>, sentences: [Range<Int>], candidate: Int)
    -> (end: Int, next: Int)
  {
    if candidate < sentences.count, sentences[candidate].lowerBound <= gap.upperBound {
      return (max(sentences[candidate - 1].upperBound, gap.lowerBound), sentences[candidate].lowerBound)
    }
    var end = gap.lowerBound
    var offset = gap.lowerBound
    var afterSpace = true
    while offset < gap.upperBound {
      let (scalar, length) = text.decodeScalar(at: offset)
      if UTF8Text.isWhitespace(scalar) {
        afterSpace = true
      } else {
        if afterSpace && offset > gap.lowerBound && UTF8Text.isOpening(scalar) {
          return (end, offset)
        }
        afterSpace = false
        end = offset + length
      }
      offset += length
    }
    return (end, gap.upperBound)
  }
}

/// Read-only helpers over well-formed UTF-8 bytes.
struct UTF8Text {
  let bytes: UnsafeBufferPointer<UInt8>

  /// The scalar starting at `offset` and its length in bytes.
  func decodeScalar(at offset: Int) -> (Unicode.Scalar, Int) {
    let lead = bytes[offset]
    let length: Int
    var value: UInt32
    switch lead {
    case 0..<0x80: return (Unicode.Scalar(lead), 1)
    case 0xC0..<0xE0: length = 2; value = UInt32(lead & 0x1F)
    case 0xE0..<0xF0: length = 3; value = UInt32(lead & 0x0F)
    case 0xF0..<0xF8: length = 4; value = UInt32(lead & 0x07)
    default: return ("\u{FFFD}", 1)
    }
    guard offset + length <= bytes.count else { return ("\u{FFFD}", 1) }
    for index in 1..<length { value = value << 6 | UInt32(bytes[offset + index] & 0x3F) }
    return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
  }

  /// The scalar ending at `offset` and its length in bytes.
  func decodeScalar(before offset: Int) -> (Unicode.Scalar, Int) {
    var start = offset - 1
    while start > 0 && start > offset - 4 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
    let (scalar, length) = decodeScalar(at: start)
    return start + length == offset ? (scalar, length) : ("\u{FFFD}", 1)
  }

  /// The scalars of a range, decoded lazily (no allocation).
  func scalars(_ range: Range<Int>) -> Scalars { Scalars(text: self, range: range) }

  /// The scalars of a range of ``UTF8Text``.
  struct Scalars: Sequence, IteratorProtocol {
    let text: UTF8Text
    var range: Range<Int>

    mutating func next() -> Unicode.Scalar? {
      guard range.lowerBound < range.upperBound else { return nil }
      let (scalar, length) = text.decodeScalar(at: range.lowerBound)
      range = Swift.min(range.lowerBound + length, range.upperBound)..<range.upperBound
      return scalar
    }
  }

  /// The text of a range.
  func string(_ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  /// `range` without leading and trailing whitespace (empty, at its start, when all is space).
  func trimmed(_ range: Range<Int>) -> Range<Int> {
    var lower = range.lowerBound
    while lower < range.upperBound {
      let (scalar, length) = decodeScalar(at: lower)
      guard Self.isSpace(scalar) else { break }
      lower += length
    }
    var upper = range.upperBound
    while upper > lower {
      let (scalar, length) = decodeScalar(before: upper)
      guard Self.isSpace(scalar) else { break }
      upper -= length
    }
    return lower..<upper
  }

  /// Whether a range holds a line or paragraph break.
  func containsLineBreak(_ range: Range<Int>) -> Bool {
    scalars(range).contains { $0 == "\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" }
  }

  /// Whether the first letter in `range`, after whitespace and opening marks, is a capital.
  func startsWithCapital(_ range: Range<Int>) -> Bool {
    var offset = range.lowerBound
    while offset < range.upperBound {
      let (scalar, length) = decodeScalar(at: offset)
      if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
        return scalar.properties.isUppercase
      }
      offset += length
    }
    return false
  }

  /// Whether the first non-space character in `range` is a digit.
  func startsWithDigit(_ range: Range<Int>) -> Bool {
    var offset = range.lowerBound
    while offset < range.upperBound {
      let (scalar, length) = decodeScalar(at: offset)
      if !Self.isSpace(scalar) { return scalar.properties.numericType != nil }
      offset += length
    }
    return false
  }

  /// The offset after the whitespace and closing marks (`»`, `)`, `”`) that start at `offset`,
  /// when there is at least one closing mark; else `offset`.
  func skippingClosingMarks(from offset: Int, limit: Int) -> Int {
    var position = offset
    var result = offset
    while position < limit {
      let (scalar, length) = decodeScalar(at: position)
      if Self.isSpace(scalar) {
        position += length
      } else if Self.isClosing(scalar) {
        position += length
        result = position
      } else {
        break
      }
    }
    return result
  }

  /// Unicode `White_Space`, with a fast path for ASCII.
  @inline(__always) static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    if scalar.value < 0x80 { return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) }
    return scalar.properties.isWhitespace
  }

  static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
    isWhitespace(scalar) || scalar == "\u{FEFF}" || scalar == "\u{200B}"
  }

  static func isClosing(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .closePunctuation, .finalPunctuation: true
    default: false
    }
  }

  static func isQuotationOrClosing(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == "\"" || scalar == "'" || isSpace(scalar) { return true }
    switch scalar.properties.generalCategory {
    case .closePunctuation, .finalPunctuation, .initialPunctuation: return true
    default: return false
    }
  }

  static func isOpening(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .openPunctuation, .initialPunctuation, .dashPunctuation: true
    default: false
    }
  }
}
