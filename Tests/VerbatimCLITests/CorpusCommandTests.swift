import Foundation
import Testing
import VerbatimCorpus
import VerbatimEngine
import VerbatimTestSupport

/// Runs `verbatim` with extra environment variables (for `VERBATIM_PROJECT`).
private func runWithEnvironment(_ arguments: [String], environment: [String: String], in directory: URL) throws
  -> CommandResult
{
  let process = Process()
  process.executableURL = verbatimExecutable()
  process.arguments = arguments
  process.currentDirectoryURL = directory
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  process.standardInput = FileHandle.nullDevice
  try process.run()
  let outData = output.fileHandleForReading.readDataToEndOfFile()
  let errData = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return CommandResult(
    stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
    status: process.terminationStatus)
}

/// A temporary workspace with a project folder and a small hand-made corpus `Entretiens/`.
private struct Workspace {
  let root: URL
  var project: String { root.appendingPathComponent("project").path }
  var corpus: URL { root.appendingPathComponent("Entretiens") }

  static let first = "Enquêtrice : Bonjour. Ça va ?\nÉlu : Oui, merci. M. Dupont arrive.\n"
  static let second = "Maire : Non.\n"

  init() throws {
    root = try makeTemporaryDirectory()
    try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
    try write("a.txt", Self.first)
    try write("b.txt", Self.second)
    try write("metadata.csv", "file,commune,population\na.txt,Rennes,220000\nb.txt,Brest,140000\n")
    try write("notes.pdf", "%PDF-1.4")
    try write(".brouillon.txt", "Caché : ne pas importer.\n")
  }

  func write(_ name: String, _ text: String) throws {
    try Data(text.utf8).write(to: corpus.appendingPathComponent(name))
  }

  func remove() { try? FileManager.default.removeItem(at: root) }

  /// Runs `verbatim ARGUMENTS --project <project>` in the workspace.
  func run(_ arguments: [String]) throws -> CommandResult {
    try runVerbatim(arguments + ["--project", project], in: root)
  }
}

private let summaryOfFirstImport = """
  import: 2 imported, 0 unchanged, 0 replaced, 0 rejected, 0 vanished, 1 skipped
  skipped: Entretiens/notes.pdf: unsupported format .pdf (supported: csv, docx, jsonl, md, odt, srt, txt, vtt)

  """

