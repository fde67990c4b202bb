import Foundation
import Testing

/// `verbatim index` end to end: imports, indexes, and gives the same files whatever --jobs.
@Suite("verbatim index")
struct IndexCommandTests {
  @Test func indexesTheShippedCorpusIdenticallyWithOneOrTwoJobs() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let corpus = repositoryRoot.appendingPathComponent("Corpus").path
    var segments: [Data] = []
    for (name, jobs, memory) in [("one", "1", "512"), ("two", "2", "1")] {
      let project = directory.appendingPathComponent(name).path
      let run = try runVerbatim(["index", corpus, "--project", project, "--jobs", jobs, "--memory", memory, "--format", "jsonl"])
      #expect(run.status == 0, "\(run.stderr)")
      #expect(run.stdout.contains("\"documents\":10,\"analysed\":10"))
      #expect(run.stdout.contains("\"generation\":1"))
      let index = URL(fileURLWithPath: project).appendingPathComponent("index")
      segments.append(try Data(contentsOf: index.appendingPathComponent("seg-000001-0000.vbseg")))
      let files = try FileManager.default.contentsOfDirectory(atPath: index.path).sorted()
      #expect(files == ["manifest.json", "seg-000001-0000.vbseg", "write.lock"] || files == ["manifest.json", "seg-000001-0000.vbseg"])
    }
    #expect(segments[0] == segments[1], "segment bytes must not depend on --jobs")
  }

  @Test func reindexingAnalysesOnlyChangedDocuments() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let corpus = directory.appendingPathComponent("corpus")
    try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
    for (name, text) in [("a.txt", "L1 : Le numérique responsable.\n"), ("b.txt", "L2 : Les tablettes des élus.\n")] {
      try Data(text.utf8).write(to: corpus.appendingPathComponent(name))
    }
    let project = directory.appendingPathComponent("p").path
    let first = try runVerbatim(["index", corpus.path, "--project", project, "--format", "jsonl"])
    #expect(first.stdout.contains("\"documents\":2,\"analysed\":2"), "\(first.stdout) \(first.stderr)")
    // "L1 : Le numérique responsable." and "L2 : Les tablettes des élus.", counted by hand: the
    // labels are in the text (l1, l2), 9 distinct terms, and le/les share the stem "le".
    #expect(first.stdout.contains("\"tokens\":9,\"terms\":9,\"stems\":8,"), "\(first.stdout)")
    let same = try runVerbatim(["index", corpus.path, "--project", project, "--format", "jsonl"])
    #expect(same.stdout.contains("\"documents\":2,\"analysed\":0"), "\(same.stdout)")
    #expect(same.stdout.contains("\"generation\":1"), "nothing changed: no new commit")
    #expect(first.stdout.contains("\"segments\":1,\"segments_written\":1"), "\(first.stdout)")
    #expect(same.stdout.contains("\"segments\":1,\"segments_written\":0"), "\(same.stdout)")
    #expect(same.stdout.contains("\"tokens\":9,\"terms\":9,\"stems\":8,"), "the counts the commit recorded: \(same.stdout)")
    // A manifest from before the counts were recorded: a run with nothing to do counts them.
    let manifestURL = URL(fileURLWithPath: project).appendingPathComponent("index/manifest.json")
    var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
    #expect(manifest["distinctKeys"] as? [String: Int] == ["terms": 9, "stems": 8])
    manifest["distinctKeys"] = nil
    try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
    let counted = try runVerbatim(["index", corpus.path, "--project", project, "--format", "jsonl"])
    #expect(counted.stdout.contains("\"tokens\":9,\"terms\":9,\"stems\":8,"), "\(counted.stdout)")
    try Data("L2 : Les ordinateurs des agents.\n".utf8).write(to: corpus.appendingPathComponent("b.txt"))
    // Imported but not indexed: search refuses the stale index.
    #expect(try runVerbatim(["import", corpus.path, "--project", project]).status == 0)
    let stale = try runVerbatim(["search", "ordinateur", "--project", project])
    #expect(stale.status == 1)
    #expect(stale.stderr.contains("the index is out of date"), "\(stale.stderr)")
    let changed = try runVerbatim(["index", "--project", project, "--format", "jsonl"])
    #expect(changed.stdout.contains("\"documents\":2,\"analysed\":1"), "\(changed.stdout)")
    #expect(changed.stdout.contains("\"generation\":2"))
    let found = try runVerbatim(["search", "ordinateur", "--project", project])
    #expect(found.status == 0, "\(found.stderr)")
    #expect(found.stdout.split(separator: "\n").count == 2, "\(found.stdout)")

    // An index from before segments recorded text sizes is analysed again whole, once.
    manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
    var segments = manifest["segments"] as! [[String: Any]]
    for index in segments.indices { segments[index]["textBytes"] = nil }
    manifest["segments"] = segments
    try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
    let upgraded = try runVerbatim(["index", "--project", project, "--format", "jsonl"])
    #expect(upgraded.stdout.contains("\"documents\":2,\"analysed\":2"), "\(upgraded.stdout)")
    let after = try runVerbatim(["index", "--project", project, "--format", "jsonl"])
    #expect(after.stdout.contains("\"documents\":2,\"analysed\":0"), "\(after.stdout)")

    // An index of segment format 1 (term lists in full): search says to rebuild it, and
    // `verbatim index` analyses everything again, once, into the current format.
    manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
    manifest["segmentFormatVersion"] = 1
    try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
    let old = try runVerbatim(["search", "ordinateur", "--project", project])
    #expect(old.status == 1)
    #expect(
      old.stderr.contains("segment format version 1, older than this build's")
        && old.stderr.contains("rebuild it with `verbatim index`"), "\(old.stderr)")
    let rebuilt = try runVerbatim(["index", "--project", project, "--format", "jsonl"])
    #expect(rebuilt.stdout.contains("\"documents\":2,\"analysed\":2"), "\(rebuilt.stdout) \(rebuilt.stderr)")
    manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
    #expect(manifest["segmentFormatVersion"] as? Int == 4, "the current segment format")
    #expect(try runVerbatim(["search", "ordinateur", "--project", project]).stdout.split(separator: "\n").count == 2)
    let again = try runVerbatim(["index", "--project", project, "--format", "jsonl"])
    #expect(again.stdout.contains("\"documents\":2,\"analysed\":0"), "\(again.stdout)")
  }

  /// Texts are read in batches of at most 64 documents: 150 documents, each with a word of
  /// its own, are all indexed (every word found in its document, once), and a re-index of a
  /// scattered few (across batch boundaries) analyses exactly those.
  @Test func readsEveryDocumentAcrossBatches() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let corpus = directory.appendingPathComponent("corpus")
    try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
    func word(_ index: Int) -> String {
      // Letters only, distinct per document: "mot" + the index spelled in letters a…j.
      "mot" + String(String(index).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8(String($0))!)) })
    }
    for index in 0..<150 {
      try Data("L1 : Document \(word(index)) ici.\n".utf8).write(
        to: corpus.appendingPathComponent(String(format: "d%03d.txt", index)))
    }
    let project = directory.appendingPathComponent("p").path
    let first = try runVerbatim(["index", corpus.path, "--project", project, "--format", "jsonl"])
    #expect(first.stdout.contains("\"documents\":150,\"analysed\":150"), "\(first.stdout) \(first.stderr)")
    for index in [0, 63, 64, 65, 127, 128, 149] {
      let found = try runVerbatim(["search", "=" + word(index), "--project", project])
      #expect(found.status == 0, "\(found.stderr)")
      #expect(found.stdout.split(separator: "\n").count == 2, "\(index): \(found.stdout)")
    }
    for index in [3, 64, 100, 149] {
      try Data("L1 : Document \(word(index)) changé.\n".utf8).write(
        to: corpus.appendingPathComponent(String(format: "d%03d.txt", index)))
    }
    #expect(try runVerbatim(["import", corpus.path, "--project", project]).status == 0)
    let changed = try runVerbatim(["index", "--project", project, "--format", "jsonl"])
    #expect(changed.stdout.contains("\"documents\":150,\"analysed\":4"), "\(changed.stdout)")
    let edited = try runVerbatim(["search", "changé", "--project", project])
    #expect(edited.stdout.split(separator: "\n").count == 5, "\(edited.stdout)")
  }

  @Test func noProjectIsADataErrorAndBadOptionsAreUsageErrors() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let missing = try runVerbatim(["index", "--project", directory.appendingPathComponent("none").path])
    #expect(missing.status == 1)
    #expect(missing.stderr.hasPrefix("error: "))
    #expect(try runVerbatim(["index", "--jobs", "0"]).status == 64)
    #expect(try runVerbatim(["index", "--memory", "0"]).status == 64)
  }
}

