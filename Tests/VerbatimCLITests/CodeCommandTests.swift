import Foundation
import Testing

@Suite struct CodeCommandTests {
  static let codebook = repositoryRoot.appendingPathComponent("Codebooks/numerique-responsable.yml").path

  /// A project with `Corpus/` imported.
  func importedProject() throws -> URL {
    let directory = try makeTemporaryDirectory()
    let result = try runVerbatim(
      [
        "import", repositoryRoot.appendingPathComponent("Corpus").path, "--project",
        directory.appendingPathComponent("p").path,
      ])
    #expect(result.status == 0, "\(result.stderr)")
    return directory.appendingPathComponent("p")
  }

  @Test func codesTheCorpusWithTheContractColumns() throws {
    let project = try importedProject()
    let result = try runVerbatim(["code", "--codebook", Self.codebook, "--project", project.path])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "document\tsegment\tspeaker\tcode\tstart\tend\trule")
    let rows = lines.dropFirst().map { $0.components(separatedBy: "\t") }
    #expect(rows.count > 100)
    #expect(rows.allSatisfy { $0.count == 7 && Int($0[4])! < Int($0[5])! && !$0[6].isEmpty })
    // Every coded span is a stored segment: `show` gives each turn's text and span, and the
    // segment must lie inside a turn whose text holds the words the rule is about.
    let paix = try #require(rows.first { $0[3] == "Constats du rapport/Paix sociale" && $0[2] == "Interlocuteur" })
    let show = try runVerbatim(["show", paix[0], "--project", project.path, "--format", "jsonl"])
    let turns = show.stdout.split(separator: "\n").map { line in
      try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }
    let turn = try #require(
      turns.first { ($0["start"] as! Int) <= Int(paix[4])! && Int(paix[5])! <= ($0["end"] as! Int) })
    #expect((turn["text"] as! String).contains("paix sociale"))
    #expect(paix[6] == "\"paix sociale\" OR (reconnaissance NEAR/8 équip*)")
  }

  @Test func outputDoesNotDependOnJobsForAnyScope() throws {
    let project = try importedProject()
    for scope in ["segment", "sentence", "turn", "paragraph"] {
      let one = try runVerbatim([
        "code", "--codebook", Self.codebook, "--scope", scope, "--jobs", "1", "--project", project.path,
      ])
      let two = try runVerbatim([
        "code", "--codebook", Self.codebook, "--scope", scope, "--jobs", "2", "--project", project.path,
      ])
      let four = try runVerbatim([
        "code", "--codebook", Self.codebook, "--scope", scope, "--jobs", "4", "--project", project.path, "--format",
        "jsonl",
      ])
      let fourOne = try runVerbatim([
        "code", "--codebook", Self.codebook, "--scope", scope, "--jobs", "1", "--project", project.path, "--format",
        "jsonl",
      ])
      #expect(one.status == 0 && two.status == 0)
      #expect(one.stdout == two.stdout, "scope \(scope)")
      #expect(four.stdout == fourOne.stdout, "scope \(scope)")
      #expect(one.stdout.split(separator: "\n").count > 10)
    }
  }

  @Test func csvAndJSONLCarryTheSameRows() throws {
    let project = try importedProject()
    let tsv = try runVerbatim(["code", "--codebook", Self.codebook, "--project", project.path])
    let csv = try runVerbatim(["code", "--codebook", Self.codebook, "--project", project.path, "--format", "csv"])
    let jsonl = try runVerbatim(["code", "--codebook", Self.codebook, "--project", project.path, "--format", "jsonl"])
    #expect(csv.stdout.hasPrefix("document,segment,speaker,code,start,end,rule\r\n"))
    let objects = jsonl.stdout.split(separator: "\n").map {
      try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    let tsvRows = tsv.stdout.split(separator: "\n").dropFirst().map { $0.components(separatedBy: "\t") }
    #expect(objects.count == tsvRows.count)
    for (object, row) in zip(objects, tsvRows) {
      #expect(String(object["document"] as! Int) == row[0])
      #expect(object["code"] as? String == row[3])
      #expect(String(object["start"] as! Int) == row[4])
      #expect(object["rule"] as? String == row[6])
      let hits = object["hits"] as! [String]
      #expect((object["words"] as! [String]).count == hits.count)
      for hit in hits {
        let bounds = hit.split(separator: "-").map { Int($0)! }
        #expect(Int(row[4])! <= bounds[0] && bounds[1] <= Int(row[5])!)
      }
      #expect((object["rule_index"] as! Int) >= 1)
    }
  }

  @Test func aBadCodebookIsRejectedWithNothingWritten() throws {
    let project = try importedProject()
    let folder = try makeTemporaryDirectory()
    let bad = folder.appendingPathComponent("bad.yml")
    try "verbatim-codebook: 1\nname: T\ncodes:\n  - name: A\n    rules: ['ok', 'a AND (b']\n".write(
      to: bad, atomically: true, encoding: .utf8)
    let result = try runVerbatim(["code", "--codebook", bad.path, "--project", project.path])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(
      result.stderr == "error: \(bad.path):5: codes[0].rules[1]: query, column 9: expected \")\", found end of query\n")
    let qdc = try runVerbatim([
      "code", "--codebook", folder.appendingPathComponent("b.qdc").path, "--project", project.path,
    ])
    #expect(qdc.status == 1)  // the file does not exist: a data error naming it
    try Data().write(to: folder.appendingPathComponent("c.qdc"))
    let unsupported = try runVerbatim(["code", "--codebook", folder.appendingPathComponent("c.qdc").path, "--project", project.path])
    #expect(unsupported.status == 1)
    #expect(unsupported.stderr.contains("c.qdc") && unsupported.stderr.contains("empty file, not XML"), "\(unsupported.stderr)")
    let unknown = try runVerbatim(["code", "--codebook", folder.appendingPathComponent("c.txt").path, "--project", project.path])
    #expect(unknown.status == 64)
    let noProject = try runVerbatim([
      "code", "--codebook", Self.codebook, "--project", folder.appendingPathComponent("none").path,
    ])
    #expect(noProject.status == 1)
    #expect(noProject.stdout.isEmpty)
  }

  @Test func convertsBetweenFormats() throws {
    let folder = try makeTemporaryDirectory()
    let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/codebooks")
    let fromLIWC = try runVerbatim(
      ["codebook", "convert", fixtures.appendingPathComponent("themes.dic").path, "liwc.yml"], in: folder)
    #expect(fromLIWC.status == 0, "\(fromLIWC.stderr)")
    #expect(fromLIWC.stderr.contains("note: "))
    let written = try String(contentsOf: folder.appendingPathComponent("liwc.yml"), encoding: .utf8)
    #expect(
      written.hasPrefix(
        "verbatim-codebook: 1\nname: 'themes'\ncodes:\n  - name: 'travail'\n    rules:\n      - 'intérim*'\n"))
    // Our codebook → quanteda → ours: the rules with a glob form survive.
    let toQuanteda = try runVerbatim(["codebook", "convert", "liwc.yml", "q.yml", "--to", "quanteda"], in: folder)
    #expect(toQuanteda.status == 0, "\(toQuanteda.stderr)")
    let back = try runVerbatim(["codebook", "convert", "q.yml", "back.yml", "--from", "quanteda"], in: folder)
    #expect(back.status == 0, "\(back.stderr)")
    let again = try String(contentsOf: folder.appendingPathComponent("back.yml"), encoding: .utf8)
    #expect(again == written.replacingOccurrences(of: "name: 'themes'", with: "name: 'q'"))
    // A bad input writes nothing and leaves an existing output alone.
    try "verbatim-codebook: 1\nname: T\ncodes:\n  - name: A\n    color: red\n".write(
      to: folder.appendingPathComponent("bad.yml"), atomically: true, encoding: .utf8)
    let bad = try runVerbatim(["codebook", "convert", "bad.yml", "liwc.yml"], in: folder)
    #expect(bad.status == 1)
    #expect(
      bad.stderr
        == "error: bad.yml:5: codes[0].color: a colour is written #rrggbb (six hexadecimal digits), e.g. \"#1f77b4\"\n")
    #expect(try String(contentsOf: folder.appendingPathComponent("liwc.yml"), encoding: .utf8) == written)
    let toLIWC = try runVerbatim(["codebook", "convert", "liwc.yml", "x.dic"], in: folder)
    #expect(toLIWC.status == 64)
    // .qdc: written, with a note that REFI-QDA has no place for the rules.
    let toQDC = try runVerbatim(["codebook", "convert", "liwc.yml", "x.qdc"], in: folder)
    #expect(toQDC.status == 0)
    #expect(toQDC.stderr.contains("rules of 3 code(s) are not written"))
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.qdc").path))
  }
}
