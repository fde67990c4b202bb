import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// A project holding the shipped corpus (imported once per test).
private func corpusProject() throws -> String {
  let root = try makeTemporaryDirectory()
  let project = root.appendingPathComponent("project").path
  let result = try runVerbatim(["import", repositoryRoot.appendingPathComponent("Corpus").path, "--project", project])
  #expect(result.status == 0, "\(result.stderr)")
  return project
}

private func rows(_ tsv: String) -> [[String]] {
  tsv.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
}

@Suite struct GraphCommandTests {
  @Test func egoGraphOfAPhrase() throws {
    let project = try corpusProject()
    let result = try runVerbatim(["cooc", "numérique responsable", "--top", "5", "--measure", "g2", "--project", project])
    #expect(result.status == 0, "\(result.stderr)")
    let table = rows(result.stdout)
    #expect(table[0] == ["source", "target", "count", "measure"])
    let egoRows = table.dropFirst().filter { $0[0] == "numérique responsable" }
    #expect(egoRows.count == 5)
    // Sorted by measure, descending.
    let measures = table.dropFirst().map { Double($0[3])! }
    #expect(measures == measures.sorted(by: >))
  }

  @Test func outputDoesNotDependOnJobs() throws {
    let project = try corpusProject()
    for format in ["tsv", "gexf", "svg"] {
      let arguments = ["cooc", "--scope", "window:5", "--top", "3", "--communities", "--format", format, "--project", project]
      let one = try runVerbatim(arguments + ["--jobs", "1"])
      let two = try runVerbatim(arguments + ["--jobs", "2"])
      #expect(one.status == 0 && two.status == 0)
      #expect(one.stdout == two.stdout && !one.stdout.isEmpty, "format \(format)")
    }
  }

  @Test func graphFormatsAreWellFormed() throws {
    let project = try corpusProject()
    for format in ["gexf", "graphml", "svg"] {
      let result = try runVerbatim(["cooc", "--top", "2", "--tree", "--communities", "--format", format, "--project", project])
      #expect(result.status == 0)
      #expect(XMLParser(data: Data(result.stdout.utf8)).parse(), "format \(format)")
    }
    let dot = try runVerbatim(["cooc", "élus", "--format", "dot", "--project", project])
    #expect(dot.status == 0 && dot.stdout.hasPrefix("graph cooccurrence {"))
  }

  @Test func nodeTableAndFilters() throws {
    let project = try corpusProject()
    let nodes = try runVerbatim(["cooc", "--nodes", "--communities", "--top", "2", "--format", "csv", "--project", project])
    #expect(nodes.status == 0)
    #expect(nodes.stdout.hasPrefix("label,key,frequency,degree,community\r\n"))
    let epci = try runVerbatim(["cooc", "--where", "authority_type=EPCI", "--min-freq", "1", "--project", project])
    let all = try runVerbatim(["cooc", "--min-freq", "1", "--project", project])
    #expect(epci.status == 0 && rows(epci.stdout).count > 1 && rows(epci.stdout).count < rows(all.stdout).count)
    let none = try runVerbatim(["cooc", "--where", "authority_type=région", "--project", project])
    #expect(none.status == 1 && none.stderr.contains("no document matches --where authority_type=région"))
  }

  @Test func speakerFilterKeepsThatSpeakersTurns() throws {
    let project = try corpusProject()
    let all = try runVerbatim(["freq", "--project", project])
    let maire = try runVerbatim(["freq", "--where", "speaker=Maire", "--project", project])
    #expect(maire.status == 0, "\(maire.stderr)")
    let total = { (text: String) in rows(text).dropFirst().reduce(0) { $0 + Int($1[2])! } }
    #expect(total(maire.stdout) > 0 && total(maire.stdout) < total(all.stdout))
    let bySpeaker = try runVerbatim(["freq", "--by", "speaker", "--project", project])
    let maireRows = rows(bySpeaker.stdout).dropFirst().filter { $0[0] == "Maire" }
    #expect(maireRows.reduce(0) { $0 + Int($1[2])! } == total(maire.stdout))
  }

