import Testing
import VerbatimCoding

@Suite struct CodebookModelTests {
  @Test func pathsAreDepthFirstInFileOrder() {
    let book = Codebook(
      name: "Démo",
      codes: [
        Code(name: "Équipement", codes: [Code(name: "Renouvellement"), Code(name: "Seconde vie")]),
        Code(name: "Sobriété"),
      ])
    #expect(book.allPaths == ["Équipement", "Équipement/Renouvellement", "Équipement/Seconde vie", "Sobriété"])
  }
}
