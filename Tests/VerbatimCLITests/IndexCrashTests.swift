import Foundation
import Testing
import VerbatimTestSupport

/// A real crash: `verbatim index` is killed with SIGKILL at seeded random moments while it
/// re-indexes a changed corpus. After every kill the last committed index must open, the next
/// `verbatim index` must finish it, and the result must equal an index built in one clean run.
@Suite("verbatim index crash")
struct IndexCrashTests {
  static let words = [
    "le", "numérique", "responsable", "élus", "agents", "tablette", "ordinateur", "mairie", "prestataire", "données",
    "sobriété", "parc", "renouvellement", "logiciel", "libre", "mutualisation", "archivage", "cybersécurité",
  ]

  static func writeCorpus(_ folder: URL, files: Int, version: Int, using random: inout SplitMix64) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for file in 0..<files {
      var text = ""
      for turn in 0..<8 {
        text += "L\(turn % 2 + 1) : "
        text += (0..<(60 + random.next(below: 60))).map { _ in words[random.next(below: words.count)] }
          .joined(separator: " ")
        text += " v\(version).\n"
      }
      try Data(text.utf8).write(to: folder.appendingPathComponent(String(format: "f%03d.txt", file)))
    }
  }

  /// Starts `verbatim index` and kills it after `delay` seconds (if still running).
  static func killedIndexRun(project: String, delay: Double) throws -> Int32 {
    let process = Process()
    process.executableURL = verbatimExecutable()
    process.arguments = ["index", "--project", project, "--jobs", "2", "--memory", "1"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    Thread.sleep(forTimeInterval: delay)
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return process.terminationStatus
  }

  @Test func killedWritersLeaveTheLastCommitReadable() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let corpus = directory.appendingPathComponent("corpus")
    let project = directory.appendingPathComponent("p").path
    var random = SplitMix64(seed: 2026)
    try Self.writeCorpus(corpus, files: 150, version: 1, using: &random)
    let first = try runVerbatim(["index", corpus.path, "--project", project])
    #expect(first.status == 0, "\(first.stderr)")
    // How long a full run takes here, to spread the kills over it.
    try Self.writeCorpus(corpus, files: 150, version: 2, using: &random)
    #expect(try runVerbatim(["import", corpus.path, "--project", project]).status == 0)
    let started = Date()
    let timing = directory.appendingPathComponent("timing").path
    #expect(try runVerbatim(["index", corpus.path, "--project", timing]).status == 0)
    let fullRun = max(0.05, Date().timeIntervalSince(started))

    var kills = 0
    for round in 0..<8 {
      try Self.writeCorpus(corpus, files: 150, version: 3 + round, using: &random)
      #expect(try runVerbatim(["import", corpus.path, "--project", project]).status == 0)
      let delay = fullRun * Double(random.next(below: 1000)) / 1000
      if try Self.killedIndexRun(project: project, delay: delay) != 0 { kills += 1 }
      // The index as left by the kill opens: search either answers (the new commit landed) or
      // says the index is out of date (the old commit is still the index); never "damaged".
      let search = try runVerbatim(["search", "numérique", "--limit", "1", "--project", project])
      #expect(
        search.status == 0 || search.stderr.contains("out of date"), "round \(round): \(search.stderr)")
      #expect(!search.stderr.contains("damaged") && !search.stderr.contains("corrupt"), "\(search.stderr)")
    }
    #expect(kills > 0, "at least one run must have been killed mid-way")

    // Finishing the job gives exactly the index a clean run builds from the same store.
    let finish = try runVerbatim(["index", "--project", project, "--format", "jsonl"])
    #expect(finish.status == 0, "\(finish.stderr)")
    let clean = directory.appendingPathComponent("clean").path
    #expect(try runVerbatim(["index", corpus.path, "--project", clean]).status == 0)
    let ours = try runVerbatim(["search", "numérique NEAR/3 données", "--project", project])
    let theirs = try runVerbatim(["search", "numérique NEAR/3 données", "--project", clean])
    #expect(ours.status == 0 && ours.stdout == theirs.stdout)
    #expect(ours.stdout.split(separator: "\n").count > 10)
    let files = try FileManager.default.contentsOfDirectory(
      atPath: URL(fileURLWithPath: project).appendingPathComponent("index").path)
    #expect(files.filter { $0.hasPrefix("pending") || $0.hasSuffix(".tmp") }.isEmpty, "garbage collected: \(files)")
  }
}
