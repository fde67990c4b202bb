// `verbatim export --qdpx` and `verbatim import --qdpx`, end to end, and the engine's
// REFIExchange with human and automatic codings: export, XSD validity (xmllint against
// ../shared/reference/refi-qda/Project.xsd, after `python3 -m zipfile -e`), import into a new project, same
// documents and metadata, same codings with exact offsets (accents, emoji, a combining
// accent, CRLF in the corpus file), styles of QualCoder and MAXQDA, bad files rejected with
// nothing stored. Expected offsets come from plain string search in the stored text.
import Foundation
import Testing
import VerbatimCoding
import VerbatimCorpus
import VerbatimEngine

private let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures/refi")
private let schemas = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/refi-qda")

/// A tool on the PATH, if installed.
private func tool(_ name: String) -> URL? {
  for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init) {
    let url = URL(fileURLWithPath: folder).appendingPathComponent(name)
    if FileManager.default.isExecutableFile(atPath: url.path) { return url }
  }
  return nil
}

private let canValidate =
  tool("xmllint") != nil && tool("python3") != nil
  && FileManager.default.fileExists(atPath: schemas.appendingPathComponent("Project.xsd").path)

/// Runs a tool; returns its status and stderr.
private func runTool(_ url: URL, _ arguments: [String]) throws -> (Int32, String) {
  let process = Process()
  process.executableURL = url
  process.arguments = arguments
  let errors = Pipe()
  process.standardError = errors
  process.standardOutput = Pipe()
  try process.run()
  let message = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: message, as: UTF8.self))
}

/// The UTF-8 range of `excerpt` in `text`.
private func range(of excerpt: String, in text: String) -> Range<Int> {
  guard let found = text.range(of: excerpt) else { return 0..<0 }
  let start = text.utf8.distance(from: text.utf8.startIndex, to: found.lowerBound)
  return start..<(start + excerpt.utf8.count)
}

private func excerpt(_ range: Range<Int>, of text: String) -> String {
  String(decoding: Array(text.utf8)[range], as: UTF8.self)
}

/// A workspace with a small corpus (CRLF, emoji, a combining accent) imported into `project`.
private struct Workspace {
  let root: URL
  var project: URL { root.appendingPathComponent("project") }
  var corpus: URL { root.appendingPathComponent("Entretiens") }

  static let first = "Enquêtrice : Vous avez une tablette 📱 ?\r\nÉlue : Oui, « fournie » par la mairie & l'EPCI.\r\n"
  static let second = "Agent : Le parc est renouvelé ; e\u{301}videmment 😀😀 c'est long.\n"

  init() throws {
    root = try makeTemporaryDirectory()
    try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
    try Data(Self.first.utf8).write(to: corpus.appendingPathComponent("a.txt"))
    try Data(Self.second.utf8).write(to: corpus.appendingPathComponent("b.txt"))
    try Data("file,commune,population,date\na.txt,Saint-Brieuc & co,46000,2023-02-14\nb.txt,Brest,140000,2023-03-01\n".utf8)
      .write(to: corpus.appendingPathComponent("metadata.csv"))
    let result = try runVerbatim(["import", corpus.path, "--project", project.path], in: root)
    precondition(result.status == 0, result.stderr)
  }

  func remove() { try? FileManager.default.removeItem(at: root) }

  func run(_ arguments: [String], project: URL? = nil) throws -> CommandResult {
    try runVerbatim(arguments + ["--project", (project ?? self.project).path], in: root)
  }
}

@Suite struct REFICommandTests {
  @Test func exportThenImportKeepsDocumentsAndMetadata() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let qdpx = workspace.root.appendingPathComponent("Projet.qdpx")
    let export = try workspace.run([
      "export", "--qdpx", qdpx.path, "--codebook", fixtures.appendingPathComponent("qualcoder.qdc").path,
    ])
    #expect(export.status == 0, "\(export.stderr)")
    #expect(export.stderr.hasSuffix("export: 2 documents, 3 variables, 4 codes, 0 codings → \(qdpx.path)\n"))
    let bytes = try Data(contentsOf: qdpx)
    // A second export is byte-identical.
    #expect(try workspace.run(["export", "--qdpx", qdpx.path, "--codebook", fixtures.appendingPathComponent("qualcoder.qdc").path]).status == 0)
    #expect(try Data(contentsOf: qdpx) == bytes)