@Suite("verbatim import, corpus and show")
struct CorpusCommandTests {
  @Test func importsTheShippedCorpus() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let corpus = repositoryRoot.appendingPathComponent("Corpus").path
    let first = try workspace.run(["import", corpus])
    #expect(first.status == 0)
    #expect(first.stdout == "")
    #expect(
      first.stderr == """
        import: 10 imported, 0 unchanged, 0 replaced, 0 rejected, 0 vanished, 1 skipped
        skipped: Corpus/README.md: a README (documentation, not a transcript)

        """)

    let again = try workspace.run(["import", corpus])
    #expect(again.status == 0)
    #expect(
      again.stderr == """
        import: 0 imported, 10 unchanged, 0 replaced, 0 rejected, 0 vanished, 1 skipped
        skipped: Corpus/README.md: a README (documentation, not a transcript)

        """)

    let listing = try workspace.run(["corpus"])
    #expect(listing.status == 0)
    #expect(listing.stderr == "")
    let rows = listing.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    #expect(rows.first?.prefix(7) == ["document", "path", "speakers", "turns", "sentences", "segments", "tokens"])
    #expect(rows.first?.contains("population_band") == true)
    #expect(rows.dropFirst().map { $0[0] } == (1...10).map { Substring(String($0)) })
    #expect(
      rows.dropFirst().map { $0[1] } == [
        "Corpus/annexe2-extrait-sans-intitule.txt", "Corpus/citations-rapport-communes.txt",
        "Corpus/citations-rapport-epci.txt", "Corpus/citations-rapport.txt", "Corpus/commune-1000-2000-elue.txt",
        "Corpus/commune-2000-3500-elu-retraite-telecoms.txt", "Corpus/commune-2000-3500-elue.txt",
        "Corpus/commune-20000-25000-agents-dsi.txt", "Corpus/commune-7000-10000-elu.txt",
        "Corpus/commune-7000-10000-maire.txt",
      ])
    // Every document has turns, sentences, segments and tokens.
    for row in rows.dropFirst() {
      #expect(row[3...6].allSatisfy { (Int($0) ?? 0) > 0 }, "\(row[1])")
    }

    // The turns of one interview: Élue's seven passages, in order, with exact offsets.
    let shown = try workspace.run(["show", "Corpus/commune-1000-2000-elue.txt"])
    #expect(shown.status == 0)
    let turns = shown.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t") }
    #expect(turns.count == 7)
    #expect(turns.allSatisfy { $0[1] == "Élue" })
    #expect(turns.first?[4].hasPrefix("Le numérique responsable, y a déjà tout") == true)
  }

  @Test func listsAndShowsExactly() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let imported = try workspace.run(["import", "Entretiens"])
    #expect(imported.status == 0)
    #expect(imported.stdout == "")
    #expect(imported.stderr == summaryOfFirstImport)

    let tsv = try workspace.run(["corpus"])
    #expect(tsv.status == 0)
    #expect(
      tsv.stdout == """
        document\tpath\tspeakers\tturns\tsentences\tsegments\ttokens\tcommune\tpopulation
        1\tEntretiens/a.txt\t2\t2\t4\t2\t8\tRennes\t220000
        2\tEntretiens/b.txt\t1\t1\t1\t1\t1\tBrest\t140000

        """)
    let jsonl = try workspace.run(["corpus", "--format", "jsonl"])
    #expect(
      jsonl.stdout == """
        {"document":1,"path":"Entretiens/a.txt","speakers":2,"turns":2,"sentences":4,"segments":2,"tokens":8,"commune":"Rennes","population":220000}
        {"document":2,"path":"Entretiens/b.txt","speakers":1,"turns":1,"sentences":1,"segments":1,"tokens":1,"commune":"Brest","population":140000}

        """)
    let csv = try workspace.run(["corpus", "--format", "csv"])
    #expect(csv.stdout.hasPrefix("document,path,speakers,turns,sentences,segments,tokens,commune,population\r\n1,"))

    let expectedTurns = """
      turn\tspeaker\tstart\tend\ttext
      1\tEnquêtrice\t14\t31\tBonjour. Ça va ?
      2\tÉlu\t39\t68\tOui, merci. M. Dupont arrive.

      """
    for name in ["1", "Entretiens/a.txt", "a.txt"] {
      let shown = try workspace.run(["show", name])
      #expect(shown.status == 0, "show \(name)")
      #expect(shown.stdout == expectedTurns, "show \(name)")
      #expect(shown.stderr == "")
    }
    let shownJSON = try workspace.run(["show", "2", "--format", "jsonl"])
    #expect(shownJSON.stdout == "{\"turn\":1,\"speaker\":\"Maire\",\"start\":8,\"end\":12,\"text\":\"Non.\"}\n")
  }

  @Test func reimportsUnchangedChangedAndVanishedFiles() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    #expect(try workspace.run(["import", "Entretiens"]).status == 0)

    let unchanged = try workspace.run(["import", "Entretiens"])
    #expect(unchanged.status == 0)
    #expect(unchanged.stderr.hasPrefix("import: 0 imported, 2 unchanged, 0 replaced, 0 rejected, 0 vanished, 1 skipped\n"))

    // A changed file is replaced and keeps its id; a new file gets the next id.
    try workspace.write("a.txt", "Enquêtrice : Bonsoir.\n")
    try workspace.write("c.txt", "Élue : Peut-être.\n")
    let changed = try workspace.run(["import", "Entretiens"])
    #expect(changed.status == 0)
    #expect(changed.stderr.hasPrefix("import: 1 imported, 1 unchanged, 1 replaced, 0 rejected, 0 vanished, 1 skipped\n"))
    let listing = try workspace.run(["corpus"])
    #expect(
      listing.stdout == """
        document\tpath\tspeakers\tturns\tsentences\tsegments\ttokens\tcommune\tpopulation
        1\tEntretiens/a.txt\t1\t1\t1\t1\t1\tRennes\t220000
        2\tEntretiens/b.txt\t1\t1\t1\t1\t1\tBrest\t140000
        3\tEntretiens/c.txt\t1\t1\t1\t1\t2\t\t

        """)

    // Changing metadata.csv alone replaces the document it describes.
    try workspace.write("metadata.csv", "file,commune,population\na.txt,Rennes,220001\nb.txt,Brest,140000\n")
    let retagged = try workspace.run(["import", "Entretiens"])
    #expect(retagged.stderr.hasPrefix("import: 0 imported, 2 unchanged, 1 replaced, 0 rejected, 0 vanished, 1 skipped\n"))

    // A vanished file is reported and kept.
    try FileManager.default.removeItem(at: workspace.corpus.appendingPathComponent("b.txt"))
    let vanished = try workspace.run(["import", "Entretiens"])
    #expect(vanished.status == 0)
    #expect(
      vanished.stderr == """
        warning: Entretiens/metadata.csv: no file named b.txt was imported; its row was not applied
        import: 0 imported, 2 unchanged, 0 replaced, 0 rejected, 1 vanished, 1 skipped
        skipped: Entretiens/notes.pdf: unsupported format .pdf (supported: csv, docx, jsonl, md, odt, srt, txt, vtt)
        vanished: Entretiens/b.txt: no longer found; kept in the project (an import never deletes)

        """)
    let kept = try workspace.run(["show", "2"])
    #expect(kept.stdout == "turn\tspeaker\tstart\tend\ttext\n1\tMaire\t8\t12\tNon.\n")

    let summary = try workspace.run(["import", "Entretiens", "--format", "jsonl"])
    #expect(
      summary.stdout == """
        {"imported":0,"unchanged":2,"replaced":0,"rejected":0,"vanished":1,"skipped":1,"rejected_paths":[],"vanished_paths":["Entretiens/b.txt"],"skipped_paths":["Entretiens/notes.pdf"]}

        """)
    #expect(!summary.stderr.contains("import:"))
  }

  @Test func aBadFileIsRejectedAndTheOthersImport() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    #expect(try workspace.run(["import", "Entretiens"]).status == 0)

    // b.txt becomes binary; d.txt is new and good.
    try Data([0x00, 0xFF, 0xFE, 0x00, 0x01, 0x02, 0x00, 0x7F]).write(to: workspace.corpus.appendingPathComponent("b.txt"))
    try workspace.write("d.txt", "Agent : D'accord.\n")
    let result = try workspace.run(["import", "Entretiens"])
    #expect(result.status == 1)
    #expect(result.stdout == "")
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 4)
    #expect(lines[0].hasPrefix("error: Entretiens/b.txt: "))
    #expect(!lines[0].contains("\u{0}"))
    #expect(lines[1] == "import: 1 imported, 1 unchanged, 0 replaced, 1 rejected, 0 vanished, 1 skipped")

    // The previous version of the rejected file is intact; the good one was imported.
    let shown = try workspace.run(["show", "Entretiens/b.txt"])
    #expect(shown.stdout == "turn\tspeaker\tstart\tend\ttext\n1\tMaire\t8\t12\tNon.\n")
    let listing = try workspace.run(["corpus"])
    #expect(listing.stdout.contains("\n3\tEntretiens/d.txt\t1\t1\t1\t1\t"))
  }

  @Test func aBadFileArgumentAndAMissingPathAreRejected() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let result = try workspace.run(["import", "Entretiens/a.txt", "nowhere", "Entretiens/notes.pdf"])
    #expect(result.status == 1)
    #expect(
      result.stderr == """
        error: nowhere: no such file or folder
        error: Entretiens/notes.pdf: unsupported format .pdf (supported: csv, docx, jsonl, md, odt, srt, txt, vtt)
        import: 1 imported, 0 unchanged, 0 replaced, 2 rejected, 0 vanished, 0 skipped

        """)
    // A file argument is stored under its folder's name, like a folder import.
    let again = try workspace.run(["import", "Entretiens"])
    #expect(again.stderr.hasPrefix("import: 1 imported, 1 unchanged, 0 replaced, 0 rejected, 0 vanished, 1 skipped\n"))
  }

  @Test func metadataFilesApplyNearestFirstOverFrontMatter() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    try FileManager.default.createDirectory(
      at: workspace.corpus.appendingPathComponent("sub"), withIntermediateDirectories: true)
    try workspace.write("sub/e.txt", "---\ncommune: Quimper\nannee: 2022\n---\nÉlue : Oui.\n")
    try workspace.write(
      "metadata.csv", "file,commune,population\na.txt,Rennes,220000\nb.txt,Brest,140000\nsub/e.txt,Vannes,1\n")
    try workspace.write("sub/metadata.csv", "file,commune\ne,Lorient\n")  // a name without extension matches
    let imported = try workspace.run(["import", "Entretiens"])
    #expect(imported.status == 0)
    #expect(imported.stderr == summaryOfFirstImport.replacingOccurrences(of: "2 imported", with: "3 imported"))
    let listing = try workspace.run(["corpus"])
    #expect(
      listing.stdout == """
        document\tpath\tspeakers\tturns\tsentences\tsegments\ttokens\tannee\tcommune\tpopulation
        1\tEntretiens/a.txt\t2\t2\t4\t2\t8\t\tRennes\t220000
        2\tEntretiens/b.txt\t1\t1\t1\t1\t1\t\tBrest\t140000
        3\tEntretiens/sub/e.txt\t1\t1\t1\t1\t1\t2022\tLorient\t1

        """)
  }

  @Test func aBadMetadataFileRejectsTheFilesItDescribes() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    try workspace.write("metadata.csv", "file,commune\na.txt,Rennes\na.txt,Brest\n")
    let result = try workspace.run(["import", "Entretiens"])
    #expect(result.status == 1)
    let reason = "not imported: Entretiens/metadata.csv:3: this file is already listed on line 2"
    #expect(
      result.stderr == """
        error: Entretiens/a.txt: \(reason)
        error: Entretiens/b.txt: \(reason)
        import: 0 imported, 0 unchanged, 0 replaced, 2 rejected, 0 vanished, 1 skipped
        skipped: Entretiens/notes.pdf: unsupported format .pdf (supported: csv, docx, jsonl, md, odt, srt, txt, vtt)

        """)
  }

  @Test func theProjectFolderIsNeverImported() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    #expect(try workspace.run(["import", "Entretiens"]).status == 0)
    // Importing the workspace itself walks past project/ (the project) silently.
    let result = try workspace.run(["import", "."])
    #expect(result.status == 0)
    #expect(result.stderr.hasPrefix("import: 2 imported, 0 unchanged, 0 replaced, 0 rejected, 0 vanished, 1 skipped\n"))
    #expect(!result.stderr.contains("project.sqlite"))
  }

  /// What the walk of a folder does with nested folders, links, READMEs and other files, in
  /// byte order of names at each level: the files it imports, with their sizes as planned
  /// for the index (`verbatim corpus`), and what it skips and why.
  @Test func theWalkFollowsFilesNotFolderLinks() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let manager = FileManager.default
    let outside = workspace.root.appendingPathComponent("ailleurs")
    try manager.createDirectory(at: outside, withIntermediateDirectories: true)
    try Data("Maire : Ailleurs.\n".utf8).write(to: outside.appendingPathComponent("d.txt"))
    try manager.createDirectory(at: workspace.corpus.appendingPathComponent("vague2/sous"), withIntermediateDirectories: true)
    try workspace.write("vague2/c.txt", "Élue : Deuxième vague.\n")
    try workspace.write("vague2/sous/e.md", "Élue : Plus bas.\n")
    try workspace.write("vague2/Readme.txt", "Notes\n")
    try workspace.write("vague2/sans-extension", "Notes\n")
    try manager.createSymbolicLink(at: workspace.corpus.appendingPathComponent("lien-dossier"), withDestinationURL: outside)
    try manager.createSymbolicLink(
      at: workspace.corpus.appendingPathComponent("lien.txt"), withDestinationURL: outside.appendingPathComponent("d.txt"))
    try manager.createSymbolicLink(
      at: workspace.corpus.appendingPathComponent("casse.txt"), withDestinationURL: outside.appendingPathComponent("absent.txt"))
    let result = try workspace.run(["import", "Entretiens"])
    #expect(result.status == 0)
    #expect(
      result.stderr == """
        import: 5 imported, 0 unchanged, 0 replaced, 0 rejected, 0 vanished, 5 skipped
        skipped: Entretiens/casse.txt: broken symbolic link
        skipped: Entretiens/lien-dossier: symbolic link to a folder (not followed)
        skipped: Entretiens/notes.pdf: unsupported format .pdf (supported: csv, docx, jsonl, md, odt, srt, txt, vtt)
        skipped: Entretiens/vague2/Readme.txt: a README (documentation, not a transcript)
        skipped: Entretiens/vague2/sans-extension: no file extension (supported: csv, docx, jsonl, md, odt, srt, txt, vtt)

        """)
    let listed = try workspace.run(["corpus", "--format", "csv"])
    #expect(listed.stdout.contains("Entretiens/lien.txt"))
    #expect(listed.stdout.contains("Entretiens/vague2/sous/e.md"))
    // Again: nothing changed, the same files skipped.
    let again = try workspace.run(["import", "Entretiens"])
    #expect(again.stderr.hasPrefix("import: 0 imported, 5 unchanged, 0 replaced, 0 rejected, 0 vanished, 5 skipped\n"))
  }

  @Test func errorsAndUsage() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let noProject = try workspace.run(["corpus"])
    #expect(noProject.status == 1)
    #expect(noProject.stdout == "")
    #expect(
      noProject.stderr
        == "error: \(workspace.project): no Verbatim project here; run `verbatim import CORPUS` first, or give --project DIR\n"
    )
    #expect(!FileManager.default.fileExists(atPath: workspace.project))

    #expect(try workspace.run(["import", "Entretiens"]).status == 0)
    let unknown = try workspace.run(["show", "nope.txt"])
    #expect(unknown.status == 1)
    #expect(unknown.stdout == "")
    #expect(unknown.stderr == "error: no document nope.txt in the project; `verbatim corpus` lists the ids and paths\n")

    let noInput = try workspace.run(["import"])
    #expect(noInput.status == 64)
    #expect(noInput.stderr.contains("Give at least one file or folder to import."))
    let badPattern = try workspace.run(["import", "Entretiens", "--speaker-pattern", "(unclosed"])
    #expect(badPattern.status == 64)
  }

  @Test func theProjectComesFromTheEnvironmentOrTheCurrentDirectory() throws {
    let workspace = try Workspace()
    defer { workspace.remove() }
    let viaEnvironment = try runWithEnvironment(
      ["import", "Entretiens"], environment: ["VERBATIM_PROJECT": workspace.project], in: workspace.root)
    #expect(viaEnvironment.status == 0)
    #expect(FileManager.default.fileExists(atPath: workspace.project + "/project.sqlite"))
    let listed = try runVerbatim(["corpus", "--project", workspace.project], in: workspace.root)
    #expect(listed.stdout.split(separator: "\n").count == 3)

    let inPlace = try runWithEnvironment(["import", "Entretiens"], environment: ["VERBATIM_PROJECT": ""], in: workspace.root)
    #expect(inPlace.status == 0)
    #expect(FileManager.default.fileExists(atPath: workspace.root.path + "/.verbatim/project.sqlite"))
    #expect(ProjectLocation.directory(option: nil, environment: [:]).lastPathComponent == ".verbatim")
    #expect(ProjectLocation.directory(option: "/tmp/p", environment: ["VERBATIM_PROJECT": "/x"]).path == "/tmp/p")
    #expect(ProjectLocation.directory(option: nil, environment: ["VERBATIM_PROJECT": "/x"]).path == "/x")
  }
}

