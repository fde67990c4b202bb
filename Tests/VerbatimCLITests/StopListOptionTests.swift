import Foundation
import Testing

/// `--stoplist spoken` on `freq` and `cooc`: spoken fillers ("parce", "truc", "voilà") are
/// counted with the standard list and dropped with the spoken one, as in the report.
@Suite("freq and cooc --stoplist")
struct StopListOptionTests {
  @Test func spokenListDropsFillers() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = directory.appendingPathComponent("p").path
    #expect(try runVerbatim(["import", repositoryRoot.appendingPathComponent("Corpus").path, "--project", project]).status == 0)
    func terms(_ extra: [String]) throws -> Set<String> {
      let run = try runVerbatim(["freq", "--top", "100", "--project", project] + extra)
      #expect(run.status == 0, "\(run.stderr)")
      return Set(run.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t")[1]) })
    }
    let standard = try terms([])
    let spoken = try terms(["--stoplist", "spoken"])
    #expect(standard.contains("parce"))
    #expect(!spoken.contains("parce") && !spoken.contains("truc") && !spoken.contains("voilà"))
    #expect(spoken.contains("numérique"))
    let cooc = try runVerbatim(["cooc", "--stoplist", "spoken", "--top", "5", "--project", project])
    #expect(cooc.status == 0 && !cooc.stdout.contains("\tparce\t") && !cooc.stdout.hasPrefix("parce\t"))
    #expect(try runVerbatim(["freq", "--stoplist", "none", "--project", project]).status == 64)
  }
}
