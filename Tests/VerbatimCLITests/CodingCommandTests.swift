import Foundation
import Testing

/// A temporary workspace: a two-document corpus imported into `project/`, and helpers to run
/// `verbatim … --project project` and to find turn ranges.
struct CodingWorkspace {
  let root: URL
  var project: String { root.appendingPathComponent("project").path }
  var corpus: URL { root.appendingPathComponent("Entretiens") }

  static let first = "Élu : Le numérique coûte cher.\nAgent : Les tablettes aussi.\nÉlu : Et la sobriété ?\n"
  static let second = "Maire : Non merci.\nAgent : D'accord.\n"

  init() throws {
    root = try makeTemporaryDirectory()
    try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
    try write("Entretiens/a.txt", Self.first)
    try write("Entretiens/b.txt", Self.second)
    try write("Entretiens/metadata.csv", "file,commune\na.txt,Rennes\nb.txt,Brest\n")
    let result = try run(["import", corpus.path])
    #expect(result.status == 0, "\(result.stderr)")
  }

  func write(_ name: String, _ text: String) throws {
    try Data(text.utf8).write(to: root.appendingPathComponent(name))
  }

  func remove() { try? FileManager.default.removeItem(at: root) }

  /// Runs `verbatim ARGUMENTS --project <project>` in the workspace.
  func run(_ arguments: [String], project: String? = nil) throws -> CommandResult {
    try runVerbatim(arguments + ["--project", project ?? self.project], in: root)
  }

  /// The (start, end) of each turn of a document, from `verbatim show`.
  func turns(_ document: Int) throws -> [(Int, Int)] {
    let lines = try run(["show", String(document)]).stdout.split(separator: "\n").dropFirst()
    return lines.map { line in
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
      return (Int(fields[2])!, Int(fields[3])!)
    }
  }

  /// A codings CSV (CRLF, as export writes it) from rows `coder, document, turn index, code`.
  func csv(_ rows: [(String, Int, Int, String)]) throws -> String {
    var text = "coder,document,start,end,code,memo\r\n"
    for (coder, document, turn, code) in rows {
      let range = try turns(document)[turn]
      text += "\(coder),\(document),\(range.0),\(range.1),\(code),\r\n"
    }
    return text
  }
}

