import Foundation
import Testing
import VerbatimCoding

/// The repository root, from this file's path.
let codingRepositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

@Suite struct CodebookYAMLTests {
  static let sample = """
    verbatim-codebook: 1
    name: Numérique responsable
    language: fr
    codes:
      - name: Équipement
        description: Terminaux des agents et des élus.
        color: "#1f77b4"
        rules:
          - 'tablette* OR ordinateur* OR smartphone* OR "poste fixe"'
        exclude:
          - '"tablette de chocolat"'
        codes:
          - name: Renouvellement
            rules: ['renouvel* NEAR/8 (ordinateur* OR matériel* OR parc)']
      - name: Sobriété
        codable: false
        rules: sobriété
    """

  @Test func readsTheBriefExample() throws {
    let book = try CodebookYAML.read(Self.sample, file: "a.yml")
    #expect(book.name == "Numérique responsable")
    #expect(book.language == "fr")
    #expect(book.allPaths == ["Équipement", "Équipement/Renouvellement", "Sobriété"])
    #expect(book.codes[0].color == "#1f77b4")
    #expect(book.codes[0].description == "Terminaux des agents et des élus.")
    #expect(book.codes[0].exclude == ["\"tablette de chocolat\""])
    #expect(book.codes[0].codes[0].rules == ["renouvel* NEAR/8 (ordinateur* OR matériel* OR parc)"])
    #expect(book.codes[1].rules == ["sobriété"])  // a single query may be written without the list
    #expect(book.codes[1].isCodable == false)
  }

  @Test func roundTripKeepsEveryField() throws {
    var book = try CodebookYAML.read(Self.sample, file: "a.yml")
    book.description = "Ligne 1\nligne 2 avec \"guillemets\" et l'apostrophe"
    book.codes[1].guid = "6f1c2a4e-0000-4000-8000-000000000001"
    book.sets = [
      CodeSet(
        name: "Axe", guid: "6f1c2a4e-0000-4000-8000-000000000002", description: "d",
        memberGUIDs: ["6f1c2a4e-0000-4000-8000-000000000001"])
    ]
    book.codes[0].codes.append(Code(name: "Nom: avec # et 'quotes'", rules: ["=l'école"]))
    let text = CodebookYAML.write(book)
    let again = try CodebookYAML.read(text, file: "b.yml")
    #expect(again == book)
    #expect(CodebookYAML.write(again) == text)
  }

  @Test func shippedCodebooksAreValid() throws {
    let folder = codingRepositoryRoot.appendingPathComponent("Codebooks")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yml") }
    #expect(!files.isEmpty)
    for name in files {
      let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
      let book = try CodebookYAML.read(text, file: name)
      #expect(try CodebookYAML.read(CodebookYAML.write(book), file: name) == book)
    }
  }

  /// Reads `body` after the header and returns the error's message.
  private func message(_ text: String) -> String? {
    do {
      _ = try CodebookYAML.read(text, file: "x.yml")
      return nil
    } catch {
      return error.description
    }
  }

  private let header = "verbatim-codebook: 1\nname: T\n"

