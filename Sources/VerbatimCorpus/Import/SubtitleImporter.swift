import Foundation

/// SubRip (`.srt`) and WebVTT (`.vtt`) subtitles: one turn per cue, with its times.
///
/// The stored text holds the cues' text only (no numbers, no timings), one cue per paragraph:
/// the lines of a cue are joined by LF and cues are separated by a blank line. Markup is
/// removed from the stored text (`<i>`, `<b>`, `<c.x>`, `<v Name>`, `<00:00:01.000>`,
/// `{\an8}`) and WebVTT entities are decoded (`&amp;`, `&nbsp;`…).
///
/// Speakers: a WebVTT voice `<v Name>` (not kept in the text), or a label at the start of a
/// cue line as in transcripts (`Name :`, `Name:`, see ``SpeakerTurnParser``), which stays in
/// the text with its `labelRange`. A line inside a cue that starts with a voice or a label
/// starts a new turn with the same times. A cue without a speaker continues the previous
/// cue's speaker (transcription tools write the name only when the speaker changes); before
/// any speaker, it is nil. `startTime`/`endTime` are seconds.
///
/// WebVTT's `NOTE`, `STYLE` and `REGION` blocks and cue settings are skipped. Timings are
/// `hh:mm:ss,mmm` or `hh:mm:ss.mmm` (hours and fraction optional); a bad timing, a missing `WEBVTT`
/// header or a block that is not a cue is ``ImportError/malformed(path:line:reason:)`` with
/// the file's line number.
enum SubtitleImporter {
  /// A cue as read from the file.
  struct Cue {
    var start: Double
    var end: Double
    var lines: [String]
  }

  /// Reads a subtitle file.
  static func importSubtitles(
    at url: URL, path: String, format: String, parser: SpeakerTurnParser
  ) throws(ImportError) -> ImportedDocument {
    let data = try TextDecoding.readData(at: url, path: path)
    let decoded = try TextDecoding.decode(data, path: path)
    let cues =
      format == "vtt"
      ? try readVTT(decoded.text, path: path) : try readSRT(decoded.text, path: path)
    return try document(cues, path: path, format: format, parser: parser, warnings: decoded.warnings)
  }

  /// Cues of a SubRip file.
  static func readSRT(_ text: String, path: String) throws(ImportError) -> [Cue] {
    try readBlocks(text, path: path, isVTT: false)
  }

  /// Cues of a WebVTT file.
  static func readVTT(_ text: String, path: String) throws(ImportError) -> [Cue] {
    guard text.hasPrefix("WEBVTT"), text.count == 6 || [" ", "\t", "\n"].contains(text.dropFirst(6).first) else {
      throw .malformed(path: path, line: 1, reason: "a WebVTT file must start with `WEBVTT`")
    }
    return try readBlocks(text, path: path, isVTT: true)
  }

