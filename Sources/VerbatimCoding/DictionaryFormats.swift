import Foundation
import VerbatimAnalysis
import VerbatimIndex
import Yams

/// A codebook read from another tool's dictionary, with notes on what could not be carried over exactly.
public struct DictionaryImport: Sendable {
  /// The codebook (one rule per dictionary value).
  public var codebook: Codebook
  /// One line per approximation or dropped entry, naming the file, line or key, and the value.
  public var notes: [String]
}

/// quanteda dictionaries (YAML) and LIWC `.dic` files, as quanteda reads them
/// (`dictionary(file =)`, `valuetype = "glob"`).
///
/// How a glob value becomes a rule of our query language:
///
/// | quanteda value | rule | why |
/// |---|---|---|
/// | `chômage` | `=chômage` | without wildcard a glob matches the whole token, case-insensitively: our exact normalised term (not the stem: `chômage` does not match `chômeurs`) |
/// | `intérim*` | `intérim*` | `*` at the end: any continuation, including none = our term prefix |
/// | `"vie de famille"` | `"=vie =de =famille"` | a multi-word value matches a token sequence (`tokens_lookup`) = our phrase of exact terms |
/// | `contrat* court*` | `"contrat* court*"` | the same, word by word |
/// | `conjoint?`, `a*b` | `conjoint*`, `a*` (noted) | no single-character or inner wildcard in our language: widened to the prefix before the first wildcard |
/// | `*isme` | dropped (noted) | a leading wildcard has no prefix |
///
/// Values go through our analysis chain when the rule is parsed, so `l'école` becomes the
/// phrase `l` `école` exactly as the corpus is tokenised; quanteda's own tokenizer keeps
/// `l'école` whole, so our reading matches the same passages. quanteda lowercases values
/// (`tolower = TRUE`); our terms are case-folded, which is the same for French.
public enum DictionaryFormats {
  // MARK: - Globs

  /// The rule for one quanteda glob value, or nil with the reason it cannot be carried over.
  ///
  ///     DictionaryFormats.rule(forGlob: "contrat* court*")  // ("\"contrat* court*\"", nil)
  public static func rule(forGlob value: String) -> (rule: String?, note: String?) {
    let words = value.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard !words.isEmpty else { return (nil, "an empty value is dropped") }
    if value.contains("\"") { return (nil, "a value with a double quote cannot be written as a rule; dropped") }
    var parts: [String] = []
    var widened = false
    for word in words {
      guard let wildcard = word.firstIndex(where: { $0 == "*" || $0 == "?" }) else {
        parts.append("=" + word)
        continue
      }
      let literal = String(word[..<wildcard])
      if literal.isEmpty {
        return (nil, "a value starting with a wildcard has no prefix to search; dropped")
      }
      if word[wildcard...] != "*" { widened = true }
      parts.append(literal + "*")
    }
    let plain = parts.count == 1 && parts[0].allSatisfy { $0.isLetter || $0.isNumber || "=*-'’.".contains($0) }
    let rule = plain ? parts[0] : "\"" + parts.joined(separator: " ") + "\""
    return (rule, widened ? "the wildcard inside \"\(value)\" is widened to the prefix \(rule)" : nil)
  }

  // MARK: - quanteda YAML

