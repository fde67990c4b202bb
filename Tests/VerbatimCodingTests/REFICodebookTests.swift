// REFI-QDA codebooks (.qdc): round trips, GUID stability, XSD validity (xmllint against
// ../shared/reference/refi-qda/Codebook.xsd), the styles of Taguette, QualCoder and MAXQDA
// (fixtures in Tests/Fixtures/refi/), and precise errors.
import Foundation
import Testing
import VerbatimCoding

@Suite struct REFICodebookTests {
  /// A codebook with what a .qdc keeps: hierarchy, GUIDs (some missing), non-codable codes,
  /// colours, descriptions with markup characters, accents and symbols in names, sets.
  static let sample = Codebook(
    name: "Démo & essais",
    codes: [
      Code(
        name: "Travail & « emploi »", guid: "0B5F1A52-6D8E-4C1F-9C3B-1D2E3F4A5B60",
        description: "Catégorie <parent> : \"tout\" ce qui touche à l'emploi\n\tet au chômage",
        color: "#1F77B4", isCodable: false,
        codes: [
          Code(name: "Précarité", description: "CDD, intérim…", color: "#ff7f0e"),
          Code(name: "L'œuvre d'art « à 100 % » 😀", codes: [Code(name: "Sous-code")]),
        ]),
      Code(name: "Famille", guid: "0b5f1a52-6d8e-4c1f-9c3b-1d2e3f4a5b63"),
    ],
    sets: [
      CodeSet(
        name: "Codes émergents", description: "Créés pendant le codage ouvert",
        memberGUIDs: ["0B5F1A52-6D8E-4C1F-9C3B-1D2E3F4A5B63"]),
      CodeSet(name: "Vide"),
    ])

  @Test func roundTripKeepsEverythingAQDCCanHold() throws {
    let written = REFICodebook.write(Self.sample)
    let read = try REFICodebook.read(written, file: "Codebooks/Démo & essais.qdc")
    var expected = REFICodebook.assigningGUIDs(Self.sample)
    expected.codes[0].color = "#1f77b4"  // colours are written lowercase
    #expect(read == expected)
    #expect(read.codes[0].guid == "0b5f1a52-6d8e-4c1f-9c3b-1d2e3f4a5b60")
    #expect(read.codes[0].description == Self.sample.codes[0].description)
    #expect(read.codes[0].isCodable == false)
    #expect(read.codes[0].color == "#1f77b4")
    #expect(read.allPaths == Self.sample.allPaths)
    #expect(read.sets[0].memberGUIDs == ["0b5f1a52-6d8e-4c1f-9c3b-1d2e3f4a5b63"])
    // A second export of what was read is byte-identical.
    #expect(REFICodebook.write(read) == written)
  }

  @Test func derivedGUIDsAreStableAndLowercase() throws {
    let first = REFICodebook.write(Self.sample)
    #expect(REFICodebook.write(Self.sample) == first)
    let book = REFICodebook.assigningGUIDs(Self.sample)
    let precarite = book.codes[0].codes[0].guid
    #expect(precarite == REFIGUID.derived("code:Démo & essais\nTravail & « emploi »/Précarité"))
    let text = String(decoding: first, as: UTF8.self)
    #expect(text.range(of: "[A-F]{8}-", options: .regularExpression) == nil)
    // Renaming the codebook changes derived GUIDs, never kept ones.
    var renamed = Self.sample
    renamed.name = "Autre"
    let other = REFICodebook.assigningGUIDs(renamed)
    #expect(other.codes[0].codes[0].guid != precarite)
    #expect(other.codes[0].guid == book.codes[0].guid)
  }

  @Test func writtenTextEscapesMarkup() {
    let text = String(decoding: REFICodebook.write(Self.sample), as: UTF8.self)
    #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\""))
    #expect(text.contains("name=\"Travail &amp; « emploi »\""))
    #expect(text.contains("<Description>Catégorie &lt;parent&gt; : \"tout\" ce qui touche à l'emploi\n\tet au chômage</Description>"))
    #expect(text.contains("<Set guid=\"\(REFIGUID.derived("set:Démo & essais\nVide"))\" name=\"Vide\"/>"))
    #expect(!text.contains("\r"))
  }