    let other = workspace.root.appendingPathComponent("other")
    let codebookOut = workspace.root.appendingPathComponent("livre.qdc")
    let imported = try workspace.run(["import", "--qdpx", qdpx.path, "--codebook-out", codebookOut.path], project: other)
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stderr == "import: 2 documents, 4 codes, 0 codings from \(qdpx.path)\n")
    let original = try ProjectStore(directory: workspace.project, creating: false)
    let copy = try ProjectStore(directory: other, creating: false)
    let before = try original.documentSummaries()
    let after = try copy.documentSummaries()
    #expect(after.map(\.path) == ["Projet/Entretiens/a.txt", "Projet/Entretiens/b.txt"])
    for (left, right) in zip(before, after) {
      #expect(try original.document(id: left.id)?.text == copy.document(id: right.id)?.text)
      var metadata = right.metadata
      #expect(metadata.removeValue(forKey: REFIExchange.guidField) != nil)
      #expect(metadata == left.metadata)
      #expect((left.turnCount, left.sentenceCount, left.segmentCount, left.tokenCount)
        == (right.turnCount, right.sentenceCount, right.segmentCount, right.tokenCount))
    }
    // The codebook comes back with its GUIDs.
    let book = try REFICodebook.read(Data(contentsOf: codebookOut), file: codebookOut.path)
    let given = try REFICodebook.read(Data(contentsOf: fixtures.appendingPathComponent("qualcoder.qdc")), file: "x.qdc")
    #expect(book.flattened.map(\.code.guid) == given.flattened.map(\.code.guid))
    // Exporting the imported project keeps the source GUIDs.
    let again = workspace.root.appendingPathComponent("Projet2.qdpx")
    #expect(try workspace.run(["export", "--qdpx", again.path], project: other).status == 0)
    let first = try REFIProjectArchive.read(bytes, file: "a").project.sources.map(\.guid)
    let second = try REFIProjectArchive.read(Data(contentsOf: again), file: "b").project.sources.map(\.guid)
    #expect(first == second)
    // Importing the same archive again would duplicate: refused, nothing stored.
    let twice = try workspace.run(["import", "--qdpx", qdpx.path], project: other)
    #expect(twice.status == 1)
    #expect(twice.stderr.contains("2 document(s) of this archive are already in the project"))
    #expect(try copy.documentSummaries().count == 2)
  }

  @Test(.enabled(if: canValidate, "xmllint, python3 or ../shared/reference/refi-qda/Project.xsd missing: skipped"))
  func exportedProjectIsValidAgainstTheSchema() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let qdpx = workspace.root.appendingPathComponent("Projet.qdpx")
    #expect(
      try workspace.run(["export", "--qdpx", qdpx.path, "--codebook", fixtures.appendingPathComponent("maxqda.qdc").path])
        .status == 0)
    let folder = workspace.root.appendingPathComponent("unzipped")
    let (unzipStatus, _) = try runTool(tool("python3")!, ["-m", "zipfile", "-e", qdpx.path, folder.path])
    #expect(unzipStatus == 0)
    let qde = folder.appendingPathComponent("project.qde").path
    let (status, message) = try runTool(
      tool("xmllint")!, ["--noout", "--schema", schemas.appendingPathComponent("Project.xsd").path, qde])
    #expect(status == 0, "\(message)")
    let sources = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("sources").path)
    #expect(sources.count == 2 && sources.allSatisfy { $0.hasSuffix(".txt") && $0 == $0.lowercased() })
  }

  @Test func codingsRoundTripWithExactOffsets() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let store = try ProjectStore(directory: workspace.project, creating: false)
    let documents = try store.documentSummaries()
    let a = try #require(try store.document(id: documents[0].id))
    let b = try #require(try store.document(id: documents[1].id))
    #expect(!a.text.contains("\r"))  // the import stored LF
    let created = Date(timeIntervalSince1970: 1_700_000_000)
    let codings = [
      Coding(coder: "Camille", document: a.id, range: range(of: "une tablette 📱", in: a.text), code: "Numérique/Équipement",
        memo: "Mémo « tablette » & <co>\n2e ligne", created: created),
      Coding(coder: Coding.automaticCoder, document: a.id, range: range(of: "une tablette 📱", in: a.text),
        code: "Numérique/Équipement"),
      Coding(coder: "Camille", document: a.id, range: range(of: "📱 ?\nÉlue", in: a.text), code: "Durée"),
      Coding(coder: "Dominique", document: b.id, range: range(of: "e\u{301}videmment 😀😀", in: b.text),
        code: "Numérique/Renouvellement", created: created),
    ]
    let book = Codebook(
      name: "Livre", codes: [Code(name: "Numérique", isCodable: false, codes: [Code(name: "Équipement")])])
    let qdpx = workspace.root.appendingPathComponent("codage.qdpx")
    let summary = try REFIExchange.exportArchive(
      projectDirectory: workspace.project, to: qdpx, codebook: book, codings: codings)
    #expect(summary.codings == 4)
    #expect(summary.warnings.count == 2)  // Durée and Numérique/Renouvellement were added
    let other = workspace.root.appendingPathComponent("other")
    let outcome = try REFIExchange.importArchive(at: qdpx, file: "codage.qdpx", projectDirectory: other)
    #expect(outcome.warnings.isEmpty)
    let copy = try ProjectStore(directory: other, creating: false)
    let ids = Dictionary(uniqueKeysWithValues: outcome.documents.map { ($0.id, $0.path) })
    var seen: [String] = []
    for coding in outcome.codings {
      let text = try #require(try copy.document(id: coding.document)).text
      seen.append("\(coding.coder)|\(ids[coding.document] ?? "")|\(excerpt(coding.range, of: text))|\(coding.code)|\(coding.memo ?? "")|\(coding.created.map { "\($0.timeIntervalSince1970)" } ?? "")")
    }
    #expect(
      seen.sorted() == [
        "Camille|codage/Entretiens/a.txt|une tablette 📱|Numérique/Équipement|Mémo « tablette » & <co>\n2e ligne|1700000000.0",
        "Camille|codage/Entretiens/a.txt|📱 ?\nÉlue|Durée||",
        "Dominique|codage/Entretiens/b.txt|e\u{301}videmment 😀😀|Numérique/Renouvellement||1700000000.0",
        "verbatim|codage/Entretiens/a.txt|une tablette 📱|Numérique/Équipement||",
      ])
    // Ranges are identical, not only excerpts (the texts are the same).
    #expect(Set(outcome.codings.map(\.range)) == Set(codings.map(\.range)))
  }

  @Test func importIsTheSameWhateverTheNumberOfJobs() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let qdpx = workspace.root.appendingPathComponent("corpus.qdpx")
    _ = try REFIExchange.exportArchive(
      projectDirectory: workspace.project, to: qdpx, codebook: nil, codings: [])
    var snapshots: [String] = []
    for jobs in [1, 2, 5] {
      let project = workspace.root.appendingPathComponent("jobs\(jobs)")
      let outcome = try REFIExchange.importArchive(at: qdpx, file: "corpus.qdpx", projectDirectory: project, jobs: jobs)
      let store = try ProjectStore(directory: project, creating: false)
      var snapshot = "\(outcome.documents.map(\.path))"
      for summary in try store.documentSummaries() {
        var copy = summary
        copy.metadata = [:]
        snapshot += "\(copy)\(summary.metadata.sorted { $0.key < $1.key })"
        for kind in ProjectStore.UnitKind.allCases { snapshot += "\(try store.units(documentID: summary.id, kind: kind))" }
        snapshot += "\(try store.document(id: summary.id)?.turns ?? [])"
      }
      snapshots.append(snapshot)
    }
    #expect(snapshots[0] == snapshots[1] && snapshots[1] == snapshots[2])
  }

  @Test func qualCoderAndMaxqdaStyleImports() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    for (fixture, expected) in [
      ("qualcoder-style.qdpx", [
        "Camille,1,\"Une tablette 📱 fournie par la mairie\",Numérique/Équipement,Dotation par la mairie : à comparer avec l'EPCI.",
        "Camille,1,\"« compliqué » & fatigant, e\u{301}videmment\",Numérique/Télétravail,",
      ]),
      ("maxqda-style.qdpx", [
        "AB,1,\"On renouvelle le parc tous les cinq ans.\",Numérique/Équipement/Renouvellement,",
        "CD,1,\"Sauf les smartphones 😀, c’est plus court.\n\nEnquêtrice\",Numérique/Équipement,Mémo MAXQDA : durée de vie différente",
        "AB,1,\"« en vrai » c’est compliqué.\",Numérique/Sobriété & usages,",
      ]),
    ] {
      let project = root.appendingPathComponent(fixture + ".project")
      let csv = root.appendingPathComponent(fixture + ".csv")
      let result = try runVerbatim(
        ["import", "--qdpx", fixtures.appendingPathComponent(fixture).path, "--codings-out", csv.path, "--project",
         project.path], in: root)
      #expect(result.status == 0, "\(result.stderr)")
      let text = try #require(try ProjectStore(directory: project, creating: false).document(id: 1)).text
      let rows = try String(contentsOf: csv, encoding: .utf8).components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
      // Replace each row's start,end by the excerpt they select in the stored text.
      let decoded = rows.map { row -> String in
        let fields = row.split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        let selected = excerpt(Int(fields[2])!..<Int(fields[3])!, of: text)
        return "\(fields[0]),\(fields[1]),\"\(selected)\",\(fields[4])"
      }
      #expect(decoded == expected, "\(fixture)")
    }
  }

  @Test func metadataFromCasesAndSources() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let project = root.appendingPathComponent("p")
    let result = try runVerbatim(
      ["import", "--qdpx", fixtures.appendingPathComponent("qualcoder-style.qdpx").path, "--project", project.path],
      in: root)
    #expect(result.status == 0)
    #expect(result.stderr.contains("import: 1 documents, 3 codes, 2 codings"), "\(result.stderr)")
    let codings = try runVerbatim(["coding", "list", "--format", "csv", "--project", project.path], in: root)
    #expect(codings.stdout.split(separator: "\r\n").count == 3, "the archive's two human codings are stored")
    let corpus = try runVerbatim(["corpus", "--format", "jsonl", "--project", project.path], in: root)
    #expect(corpus.stdout.contains("\"commune\":\"Saint-Brieuc & agglo\""))
    #expect(corpus.stdout.contains("\"Âge\":\"54\"") || corpus.stdout.contains("\"Âge\":54"))
    let summaries = try ProjectStore(directory: project, creating: false).documentSummaries()
    #expect(summaries[0].path == "qualcoder-style/entretien élue 01.txt")
    #expect(summaries[0].metadata["Âge"] == .integer(54))
    #expect(summaries[0].metadata["date entretien"] == .date("2023-02-14"))
    #expect(summaries[0].metadata[REFIExchange.guidField] == .text("5c1a9c3e-2d4b-4f6a-8e7d-9a0b1c2d3e4f"))
    // --format jsonl: one summary object on stdout.
    let jsonl = try runVerbatim(
      ["import", "--qdpx", fixtures.appendingPathComponent("maxqda-style.qdpx").path, "--format", "jsonl",
       "--project", root.appendingPathComponent("q").path], in: root)
    #expect(jsonl.status == 0)
    #expect(jsonl.stdout == "{\"imported\":1,\"codes\":4,\"codings\":3,\"imported_paths\":[\"maxqda-style/DSI commune 20 000\"]}\n")
  }

  @Test(arguments: [
    ("bad-offsets.qdpx", " (project.qde):10: <PlainTextSelection>: endPosition 400 is past the end"),
    ("bad-code.qdpx", " (project.qde):12: <CodeRef>: targetGUID 00000000-0000-4000-8000-000000000000 names no code"),
    ("bad-traversal.qdpx", ": rejected archive: the entry name ../../evil.txt escapes the archive"),
    ("bad-utf8.qdpx", " (sources/5c1a9c3e-2d4b-4f6a-8e7d-9a0b1c2d3e4f.txt): not UTF-8 text"),
  ])
  func badArchivesStoreNothing(fixture: String, message: String) throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let project = root.appendingPathComponent("p")
    let path = fixtures.appendingPathComponent(fixture).path
    let result = try runVerbatim(["import", "--qdpx", path, "--project", project.path], in: root)
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("error: \(path)\(message)"))
    #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent("project.sqlite").path))
  }

  @Test func usageErrors() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let both = try runVerbatim(["import", "Corpus", "--qdpx", "x.qdpx", "--project", "p"], in: root)
    #expect(both.status == 64)
    #expect(both.stderr.contains("Give either CORPUS or --qdpx FILE, not both."))
    let stray = try runVerbatim(["import", "Corpus", "--codings-out", "c.csv", "--project", "p"], in: root)
    #expect(stray.status == 64)
    let noFile = try runVerbatim(["export", "--project", "p"], in: root)
    #expect(noFile.status == 64)
    let badName = try runVerbatim(["export", "--qdpx", "x.zip", "--project", "p"], in: root)
    #expect(badName.status == 64)
    let noProject = try runVerbatim(["export", "--qdpx", "x.qdpx", "--project", "p"], in: root)
    #expect(noProject.status == 1)
    #expect(noProject.stderr.contains("no Verbatim project here"))
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("x.qdpx").path))
    let yaml = root.appendingPathComponent("b.yml")
    try Data("verbatim-codebook: 1\n".utf8).write(to: yaml)
    let hook = try runVerbatim(["export", "--qdpx", "x.qdpx", "--codebook", yaml.path, "--project", "p"], in: root)
    #expect(hook.status == 1)
    #expect(hook.stderr.contains("b.yml:1: name: the codebook has no name"), "\(hook.stderr)")
  }
}
