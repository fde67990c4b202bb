import Foundation
import Testing

/// End-to-end checks of `verbatim tokens` and `verbatim stem` against exact output and exit
/// codes (the CLI contract in BRIEF.md). Expected rows are written by hand from the rules.
@Suite("verbatim tokens and stem")
struct TokensCommandTests {
  @Test func tokensPrintsTheContractColumns() throws {
    let result = try runVerbatim(["tokens", "--text", "L’élu.e.s a-t-il 3,5 €"])
    #expect(result.status == 0)
    #expect(result.stderr == "")
    #expect(
      result.stdout == """
        position\tsurface\tterm\tstem\tstart\tend\tkind
        0\tL’\tl\tl\t0\t4\tword
        1\télu.e.s\télu\télu\t4\t12\tword
        2\ta\ta\ta\t13\t14\tword
        3\til\til\til\t17\t19\tword
        4\t3,5\t3,5\t3,5\t20\t23\tnumber
        5\t€\t€\t€\t24\t27\tsymbol

        """)
  }

  @Test func jsonlCarriesFileAndFlags() throws {
    let result = try runVerbatim(["tokens", "--format", "jsonl", "--text", "jusqu’à"])
    #expect(result.status == 0)
    #expect(
      result.stdout == """
        {"file":"<text>","position":0,"surface":"jusqu’","term":"jusqu","stem":"jusqu","start":0,"end":8,"kind":"word","flags":["elided"]}
        {"file":"<text>","position":1,"surface":"à","term":"à","stem":"à","start":8,"end":10,"kind":"word","flags":[]}

        """)
  }

  @Test func csvQuotesFieldsThatNeedIt() throws {
    let result = try runVerbatim(["tokens", "--format", "csv", "--text", "3,5"])
    #expect(result.stdout == "position,surface,term,stem,start,end,kind\r\n0,\"3,5\",\"3,5\",\"3,5\",0,3,number\r\n")
  }

  @Test func offsetsAreIntoTheFilesOwnBytesAndSeveralFilesAddAFileColumn() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let first = directory.appendingPathComponent("a.txt")
    let second = directory.appendingPathComponent("b.txt")
    try Data("Élu\n".utf8).write(to: first)
    try Data("  agent·e·s".utf8).write(to: second)
    let result = try runVerbatim(["tokens", first.path, second.path])
    #expect(result.status == 0)
    #expect(
      result.stdout == """
        file\tposition\tsurface\tterm\tstem\tstart\tend\tkind
        \(first.path)\t0\tÉlu\télu\télu\t0\t4\tword
        \(second.path)\t0\tagent·e·s\tagent\tagent\t2\t13\tword

        """)
  }

  @Test func countPrintsOnlyTheTotalsWhateverTheJobs() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var paths: [String] = []
    for index in 0..<5 {
      let url = directory.appendingPathComponent("f\(index).txt")
      try Data(String(repeating: "L’élu a-t-il vu 20 000 agents ? ", count: index + 1).utf8).write(to: url)
      paths.append(url.path)
    }
    let one = try runVerbatim(["tokens", "--count", "--jobs", "1"] + paths)
    let two = try runVerbatim(["tokens", "--count", "--jobs", "2"] + paths)
    // 8 tokens per sentence (l, élu, a, il, vu, 20, 000, agents), 15 sentences.
    let bytes = paths.reduce(0) { $0 + ((try? Data(contentsOf: URL(fileURLWithPath: $1)).count) ?? 0) }
    #expect(one.stdout == "files\tbytes\ttokens\n5\t\(bytes)\t120\n")
    #expect(two.stdout == one.stdout)
  }

  @Test func invalidUTF8IsADataErrorNamingTheFileAndOffset() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("latin1.txt")
    try Data([0x63, 0x61, 0x66, 0xE9, 0x20, 0x6F, 0x6B]).write(to: file)  // "café ok" in Latin-1
    for arguments in [["tokens", file.path], ["tokens", "--count", file.path]] {
      let result = try runVerbatim(arguments)
      #expect(result.status == 1)
      #expect(result.stdout == "" || result.stdout.hasPrefix("position") == false)
      #expect(result.stderr.contains("\(file.path): invalid UTF-8 at byte offset 3"))
      #expect(!result.stderr.contains("caf"), "errors never echo the text")
    }
  }

  @Test func missingFileIsADataError() throws {
    let result = try runVerbatim(["tokens", "/nonexistent/verbatim.txt"])
    #expect(result.status == 1)
    #expect(result.stderr == "error: /nonexistent/verbatim.txt: cannot read: no such file\n")
  }

  @Test func usageErrorsExitWith64() throws {
    #expect(try runVerbatim(["tokens"]).status == 64)
    #expect(try runVerbatim(["tokens", "--format", "xml", "--text", "a"]).status == 64)
    #expect(try runVerbatim(["tokens", "--text", "a", "--jobs", "0"]).status == 64)
    #expect(try runVerbatim(["nosuchcommand"]).status == 64)
  }

  @Test func stemTakesArgumentsOrStdinLines() throws {
    let arguments = try runVerbatim(["stem", "chevaux", "numériques", "responsables"])
    #expect(arguments.stdout == "cheval\nnumer\nrespons\n")
    let lines = try runVerbatim(["stem"], stdin: "chevaux\r\n\nnumériques\nresponsable")
    #expect(lines.status == 0)
    #expect(lines.stdout == "cheval\n\nnumer\nrespons\n")
    let normalized = try runVerbatim(["stem", "--normalize", "CHEVAUX", "Numériques"])
    #expect(normalized.stdout == "cheval\nnumer\n")
  }

  @Test func stemStreamsManyWords() throws {
    let words = (0..<20_000).map { index in ["chevaux", "travaillons", "sécuritaires", "émotions"][index % 4] }
    let result = try runVerbatim(["stem"], stdin: words.joined(separator: "\n") + "\n")
    let stems = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(stems.count == 20_001)
    #expect(stems.prefix(4) == ["cheval", "travaillon", "sécuritair", "émot"])
  }
}