  @Test(.enabled(if: REFIFixtures.canValidate, REFIFixtures.skipReason))
  func writtenFilesAreValidAgainstTheSchema() throws {
    #expect(try REFIFixtures.schemaProblems(REFICodebook.write(Self.sample), schema: "Codebook.xsd") == nil)
    for fixture in ["taguette.qdc", "qualcoder.qdc", "maxqda.qdc", "no-guids.qdc"] {
      let book = try REFICodebook.read(REFIFixtures.data(fixture), file: fixture)
      #expect(try REFIFixtures.schemaProblems(REFICodebook.write(book), schema: "Codebook.xsd") == nil, "\(fixture)")
    }
  }

  @Test func rulesAreLostAndSaidSo() throws {
    var book = Self.sample
    book.language = "fr"
    book.codes[1].rules = ["famille* OR enfant*"]
    book.codes[1].exclude = ["\"famille politique\""]
    let lost = REFICodebook.lostInformation(book)
    #expect(lost.count == 2)
    #expect(lost[0].contains("rules of 1 code(s)") && lost[0].contains("Famille"))
    let read = try REFICodebook.read(REFICodebook.write(book), file: "Démo & essais.qdc")
    #expect(read.codes[1].rules.isEmpty && read.codes[1].exclude.isEmpty)
    #expect(read.codes[1].description == nil)
    #expect(REFICodebook.lostInformation(Codebook(name: "x")) == ["the codebook has no codes; REFI-QDA requires at least one"])
  }

  @Test func taguetteStyle() throws {
    let book = try REFICodebook.read(REFIFixtures.data("taguette.qdc"), file: "Tests/taguette.qdc")
    #expect(book.name == "taguette")
    #expect(book.allPaths == ["logement", "santé.accès aux soins", "« mobilité » & transports"])
    #expect(book.codes[0].description == "Conditions de logement, loyers & charges")
    #expect(book.codes[1].description == nil)  // an empty <Description/>
    #expect(book.codes.allSatisfy { $0.isCodable && $0.color == nil })
    #expect(book.codes[2].guid == "3f0c9a52-7c1e-5b8a-9d3e-2a1b4c5d6e72")
    #expect(book.sets.isEmpty)
  }

  @Test func utf16WithBOMIsRead() throws {
    let utf8 = try REFIFixtures.data("taguette.qdc")
    let text = String(decoding: utf8, as: UTF8.self)
    let utf16 = try #require(text.data(using: .utf16))  // with a BOM
    #expect(utf16.starts(with: [0xFF, 0xFE]) || utf16.starts(with: [0xFE, 0xFF]))
    #expect(try REFICodebook.read(utf16, file: "taguette.qdc") == REFICodebook.read(utf8, file: "taguette.qdc"))
  }

  @Test func qualCoderStyle() throws {
    let (book, warnings) = try REFICodebook.readWithWarnings(REFIFixtures.data("qualcoder.qdc"), file: "qualcoder.qdc")
    #expect(warnings.isEmpty)
    #expect(book.allPaths == ["Travail", "Travail/Précarité", "Travail/Télétravail", "Famille"])
    #expect(book.codes[0].isCodable == false && book.codes[0].color == nil)
    #expect(book.codes[0].codes[0].color == "#f1c40f")
    #expect(book.codes[0].codes[0].description == "Contrats courts, intérim, \"petits boulots\" <CDD>")
    #expect(book.codes[0].description == "Catégorie : tout ce qui touche à l'emploi")  // CRLF file, no CR kept
    #expect(book.sets.isEmpty)  // <Sets/>
  }

