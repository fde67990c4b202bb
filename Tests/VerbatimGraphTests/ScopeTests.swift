import Testing
import VerbatimGraph

@Suite struct ScopeTests {
  @Test func windowsWithDifferentSizesDiffer() {
    #expect(CooccurrenceScope.window(5) != CooccurrenceScope.window(4))
    #expect(CooccurrenceScope.segment != CooccurrenceScope.sentence)
  }
}