/// The progress bar of `verbatim index`: drawn on a terminal (a pseudo-terminal made by
/// util-linux `script`), never when stderr is a pipe.
@Suite("verbatim index progress")
struct IndexProgressTests {
  @Test func barOnATerminalOnly() throws {
    let script = URL(fileURLWithPath: "/usr/bin/script")
    guard FileManager.default.isExecutableFile(atPath: script.path) else {
      print("skipped: /usr/bin/script (util-linux) not found, no pseudo-terminal to test the bar")
      return
    }
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = directory.appendingPathComponent("p").path
    let other = directory.appendingPathComponent("q").path
    for folder in [project, other] {
      #expect(try runVerbatim(["import", repositoryRoot.appendingPathComponent("Corpus").path, "--project", folder]).status == 0)
    }
    let piped = try runVerbatim(["index", "--project", other])
    #expect(piped.status == 0 && piped.stderr.contains("index: 10 documents"))
    #expect(!piped.stderr.contains("\r"), "no bar when stderr is a pipe")
    let process = Process()
    process.executableURL = script
    process.arguments = ["-qc", "\(verbatimExecutable().path) index --project \(project)", "/dev/null"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 || text.contains("index: 10 documents") else {
      print("skipped: `script` could not open a pseudo-terminal here (\(process.terminationStatus))")
      return
    }
    #expect(text.contains("\rindex [") && text.contains("] 10/10"), "\(text.debugDescription)")
    #expect(text.contains("index: 10 documents"))
  }
}
