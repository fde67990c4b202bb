// REFI-QDA projects (.qdpx): model → archive → model with exact offsets, XSD validity of
// project.qde (xmllint against ../shared/reference/refi-qda/Project.xsd), byte-identical
// exports, the styles of QualCoder, MAXQDA and ATLAS.ti (fixtures written by
// Tests/Fixtures/refi/make_qdpx.py, whose positions Python computed on its own), and bad
// archives. Expected excerpts are located in the stored text by plain string search.
import Foundation
import Testing
import VerbatimCoding

@Suite struct REFIProjectArchiveTests {
  /// The UTF-8 range of the first occurrence of `excerpt` in `text` (an independent oracle).
  static func range(of excerpt: String, in text: String) -> Range<Int>? {
    guard let found = text.range(of: excerpt) else { return nil }
    let start = text.utf8.distance(from: text.utf8.startIndex, to: found.lowerBound)
    return start..<(start + excerpt.utf8.count)
  }

  static func excerpt(_ range: Range<Int>, of text: String) -> String {
    String(decoding: Array(text.utf8)[range], as: UTF8.self)
  }

  static let texts = [
    "Enquêtrice : Vous avez une tablette 📱 ?\nÉlue : Oui, « fournie » par la mairie & l'EPCI.\n",
    "Agent : Le parc est renouvelé tous les cinq ans ; e\u{301}videmment 😀😀 c'est long.\n",
  ]

  /// A project with two users (one the automatic coder), nested codes, variables, a case,
  /// codings over emoji, accents and a combining accent, memos on codings, the code and the
  /// project.
  static func sampleProject() -> REFIProject {
    let camille = REFIProject.User(guid: REFIGUID.derived("user:Camille"), name: "Camille")
    let auto = REFIProject.User(guid: REFIGUID.derived("user:verbatim"), name: "verbatim")
    var codebook = Codebook(
      name: "Projet",
      codes: [
        Code(
          name: "Numérique", isCodable: false,
          codes: [Code(name: "Équipement", color: "#ff8000"), Code(name: "Renouvellement & durée")]),
      ], sets: [CodeSet(name: "À revoir")])
    codebook = REFICodebook.assigningGUIDs(codebook)
    codebook.sets[0].memberGUIDs = [codebook.codes[0].codes[1].guid ?? ""]
    let equipment = codebook.codes[0].codes[0].guid ?? ""
    let renewal = codebook.codes[0].codes[1].guid ?? ""
    let sources = texts.enumerated().map { index, text in
      REFIProject.Source(guid: REFIGUID.derived("source:\(index)"), name: "Entretien \(index + 1).txt", text: text)
    }
    let age = REFIProject.Variable(guid: REFIGUID.derived("variable:âge"), name: "âge", type: .integer)
    let place = REFIProject.Variable(guid: REFIGUID.derived("variable:lieu"), name: "lieu", type: .text)
    func coding(_ source: Int, _ excerpt: String, _ code: String, _ user: REFIProject.User) -> REFIProject.TextCoding {
      REFIProject.TextCoding(
        sourceGUID: sources[source].guid, codeGUID: code, range: range(of: excerpt, in: texts[source]) ?? 0..<0,
        creatingUserGUID: user.guid, creationDate: Date(timeIntervalSince1970: 1_700_000_000))
    }
    var project = REFIProject(
      name: "Entretiens « numérique » & co", origin: "Verbatim", users: [camille, auto], codebook: codebook,
      variables: [age, place],
      cases: [
        REFIProject.Case(
          guid: REFIGUID.derived("case:1"), name: "Élue 01",
          values: [.init(variableGUID: age.guid, value: "54"), .init(variableGUID: place.guid, value: "Saint-Brieuc & co")],
          sourceGUIDs: [sources[0].guid])
      ],
      sources: sources,
      codings: [
        coding(0, "une tablette 📱", equipment, camille),
        coding(0, "une tablette 📱", equipment, auto),
        coding(0, "« fournie » par la mairie & l'EPCI", renewal, camille),
        coding(1, "renouvelé tous les cinq ans ; e\u{301}videmment 😀😀", renewal, auto),
        coding(1, "Agent : Le parc", equipment, camille),
      ])
    project = project.assigningGUIDs()
    project.notes = [
      REFIProject.Note(
        guid: REFIGUID.derived("note:1"), name: "Mémo", text: "À vérifier <vite> & bien\r\n\tsvp",
        target: .coding(project.codings[2].guid ?? ""), creatingUserGUID: camille.guid),
      REFIProject.Note(guid: REFIGUID.derived("note:2"), name: "Code", text: "Définition", target: .code(equipment)),
      REFIProject.Note(guid: REFIGUID.derived("note:3"), name: nil, text: "Projet", target: .project),
    ]
    return project
  }

