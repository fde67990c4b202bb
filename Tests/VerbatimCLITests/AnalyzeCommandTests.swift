import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// `verbatim analyze` on the shipped corpus and codebook: the report's content and every table,
/// checked against the commands that compute the same things one by one.
@Suite("verbatim analyze")
struct AnalyzeCommandTests {
  static let codebook = repositoryRoot.appendingPathComponent("Codebooks/numerique-responsable.yml").path
  static let corpus = repositoryRoot.appendingPathComponent("Corpus").path
  static let environment = ["SOURCE_DATE_EPOCH": "1700000000"]

  /// Runs `verbatim analyze` into `directory/report` with the project `directory/p`.
  static func analyze(_ directory: URL, jobs: String = "2", out: String = "report", extra: [String] = [])
    throws -> CommandResult
  {
    try runVerbatim(
      [
        "analyze", corpus, "--codebook", codebook, "--out", directory.appendingPathComponent(out).path, "--project",
        directory.appendingPathComponent("p").path, "--jobs", jobs,
      ] + extra, environment: environment)
  }

  static func csvRows(_ url: URL) throws -> [[String]] {
    try parseCSV(String(contentsOf: url, encoding: .utf8))
  }

  /// RFC 4180 rows (quoted fields with commas, quotes and line breaks).
  static func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var iterator = Array(text).makeIterator()
    var pending: Character? = nil
    while let character = pending ?? iterator.next() {
      pending = nil
      if quoted {
        if character == "\"" {
          if let next = iterator.next() {
            if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
          } else { quoted = false }
        } else { field.append(character) }
        continue
      }
      switch character {
      case "\"": quoted = true
      case ",": row.append(field); field = ""
      case "\r\n", "\n": row.append(field); rows.append(row); row = []; field = ""
      default: field.append(character)
      }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
  }

  @Test func theReportShowsCodesVerbatimsPicturesAndEveryTable() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let run = try Self.analyze(directory)
    #expect(run.status == 0, "\(run.stderr)")
    let report = directory.appendingPathComponent("report")
    let files = Set(try FileManager.default.contentsOfDirectory(atPath: report.path))
    for name in [
      "index.html", "report.json", "coded-segments.csv", "coded-segments.jsonl", "code-frequencies.csv",
      "theme-cooccurrence.csv", "code-by-authority_type.csv", "code-by-population_band.csv", "term-frequencies.csv",
      "term-specificities-authority_type.csv", "cooccurrence-1-edges.csv", "cooccurrence-1.gexf", "cooccurrence-1.svg",
      "similitude.gexf", "similitude.svg", ".verbatim-report",
    ] {
      #expect(files.contains(name), "missing \(name)")
    }

    // The page: structurally sound, every code with its frequency, verbatims, pictures.
    let html = try String(contentsOf: report.appendingPathComponent("index.html"), encoding: .utf8)
    let page = try ReportPage(html)
    #expect(page.problems() == [])
    let frequencies = try Self.csvRows(report.appendingPathComponent("code-frequencies.csv"))
    #expect(frequencies.first == ["code", "units", "documents", "share"])
    let codeNames = frequencies.dropFirst().map { $0[0] }
    #expect(codeNames.count >= 20)
    let text = page.document.rootElement()?.stringValue ?? ""
    for code in codeNames {
      let name = code.split(separator: "/").last.map(String.init) ?? code
      #expect(text.contains(name), "code \(code) not in the page")
    }
    #expect(page.elements("blockquote").count >= 20)
    #expect(page.elements("mark").count >= 20)
    #expect(page.elements("svg").count >= 3, "bar chart and the two graphs")
    // The report is French, its pictures' legends too (the command line's `cooc --format svg` is English).
    let similitude = try String(contentsOf: report.appendingPathComponent("similitude.svg"), encoding: .utf8)
    #expect(similitude.contains(">Légende<") && similitude.contains("Communautés (Louvain)"))
    #expect(similitude.contains("Épaisseur des liens : cooccurrences"))
    #expect(!similitude.contains(">Legend<"))
    #expect(html.contains("numérique responsable"))

    // coded-segments = `verbatim code` on the same project.
    let project = directory.appendingPathComponent("p").path
    let code = try runVerbatim(["code", "--codebook", Self.codebook, "--project", project, "--format", "csv"])
    #expect(code.status == 0, "\(code.stderr)")
    let coded = try String(contentsOf: report.appendingPathComponent("coded-segments.csv"), encoding: .utf8)
    #expect(coded == code.stdout)

    // code-frequencies: recounted from coded-segments, a parent counting its children's segments.
    let codedRows = Self.parseCSV(coded).dropFirst()
    var units: [String: Set<String>] = [:]
    for row in codedRows {
      var parts = row[3].split(separator: "/").map(String.init)
      while !parts.isEmpty {
        units[parts.joined(separator: "/"), default: []].insert(row[0] + ":" + row[1])
        parts.removeLast()
      }
    }
    let segmentTotal = try runVerbatim(["corpus", "--project", project, "--format", "csv"]).stdout
      .split(separator: "\r\n").dropFirst().map { Int($0.split(separator: ",")[5])! }.reduce(0, +)
    for row in frequencies.dropFirst() {
      #expect(Int(row[1]) == units[row[0]]?.count ?? 0, "\(row[0])")
      #expect(abs(Double(row[3])! - Double(units[row[0]]?.count ?? 0) / Double(segmentTotal)) < 1e-12)
    }

