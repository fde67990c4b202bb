import Foundation
import Testing
import VerbatimEngine

/// `themes` and `agree` with `--codebook`: the automatic coder's codings (coder `verbatim`)
/// counted beside human ones, checked against `verbatim code`'s own rows.
@Suite("themes and agree with --codebook")
struct CodebookWiringTests {
  static let codebook = repositoryRoot.appendingPathComponent("Codebooks/numerique-responsable.yml").path

  static func project(_ directory: URL) throws -> String {
    let project = directory.appendingPathComponent("p").path
    let run = try runVerbatim(["import", repositoryRoot.appendingPathComponent("Corpus").path, "--project", project])
    #expect(run.status == 0, "\(run.stderr)")
    return project
  }

  /// code → coded segments (`document:segment`), from `verbatim code`.
  static func coded(_ project: String) throws -> [String: Set<String>] {
    let run = try runVerbatim(["code", "--codebook", codebook, "--project", project, "--format", "csv"])
    #expect(run.status == 0)
    var result: [String: Set<String>] = [:]
    for row in AnalyzeCommandTests.parseCSV(run.stdout).dropFirst() { result[row[3], default: []].insert(row[0] + ":" + row[1]) }
    return result
  }

  @Test func themesCountTheAutomaticCodersSegments() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.project(directory)
    let expected = try Self.coded(project)
    let run = try runVerbatim(["themes", "--codebook", Self.codebook, "--measure", "count", "--project", project, "--format", "csv"])
    #expect(run.status == 0, "\(run.stderr)")
    let rows = AnalyzeCommandTests.parseCSV(run.stdout).dropFirst()
    let diagonal = rows.filter { $0[0] == $0[1] }
    #expect(diagonal.count == expected.count)
    for row in diagonal { #expect(Int(row[2]) == expected[row[0]]?.count, "\(row)") }
    for row in rows where row[0] != row[1] {
      #expect(Int(row[2]) == expected[row[0]]!.intersection(expected[row[1]]!).count, "\(row)")
    }
  }

  @Test func agreeScoresTheCodebookAgainstAHumanCoder() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.project(directory)
    let automatic = try Self.coded(project)
    // A human coder codes four segments of one document with one code.
    let index = try runVerbatim(["index", "--project", project])
    #expect(index.status == 0)
    let all = AnalyzeCommandTests.parseCSV(
      try runVerbatim(["search", "NOT zzzz", "--project", project, "--format", "csv"]).stdout
    ).dropFirst().filter { $0[0] == "8" }
    #expect(all.count >= 10)
    let chosen = Array(all.prefix(4))
    let code = "Équipement"
    var csv = "coder,document,start,end,code\n"
    for row in chosen { csv += "AB,8,\(row[3]),\(row[4]),\(code)\n" }
    let file = directory.appendingPathComponent("c.csv")
    try Data(csv.utf8).write(to: file)
    #expect(try runVerbatim(["coding", "import", file.path, "--project", project]).status == 0)
    let run = try runVerbatim([
      "agree", "--codebook", Self.codebook, "--coders", "verbatim,AB", "--validate", "verbatim", "--project", project,
      "--format", "csv",
    ])
    #expect(run.status == 0, "\(run.stderr)")
    let row = AnalyzeCommandTests.parseCSV(run.stdout).dropFirst().first { $0[0] == code }
    // Only document 8 was coded by AB: the automatic coder is judged there.
    let human = Set(chosen.map { "8:" + $0[1] })
    let machine = (automatic[code] ?? []).filter { $0.hasPrefix("8:") }
    #expect(row.map { Int($0[3]) } == human.intersection(machine).count)
    #expect(row.map { Int($0[4]) } == machine.subtracting(human).count)
    #expect(row.map { Int($0[5]) } == human.subtracting(machine).count)
    let agree = try runVerbatim(["agree", "--codebook", Self.codebook, "--project", project])
    #expect(agree.status == 0, "\(agree.stderr)")
    #expect(agree.stdout.contains("AB,verbatim"))
  }

  @Test func qdpxCarriesHumanAndAutomaticCodingsAndHumanOnesComeBack() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.project(directory)
    let csv = "coder,document,start,end,code,memo\nAB,8,0,300,Équipement,\"à revoir, vite\"\nCD,3,10,90,Outils numériques,\n"
    let file = directory.appendingPathComponent("c.csv")
    try Data(csv.utf8).write(to: file)
    #expect(try runVerbatim(["coding", "import", file.path, "--project", project]).status == 0)
    let archive = directory.appendingPathComponent("p.qdpx").path
    let export = try runVerbatim(["export", "--qdpx", archive, "--codebook", Self.codebook, "--project", project])
    #expect(export.status == 0, "\(export.stderr)")
    let automatic = try Self.coded(project).values.reduce(0) { $0 + $1.count }
    #expect(export.stderr.contains("\(automatic + 2) codings"), "\(export.stderr)")
    let second = directory.appendingPathComponent("q").path
    let imported = try runVerbatim(["import", "--qdpx", archive, "--project", second])
    #expect(imported.status == 0, "\(imported.stderr)")
    let before = try runVerbatim(["coding", "list", "--project", project, "--format", "csv"]).stdout
    let after = try runVerbatim(["coding", "list", "--project", second, "--format", "csv"]).stdout
    func key(_ text: String) -> [[String]] {
      // coder, start, end, code, memo (document ids and paths differ between projects).
      AnalyzeCommandTests.parseCSV(text).dropFirst().map { [$0[0], $0[3], $0[4], $0[5], $0[6]] }.sorted { $0.lexicographicallyPrecedes($1) }
    }
    #expect(key(before) == key(after))
    #expect(key(after).count == 2)
    // The .qdc written from our codebook reads back with the same code paths.
    let qdc = directory.appendingPathComponent("b.qdc").path
    #expect(try runVerbatim(["codebook", "convert", Self.codebook, qdc]).status == 0)
    let back = directory.appendingPathComponent("b.yml").path
    #expect(try runVerbatim(["codebook", "convert", qdc, back]).status == 0)
    let original = try CodebookFiles.read(path: Self.codebook).codebook.codebook.allPaths
    #expect(try CodebookFiles.read(path: back).codebook.codebook.allPaths == original)
  }
}
