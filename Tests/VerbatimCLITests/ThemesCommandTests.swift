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

  @Test func frequencyAndCrosstabTables() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try codeTwoCoders(space)
    #expect(try space.run(["themes", "--unit", "turn", "--table", "frequencies", "--by", "commune"]).stdout == """
      group\tcode\tunits\tgroup_units\tcodings
      Brest\tX\t2\t2\t3
      Rennes\tX\t2\t3\t3
      Rennes\tY\t2\t3\t3

      """)
    let rows = table(try space.run(["themes", "--unit", "turn", "--table", "crosstab", "--by", "commune"]).stdout)
    #expect(rows[0] == ["code", "group", "units", "group_units", "code_units", "row_percent", "column_percent", "chi2", "df", "p"])
    #expect(rows.dropFirst().map { $0.prefix(5).joined(separator: " ") } == [
      "X Brest 2 2 4", "X Rennes 2 3 4", "Y Brest 0 2 2", "Y Rennes 2 3 2",
    ])
    // By hand: X coded [2, 2] / not [0, 1] → χ² 5/6; Y coded [0, 2] / not [2, 1] → χ² 20/9; df 1.
    let expected: [[Double]] = [
      [50, 100, 5.0 / 6, 1, erfc((5.0 / 12).squareRoot())], [50, 200.0 / 3, 5.0 / 6, 1, erfc((5.0 / 12).squareRoot())],
      [0, 0, 20.0 / 9, 1, erfc((10.0 / 9).squareRoot())], [100, 200.0 / 3, 20.0 / 9, 1, erfc((10.0 / 9).squareRoot())],
    ]
    for (row, values) in zip(rows.dropFirst(), expected) {
      for (field, value) in zip(row[5...], values) { #expect(abs(Double(field)! - value) < 1e-9, "\(row)") }
    }
    #expect(try space.run(["themes", "--table", "crosstab"]).status == 1)
  }
}
