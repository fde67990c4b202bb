import Foundation
import VerbatimAnalysis
import VerbatimIndex

/// A codebook checked and with every rule parsed: what the automatic coder runs.
///
/// Made by ``init(_:file:analyzer:lines:)``, which validates first (every format goes through
/// it): names present, without `/`, unique among siblings; colours `#rrggbb`; every rule and
/// exclusion a valid query. ``codes`` lists every code depth first in file order.
///
///     let compiled = try CompiledCodebook(book, file: "Codebooks/a.yml")
///     compiled.codes.map(\.path)  // ["Équipement", "Équipement/Renouvellement"]
public struct CompiledCodebook: Sendable {
  /// One rule or exclusion: its text as written and the parsed query.
  public struct Rule: Sendable, Hashable {
    /// The query as written in the codebook.
    public var text: String
    /// The parsed query.
    public var query: Query
  }

  /// One code with its parsed rules.
  public struct CompiledCode: Sendable, Hashable {
    /// The code's path (`Parent/Child`).
    public var path: String
    /// Its validation path in the file (`codes[0].codes[1]`).
    public var location: String
    /// Its rules, in order (the first matching rule is the one reported).
    public var rules: [Rule]
    /// Its exclusions.
    public var exclude: [Rule]
  }

  /// The codebook compiled.
  public let codebook: Codebook
  /// Every code, depth first in file order, including codes without rules (they never code a unit).
  public let codes: [CompiledCode]

  /// Validates `codebook` and parses its rules with `analyzer` (the one the corpus was analysed with).
  ///
  /// - Parameters:
  ///   - file: the file name used in error messages.
  ///   - lines: the line of each element path in the file, when the format has lines.
  /// - Throws: ``CodebookError`` for the first problem found, in file order.
  public init(_ codebook: Codebook, file: String, analyzer: Analyzer = .french, lines: [String: Int] = [:])
    throws(CodebookError)
  {
    func fail(_ path: String, _ problem: String, column: Int? = nil) -> CodebookError {
      // The closest recorded line: the element itself, else its nearest recorded parent.
      var probe = path
      var line = lines[probe]
      while line == nil, let cut = probe.lastIndex(where: { $0 == "." || $0 == "[" }) {
        probe = String(probe[..<cut])
        line = lines[probe]
      }
      return CodebookError(file: file, line: line, path: path, problem: problem, queryColumn: column)
    }
    if codebook.name.trimmingCharacters(in: .whitespaces).isEmpty {
      throw fail("name", "the codebook has no name; add `name: …`")
    }
    let parser = QueryParser(analyzer: analyzer)
    var compiled: [CompiledCode] = []
    func parseRules(_ texts: [String], at location: String) throws(CodebookError) -> [Rule] {
      var result: [Rule] = []
      for (index, text) in texts.enumerated() {
        do {
          result.append(Rule(text: text, query: try parser.parse(text)))
        } catch {
          var column: Int?
          if case .querySyntax(let at, _, _) = error { column = at }
          throw fail("\(location)[\(index)]", error.description, column: column)
        }
      }
      return result
    }
    func visit(_ codes: [Code], prefix: String, location: String) throws(CodebookError) {
      var seen: [String: Int] = [:]
      for (index, code) in codes.enumerated() {
        let here = "\(location)codes[\(index)]"
        let name = code.name
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
          throw fail(here + ".name", "a code needs a name; add `name: …`")
        }
        if name.contains(Code.pathSeparator) {
          throw fail(here + ".name", "a code name cannot contain \"/\" (it separates the levels of a code path)")
        }
        if let first = seen[name] {
          throw fail(
            here + ".name", "duplicate code name among siblings (also at \(location)codes[\(first)]); rename one")
        }
        seen[name] = index
        if let color = code.color, !Self.isColor(color) {
          throw fail(here + ".color", "a colour is written #rrggbb (six hexadecimal digits), e.g. \"#1f77b4\"")
        }
        let path = prefix.isEmpty ? name : prefix + Code.pathSeparator + name
        let rules = try parseRules(code.rules, at: here + ".rules")
        let exclude = try parseRules(code.exclude, at: here + ".exclude")
        compiled.append(CompiledCode(path: path, location: here, rules: rules, exclude: exclude))
        try visit(code.codes, prefix: path, location: here + ".")
      }
    }
    try visit(codebook.codes, prefix: "", location: "")
    self.codebook = codebook
    self.codes = compiled
  }

  /// Whether `text` is a colour `#rrggbb`.
  public static func isColor(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    return bytes.count == 7 && bytes[0] == UInt8(ascii: "#")
      && bytes.dropFirst().allSatisfy {
        (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0)
      }
  }
}
