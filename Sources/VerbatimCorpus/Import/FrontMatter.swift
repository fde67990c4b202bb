import Foundation
import Yams

/// YAML front matter at the very top of a text file, and the typing of its values.
///
///     ---
///     commune: Plouzané
///     population: 2800        → .integer(2800)
///     date: 2023-02-14        → .date("2023-02-14")
///     roles: [élue, adjointe] → .text("élue, adjointe")
///     ---
///
/// The block (both `---` lines included) is removed from the stored text; the closing line
/// may also be `...`. Quoted values stay text (`code: "29019"` → `.text("29019")`), nested
/// mappings become dotted keys (`lieu.commune`), null values are left out.
enum FrontMatter {
  /// The fields of the front matter and the text after it.
  struct Split: Sendable {
    var metadata: [String: MetadataValue]
    /// The text after the closing line (unchanged when there is no front matter).
    var body: String
  }

  /// Splits a front matter from a text whose line ends are already LF.
  ///
  /// - Throws: ``ImportError/malformed(path:line:reason:)`` naming the file line when the
  ///   block is never closed, is not valid YAML, or is not a mapping of fields.
  static func split(_ text: String, path: String) throws(ImportError) -> Split {
    let utf8 = text.utf8
    guard let firstLineEnd = utf8.firstIndex(of: 0x0A), isMarker(utf8[..<firstLineEnd], allowDots: false)
    else { return Split(metadata: [:], body: text) }
    // Find the closing line.
    var lineStart = utf8.index(after: firstLineEnd)
    var lineNumber = 2
    var closing: (start: String.Index, next: String.Index)?
    while lineStart < utf8.endIndex {
      let lineEnd = utf8[lineStart...].firstIndex(of: 0x0A) ?? utf8.endIndex
      if isMarker(utf8[lineStart..<lineEnd], allowDots: true) {
        closing = (lineStart, lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd))
        break
      }
      lineNumber += 1
      lineStart = lineEnd == utf8.endIndex ? lineEnd : utf8.index(after: lineEnd)
    }
    guard let closing else {
      throw .malformed(
        path: path, line: 1,
        reason: "front matter opened by `---` on line 1 is never closed by a `---` line")
    }
    let yaml = String(text[utf8.index(after: firstLineEnd)..<closing.start])
    let body = String(text[closing.next...])
    return Split(metadata: try parse(yaml, firstLine: 2, path: path), body: body)
  }

  /// Whether a line is `---` (or `...` when allowed), trailing spaces accepted.
  private static func isMarker(_ line: Substring.UTF8View, allowDots: Bool) -> Bool {
    var bytes = Array(line)
    while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
    return bytes == [0x2D, 0x2D, 0x2D] || (allowDots && bytes == [0x2E, 0x2E, 0x2E])
  }

  /// Parses YAML fields; `firstLine` is the file line of the YAML's first line.
  static func parse(_ yaml: String, firstLine: Int, path: String) throws(ImportError) -> [String: MetadataValue] {
    let node: Node?
    do {
      node = try Yams.compose(yaml: yaml)
    } catch {
      throw malformed(error, firstLine: firstLine, path: path)
    }
    guard let node else { return [:] }  // empty front matter
    guard let mapping = node.mapping else {
      throw .malformed(
        path: path, line: firstLine, reason: "front matter must be a YAML mapping of `field: value` lines")
    }
    var fields: [String: MetadataValue] = [:]
    flatten(mapping, prefix: "", depth: 0, into: &fields)
    return fields
  }

  /// Adds a mapping's fields, nested mappings as dotted keys (two levels at most).
  private static func flatten(
    _ mapping: Node.Mapping, prefix: String, depth: Int, into fields: inout [String: MetadataValue]
  ) {
    for (keyNode, valueNode) in mapping {
      guard let key = keyNode.scalar?.string.trimmingCharacters(in: .whitespaces), !key.isEmpty else { continue }
      let name = prefix + key
      switch valueNode {
      case let .scalar(scalar):
        if let value = typed(scalar) { fields[name] = value }
      case let .sequence(sequence):
        let items = sequence.compactMap { $0.scalar }.filter { !isNull($0) }.map(\.string)
        if !items.isEmpty { fields[name] = .text(items.joined(separator: ", ")) }
      case let .mapping(inner):
        if depth < 2 { flatten(inner, prefix: name + ".", depth: depth + 1, into: &fields) }
      case .alias:
        continue
      }
    }
  }

  /// Types a scalar: quoted → text; plain → integer, date or text; null → nil.
  static func typed(_ scalar: Node.Scalar) -> MetadataValue? {
    switch scalar.style {
    case .singleQuoted, .doubleQuoted, .literal, .folded:
      return .text(scalar.string)
    case .any, .plain:
      if isNull(scalar) { return nil }
      return MetadataValue.parse(scalar.string)
    }
  }

  /// Whether a scalar is YAML's null (`~`, `null`, or nothing), which only plain scalars can be.
  static func isNull(_ scalar: Node.Scalar) -> Bool {
    guard scalar.style == .plain || scalar.style == .any else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
  }

  /// Maps a Yams error to a file line, without quoting the YAML.
  private static func malformed(_ error: any Error, firstLine: Int, path: String) -> ImportError {
    let (problem, mark): (String, Mark?) =
      switch error as? YamlError {
      case let .scanner(_, problem, mark, _): (problem, mark)
      case let .parser(_, problem, mark, _): (problem, mark)
      case let .composer(_, problem, mark, _): (problem, mark)
      case let .duplicatedKeysInMapping(_, context): ("duplicated key", context.mark)
      case .reader: ("unreadable characters", nil)
      default: ("invalid YAML", nil)
      }
    let line = mark.map { firstLine + $0.line - 1 } ?? firstLine
    return .malformed(path: path, line: line, reason: "invalid front matter: \(problem)")
  }
}
