import Testing
import VerbatimGraph

@Suite struct ScopeTests {
  @Test func windowsWithDifferentSizesDiffer() {
    #expect(CooccurrenceScope.window(5) != CooccurrenceScope.window(4))
    #expect(CooccurrenceScope.segment != CooccurrenceScope.sentence)
  }

  @Test func parsesTheCLISpellings() throws {
    #expect(try CooccurrenceScope(parsing: "window:5") == .window(5))
    #expect(try CooccurrenceScope(parsing: "segment") == .segment)
    #expect(try CooccurrenceScope(parsing: "document").description == "document")
    #expect(throws: GraphError.self) { try CooccurrenceScope(parsing: "window:0") }
    #expect(throws: GraphError.self) { try CooccurrenceScope(parsing: "paragraph") }
  }
}