  @Test func ruleErrorsNameThePathAndTheColumn() throws {
    let text =
      header + """
        codes:
          - name: A
            rules: [a]
          - name: B
          - name: C
            codes:
              - name: D
                rules:
                  - 'ok'
                  - 'numérique AND (responsable'
        """
    #expect(
      message(text)
        == "x.yml:12: codes[2].codes[0].rules[1]: query, column 27: expected \")\", found end of query")
    do {
      _ = try CodebookYAML.read(text, file: "x.yml")
    } catch {
      #expect(error.queryColumn == 27)
      #expect(error.path == "codes[2].codes[0].rules[1]")
      #expect(error.line == 12)
    }
    #expect(
      message(header + "codes:\n  - name: A\n    exclude: ['a NEAR/ b']\n")
        == "x.yml:5: codes[0].exclude[0]: query, column 8: expected a number, found a space")
  }

  @Test func structuralErrorsArePrecise() {
    #expect(
      message("name: T\ncodes: []\n")
        == "x.yml:1: verbatim-codebook: missing `verbatim-codebook: 1` (the schema version) at the top of the file")
    #expect(
      message("verbatim-codebook: 2\nname: T\n")
        == "x.yml:1: verbatim-codebook: schema version 2 is not supported: this build reads version 1")
    #expect(
      message("verbatim-codebook: one\nname: T\n")
        == "x.yml:1: verbatim-codebook: the schema version is a whole number; write `verbatim-codebook: 1`")
    #expect(message("verbatim-codebook: 1\ncodes: []\n") == "x.yml:1: name: the codebook has no name; add `name: …`")
    #expect(
      message(header + "colour: red\n")
        == "x.yml:3: colour: unknown key \"colour\"; the keys here are verbatim-codebook, name, language, description, codes, sets"
    )
    #expect(
      message(header + "codes:\n  - name: A\n    rule: [a]\n")
        == "x.yml:5: codes[0].rule: unknown key \"rule\"; the keys here are name, description, color, guid, codable, rules, exclude, codes"
    )
    #expect(
      message(header + "codes:\n  - description: sans nom\n")
        == "x.yml:4: codes[0].name: a code needs a name; add `name: …`")
    #expect(message(header + "codes:\n  - name: ''\n") == "x.yml:4: codes[0].name: a code needs a name; add `name: …`")
    #expect(
      message(header + "codes:\n  - name: A/B\n")
        == "x.yml:4: codes[0].name: a code name cannot contain \"/\" (it separates the levels of a code path)")
    #expect(
      message(header + "codes:\n  - name: A\n    codes:\n      - name: B\n      - name: B\n")
        == "x.yml:7: codes[0].codes[1].name: duplicate code name among siblings (also at codes[0].codes[0]); rename one"
    )
    #expect(
      message(header + "codes:\n  - name: A\n    color: '#12345'\n")
        == "x.yml:5: codes[0].color: a colour is written #rrggbb (six hexadecimal digits), e.g. \"#1f77b4\"")
    #expect(
      message(header + "codes:\n  - name: A\n    color: '#12345g'\n")
        == "x.yml:5: codes[0].color: a colour is written #rrggbb (six hexadecimal digits), e.g. \"#1f77b4\"")
    #expect(
      message(header + "codes:\n  name: A\n")
        == "x.yml:4: codes: expected a list of codes (each `- name: …`), found a mapping (key: value)")
    #expect(message(header + "codes:\n  - name: [A]\n") == "x.yml:4: codes[0].name: expected text, found a list")
    #expect(
      message(header + "codes:\n  - name: A\n    rules: {a: b}\n")
        == "x.yml:5: codes[0].rules: expected a list of queries, found a mapping (key: value)")
    #expect(
      message(header + "codes:\n  - name: A\n    rules: [[a]]\n")
        == "x.yml:5: codes[0].rules[0]: expected text, found a list")
    #expect(
      message(header + "codes:\n  - name: A\n    codable: maybe\n")
        == "x.yml:5: codes[0].codable: expected true or false")
    #expect(
      message(header + "codes:\n  - A\n")
        == "x.yml:4: codes[0]: a code is a mapping with the keys name, description, color, guid, codable, rules, exclude, codes, found a single value"
    )
    #expect(message(header + "name: B\n") == "x.yml:2: a key is written twice in one mapping: name; keep one")
    #expect(message(header + "codes:\n  - name: X\n    rules: [a]\n    rules: [b]\n") == "x.yml:5: a key is written twice in one mapping: rules; keep one")
    #expect(message("") == "x.yml: the file is empty; a codebook starts with `verbatim-codebook: 1`")
    #expect(
      message("- a\n- b\n")
        == "x.yml:1: a codebook is a mapping with the keys verbatim-codebook, name, language, description, codes, sets")
    #expect(message(header + "codes: [\n") != nil)
    #expect(message(header + "codes: [\n")!.hasPrefix("x.yml:4: YAML syntax, column "))
  }

  @Test func modelValidationWorksWithoutLines() {
    let book = Codebook(name: "T", codes: [Code(name: "A", rules: ["a OR"])])
    #expect(
      throws: CodebookError(
        file: "m", path: "codes[0].rules[0]",
        problem: "query, column 5: expected a word, a phrase or \"(\", found end of query",
        queryColumn: 5)
    ) {
      try CompiledCodebook(book, file: "m")
    }
    #expect(throws: CodebookError(file: "m", path: "name", problem: "the codebook has no name; add `name: …`")) {
      try CompiledCodebook(Codebook(name: " "), file: "m")
    }
  }
}
