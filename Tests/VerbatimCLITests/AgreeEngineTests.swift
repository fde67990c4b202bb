import Foundation
import Testing
import VerbatimCoding
import VerbatimEngine

/// The engine entry points that the automatic coder's codings join at merge time.
@Suite struct AgreeEngineTests {
  @Test func automaticCodingsJoinHumanOnesAsAnExtraCoder() throws {
    let space = try CodingWorkspace()
    defer { space.remove() }
    try codeTwoCoders(space)
    let project = URL(fileURLWithPath: space.project)
    let turns = try space.turns(2)
    // The automatic coder codes X on turn 2.0 only, and nothing in document 1: as a complete
    // coder it still gives "absent" values there.
    let automatic = [Coding(coder: Coding.automaticCoder, document: 2, range: turns[0].0..<turns[0].1, code: "X")]
    let (rows, warnings) = try AgreementJob.compute(
      projectDirectory: project, coders: ["A", Coding.automaticCoder], unit: .turn, extra: automatic,
      complete: [Coding.automaticCoder])
    #expect(warnings.isEmpty)
    // X: A [1,1,0,1,0], verbatim [0,0,0,1,0] → 3 of 5 agree.
    #expect(rows.map { $0.code ?? "-" } == ["X", "Y", "-"])
    #expect(rows[0].units == 5 && rows[0].percent == 60)
    // Not complete: document 1 has only A's values, so only document 2's two turns pair up.
    let partial = try AgreementJob.compute(
      projectDirectory: project, coders: ["A", Coding.automaticCoder], unit: .turn, extra: automatic)
    #expect(partial.rows[0].units == 2)

    let validation = try AgreementJob.validate(
      projectDirectory: project, coder: Coding.automaticCoder, reference: "B", unit: .turn, extra: automatic)
    // B coded X on 1.0, 2.0, 2.1; the automatic coder on 2.0: TP 1, FN 2.
    #expect(validation.rows == [
      CodeValidation(code: "X", truePositives: 1, falsePositives: 0, falseNegatives: 2),
      CodeValidation(code: "Y", truePositives: 0, falsePositives: 0, falseNegatives: 2),
    ])
  }
}
