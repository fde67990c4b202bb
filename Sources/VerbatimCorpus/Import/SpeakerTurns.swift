import Foundation

/// Finds speaker turns in a transcript: who speaks, and the UTF-8 range of what they say.
///
/// A label is recognised only at the start of a line (indentation allowed), and only when it
/// ends with a colon followed by a space, a tab, a no-break space or the end of the line:
///
///     Enquêtrice : Bonjour.               → "Enquêtrice"
///     Interlocuteur 1: Bonjour.           → "Interlocuteur 1"
///     [00:12:03] Élue : Alors…            → "Élue", startTime 723
///     (00:12:03) Élue : … / 00:12:03 Élue : …
///     **Maire** : Oui. / **Maire :** Oui. → "Maire"
///     Q : … / R : … / Q. … / R. …         → "Q", "R"
///     M. Erwann Binet, rapporteur de la commission des lois : …
///                                         → "M. Erwann Binet" (label: the whole description)
///     L1: … / SPEAKER_00: … / 0: …        → identifiers with digits or underscores
///     le président : …                    → an article followed by a role noun
///
/// A label is short (at most 11 words and 120 characters; a name of at most 6 words before a
/// comma, then a description of at most 30 words, 250 characters in all), starts with an
/// uppercase letter (or is an identifier, or an article or possessive followed by a role noun
/// such as `le président`, `Un élu`, `Ma mère`), and holds no sentence punctuation (`?`, `!`,
/// `;`, quotes, a `.` that ends a word other than `M.`, `Mme.`, `Dr.` or an initial) and none
/// of the words that make a sentence (`je`, `il`, `est`, `a`, `qui`, `que`, `c'`…). So these
/// stay text:
///
///     Il a dit : oui           (pronoun, verb)
///     Note : voir plus loin    (editorial heading: Note, Exemple, Remarque, Date, Lieu…)
///     Le problème : …          (article without a role noun)
///     Alors voilà : …          (discourse word)
///     Mais les Français ne sont pas dupes : …
///
/// A colon inside a sentence is never a label, since the label must start the line. Lines
/// without a label continue the current turn (one turn spans several paragraphs); text before
/// the first label is a turn whose speaker is nil. A turn's `range` excludes the label, the
/// spaces after it and trailing whitespace; `labelRange` covers the label from its first
/// character (a `[`, `*` or the name) to the colon (and a closing `**`). Each label starts a
/// new turn, even when the same speaker spoke just before.
///
/// - Complexity: O(*n*) in the length of the text; at most 300 bytes of each line are looked
///   at for a label.
public struct SpeakerTurnParser: Sendable {
  private let extraPattern: NSRegularExpression?

  /// Creates a parser.
  ///
  /// - Parameter extraPattern: a regular expression (ICU syntax, as `NSRegularExpression`)
  ///   tried first at the start of every line; its match is the label and its first capture
  ///   group the speaker's name, e.g. `^([A-Z]{2,3}) >` for `ENQ > Bonjour`.
  /// - Throws: ``ImportError/malformed(path:line:reason:)`` (path `speaker pattern`) when the
  ///   pattern does not compile or has no capture group.
  public init(extraPattern: String? = nil) throws(ImportError) {
    guard let extraPattern, !extraPattern.isEmpty else {
      self.extraPattern = nil
      return
    }
    let regex: NSRegularExpression
    do {
      regex = try NSRegularExpression(pattern: extraPattern, options: [])
    } catch {
      throw .malformed(path: "speaker pattern", line: nil, reason: "not a valid regular expression")
    }
    guard regex.numberOfCaptureGroups >= 1 else {
      throw .malformed(
        path: "speaker pattern", line: nil, reason: "needs one capture group for the speaker's name")
    }
    self.extraPattern = regex
  }

  /// Turns over `text` (UTF-8 ranges into text); covers all non-blank content in order.
  ///
  ///     "Enquêtrice : Bonjour.\nÉlue : Oui.\nEt puis…"
  ///     → Enquêtrice: range 14..<22 ("Bonjour."), labelRange 0..<13
  ///       Élue: range 31..<46 ("Oui.\nEt puis…"), labelRange 23..<30
  public func turns(in text: String) -> [Turn] {
    var text = text
    return text.withUTF8 { bytes in turns(in: bytes) }
  }

  /// A recognised label.
  struct Label: Equatable, Sendable {
    /// Byte offset of the label's first character.
    var start: Int
    /// Byte offset just after the label (its colon or closing `**`).
    var end: Int
    /// The speaker's name.
    var speaker: String
    /// A timestamp written before the name, in seconds.
    var startTime: Double?
  }

