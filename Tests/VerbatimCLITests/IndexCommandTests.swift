import Foundation
import Testing

/// `verbatim index` end to end: imports, indexes, and gives the same files whatever --jobs.
@Suite("verbatim index")
struct IndexCommandTests {
  @Test func indexesTheShippedCorpusIdenticallyWithOneOrTwoJobs() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = directory.appendingPathComponent("p").path
    let corpus = repositoryRoot.appendingPathComponent("Corpus").path
    let first = try runVerbatim(["index", corpus, "--project", project, "--jobs", "1", "--format", "jsonl"])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("\"documents\":10"))
    #expect(first.stdout.contains("\"generation\":1"))
    let index = URL(fileURLWithPath: project).appendingPathComponent("index")
    let one = try Data(contentsOf: index.appendingPathComponent("seg-000001.vbseg"))
    let again = try runVerbatim(["index", "--project", project, "--jobs", "2", "--memory", "1", "--format", "jsonl"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("\"generation\":2"))
    let two = try Data(contentsOf: index.appendingPathComponent("seg-000002.vbseg"))
    #expect(one == two, "segment bytes must not depend on --jobs")
    let files = try FileManager.default.contentsOfDirectory(atPath: index.path).sorted()
    #expect(files == ["manifest.json", "seg-000002.vbseg"], "only what the manifest names is kept")
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
