import Testing
@testable import VerbatimCorpus

@Suite struct ModelTests {
  @Test func metadataValuesAreTyped() {
    #expect(MetadataValue.parse("1200") == .integer(1200))
    #expect(MetadataValue.parse("2023-02-14") == .date("2023-02-14"))
    #expect(MetadataValue.parse("commune") == .text("commune"))
    #expect(MetadataValue.parse("2023-2-14") == .text("2023-2-14"))
  }
}
