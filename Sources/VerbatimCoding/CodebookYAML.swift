import Foundation
import VerbatimAnalysis
import Yams

/// Verbatim's own codebook file (`Codebooks/*.yml`, `verbatim-codebook: 1`): read and write.
///
/// Keys of the file: `verbatim-codebook` (the schema version, `1`), `name`, `language`,
/// `description`, `codes`, and `sets` (REFI-QDA sets: `name`, `guid`, `description`,
/// `members`, a list of code GUIDs). Keys of a code: `name`, `description`, `color`
/// (`"#rrggbb"`), `guid`, `codable` (`false` for a grouping code), `rules` and `exclude` (lists
/// of queries; a single query may be written without the list), `codes` (children).
///
/// Reading checks the structure (unknown keys, types, the schema version), then the model
/// (``CompiledCodebook``): errors name the file, the line, and the path of the element.
///
///     let book = try CodebookYAML.read(text, file: "Codebooks/a.yml")
///     let again = CodebookYAML.write(book)  // reads back to the same codebook
public enum CodebookYAML {
  /// The schema version this build reads and writes.
  public static let schemaVersion = 1

  static let bookKeys = ["verbatim-codebook", "name", "language", "description", "codes", "sets"]
  static let codeKeys = ["name", "description", "color", "guid", "codable", "rules", "exclude", "codes"]
  static let setKeys = ["name", "guid", "description", "members"]

  /// Reads and validates a codebook; returns it with its rules parsed.
  ///
  /// - Throws: ``CodebookError`` naming `file`, the line and the element path.
  public static func readCompiled(_ text: String, file: String, analyzer: Analyzer = .french)
    throws(CodebookError) -> CompiledCodebook
  {
    var reader = Reader(file: file)
    let book = try reader.read(text)
    return try CompiledCodebook(book, file: file, analyzer: analyzer, lines: reader.lines)
  }

  /// Reads and validates a codebook (rules included).
  ///
  /// - Throws: ``CodebookError`` naming `file`, the line and the element path.
  public static func read(_ text: String, file: String, analyzer: Analyzer = .french) throws(CodebookError)
    -> Codebook
  {
    try readCompiled(text, file: file, analyzer: analyzer).codebook
  }

  /// Writes a codebook in the native format (UTF-8 text; keys in a fixed order; absent fields omitted).
  public static func write(_ codebook: Codebook) -> String {
    var out = "verbatim-codebook: \(schemaVersion)\n"
    out += "name: \(quote(codebook.name))\n"
    if let language = codebook.language { out += "language: \(quote(language))\n" }
    if let description = codebook.description { out += "description: \(quote(description))\n" }
    if codebook.codes.isEmpty {
      out += "codes: []\n"
    } else {
      out += "codes:\n"
      for code in codebook.codes { writeCode(code, indent: "  ", into: &out) }
    }
    if !codebook.sets.isEmpty {
      out += "sets:\n"
      for set in codebook.sets {
        out += "  - name: \(quote(set.name))\n"
        if let guid = set.guid { out += "    guid: \(quote(guid))\n" }
        if let description = set.description { out += "    description: \(quote(description))\n" }
        out += "    members: [\(set.memberGUIDs.map(quote).joined(separator: ", "))]\n"
      }
    }
    return out
  }

  private static func writeCode(_ code: Code, indent: String, into out: inout String) {
    let inner = indent + "  "
    out += "\(indent)- name: \(quote(code.name))\n"
    if let guid = code.guid { out += "\(inner)guid: \(quote(guid))\n" }
    if let description = code.description { out += "\(inner)description: \(quote(description))\n" }
    if let color = code.color { out += "\(inner)color: \(quote(color))\n" }
    if !code.isCodable { out += "\(inner)codable: false\n" }
    for (key, list) in [("rules", code.rules), ("exclude", code.exclude)] where !list.isEmpty {
      out += "\(inner)\(key):\n"
      for rule in list { out += "\(inner)  - \(quote(rule))\n" }
    }
    if !code.codes.isEmpty {
      out += "\(inner)codes:\n"
      for child in code.codes { writeCode(child, indent: inner + "  ", into: &out) }
    }
  }