  /// Reads a quanteda YAML dictionary: nested mappings are codes, lists their values (a key
  /// `__` holds a code's own values next to its children, as `as.yaml()` writes it).
  ///
  /// - Throws: ``CodebookError`` naming the file, line and key.
  public static func readQuantedaYAML(_ text: String, file: String, name: String) throws(CodebookError)
    -> DictionaryImport
  {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw CodebookYAML.Reader.syntaxError(error, file: file)
    } catch {
      throw CodebookError(file: file, path: "", problem: "not a YAML file: \(error)")
    }
    guard let root, let mapping = root.mapping else {
      throw CodebookError(
        file: file, line: root?.mark?.line, path: "",
        problem: "a quanteda dictionary is a mapping of keys to lists of values (key: [value, …])")
    }
    var notes: [String] = []
    func code(named key: Node, value: Node, path: String) throws(CodebookError) -> Code {
      guard let name = key.scalar?.string, !name.isEmpty else {
        throw CodebookError(file: file, line: key.mark?.line, path: path, problem: "a key must be a non-empty text")
      }
      let here = path.isEmpty ? name : path + "/" + name
      var result = Code(name: name)
      func addValue(_ node: Node) {
        guard let text = node.scalar?.string else { return }
        let (rule, note) = rule(forGlob: text)
        if let note { notes.append("\(file):\(node.mark?.line ?? 0): \(here): \(note)") }
        if let rule, !result.rules.contains(rule) { result.rules.append(rule) }
      }
      func addItems(_ node: Node) throws(CodebookError) {
        switch node {
        case .scalar: if node.tag != Tag(.null) { addValue(node) }
        case .sequence(let items):
          for item in items {
            if let nested = item.mapping {
              for (childKey, childValue) in nested {
                result.codes.append(try code(named: childKey, value: childValue, path: here))
              }
            } else if item.scalar != nil {
              addValue(item)
            } else {
              throw CodebookError(
                file: file, line: item.mark?.line, path: here, problem: "a value is a text (a glob such as intérim*)")
            }
          }
        case .mapping(let children):
          for (childKey, childValue) in children {
            if childKey.scalar?.string == "__" {
              try addItems(childValue)
            } else {
              result.codes.append(try code(named: childKey, value: childValue, path: here))
            }
          }
        case .alias:
          throw CodebookError(file: file, line: node.mark?.line, path: here, problem: "YAML aliases are not supported")
        }
      }
      try addItems(value)
      return result
    }
    var book = Codebook(name: name)
    for (key, value) in mapping { book.codes.append(try code(named: key, value: value, path: "")) }
    return DictionaryImport(codebook: book, notes: notes)
  }

  /// Writes a codebook as a quanteda YAML dictionary (`dictionary(file = "x.yml")` reads it).
  ///
  /// Only rules made of words, exact terms, prefixes and phrases (or an `OR` of them) have a
  /// glob form; others, and exclusions, are left out and listed in the notes. A stem `mot` is
  /// written as the glob `stem*`, a wider match (noted).
  public static func writeQuantedaYAML(_ codebook: Codebook, analyzer: Analyzer = .french) -> (
    text: String, notes: [String]
  ) {
    let parser = QueryParser(analyzer: analyzer)
    var notes: [String] = []
    var out = ""
    func globs(_ query: Query) -> [String]? {
      func word(_ word: PhraseWord) -> (String, Bool) {
        switch word {
        case .term(let term): (term, false)
        case .prefix(let prefix): (prefix + "*", false)
        case .stem(let stem): (stem + "*", true)
        }
      }
      switch query {
      case .term(let term): return [term]
      case .prefix(let prefix): return [prefix + "*"]
      case .stem(let stem): return [stem + "*"]
      case .phrase(let words): return [words.map { word($0).0 }.joined(separator: " ")]
      case .or(let operands):
        var result: [String] = []
        for operand in operands {
          guard let values = globs(operand) else { return nil }
          result += values
        }
        return result
      default: return nil
      }
    }
    func hasStem(_ query: Query) -> Bool {
      switch query {
      case .stem: true
      case .phrase(let words): words.contains { if case .stem = $0 { true } else { false } }
      case .or(let operands): operands.contains(where: hasStem)
      default: false
      }
    }
    func write(_ code: Code, path: String, indent: String) {
      let here = path.isEmpty ? code.name : path + "/" + code.name
      var values: [String] = []
      for rule in code.rules {
        guard let query = try? parser.parse(rule), let converted = globs(query) else {
          notes.append("\(here): the rule \(rule) has no quanteda glob form (AND, NEAR, NOT or a filter); left out")
          continue
        }
        if hasStem(query) { notes.append("\(here): the stem in \(rule) is written as a prefix glob, a wider match") }
        for value in converted where !values.contains(value) { values.append(value) }
      }
      if !code.exclude.isEmpty {
        notes.append("\(here): quanteda dictionaries have no exclusions; \(code.exclude.count) left out")
      }
      let key = CodebookYAML.quote(code.name)
      if code.codes.isEmpty {
        out += values.isEmpty ? "\(indent)\(key): []\n" : "\(indent)\(key):\n"
        for value in values { out += "\(indent)  - \(CodebookYAML.quote(value))\n" }
      } else {
        out += "\(indent)\(key):\n"
        if !values.isEmpty {
          out += "\(indent)  __:\n"
          for value in values { out += "\(indent)    - \(CodebookYAML.quote(value))\n" }
        }
        for child in code.codes { write(child, path: here, indent: indent + "  ") }
      }
    }
    for code in codebook.codes { write(code, path: "", indent: "") }
    return (out.isEmpty ? "{}\n" : out, notes)
  }

  // MARK: - LIWC

  /// Reads a LIWC `.dic` file as quanteda's `read_dict_liwc` does: categories between the two
  /// `%` lines (`id<TAB>name`; leading tabs nest them, LIWC2015), then one word per line with
  /// its category ids. Lines holding `<of>` are dropped, `(…)` expressions stripped, ids not
  /// declared ignored; each is noted.
  ///
  /// - Throws: ``CodebookError`` naming the file and line of a malformed header or entry.
  public static func readLIWC(_ text: String, file: String, name: String) throws(CodebookError) -> DictionaryImport {
    var notes: [String] = []
    let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
      separator: "\n", omittingEmptySubsequences: false)
    var index = 0
    func fail(_ line: Int, _ problem: String) -> CodebookError {
      CodebookError(file: file, line: line, path: "", problem: problem)
    }
    while index < lines.count && lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index += 1 }
    guard index < lines.count, lines[index].trimmingCharacters(in: .whitespaces) == "%" else {
      throw fail(index + 1, "a LIWC dictionary starts with a line holding only %, then the categories")
    }
    index += 1
    // Categories: (id, name, depth), in order.
    var categories: [(id: String, name: String, depth: Int)] = []
    var closed = false
    while index < lines.count {
      let raw = String(lines[index])
      index += 1
      let trimmed = raw.trimmingCharacters(in: .whitespaces)
      if trimmed == "%" {
        closed = true
        break
      }
      if trimmed.isEmpty { continue }
      let depth = raw.prefix(while: { $0 == "\t" }).count
      let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard fields.count >= 2 else {
        throw fail(index, "a category line is an id, a tab and a name (e.g. 1<TAB>travail)")
      }
      categories.append((fields[0], fields.dropFirst().joined(separator: " "), depth))
    }
    guard closed else { throw fail(index, "the category list is not closed by a line holding only %") }
    var words: [String: [String]] = [:]
    let declared = Set(categories.map(\.id))
    while index < lines.count {
      var line = String(lines[index])
      index += 1
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      if line.contains("<of>") {
        notes.append("\(file):\(index): a line with <of> is dropped (as quanteda does)")
        continue
      }
      if let open = line.firstIndex(of: "("), let close = line[open...].firstIndex(of: ")") {
        line.removeSubrange(open...close)
        notes.append("\(file):\(index): a parenthetical expression is stripped (as quanteda does)")
      }
      var fields = line.split(whereSeparator: { $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
      if fields.count < 2 {
        // Runs of spaces also separate the word from its ids.
        fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 2 else { throw fail(index, "an entry is a word, a tab and one or more category ids") }
        let ids = fields.reversed().prefix(while: { Int($0) != nil }).reversed()
        guard !ids.isEmpty, ids.count < fields.count else {
          throw fail(index, "an entry is a word, a tab and one or more category ids")
        }
        fields = [fields.dropLast(ids.count).joined(separator: " ")] + ids
      }
      let word = fields[0].lowercased()
      for id in fields.dropFirst().flatMap({ $0.split(separator: " ").map(String.init) }) {
        guard declared.contains(id) else {
          notes.append("\(file):\(index): category id \(id) is not declared; ignored")
          continue
        }
        if !words[id, default: []].contains(word) { words[id, default: []].append(word) }
      }
    }
    // Build the tree from depths; values keep file order.
    struct Pending {
      var code: Code
      var depth: Int
    }
    var roots: [Code] = []
    var stack: [Pending] = []
    func close(downTo depth: Int) {
      while let top = stack.last, top.depth >= depth {
        stack.removeLast()
        if stack.isEmpty { roots.append(top.code) } else { stack[stack.count - 1].code.codes.append(top.code) }
      }
    }
    for category in categories {
      close(downTo: category.depth)
      var code = Code(name: category.name)
      for value in words[category.id] ?? [] {
        let (rule, note) = rule(forGlob: value)
        if let note { notes.append("\(file): \(category.name): \(note)") }
        if let rule, !code.rules.contains(rule) { code.rules.append(rule) }
      }
      stack.append(Pending(code: code, depth: category.depth))
    }
    close(downTo: 0)
    return DictionaryImport(codebook: Codebook(name: name, codes: roots), notes: notes)
  }
}