  @Test func invalidUTF8FileNamesTheFileAndOffset() throws {
    let folder = try makeTemporaryDirectory()
    try Data([0x61, 0x62, 0x20, 0xFF, 0x63]).write(to: folder.appendingPathComponent("bad.txt"))
    let result = try runVerbatim(["cooc", "--files", folder.path, "--scope", "window:2"])
    #expect(result.status == 1)
    #expect(result.stderr.contains("bad.txt: invalid UTF-8 at byte offset 3"))
  }

  @Test func usageAndDataErrors() throws {
    let project = try corpusProject()
    let badScope = try runVerbatim(["cooc", "--scope", "paragraph", "--project", project])
    #expect(badScope.status == 64 && badScope.stderr.contains("window:N"))
    let badWhere = try runVerbatim(["cooc", "--where", "authority_type", "--project", project])
    #expect(badWhere.status == 64 && badWhere.stderr.contains("FIELD=VALUE"))
    let unknown = try runVerbatim(["cooc", "zzzxq", "--project", project])
    #expect(unknown.status == 1 && unknown.stderr.contains("TERM zzzxq: does not occur"))
    let noProject = try runVerbatim(["freq", "--project", try makeTemporaryDirectory().appendingPathComponent("none").path])
    #expect(noProject.status == 1 && noProject.stderr.hasPrefix("error: "))
    let filesSegments = try runVerbatim(["cooc", "--files", repositoryRoot.appendingPathComponent("Corpus").path, "--scope", "segment"])
    #expect(filesSegments.status == 1 && filesSegments.stderr.contains("plain files have no stored sentences or segments"))
  }

  @Test func frequencyTables() throws {
    let project = try corpusProject()
    let counts = try runVerbatim(["freq", "--top", "3", "--project", project])
    #expect(counts.status == 0)
    let table = rows(counts.stdout)
    #expect(table[0] == ["group", "term", "count", "measure"] && table.count == 4 && table[1][0] == "corpus")
    let specific = try runVerbatim(["freq", "--by", "authority_type", "--measure", "specificity", "--top", "5", "--project", project])
    #expect(specific.status == 0)
    let groups = Set(rows(specific.stdout).dropFirst().map { $0[0] })
    #expect(groups.contains("commune") && groups.contains("EPCI"))
    let keyness = try runVerbatim(["freq", "--by", "authority_type", "--measure", "g2", "--reference", "commune", "--format", "jsonl", "--project", project])
    #expect(keyness.status == 0 && !keyness.stdout.contains("\"group\":\"commune\""))
    let badReference = try runVerbatim(["freq", "--by", "authority_type", "--measure", "keyness", "--reference", "région", "--project", project])
    #expect(badReference.status == 1 && badReference.stderr.contains("no group authority_type=région"))
    let speakers = try runVerbatim(["freq", "--by", "speaker", "--measure", "tfidf", "--top", "2", "--project", project])
    #expect(speakers.status == 0 && rows(speakers.stdout).count > 3)
  }

  /// The window counts of `cooc --files` equal a brute-force count over `verbatim tokens`.
  @Test func windowCountsEqualABruteForceOverTokens() throws {
    let folder = try makeTemporaryDirectory()
    let text = "Le numérique responsable, c'est la sobriété : moins de mails, moins d'écrans. Les élus et les agents parlent du numérique responsable."
    try text.write(to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
    let tokens = try runVerbatim(["tokens", folder.appendingPathComponent("a.txt").path])
    let tokenRows = rows(tokens.stdout).dropFirst().filter { $0[6] != "symbol" }
    var expected: [String: Int] = [:]
    for (i, a) in tokenRows.enumerated() {
      for b in tokenRows[(i + 1)...] {
        let distance = Int(b[0])! - Int(a[0])!
        if distance >= 1 && distance <= 3 && a[2] != b[2] {
          expected[[a[2], b[2]].sorted().joined(separator: "|"), default: 0] += 1
        }
      }
    }
    let cooc = try runVerbatim([
      "cooc", "--files", folder.path, "--scope", "window:3", "--by", "term", "--keep-stopwords", "--min-freq", "1",
    ])
    #expect(cooc.status == 0, "\(cooc.stderr)")
    var found: [String: Int] = [:]
    for row in rows(cooc.stdout).dropFirst() { found[[row[0], row[1]].sorted().joined(separator: "|")] = Int(row[2])! }
    #expect(found == expected && found.count > 30)
  }
}