  /// A YAML scalar that reads back as exactly `text`: single-quoted, or double-quoted with
  /// escapes when it holds control characters.
  static func quote(_ text: String) -> String {
    if text.unicodeScalars.contains(where: {
      $0.value < 0x20 || $0.value == 0x7F || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{FEFF}"
    }) {
      var result = "\""
      for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
          if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{85}" || scalar == "\u{2028}"
            || scalar == "\u{2029}" || scalar == "\u{FEFF}"
          {
            let hex = String(scalar.value, radix: 16)
            result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
          } else {
            result.unicodeScalars.append(scalar)
          }
        }
      }
      return result + "\""
    }
    return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
  }

  // MARK: - Reading

  struct Reader {
    let file: String
    /// Element path → 1-based line.
    var lines: [String: Int] = [:]

    init(file: String) { self.file = file }

    func fail(_ path: String, _ node: Node?, _ problem: String) -> CodebookError {
      CodebookError(file: file, line: node?.mark?.line, path: path, problem: problem)
    }

    mutating func read(_ text: String) throws(CodebookError) -> Codebook {
      let root: Node?
      do {
        root = try Yams.compose(yaml: text)
      } catch let error as YamlError {
        throw Self.syntaxError(error, file: file)
      } catch {
        throw CodebookError(file: file, path: "", problem: "not a YAML file: \(error)")
      }
      guard let root else {
        throw CodebookError(
          file: file, path: "", problem: "the file is empty; a codebook starts with `verbatim-codebook: 1`")
      }
      guard let mapping = root.mapping else {
        throw fail("", root, "a codebook is a mapping with the keys \(Self.list(CodebookYAML.bookKeys))")
      }
      try checkKeys(mapping, allowed: CodebookYAML.bookKeys, at: "")
      guard let versionNode = mapping["verbatim-codebook"] else {
        throw CodebookError(
          file: file, line: root.mark?.line, path: "verbatim-codebook",
          problem: "missing `verbatim-codebook: 1` (the schema version) at the top of the file")
      }
      guard let version = versionNode.scalar.flatMap({ Int($0.string) }) else {
        throw fail(
          "verbatim-codebook", versionNode, "the schema version is a whole number; write `verbatim-codebook: 1`")
      }
      guard version == CodebookYAML.schemaVersion else {
        throw fail(
          "verbatim-codebook", versionNode,
          "schema version \(version) is not supported: this build reads version \(CodebookYAML.schemaVersion)")
      }
      var book = Codebook(name: "")
      if let name = mapping["name"] {
        book.name = try string(name, at: "name")
      } else {
        throw CodebookError(
          file: file, line: root.mark?.line, path: "name", problem: "the codebook has no name; add `name: …`")
      }
      book.language = try mapping["language"].map { node throws(CodebookError) in try string(node, at: "language") }
      book.description = try mapping["description"].map { node throws(CodebookError) in
        try string(node, at: "description")
      }
      if let codes = mapping["codes"] {
        book.codes = try self.codes(codes, at: "codes", prefix: "")
      }
      if let sets = mapping["sets"] {
        book.sets = try self.sets(sets)
      }
      return book
    }

    static func syntaxError(_ error: YamlError, file: String) -> CodebookError {
      switch error {
      case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
        .composer(_, let problem, let mark, _):
        return CodebookError(
          file: file, line: mark.line, path: "", problem: "YAML syntax, column \(mark.column): \(problem)")
      case .duplicatedKeysInMapping(let duplicates, let context):
        return CodebookError(
          file: file, line: context.mark.line, path: "",
          problem: "a key is written twice in one mapping: \(duplicates.sorted().joined(separator: ", ")); keep one")
      case .reader(let problem, let offset, _, _):
        return CodebookError(
          file: file, path: "",
          problem: "cannot read the text\(offset.map { " at byte offset \($0)" } ?? ""): \(problem)")
      default:
        return CodebookError(file: file, path: "", problem: "not a YAML file")
      }
    }

    static func list(_ keys: [String]) -> String { keys.joined(separator: ", ") }

    static func kind(_ node: Node) -> String {
      switch node {
      case .scalar: node.tag == Tag(.null) ? "nothing" : "a single value"
      case .mapping: "a mapping (key: value)"
      case .sequence: "a list"
      case .alias: "an alias"
      }
    }

    func checkKeys(_ mapping: Node.Mapping, allowed: [String], at path: String) throws(CodebookError) {
      for (key, value) in mapping {
        guard let name = key.scalar?.string else {
          throw fail(path, key, "keys are plain words (\(Self.list(allowed)))")
        }
        if !allowed.contains(name) {
          let location = path.isEmpty ? name : "\(path).\(name)"
          throw fail(location, key, "unknown key \"\(name)\"; the keys here are \(Self.list(allowed))")
        }
        _ = value
      }
    }

    mutating func string(_ node: Node, at path: String) throws(CodebookError) -> String {
      guard let scalar = node.scalar, node.tag != Tag(.null) else {
        throw fail(path, node, "expected text, found \(Self.kind(node))")
      }
      if let line = node.mark?.line { lines[path] = line }
      return scalar.string
    }

    mutating func stringList(_ node: Node, at path: String) throws(CodebookError) -> [String] {
      if node.scalar != nil, node.tag != Tag(.null) { return [try string(node, at: path + "[0]")] }
      guard let sequence = node.sequence else {
        throw fail(path, node, "expected a list of queries, found \(Self.kind(node))")
      }
      var result: [String] = []
      for (index, item) in sequence.enumerated() {
        result.append(try string(item, at: "\(path)[\(index)]"))
      }
      return result
    }

    mutating func codes(_ node: Node, at path: String, prefix: String) throws(CodebookError) -> [Code] {
      guard let sequence = node.sequence else {
        throw fail(path, node, "expected a list of codes (each `- name: …`), found \(Self.kind(node))")
      }
      var result: [Code] = []
      for (index, item) in sequence.enumerated() {
        let here = "\(path)[\(index)]"
        if let line = item.mark?.line { lines[here] = line }
        guard let mapping = item.mapping else {
          throw fail(
            here, item,
            "a code is a mapping with the keys \(Self.list(CodebookYAML.codeKeys)), found \(Self.kind(item))")
        }
        try checkKeys(mapping, allowed: CodebookYAML.codeKeys, at: here)
        guard let nameNode = mapping["name"] else {
          throw fail(here + ".name", item, "a code needs a name; add `name: …`")
        }
        var code = Code(name: try string(nameNode, at: here + ".name"))
        if let node = mapping["description"] { code.description = try string(node, at: here + ".description") }
        if let node = mapping["color"] { code.color = try string(node, at: here + ".color") }
        if let node = mapping["guid"] { code.guid = try string(node, at: here + ".guid") }
        if let node = mapping["codable"] {
          guard node.scalar != nil, let value = node.bool else {
            throw fail(here + ".codable", node, "expected true or false")
          }
          code.isCodable = value
        }
        if let node = mapping["rules"] { code.rules = try stringList(node, at: here + ".rules") }
        if let node = mapping["exclude"] { code.exclude = try stringList(node, at: here + ".exclude") }
        if let node = mapping["codes"] { code.codes = try codes(node, at: here + ".codes", prefix: "") }
        result.append(code)
      }
      return result
    }

    mutating func sets(_ node: Node) throws(CodebookError) -> [CodeSet] {
      guard let sequence = node.sequence else {
        throw fail("sets", node, "expected a list of sets (each `- name: …`), found \(Self.kind(node))")
      }
      var result: [CodeSet] = []
      for (index, item) in sequence.enumerated() {
        let here = "sets[\(index)]"
        guard let mapping = item.mapping else {
          throw fail(here, item, "a set is a mapping with the keys \(Self.list(CodebookYAML.setKeys))")
        }
        try checkKeys(mapping, allowed: CodebookYAML.setKeys, at: here)
        guard let nameNode = mapping["name"] else {
          throw fail(here + ".name", item, "a set needs a name; add `name: …`")
        }
        var set = CodeSet(name: try string(nameNode, at: here + ".name"))
        if let node = mapping["guid"] { set.guid = try string(node, at: here + ".guid") }
        if let node = mapping["description"] { set.description = try string(node, at: here + ".description") }
        if let node = mapping["members"] {
          guard let members = node.sequence else {
            throw fail(here + ".members", node, "expected a list of code GUIDs, found \(Self.kind(node))")
          }
          for (position, member) in members.enumerated() {
            set.memberGUIDs.append(try string(member, at: "\(here).members[\(position)]"))
          }
        }
        result.append(set)
      }
      return result
    }
  }
}