    // theme-cooccurrence: pairs of codes on one segment, counted by brute force.
    var codesOfSegment: [String: Set<String>] = [:]
    for row in codedRows { codesOfSegment[row[0] + ":" + row[1], default: []].insert(row[3]) }
    var pairs: [String: Int] = [:]
    for codes in codesOfSegment.values {
      for a in codes { for b in codes where a < b { pairs[a + "|" + b, default: 0] += 1 } }
    }
    let themes = try Self.csvRows(report.appendingPathComponent("theme-cooccurrence.csv"))
    #expect(themes.first == ["code_a", "code_b", "segments", "jaccard", "c"])
    #expect(themes.count - 1 == pairs.count)
    for row in themes.dropFirst() { #expect(Int(row[2]) == pairs[row[0] + "|" + row[1]], "\(row)") }

    // The graph: the GEXF holds the edges of the CSV.
    let edges = try Self.csvRows(report.appendingPathComponent("cooccurrence-1-edges.csv"))
    let gexf = try XMLDocument(data: Data(contentsOf: report.appendingPathComponent("cooccurrence-1.gexf")))
    let gexfEdges = try gexf.nodes(forXPath: "//*[local-name()='edge']")
    #expect(edges.count - 1 == gexfEdges.count && gexfEdges.count >= 5)
    #expect(edges.dropFirst().contains { $0[0] == "numérique responsable" || $0[1] == "numérique responsable" })

    // Specific terms: one group per value of the field, signed scores.
    let specific = try Self.csvRows(report.appendingPathComponent("term-specificities-authority_type.csv"))
    #expect(specific.first == ["group", "term", "count", "measure"])
    #expect(Set(specific.dropFirst().map { $0[0] }).isSuperset(of: ["commune", "EPCI"]))
  }

  @Test func outputIsIdenticalWhateverTheJobsAndARerunReusesTheProject() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(try Self.analyze(directory, jobs: "1", out: "one").status == 0)
    #expect(try Self.analyze(directory, jobs: "2", out: "two").status == 0)
    let one = directory.appendingPathComponent("one")
    let two = directory.appendingPathComponent("two")
    let names = try FileManager.default.contentsOfDirectory(atPath: one.path).sorted()
    #expect(names == (try FileManager.default.contentsOfDirectory(atPath: two.path).sorted()))
    for name in names {
      #expect(
        try Data(contentsOf: one.appendingPathComponent(name)) == Data(contentsOf: two.appendingPathComponent(name)),
        "\(name) differs between --jobs 1 and --jobs 2")
    }
    // The second run imported nothing new and did not re-index: the index generation stayed.
    let manifest = try String(
      contentsOf: directory.appendingPathComponent("p/index/manifest.json"), encoding: .utf8)
    #expect(manifest.contains("\"generation\":1"))
  }

  @Test func aBadCodebookOrAForeignFolderChangesNothing() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(try Self.analyze(directory).status == 0)
    let index = directory.appendingPathComponent("report/index.html")
    let before = try Data(contentsOf: index)
    let bad = directory.appendingPathComponent("bad.yml")
    try Data("verbatim-codebook: 1\nname: Mauvais\ncodes:\n  - name: A\n    rules: ['numérique AND (']\n".utf8)
      .write(to: bad)
    let failed = try runVerbatim(
      [
        "analyze", Self.corpus, "--codebook", bad.path, "--out", directory.appendingPathComponent("report").path,
        "--project", directory.appendingPathComponent("p").path,
      ], environment: Self.environment)
    #expect(failed.status == 1)
    #expect(failed.stderr.contains("bad.yml") && failed.stderr.contains("codes[0].rules[0]"), "\(failed.stderr)")
    #expect(try Data(contentsOf: index) == before, "the previous report is untouched")

    let foreign = directory.appendingPathComponent("mine")
    try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
    try Data("notes".utf8).write(to: foreign.appendingPathComponent("notes.txt"))
    let refused = try Self.analyze(directory, out: "mine")
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("not a Verbatim report"), "\(refused.stderr)")
    #expect(FileManager.default.fileExists(atPath: foreign.appendingPathComponent("notes.txt").path))
  }

  @Test func withoutArgumentsItRunsOnCorpusAndCodebooksOfTheCurrentFolder() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    for folder in ["Corpus", "Codebooks"] {
      try FileManager.default.copyItem(
        at: repositoryRoot.appendingPathComponent(folder), to: directory.appendingPathComponent(folder))
    }
    let run = try runVerbatim(["analyze"], in: directory, environment: Self.environment)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stderr.contains("10 documents"))
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("verbatim-report/index.html").path))
    #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".verbatim/project.sqlite").path))
    let english = try runVerbatim(["analyze", "--lang", "en", "--out", "en"], in: directory, environment: Self.environment)
    #expect(english.status == 0)
    let html = try String(contentsOf: directory.appendingPathComponent("en/index.html"), encoding: .utf8)
    #expect(html.contains("<html lang=\"en\""))
  }
}