/// The import job through its API (what `verbatim analyze` and the index will call).
@Suite("ImportJob API (CorpusCommand)")
struct CorpusCommandImportJobTests {
  @Test func csvRowsAreReplacedAndVanishIndividually() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let folder = root.appendingPathComponent("Enquete")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let survey = folder.appendingPathComponent("survey.csv")
    try Data("id,commune,text\nr1,Rennes,Oui c'est bien.\nr2,Brest,Non.\nr3,Vannes,Peut-être.\n".utf8).write(to: survey)
    let job = ImportJob(inputs: [folder.path], projectDirectory: root.appendingPathComponent("p"))
    var lines: [String] = []
    var progress: [Int] = []
    let first = try job.run(diagnostics: { lines.append($0) }, progress: { done, _ in progress.append(done) })
    #expect(first.imported == ["Enquete/survey.csv#r1", "Enquete/survey.csv#r2", "Enquete/survey.csv#r3"])
    #expect(lines.isEmpty)
    #expect(progress == [1])

    let unchanged = try job.run()
    #expect(unchanged.unchanged == ["Enquete/survey.csv#r1", "Enquete/survey.csv#r2", "Enquete/survey.csv#r3"])
    #expect(unchanged.imported.isEmpty)

    try Data("id,commune,text\nr1,Rennes,Oui c'est bien.\nr3,Vannes,Peut-être pas.\n".utf8).write(to: survey)
    let changed = try job.run()
    #expect(changed.replaced == ["Enquete/survey.csv#r1", "Enquete/survey.csv#r3"])
    #expect(changed.vanished == ["Enquete/survey.csv#r2"])
    #expect(changed.rejected.isEmpty)
    #expect(
      changed.lines == [
        "import: 0 imported, 0 unchanged, 2 replaced, 0 rejected, 1 vanished, 0 skipped",
        "vanished: Enquete/survey.csv#r2: no longer found; kept in the project (an import never deletes)",
      ])
  }

  /// Files are prepared on several threads and written in walk order: one thread and three,
  /// with chunks of one file or many, give the same summary, the same diagnostics in the same
  /// order, and the same stored rows (compared through SQLite's dump, import times aside).
  @Test func theProjectDoesNotDependOnTheNumberOfThreads() throws {
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let folder = root.appendingPathComponent("Mixte")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let corpus = repositoryRoot.appendingPathComponent("Corpus")
    for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path) where name.hasSuffix(".txt") {
      try FileManager.default.copyItem(at: corpus.appendingPathComponent(name), to: folder.appendingPathComponent(name))
    }
    var random = SplitMix64(seed: 5)
    var csv = "file,commune\n"
    for index in 0..<30 {
      let name = String(format: "z%02d.txt", index)
      var text = ""
      for line in 0..<(1 + random.next(below: 6)) {
        text += "L\(line % 2 + 1) : Le numérique responsable, c'est d'abord la sobriété des élu·e·s n°\(index).\n"
      }
      try Data(text.utf8).write(to: folder.appendingPathComponent(name))
      if index % 3 == 0 { csv += "\(name),Rennes\n" }
    }
    csv += "absent.txt,Brest\n"  // a row for no file: a warning
    try Data(csv.utf8).write(to: folder.appendingPathComponent("metadata.csv"))
    try Data().write(to: folder.appendingPathComponent("z15-empty.txt"))  // rejected: empty
    func importOnce(jobs: Int, filesPerChunk: Int) throws -> (summary: [String], diagnostics: [String], dump: [String]) {
      let project = root.appendingPathComponent("p-\(jobs)-\(filesPerChunk)")
      var job = ImportJob(inputs: [folder.path], projectDirectory: project)
      job.jobs = jobs
      job.filesPerChunk = filesPerChunk
      var diagnostics: [String] = []
      let summary = try job.run(diagnostics: { diagnostics.append($0) })
      // Everything the store gives back: summaries, documents (ids, text, metadata, turns), units.
      let store = try ProjectStore(directory: project, creating: false)
      func sorted(_ metadata: [String: MetadataValue]) -> String {
        metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }.joined(separator: ";")
      }
      var dump: [String] = []
      for summary in try store.documentSummaries() {
        dump.append(
          "\(summary.id) \(summary.path) \(summary.format) \(summary.speakerCount) \(summary.turnCount) "
            + "\(summary.sentenceCount) \(summary.segmentCount) \(summary.tokenCount) \(sorted(summary.metadata))")
        let document = try #require(try store.document(id: summary.id))
        dump.append("\(document.text.hashValue) \(sorted(document.metadata)) \(document.turns)")
        for kind in ProjectStore.UnitKind.allCases {
          dump.append("\(kind) \(try store.units(documentID: summary.id, kind: kind))")
        }
      }
      return (summary.lines, diagnostics, dump)
    }
    let reference = try importOnce(jobs: 1, filesPerChunk: 64)
    // A project without human codings gets no coding tables from an import.
    let plain = try ProjectStore(directory: root.appendingPathComponent("p-1-64"), creating: false)
    #expect(try !plain.hasExtension(namespace: "coding"))
    #expect(reference.summary.first == "import: 40 imported, 0 unchanged, 0 replaced, 1 rejected, 0 vanished, 0 skipped")
    #expect(reference.diagnostics.count == 2)
    #expect(reference.dump.count == 40 * 5)
    for (jobs, filesPerChunk) in [(3, 1), (2, 4), (3, 64)] {
      let other = try importOnce(jobs: jobs, filesPerChunk: filesPerChunk)
      #expect(other.summary == reference.summary, "jobs \(jobs), chunks of \(filesPerChunk)")
      #expect(other.diagnostics == reference.diagnostics, "jobs \(jobs), chunks of \(filesPerChunk)")
      let difference = zip(other.dump, reference.dump).first { $0 != $1 }.map { "\($0.0.prefix(300)) ≠ \($0.1.prefix(300))" }
      #expect(other.dump.count == reference.dump.count && difference == nil, "jobs \(jobs), chunks of \(filesPerChunk): \(difference ?? "")")
    }
  }
}
