import Testing
@testable import VerbatimIndex

@Suite struct IndexErrorTests {
  @Test func messagesSayWhereAndWhatToDo() {
    #expect(
      IndexError.querySyntax(column: 7, expected: "a word or \"(\"", found: "end of query").description
        == "query, column 7: expected a word or \"(\", found end of query")
    #expect(IndexError.locked(path: ".verbatim/index", holder: "pid 42").description.contains("wait"))
  }
}