  /// Splits blocks separated by blank lines and reads each cue.
  private static func readBlocks(_ text: String, path: String, isVTT: Bool) throws(ImportError) -> [Cue] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var cues: [Cue] = []
    var index = 0
    var isHeader = isVTT
    while index < lines.count {
      if isBlank(lines[index]) {
        index += 1
        continue
      }
      let blockStart = index
      var blockEnd = index
      while blockEnd < lines.count && !isBlank(lines[blockEnd]) { blockEnd += 1 }
      defer { index = blockEnd }
      if isHeader {
        isHeader = false
        continue
      }
      let first = lines[blockStart]
      if isVTT, ["NOTE", "STYLE", "REGION"].contains(where: { keyword in
        first.hasPrefix(keyword) && (first.count == keyword.count || first.dropFirst(keyword.count).first?.isWhitespace == true)
      }) {
        continue
      }
      var timingLine = blockStart
      if !first.contains("-->") {
        timingLine = blockStart + 1
        guard timingLine < blockEnd, lines[timingLine].contains("-->") else {
          throw .malformed(
            path: path, line: blockStart + 1,
            reason: "expected a cue timing line such as `00:00:01,000 --> 00:00:04,000`")
        }
      }
      let (start, end) = try timing(lines[timingLine], line: timingLine + 1, path: path)
      let textLines = lines[(timingLine + 1)..<blockEnd].map { String($0) }
      if !textLines.isEmpty { cues.append(Cue(start: start, end: end, lines: textLines)) }
    }
    return cues
  }

  private static func isBlank(_ line: Substring) -> Bool { line.allSatisfy(\.isWhitespace) }

  /// Parses `start --> end [settings]`.
  private static func timing(_ line: Substring, line number: Int, path: String) throws(ImportError) -> (Double, Double) {
    let parts = line.components(separatedBy: "-->")
    guard parts.count == 2 else {
      throw .malformed(path: path, line: number, reason: "a cue timing needs one `-->`")
    }
    let endField = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
    guard let start = seconds(parts[0].trimmingCharacters(in: .whitespaces)), let end = seconds(endField) else {
      throw .malformed(
        path: path, line: number, reason: "bad timestamp: expected hh:mm:ss,mmm or hh:mm:ss.mmm")
    }
    guard end >= start else {
      throw .malformed(path: path, line: number, reason: "bad timing: the cue ends before it starts")
    }
    return (start, end)
  }

  /// `hh:mm:ss,mmm`, `hh:mm:ss.mmm` or `mm:ss.mmm` in seconds.
  static func seconds(_ field: String) -> Double? {
    let parts = field.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2 || parts.count == 3 else { return nil }
    let secondsField = parts[parts.count - 1]
    let secondParts = secondsField.split(
      omittingEmptySubsequences: false, whereSeparator: { $0 == "," || $0 == "." })
    guard secondParts.count <= 2, secondParts[0].count == 2, let wholeSeconds = Int(secondParts[0]),
      wholeSeconds < 60, secondParts[0].allSatisfy(\.isASCII)
    else { return nil }
    var fraction = 0.0
    if secondParts.count == 2 {
      let digits = secondParts[1]
      guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits)
      else { return nil }
      var scale = 1.0
      for _ in 0..<digits.count { scale *= 10 }
      fraction = Double(value) / scale
    }
    let minutesField = parts[parts.count - 2]
    guard minutesField.count == 2, minutesField.allSatisfy({ $0.isASCII && $0.isNumber }),
      let minutes = Int(minutesField), minutes < 60
    else { return nil }
    var hours = 0
    if parts.count == 3 {
      guard !parts[0].isEmpty, parts[0].count <= 3, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
        let value = Int(parts[0])
      else { return nil }
      hours = value
    }
    return Double(hours * 3600 + minutes * 60 + wholeSeconds) + fraction
  }

  /// Builds the stored text and the turns.
  static func document(
    _ cues: [Cue], path: String, format: String, parser: SpeakerTurnParser, warnings: [String]
  ) throws(ImportError) -> ImportedDocument {
    var text = ""
    var builder = TurnBuilder()
    var speaker: String?
    var isFirstCue = true
    let names = SpeakerNameCache()
    for cue in cues {
      let lines = cue.lines.map { markupFree($0, isVTT: format == "vtt") }
      guard lines.contains(where: { !$0.text.allSatisfy(\.isWhitespace) }) else { continue }
      if !isFirstCue { text += "\n\n" }
      isFirstCue = false
      var startedTurnInCue = false
      for (lineIndex, line) in lines.enumerated() {
        if lineIndex > 0 { text += "\n" }
        let lineStart = text.utf8.count
        text += line.text
        let lineEnd = text.utf8.count
        var label: SpeakerTurnParser.Label?
        text.withUTF8 { bytes in label = parser.label(in: bytes, lineStart: lineStart, lineEnd: lineEnd, names: names) }
        if var label {
          speaker = label.speaker
          label.startTime = cue.start
          builder.startTurn(label: label, endTime: cue.end)
          startedTurnInCue = true
          addContent(of: text, from: label.end, to: lineEnd, into: &builder)
          continue
        }
        if let voice = line.voice {
          speaker = voice
          builder.startUnlabelledTurn(speaker: voice, startTime: cue.start, endTime: cue.end)
          startedTurnInCue = true
        } else if !startedTurnInCue {
          builder.startUnlabelledTurn(speaker: speaker, startTime: cue.start, endTime: cue.end)
          startedTurnInCue = true
        }
        addContent(of: text, from: lineStart, to: lineEnd, into: &builder)
      }
    }
    if TextDecoding.isBlank(text) { throw .empty(path: path) }
    return ImportedDocument(
      path: path, text: text, turns: builder.finish(), format: format, warnings: warnings)
  }

  /// Adds the non-blank part of `from..<to` to the current turn.
  private static func addContent(of text: String, from: Int, to end: Int, into builder: inout TurnBuilder) {
    var text = text
    text.withUTF8 { bytes in
      let first = SpeakerTurnParser.skipHorizontalSpace(bytes, from: from, to: end)
      if first < end { builder.addContent(first, SpeakerTurnParser.trimmedEnd(bytes, from: first, to: end)) }
    }
  }

  /// A cue line without markup, and the voice it opens, if any.
  static func markupFree(_ line: String, isVTT: Bool) -> (text: String, voice: String?) {
    var output = ""
    var voice: String?
    var index = line.startIndex
    var isLineStart = true
    while index < line.endIndex {
      let character = line[index]
      if character == "<", let close = line[index...].firstIndex(of: ">") {
        let tag = line[line.index(after: index)..<close]
        if let first = tag.first, first.isLetter || first == "/" || first.isNumber {
          if isVTT, isLineStart, voice == nil,
            let space = tag.firstIndex(where: { $0 == " " || $0 == "\t" }),
            tag[..<space] == "v" || tag[..<space].hasPrefix("v.")
          {
            let name = tag[tag.index(after: space)...].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty { voice = name }
          }
          index = line.index(after: close)
          continue
        }
      }
      if !isVTT, character == "{", line[index...].dropFirst().first == "\\",
        let close = line[index...].firstIndex(of: "}")
      {
        index = line.index(after: close)
        continue
      }
      if isVTT, character == "&", let semicolon = line[index...].prefix(10).firstIndex(of: ";"),
        let decoded = entity(line[line.index(after: index)..<semicolon])
      {
        output += decoded
        index = line.index(after: semicolon)
        isLineStart = false
        continue
      }
      output.append(character)
      if !character.isWhitespace { isLineStart = false }
      index = line.index(after: index)
    }
    return (output, voice)
  }

  /// A WebVTT character reference without `&` and `;`.
  private static func entity(_ name: Substring) -> String? {
    switch name {
    case "amp": return "&"
    case "lt": return "<"
    case "gt": return ">"
    case "nbsp": return "\u{00A0}"
    case "lrm": return "\u{200E}"
    case "rlm": return "\u{200F}"
    case "quot": return "\""
    case "apos": return "'"
    default:
      let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
      guard name.hasPrefix("#"), let value = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
        let scalar = Unicode.Scalar(value), value != 0
      else { return nil }
      return String(Character(scalar))
    }
  }
}