  @Test func maxqdaStyle() throws {
    let data = try REFIFixtures.data("maxqda.qdc")
    #expect(data.starts(with: [0xEF, 0xBB, 0xBF]))
    let book = try REFICodebook.read(data, file: "maxqda.qdc")
    #expect(
      book.allPaths == [
        "Numérique", "Numérique/Équipement", "Numérique/Équipement/Renouvellement", "Numérique/Sobriété & usages",
        "Autocode - ANY: élu",
      ])
    #expect(book.codes[0].guid == "6f9619ff-8b86-d011-b42d-00c04fc964ff")
    #expect(book.codes[0].codes[1].guid == "6f9619ff-8b86-d011-b42d-00c04fc96502")  // braces dropped
    #expect(book.codes[0].color == "#0000aa")  // #00A expanded
    #expect(book.sets.count == 1)
    #expect(book.sets[0].guid == "6f9619ff-8b86-d011-b42d-00c04fc96510")
    #expect(book.sets[0].memberGUIDs == ["6f9619ff-8b86-d011-b42d-00c04fc96501", "6f9619ff-8b86-d011-b42d-00c04fc96503"])
    // Written back in lowercase; read again, the same codebook.
    let again = try REFICodebook.read(REFICodebook.write(book), file: "maxqda.qdc")
    #expect(again == book)
  }

  @Test func missingGUIDsAndIsCodable() throws {
    let book = try REFICodebook.read(REFIFixtures.data("no-guids.qdc"), file: "Codebooks/no-guids.qdc")
    #expect(book.allPaths == ["Parent", "Parent/Enfant", "Autre"])
    #expect(book.codes[0].isCodable && book.codes[0].codes[0].isCodable && !book.codes[1].isCodable)
    #expect(book.codes[0].codes[0].guid == REFIGUID.derived("code:no-guids\nParent/Enfant"))
    // The same file read twice gives the same GUIDs, and writing is stable.
    let twice = try REFICodebook.read(REFIFixtures.data("no-guids.qdc"), file: "no-guids.qdc")
    #expect(REFICodebook.write(book) == REFICodebook.write(twice))
  }

  @Test func duplicateSiblingNamesAndSlashesAreRenamedWithWarnings() throws {
    let xml = """
      <CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
      <Code guid="00000000-0000-4000-8000-000000000001" name="Femme/Homme" isCodable="true"/>
      <Code guid="00000000-0000-4000-8000-000000000002" name="Âge" isCodable="true"/>
      <Code guid="00000000-0000-4000-8000-000000000003" name="Âge" isCodable="true" color="rouge"/>
      </Codes></CodeBook>
      """
    let (book, warnings) = try REFICodebook.readWithWarnings(Data(xml.utf8), file: "x.qdc")
    #expect(book.allPaths == ["Femme∕Homme", "Âge", "Âge (2)"])
    #expect(book.codes[2].color == nil)
    #expect(warnings.count == 3)
    #expect(warnings[0].hasPrefix("x.qdc:2: <Code>: "))
  }

  @Test(arguments: [
    ("", "bad.qdc: empty file, not XML"),
    ("<CodeBook><Codes><Code name=\"a\" isCodable=\"true\">\n</Codes></CodeBook>", "bad.qdc:2: not well-formed XML"),
    ("<Project name=\"p\"/>", "bad.qdc:1: <Project>: the root element must be <CodeBook> (this is a REFI-QDA project"),
    ("<CodeBook>\n<Codes>\n<Code guid=\"x\" name=\"a\" isCodable=\"true\"/></Codes></CodeBook>",
      "bad.qdc:3: <Code>: guid is not a GUID"),
    ("<CodeBook><Codes>\n\n\n<Code isCodable=\"true\"/></Codes></CodeBook>", "bad.qdc:4: <Code>: a code has no name"),
    ("<CodeBook><Codes><Code name=\"a\" isCodable=\"oui\"/></Codes></CodeBook>",
      "bad.qdc:1: <Code>: isCodable must be true or false"),
    ("<CodeBook><Codes><Code guid=\"00000000-0000-4000-8000-000000000001\" name=\"a\"/>\n"
      + "<Code guid=\"00000000-0000-4000-8000-000000000001\" name=\"b\"/></Codes></CodeBook>",
      "bad.qdc:2: <Code>: guid 00000000-0000-4000-8000-000000000001 is already used by the code on line 1"),
    ("<!DOCTYPE CodeBook [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><CodeBook><Codes/></CodeBook>",
      "bad.qdc: declares a DOCTYPE or entities"),
    ("<CodeBook/>", "bad.qdc:1: <CodeBook>: no <Codes> element"),
  ])
  func badFilesAreRejectedPrecisely(xml: String, message: String) {
    #expect {
      try REFICodebook.read(Data(xml.utf8), file: "bad.qdc")
    } throws: { error in
      "\(error)".hasPrefix(message)
    }
  }
}