@Suite struct CodingCommandTests {
  @Test func importListExportRoundTrip() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    let turns = try space.turns(1)
    // A BOM, LF line ends, columns in another order, a quoted memo with a comma, a quote and a newline.
    let file = "\u{FEFF}code,coder,document,start,end,memo\n"
      + "Acteurs/Élu,AB,1,\(turns[0].0),\(turns[0].1),\"coût, \"\"cher\"\"\net plus\"\n"
      + "Équipement,CD,Entretiens/a.txt,\(turns[1].0),\(turns[1].1),\n"
    try space.write("in.csv", file)
    let imported = try space.run(["coding", "import", "in.csv"])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stderr == "coding import: 2 added, 0 already stored\n")
    let exported = try space.run(["coding", "export"])
    #expect(exported.stdout == """
      coder,document,start,end,code,memo\r
      AB,1,\(turns[0].0),\(turns[0].1),Acteurs/Élu,"coût, ""cher""
      et plus"\r
      CD,1,\(turns[1].0),\(turns[1].1),Équipement,\r

      """)
    let list = try space.run(["coding", "list", "--format", "jsonl", "--coders", "CD"])
    #expect(list.stdout.hasPrefix("{\"coder\":\"CD\",\"document\":1,\"path\":\"Entretiens/a.txt\",\"start\":\(turns[1].0),"))
    #expect(list.stdout.hasSuffix(",\"status\":\"current\"}\n"))
    // Into a fresh project with the same corpus, then out again: the same bytes.
    let other = space.root.appendingPathComponent("other").path
    #expect(try space.run(["import", space.corpus.path], project: other).status == 0)
    try space.write("exported.csv", exported.stdout)
    #expect(try space.run(["coding", "import", "exported.csv"], project: other).status == 0)
    #expect(try space.run(["coding", "export", "--output", "again.csv"], project: other).status == 0)
    #expect(try String(contentsOf: space.root.appendingPathComponent("again.csv"), encoding: .utf8) == exported.stdout)
  }

  @Test func aFileWithBadRowsIsRejectedWholeNamingEachRow() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try space.write("good.csv", try space.csv([("AB", 1, 0, "Acteurs")]))
    #expect(try space.run(["coding", "import", "good.csv"]).status == 0)
    let before = try space.run(["coding", "list"]).stdout
    let turn = try space.turns(1)[0]
    try space.write(
      "bad.csv",
      """
      coder,document,start,end,code
      CD,1,\(turn.0),\(turn.1),Acteurs
      CD,42,0,3,Acteurs
      CD,1,9,3,Acteurs
      CD,1,1,3,Acteurs
      CD,2,0,4000,Acteurs
      CD,1,0,3,
      CD,1,0,3,Inconnu
      CD,1,\"0\",x

      """)
    try space.write("book.yml", "verbatim-codebook: 1\nname: Démo\ncodes:\n  - name: Acteurs\n")
    let result = try space.run(["coding", "import", "bad.csv", "--codebook", "book.yml"])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == """
      error: bad.csv: 7 bad rows; nothing was imported
      bad.csv:3: document: unknown document "42"; `verbatim corpus` lists the ids
      bad.csv:4: end: 3 is before start 9
      bad.csv:5: start: 1 is not on a character boundary (inside a multi-byte UTF-8 character)
      bad.csv:6: end: 4000 is out of range: document 2 has 37 bytes
      bad.csv:7: code: is empty; give a code path such as Parent/Child
      bad.csv:8: code: unknown code "Inconnu": not in the codebook
      bad.csv:9: has 4 fields, the header 5

      """)
    #expect(try space.run(["coding", "list"]).stdout == before)
    #expect(try space.run(["coding", "import", "missing.csv"]).status == 1)
  }

  @Test func addAndRemoveOneCoding() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    let turn = try space.turns(2)[1]
    let key = ["--coder", "AB", "--document", "2", "--start", String(turn.0), "--end", String(turn.1), "--code", "Accord"]
    let added = try space.run(["coding", "add"] + key + ["--memo", "d'accord"])
    #expect(added.status == 0, "\(added.stderr)")
    #expect(try space.run(["coding", "export"]).stdout
      == "coder,document,start,end,code,memo\r\nAB,2,\(turn.0),\(turn.1),Accord,d'accord\r\n")
    #expect(try space.run(["coding", "remove"] + key).status == 0)
    #expect(try space.run(["coding", "export"]).stdout == "coder,document,start,end,code,memo\r\n")
    let again = try space.run(["coding", "remove"] + key)
    #expect(again.status == 1)
    #expect(again.stderr.hasPrefix("error: no coding by AB of document 2"))
    // Usage errors exit 64; a coder name reserved for the automatic coder is a data error.
    #expect(try space.run(["coding", "add", "--coder", "AB", "--document", "2", "--start", "5", "--end", "5", "--code", "X"]).status == 64)
    let reserved = try space.run(["coding", "add", "--coder", "verbatim", "--document", "2", "--start", "0", "--end", "5", "--code", "X"])
    #expect(reserved.status == 1)
    #expect(reserved.stderr.contains("--coder \"verbatim\" is reserved for the automatic coder"))
  }

  @Test func reimportingAChangedDocumentMarksItsCodingsStale() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try space.write("c.csv", try space.csv([("AB", 1, 0, "Acteurs"), ("CD", 1, 0, "Acteurs"), ("AB", 2, 0, "Refus")]))
    #expect(try space.run(["coding", "import", "c.csv"]).status == 0)
    try space.write("Entretiens/a.txt", CodingWorkspace.first.replacingOccurrences(of: "cher", with: "très cher"))
    let reimport = try space.run(["import", space.corpus.path])
    #expect(reimport.status == 0)
    // The import says which of its replacements left codings stale (document 2 was unchanged).
    #expect(reimport.stderr.contains(
      "warning: 2 human codings on 1 replaced document no longer match the new text; they are kept, marked stale"))
    let stale = try space.run(["coding", "list", "--stale"])
    #expect(stale.stdout.split(separator: "\n").count == 3)  // header and the two codings of document 1
    #expect(stale.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix("\tstale") })
    let agree = try space.run(["agree", "--unit", "turn"])
    #expect(agree.stderr.hasPrefix("warning: 2 stale codings left out (document 1 changed since coded)"))
    #expect(try space.run(["coding", "confirm", "--document", "1"]).stderr == "coding confirm: 2 confirmed, 0 still stale\n")
    #expect(try space.run(["coding", "list", "--stale"]).stdout.split(separator: "\n").count == 1)
  }

  @Test func memosOnCodesAndDocuments() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    #expect(try space.run(["coding", "memo", "--code", "Acteurs/Élu", "Paroles d'élus"]).status == 0)
    #expect(try space.run(["coding", "memo", "--document", "2", "Court"]).status == 0)
    let memos = try space.run(["coding", "memos", "--format", "csv"]).stdout.split(separator: "\r\n").map {
      $0.split(separator: ",").prefix(3).joined(separator: ",")
    }
    #expect(memos == ["target,id,memo", "code,Acteurs/Élu,Paroles d'élus", "document,2,Court"])
    #expect(try space.run(["coding", "memo", "--document", "9", "x"]).status == 1)
    #expect(try space.run(["coding", "memo", "--document", "2"]).status == 64)
  }
}