  @Test func roundTripKeepsSourcesCodingsAndGUIDs() throws {
    let project = Self.sampleProject()
    let data = try REFIProjectArchive.write(project)
    let read = try REFIProjectArchive.read(data, file: "p.qdpx")
    #expect(read.warnings.isEmpty)
    #expect(read.projectEntry == "project.qde")
    let back = read.project
    #expect(back.name == project.name)
    #expect(back.users == project.users)
    #expect(back.codebook.flattened.map(\.path) == project.codebook.flattened.map(\.path))
    #expect(back.codebook.flattened.map(\.code.guid) == project.codebook.flattened.map(\.code.guid))
    #expect(back.codebook.sets == project.codebook.sets)
    #expect(back.sources.map(\.text) == project.sources.map(\.text))
    #expect(back.sources.map(\.guid) == project.sources.map(\.guid))
    #expect(back.variables == project.variables)
    #expect(back.cases == project.cases)
    // Same codings (order: by source then position), exact UTF-8 ranges, creators, dates, GUIDs.
    let key = { (c: REFIProject.TextCoding) in "\(c.sourceGUID) \(c.range) \(c.codeGUID) \(c.creatingUserGUID ?? "")" }
    #expect(Set(back.codings.map(key)) == Set(project.codings.map(key)))
    #expect(Set(back.codings.compactMap(\.guid)) == Set(project.codings.compactMap(\.guid)))
    #expect(back.codings.allSatisfy { $0.creationDate == Date(timeIntervalSince1970: 1_700_000_000) })
    for coding in back.codings {
      let text = back.sources.first { $0.guid == coding.sourceGUID }?.text ?? ""
      #expect(!Self.excerpt(coding.range, of: text).isEmpty)
    }
    #expect(Set(back.notes) == Set(project.notes))
  }

  @Test func selectionsCountCodePoints() throws {
    let xml = String(decoding: try REFIProjectArchive.projectXML(Self.sampleProject()), as: UTF8.self)
    // "renouvelé tous les cinq ans ; é(combining)videmment 😀😀": Python's str.index and len()
    // give 20 and 64 (e + U+0301 is two code points, each 😀 one).
    #expect(xml.contains("startPosition=\"20\" endPosition=\"64\""))
    // "une tablette 📱" starts at code point 23 and has 14 code points.
    #expect(xml.contains("startPosition=\"23\" endPosition=\"37\""))
  }

  @Test func sameProjectSameBytes() throws {
    let first = try REFIProjectArchive.write(Self.sampleProject())
    #expect(try REFIProjectArchive.write(Self.sampleProject()) == first)
    // And reading then writing again gives the same XML.
    let back = try REFIProjectArchive.read(first, file: "p.qdpx").project
    #expect(try REFIProjectArchive.projectXML(back) == REFIProjectArchive.projectXML(Self.sampleProject()))
  }

