import Foundation
import Testing
import VerbatimCoding
import VerbatimEngine
import VerbatimTestSupport

/// Every codebook rule form gives the same units through `verbatim code` (the automatic
/// coder, which re-analyses each unit) and through `verbatim search` (the index): for each
/// code, the segments it codes are the segments matching `(rule₁) OR (rule₂)…` and none of
/// its exclusions.
@Suite("verbatim code against verbatim search")
struct CodeAgainstSearchTests {
  static let corpus = repositoryRoot.appendingPathComponent("Corpus").path

  /// Segments (`document:segment`) of each code, from `verbatim code` CSV.
  static func codedSegments(_ csv: String) -> [String: Set<String>] {
    var result: [String: Set<String>] = [:]
    for row in AnalyzeCommandTests.parseCSV(csv).dropFirst() { result[row[3], default: []].insert(row[0] + ":" + row[1]) }
    return result
  }

  /// Segments matching a query, from `verbatim search` CSV.
  static func searchedSegments(_ query: String, project: String) throws -> Set<String> {
    let run = try runVerbatim(["search", query, "--project", project, "--format", "csv"])
    #expect(run.status == 0, "\(query): \(run.stderr)")
    return Set(AnalyzeCommandTests.parseCSV(run.stdout).dropFirst().map { $0[0] + ":" + $0[1] })
  }

  static func compare(codebook path: String, project: String) throws -> Int {
    let code = try runVerbatim(["code", "--codebook", path, "--project", project, "--format", "csv"])
    #expect(code.status == 0, "\(code.stderr)")
    let coded = codedSegments(code.stdout)
    let compiled = try CodebookFiles.read(path: path).codebook
    var nonEmpty = 0
    for entry in compiled.codes where !entry.rules.isEmpty {
      var query = entry.rules.map { "(\($0.text))" }.joined(separator: " OR ")
      if !entry.exclude.isEmpty {
        query = "(\(query)) AND NOT (" + entry.exclude.map { "(\($0.text))" }.joined(separator: " OR ") + ")"
      }
      let expected = try searchedSegments(query, project: project)
      #expect(coded[entry.path] ?? [] == expected, "\(entry.path): \(query)")
      if !expected.isEmpty { nonEmpty += 1 }
    }
    return nonEmpty
  }

  @Test func theShippedCodebookCodesWhatSearchFinds() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = directory.appendingPathComponent("p").path
    #expect(try runVerbatim(["index", Self.corpus, "--project", project]).status == 0)
    let codebook = repositoryRoot.appendingPathComponent("Codebooks/numerique-responsable.yml").path
    #expect(try Self.compare(codebook: codebook, project: project) >= 20)
  }

  @Test func randomRulesOfEveryFormAgree() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = directory.appendingPathComponent("p").path
    #expect(try runVerbatim(["index", Self.corpus, "--project", project]).status == 0)
    let words = [
      "numérique", "responsable", "élus", "agents", "ordinateur", "tablettes", "mairie", "logiciel", "libre",
      "données", "prestataire", "écoles", "formation", "serveurs", "mails", "parc", "l'école", "aujourd'hui",
    ]
    var random = SplitMix64(seed: 61)
    func word() -> String {
      let word = words[random.next(below: words.count)]
      switch random.next(below: 4) {
      case 0: return "=" + word
      case 1: return String(word.prefix(4)) + "*"
      default: return word
      }
    }
    func rule(_ depth: Int) -> String {
      if depth == 0 {
        switch random.next(below: 6) {
        case 0: return "\"\(word()) \(word())\""
        case 1: return "speaker:élue"
        case 2: return "authority_type:commune"
        default: return word()
        }
      }
      switch random.next(below: 4) {
      case 0: return "(\(rule(depth - 1))) AND (\(rule(depth - 1)))"
      case 1: return "(\(rule(depth - 1))) OR (\(rule(depth - 1)))"
      case 2: return "\(word()) NEAR/\(1 + random.next(below: 8)) \(word())"
      default: return "(\(rule(depth - 1))) AND NOT \(word())"
      }
    }
    var yaml = "verbatim-codebook: 1\nname: Aléatoire\ncodes:\n"
    for index in 0..<40 {
      yaml += "  - name: C\(index)\n    rules:\n"
      for _ in 0..<(1 + random.next(below: 2)) { yaml += "      - '\(rule(2).replacingOccurrences(of: "'", with: "''"))'\n" }
      if random.next(below: 4) == 0 { yaml += "    exclude: ['\(word().replacingOccurrences(of: "'", with: "''"))']\n" }
    }
    let path = directory.appendingPathComponent("random.yml")
    try Data(yaml.utf8).write(to: path)
    #expect(try Self.compare(codebook: path.path, project: project) >= 15)
  }
}
