import Foundation
import Testing

/// Parses a tsv table into rows of fields (header first).
func table(_ text: String) -> [[String]] {
  text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
}

/// Turn codings of two coders (document, turn index):
/// A: X on 1.0, 1.1, 2.0; Y on 1.2. B: X on 1.0, 2.0, 2.1; Y on 1.1, 1.2.
func codeTwoCoders(_ space: CodingWorkspace) throws {
  try space.write(
    "two.csv",
    try space.csv([
      ("A", 1, 0, "X"), ("A", 1, 1, "X"), ("A", 2, 0, "X"), ("A", 1, 2, "Y"),
      ("B", 1, 0, "X"), ("B", 2, 0, "X"), ("B", 2, 1, "X"), ("B", 1, 1, "Y"), ("B", 1, 2, "Y"),
    ]))
  let result = try space.run(["coding", "import", "two.csv"])
  #expect(result.status == 0, "\(result.stderr)")
}

@Suite struct AgreeCommandTests {
  @Test func perCodeAndOverallByTurn() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try codeTwoCoders(space)
    let result = try space.run(["agree", "--unit", "turn"])
    #expect(result.status == 0, "\(result.stderr)")
    let rows = table(result.stdout)
    #expect(rows.map { $0.prefix(3).joined(separator: " ") } == [
      "code coders units", "X A,B 5", "Y A,B 5", "(overall) A,B 5",
    ])
    // By hand: X: A [1,1,0,1,0], B [1,0,0,1,1]; Y: A [0,0,1,0,0], B [0,1,1,0,0].
    let expected: [[Double]] = [
      [60, 0.08 / 0.48, 1 - 9.0 * 2 / 24],
      [80, 0.24 / 0.44, 1 - 9.0 / 21],
      [70, 0.4, 1 - 19.0 * 3 / 99],
    ]
    for (row, values) in zip(rows.dropFirst(), expected) {
      for (field, value) in zip(row[3...], values) { #expect(abs(Double(field)! - value) < 1e-12, "\(row)") }
    }
  }

  @Test func threeCodersHaveNoKappaAndTooFewCodersIsAnError() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    #expect(try space.run(["agree"]).stderr.contains("agreement needs at least two coders"))
    try codeTwoCoders(space)
    try space.write("c.csv", try space.csv([("C", 1, 0, "X")]))
    #expect(try space.run(["coding", "import", "c.csv"]).status == 0)
    let three = try space.run(["agree", "--coders", "A,B,C", "--unit", "turn", "--format", "jsonl"])
    #expect(three.status == 0)
    let lines = three.stdout.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines.allSatisfy { $0.contains("\"coders\":[\"A\",\"B\",\"C\"]") && $0.contains("\"kappa\":null") })
    let unknown = try space.run(["agree", "--coders", "A,Z"])
    #expect(unknown.status == 1)
    #expect(unknown.stderr == "error: unknown coder Z; the project's coders are A, B, C\n")
    #expect(try space.run(["agree", "--unit", "word"]).status == 64)
  }

  @Test func characterUnitCountsCodePoints() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    // Document 2 is ASCII except nothing: "Maire : Non merci.\nAgent : D'accord.\n" (37 code points).
    try space.write("c.csv", "coder,document,start,end,code\nA,2,8,11,X\nB,2,8,18,X\n")
    #expect(try space.run(["coding", "import", "c.csv"]).status == 0)
    let rows = table(try space.run(["agree", "--unit", "character"]).stdout)
    #expect(rows[1].prefix(3) == ["X", "A,B", "37"])
    // 7 characters differ (11..<18): 30 / 37 agree.
    #expect(abs(Double(rows[1][3])! - 100 * 30.0 / 37) < 1e-9)
  }

  @Test func validateOneCoderAgainstAnother() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try codeTwoCoders(space)
    let result = try space.run(["agree", "--coders", "A,B", "--validate", "A", "--unit", "turn"])
    #expect(result.status == 0, "\(result.stderr)")
    // X: A {1.0, 1.1, 2.0}, B {1.0, 2.0, 2.1}: TP 2, FP 1, FN 1. Y: A {1.2}, B {1.1, 1.2}: TP 1, FN 1.
    #expect(table(result.stdout) == [
      ["code", "coder", "reference", "true_positives", "false_positives", "false_negatives", "precision", "recall", "f1"],
      ["X", "A", "B", "2", "1", "1", "\(2.0 / 3)", "\(2.0 / 3)", "\(2.0 / 3)"],
      ["Y", "A", "B", "1", "0", "1", "1", "0.5", "\(2.0 / 3)"],
    ])
    #expect(try space.run(["agree", "--validate", "A"]).status == 64)
  }

  @Test func outputRepeatsByteForByteAcrossRuns() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try codeTwoCoders(space)
    try space.write("c.csv", try space.csv([("C", 1, 1, "X"), ("C", 2, 1, "Y"), ("C", 1, 2, "Z")]))
    #expect(try space.run(["coding", "import", "c.csv"]).status == 0)
    // Swift seeds hashing per process: any dependence on dictionary order would show here.
    for arguments in [["agree", "--unit", "character"], ["agree", "--unit", "sentence"], ["themes", "--by", "speaker"]] {
      let first = try space.run(arguments).stdout
      #expect(!first.isEmpty)
      for _ in 0..<3 { #expect(try space.run(arguments).stdout == first, "\(arguments)") }
    }
  }
}