  @Test(.enabled(if: REFIFixtures.canValidate, REFIFixtures.skipReason))
  func projectXMLIsValidAgainstTheSchema() throws {
    #expect(try REFIFixtures.schemaProblems(REFIProjectArchive.projectXML(Self.sampleProject()), schema: "Project.xsd") == nil)
    let empty = REFIProject(name: "Vide")
    #expect(try REFIFixtures.schemaProblems(REFIProjectArchive.projectXML(empty), schema: "Project.xsd") == nil)
    for fixture in ["qualcoder-style.qdpx", "maxqda-style.qdpx", "atlasti-style.qdpx"] {
      let read = try REFIProjectArchive.read(REFIFixtures.data(fixture), file: fixture)
      #expect(
        try REFIFixtures.schemaProblems(REFIProjectArchive.projectXML(read.project), schema: "Project.xsd") == nil,
        "\(fixture)")
    }
  }

  @Test func crlfTextsConvertToStoredOffsets() throws {
    var project = REFIProject(name: "CRLF")
    project.codebook = REFICodebook.assigningGUIDs(Codebook(name: "CRLF", codes: [Code(name: "Fin")]))
    let text = "Ligne une.\r\nLigne deux 😀.\r\nFin."
    project.sources = [REFIProject.Source(guid: REFIGUID.derived("s"), name: "s", text: text)]
    project.codings = [
      REFIProject.TextCoding(
        sourceGUID: REFIGUID.derived("s"), codeGUID: project.codebook.codes[0].guid ?? "",
        range: Self.range(of: "deux 😀.\r\nFin", in: text) ?? 0..<0, creatingUserGUID: nil)
    ]
    let read = try REFIProjectArchive.read(REFIProjectArchive.write(project), file: "crlf.qdpx")
    let source = read.project.sources[0]
    #expect(source.text == "Ligne une.\nLigne deux 😀.\nFin.")
    #expect(Self.excerpt(read.project.codings[0].range, of: source.text) == "deux 😀.\nFin")
    #expect(read.lineEndCountings[source.guid] == .twoPositions)
  }

  @Test func qualCoderStyleProject() throws {
    let read = try REFIProjectArchive.read(REFIFixtures.data("qualcoder-style.qdpx"), file: "qualcoder-style.qdpx")
    let project = read.project
    #expect(read.warnings.isEmpty)
    #expect(project.name == "Numérique QualCoder")
    #expect(project.users.map(\.displayName) == ["Camille"])
    #expect(project.codebook.allPaths == ["Numérique", "Numérique/Équipement", "Numérique/Télétravail"])
    #expect(!project.codebook.codes[0].isCodable)
    #expect(project.codebook.codes[0].codes[0].description == "Tablettes, ordinateurs & <smartphones>")
    let text = project.sources[0].text
    #expect(project.sources[0].name == "entretien élue 01.txt")
    let excerpts = project.codings.map { Self.excerpt($0.range, of: text) }
    #expect(excerpts == ["Une tablette 📱 fournie par la mairie", "« compliqué » & fatigant, e\u{301}videmment"])
    #expect(project.codings[0].creatingUserGUID == "a1111111-1111-4111-8111-111111111111")
    #expect(project.codings[0].guid == "f1111111-1111-4111-8111-111111111111")
    #expect(project.codings[0].creationDate == ISO8601DateFormatter().date(from: "2024-03-18T09:15:02Z"))
    #expect(project.notes.count == 1)
    #expect(project.notes[0].target == .coding("f1111111-1111-4111-8111-111111111111"))
    #expect(project.notes[0].text == "Dotation par la mairie : à comparer avec l'EPCI.")
    #expect(project.cases[0].values.map(\.value) == ["54", "Saint-Brieuc & agglo"])
    #expect(project.sources[0].values.map(\.value) == ["2023-02-14"])
    #expect(project.variables.map(\.type) == [.integer, .text, .date])
  }

  @Test func maxqdaStyleProject() throws {
    let read = try REFIProjectArchive.read(REFIFixtures.data("maxqda-style.qdpx"), file: "maxqda-style.qdpx")
    let project = read.project
    #expect(read.warnings.isEmpty)
    let source = project.sources[0]
    #expect(source.guid == "8e3d4c5a-1b2c-4d3e-9f10-a1b2c3d4e5f6")
    #expect(!source.text.contains("\r") && !source.text.hasPrefix("\u{FEFF}"))
    #expect(read.lineEndCountings[source.guid] == .twoPositions)
    let excerpts = project.codings.map { Self.excerpt($0.range, of: source.text) }
    #expect(
      excerpts == [
        "On renouvelle le parc tous les cinq ans.", "Sauf les smartphones 😀, c’est plus court.\n\nEnquêtrice",
        "« en vrai » c’est compliqué.",
      ])
    let users = Dictionary(uniqueKeysWithValues: project.users.map { ($0.guid, $0.displayName) })
    #expect(project.codings.map { users[$0.creatingUserGUID ?? ""] } == ["AB", "CD", "AB"])
    #expect(
      project.codings.map(\.codeGUID) == [
        "6f9619ff-8b86-d011-b42d-00c04fc96501", "6f9619ff-8b86-d011-b42d-00c04fc96500",
        "6f9619ff-8b86-d011-b42d-00c04fc96502",
      ])
    // The memo in the selection's Description becomes a note on its coding.
    #expect(project.notes.map(\.text) == ["Mémo MAXQDA : durée de vie différente"])
    #expect(project.notes[0].target == .coding(project.codings[1].guid ?? ""))
    #expect(project.sources[0].values.map(\.value) == ["20000-25000", "12"])
    #expect(project.codebook.sets.isEmpty)  // <Sets/>
    // A date without a zone is read as UTC.
    #expect(project.codings[0].creationDate == ISO8601DateFormatter().date(from: "2024-01-05T14:02:11Z"))
  }

  @Test func atlasStyleProject() throws {
    let read = try REFIProjectArchive.read(REFIFixtures.data("atlasti-style.qdpx"), file: "atlasti-style.qdpx")
    let project = read.project
    #expect(read.projectEntry == "Entretiens élus.qde")
    let source = project.sources[0]
    #expect(read.lineEndCountings[source.guid] == .onePosition)
    #expect(
      project.codings.map { Self.excerpt($0.range, of: source.text) } == [
        "On garde les ordinateurs sept ans,\nparfois plus.", "on forme les agents aux écogestes.",
        "Le numérique responsable",
      ])
    #expect(read.warnings.count == 2)
    #expect(read.warnings[0].contains("CRLF as one character"))
    #expect(read.warnings[1].contains("1 <PDFSource> skipped"))
    #expect(project.notes.map(\.target) == [.project])
    // Forcing the standard counting shifts the second line's selections: detection matters.
    let forced = try REFIProjectArchive.read(
      REFIFixtures.data("atlasti-style.qdpx"), file: "atlasti-style.qdpx", counting: .twoPositions)
    #expect(Self.excerpt(forced.project.codings[0].range, of: source.text) != "On garde les ordinateurs sept ans,\nparfois plus.")
  }

  @Test func windowsZipWithBackslashesAndATopFolder() throws {
    let read = try REFIProjectArchive.read(REFIFixtures.data("windows-zip.qdpx"), file: "windows-zip.qdpx")
    #expect(read.projectEntry == "Export\\project.qde")
    let qualcoder = try REFIProjectArchive.read(REFIFixtures.data("qualcoder-style.qdpx"), file: "q.qdpx")
    #expect(read.project.sources == qualcoder.project.sources)
    #expect(read.project.codings == qualcoder.project.codings)
  }

  @Test(arguments: [
    ("bad-offsets.qdpx",
      "bad-offsets.qdpx (project.qde):10: <PlainTextSelection>: endPosition 400 is past the end of the source entretien (43 characters)"),
    ("bad-code.qdpx",
      "bad-code.qdpx (project.qde):12: <CodeRef>: targetGUID 00000000-0000-4000-8000-000000000000 names no code of the codebook"),
    ("bad-traversal.qdpx", "bad-traversal.qdpx: rejected archive: the entry name ../../evil.txt escapes the archive"),
    ("bad-no-qde.qdpx", "bad-no-qde.qdpx: no project.qde (nor any .qde) in the archive"),
    ("bad-missing-source.qdpx",
      "bad-missing-source.qdpx (project.qde):9: <TextSource>: plainTextPath internal://5c1a9c3e-2d4b-4f6a-8e7d-9a0b1c2d3e4f.txt: no such file"),
    ("bad-utf8.qdpx",
      "bad-utf8.qdpx (sources/5c1a9c3e-2d4b-4f6a-8e7d-9a0b1c2d3e4f.txt): not UTF-8 text"),
    ("bad-doctype.qdpx", "bad-doctype.qdpx (project.qde): declares a DOCTYPE or entities"),
  ])
  func badArchivesAreRejectedPrecisely(fixture: String, message: String) throws {
    let data = try REFIFixtures.data(fixture)
    #expect {
      try REFIProjectArchive.read(data, file: fixture)
    } throws: { error in
      "\(error)".hasPrefix(message)
    }
  }

  @Test func notAZipIsRejected() {
    #expect { try REFIProjectArchive.read(Data("PK not really".utf8), file: "x.qdpx") } throws: {
      "\($0)".hasPrefix("x.qdpx: not a valid zip archive")
    }
    #expect { try REFIProjectArchive.read(Data("<?xml version=\"1.0\"?><Project/>".utf8), file: "x.qdpx") } throws: {
      "\($0)".hasPrefix("x.qdpx: this is XML, not a zip archive")
    }
  }

  @Test func writerRefusesCodingsThatDoNotFit() {
    var project = Self.sampleProject()
    project.codings[0].range = 5..<6  // byte 5 is inside "ê" (bytes 4..<6 of "Enquêtrice")
    #expect { try REFIProjectArchive.write(project) } throws: { "\($0)".contains("inside a character") }
    project = Self.sampleProject()
    project.codings[0].codeGUID = "00000000-0000-4000-8000-000000000000"
    #expect { try REFIProjectArchive.write(project) } throws: { "\($0)".contains("not in the codebook") }
  }
}
