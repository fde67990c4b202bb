import Foundation
import Testing

@Suite struct ThemesCommandTests {
  @Test func frequenciesAndPairsOverTurns() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try codeTwoCoders(space)
    // Units (turns): 1.0 {X}, 1.1 {X, Y}, 1.2 {Y}, 2.0 {X}, 2.1 {X}.
    #expect(try space.run(["themes", "--unit", "turn"]).stdout == """
      code_a\tcode_b\tsegments\tmeasure
      X\tX\t4\t0.8
      Y\tY\t2\t0.4
      X\tY\t1\t0.2

      """)
    // c over codings: X has 6, Y 3, one overlapping pair (B's Y and A's X on turn 1.1): 1 / 8.
    #expect(table(try space.run(["themes", "--unit", "turn", "--measure", "c"]).stdout).last == ["X", "Y", "1", "0.125"])
    #expect(try space.run(["themes", "--unit", "turn", "--coder", "A"]).stdout == """
      code_a\tcode_b\tsegments\tmeasure
      X\tX\t3\t0.6
      Y\tY\t1\t0.2

      """)
  }

  @Test func oneBlockPerGroup() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try codeTwoCoders(space)
    let result = try space.run(["themes", "--unit", "turn", "--by", "commune", "--measure", "count", "--format", "csv"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == """
      group,code_a,code_b,segments,measure\r
      Brest,X,X,2,1\r
      Rennes,X,X,2,\(2.0 / 3)\r
      Rennes,Y,Y,2,\(2.0 / 3)\r
      Rennes,X,Y,1,1\r

      """)
    #expect(try space.run(["themes", "--coder", "Nobody"]).status == 1)
    #expect(try space.run(["themes", "--unit", "character"]).status == 64)
  }
}