  private func turns(in bytes: UnsafeBufferPointer<UInt8>) -> [Turn] {
    var builder = TurnBuilder()
    let names = SpeakerNameCache()
    var lineStart = 0
    let count = bytes.count
    while lineStart < count {
      var lineEnd = lineStart
      while lineEnd < count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
      if let label = label(in: bytes, lineStart: lineStart, lineEnd: lineEnd, names: names) {
        builder.startTurn(label: label)
        let contentStart = Self.skipHorizontalSpace(bytes, from: label.end, to: lineEnd)
        if contentStart < lineEnd {
          builder.addContent(contentStart, Self.trimmedEnd(bytes, from: contentStart, to: lineEnd))
        }
      } else {
        let first = Self.skipHorizontalSpace(bytes, from: lineStart, to: lineEnd)
        if first < lineEnd {
          builder.addContent(first, Self.trimmedEnd(bytes, from: first, to: lineEnd))
        }
      }
      lineStart = lineEnd + 1
    }
    return builder.finish()
  }

  /// Recognises a label at the start of the line `lineStart..<lineEnd`.
  func label(
    in bytes: UnsafeBufferPointer<UInt8>, lineStart: Int, lineEnd: Int, names: SpeakerNameCache = SpeakerNameCache()
  ) -> Label? {
    if let extraPattern, let label = Self.match(extraPattern, bytes: bytes, lineStart: lineStart, lineEnd: lineEnd) {
      return label
    }
    let start = Self.skipHorizontalSpace(bytes, from: lineStart, to: lineEnd)
    guard start < lineEnd else { return nil }
    return SpeakerLabelGrammar.label(in: bytes, start: start, lineEnd: lineEnd, names: names)
  }

  /// Matches the user's pattern at the line start.
  private static func match(
    _ regex: NSRegularExpression, bytes: UnsafeBufferPointer<UInt8>, lineStart: Int, lineEnd: Int
  ) -> Label? {
    let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self)
    let nsLine = line as NSString
    guard
      let result = regex.firstMatch(
        in: line, options: [.anchored], range: NSRange(location: 0, length: nsLine.length)),
      result.range.length > 0, result.numberOfRanges > 1,
      let whole = Range(result.range, in: line), let nameRange = Range(result.range(at: 1), in: line)
    else { return nil }
    let name = line[nameRange].trimmingCharacters(in: .whitespaces)
    guard !name.isEmpty else { return nil }
    let matchStart = line.utf8.distance(from: line.startIndex, to: whole.lowerBound)
    var matchEnd = line.utf8.distance(from: line.startIndex, to: whole.upperBound)
    // The label ends before the spaces the pattern may have swallowed.
    while matchEnd > matchStart, isHorizontalSpace(bytes[lineStart + matchEnd - 1]) { matchEnd -= 1 }
    let labelStart = skipHorizontalSpace(bytes, from: lineStart + matchStart, to: lineStart + matchEnd)
    return Label(start: labelStart, end: lineStart + matchEnd, speaker: name, startTime: nil)
  }

  static func isHorizontalSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

  /// The first offset at or after `from` that is not a space, tab, or no-break space.
  static func skipHorizontalSpace(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> Int {
    var index = from
    while index < end {
      let width = SpeakerLabelGrammar.spaceWidth(bytes, at: index, end: end)
      if width == 0 { break }
      index += width
    }
    return index
  }

  /// The end of `from..<end` without its trailing whitespace (ASCII, no-break spaces).
  static func trimmedEnd(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> Int {
    var index = end
    while index > from {
      let byte = bytes[index - 1]
      if byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C {
        index -= 1
      } else if index - 2 >= from, bytes[index - 2] == 0xC2, byte == 0xA0 {
        index -= 2
      } else if index - 3 >= from, bytes[index - 3] == 0xE2, bytes[index - 2] == 0x80,
        byte == 0xAF || byte == 0x89 || byte == 0xA8 || byte == 0xA9
      {
        index -= 3
      } else {
        break
      }
    }
    return index
  }
}

/// Accumulates turns line by line.
struct TurnBuilder {
  private var turns: [Turn] = []
  private var current: Turn?
  private var contentStart: Int?
  private var contentEnd = 0

  /// Starts a labelled turn (closing the current one).
  mutating func startTurn(label: SpeakerTurnParser.Label, endTime: Double? = nil) {
    close()
    current = Turn(
      speaker: label.speaker, range: label.end..<label.end, labelRange: label.start..<label.end,
      startTime: label.startTime, endTime: endTime)
  }

  /// Starts a turn without a label.
  mutating func startUnlabelledTurn(speaker: String?, startTime: Double? = nil, endTime: Double? = nil) {
    close()
    current = Turn(speaker: speaker, range: 0..<0, startTime: startTime, endTime: endTime)
  }

  /// Adds non-blank content `start..<end` to the current turn (or to a new unnamed one).
  mutating func addContent(_ start: Int, _ end: Int) {
    if current == nil { current = Turn(speaker: nil, range: start..<start) }
    if contentStart == nil { contentStart = start }
    contentEnd = end
  }

  /// Closes the current turn.
  mutating func close() {
    guard var turn = current else { return }
    if let contentStart {
      turn.range = contentStart..<contentEnd
    } else if turn.labelRange == nil {
      current = nil
      return
    }
    turns.append(turn)
    current = nil
    contentStart = nil
  }

  /// The turns, in order.
  mutating func finish() -> [Turn] {
    close()
    return turns
  }
}
