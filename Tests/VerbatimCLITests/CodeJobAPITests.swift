import Foundation
import Testing
import VerbatimCoding
import VerbatimEngine

/// The engine API other commands (themes, agree, the report) call.
@Suite struct CodeJobAPITests {
  @Test func runEqualsTheCommandAndGivesCodings() throws {
    let directory = try makeTemporaryDirectory()
    let project = directory.appendingPathComponent("p")
    _ = try runVerbatim(["import", repositoryRoot.appendingPathComponent("Corpus").path, "--project", project.path])
    let path = repositoryRoot.appendingPathComponent("Codebooks/numerique-responsable.yml").path
    let book = try CodebookFiles.read(path: path).codebook
    let one = try AutoCodingJob.run(project: project, codebook: book, scope: .sentence, jobs: 1)
    let three = try AutoCodingJob.run(project: project, codebook: book.codebook, file: path, scope: .sentence, jobs: 3)
    #expect(one == three)
    let cli = try runVerbatim(["code", "--codebook", path, "--scope", "sentence", "--project", project.path])
    let rows = cli.stdout.split(separator: "\n").dropFirst().map { $0.components(separatedBy: "\t") }
    #expect(rows.count == one.count)
    for (row, coded) in zip(rows, one) {
      #expect(
        row == [
          String(coded.document), String(coded.unit), coded.speaker ?? "", coded.code, String(coded.range.lowerBound),
          String(coded.range.upperBound), coded.rule,
        ])
      #expect(coded.scope == .sentence)
    }
    let codings = one.map(\.coding)
    #expect(codings.allSatisfy { $0.coder == Coding.automaticCoder })
    #expect(zip(codings, one).allSatisfy { $0.range == $1.range && $0.code == $1.code && $0.document == $1.document })
  }

  @Test func anInvalidCodebookFailsBeforeReadingTheProject() {
    let book = Codebook(name: "T", codes: [Code(name: "A", color: "bleu")])
    #expect(throws: AutoCodingError.self) {
      try AutoCodingJob.run(
        project: URL(fileURLWithPath: "/nonexistent"), codebook: book, file: "t.yml", scope: .segment, jobs: 1)
    }
    do {
      _ = try AutoCodingJob.run(
        project: URL(fileURLWithPath: "/nonexistent"), codebook: book, file: "t.yml", scope: .segment, jobs: 1)
    } catch {
      #expect(
        error.description
          == "t.yml: codes[0].color: a colour is written #rrggbb (six hexadecimal digits), e.g. \"#1f77b4\"")
    }
  }
}
