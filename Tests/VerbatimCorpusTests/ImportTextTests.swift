import Foundation
import Testing

@testable import VerbatimCorpus

/// `.txt` and `.md`: encodings, line ends, front matter, and the errors of bad files.
@Suite struct ImportTextTests {
  static let transcript = "Enquêtrice : Vous avez renouvelé le parc ?\nÉlue : Oui, en 2022.\n"

  func importOne(_ data: Data, named name: String = "entretien.txt") throws -> ImportedDocument {
    let documents = try ImportFixtures.importFile(try ImportFixtures.write(data, named: name))
    try #require(documents.count == 1)
    return documents[0]
  }

  @Test func utf8WithoutAndWithBOM() throws {
    let plain = try importOne(Data(Self.transcript.utf8))
    #expect(plain.text == Self.transcript)
    #expect(plain.path == "entretien.txt")
    #expect(plain.format == "txt")
    #expect(plain.warnings.isEmpty)
    #expect(plain.turns.map(\.speaker) == ["Enquêtrice", "Élue"])
    let withBOM = try importOne(Data([0xEF, 0xBB, 0xBF] + Array(Self.transcript.utf8)))
    #expect(withBOM.text == Self.transcript)
    #expect(withBOM.turns == plain.turns)
  }

  @Test func utf16WithBOM() throws {
    let littleEndian = try importOne(Data([0xFF, 0xFE]) + (Self.transcript.data(using: .utf16LittleEndian) ?? Data()))
    let bigEndian = try importOne(Data([0xFE, 0xFF]) + (Self.transcript.data(using: .utf16BigEndian) ?? Data()))
    #expect(littleEndian.text == Self.transcript)
    #expect(bigEndian.text == Self.transcript)
    #expect(littleEndian.turns.map(\.speaker) == ["Enquêtrice", "Élue"])
    #expect(littleEndian.warnings.isEmpty)
  }

  @Test func windows1252WhenNotUTF8() throws {
    // "Élue : l’œuvre été" in Windows-1252: É = C9, ’ = 92, œ = 9C, é = E9.
    let bytes: [UInt8] = [0xC9, 0x6C, 0x75, 0x65, 0x20, 0x3A, 0x20, 0x6C, 0x92, 0x9C, 0x75, 0x76, 0x72, 0x65, 0x20, 0xE9, 0x74, 0xE9]
    let document = try importOne(Data(bytes))
    #expect(document.text == "Élue : l’œuvre été")
    #expect(document.turns.first?.speaker == "Élue")
    #expect(document.warnings.count == 1)
    #expect(document.warnings.first?.contains("Windows-1252") == true)
    #expect(document.warnings.first?.contains("offset 0") == true)
    // Latin-1 text is read the same way (its printable range is a subset).
    let latin1 = try importOne(Data("Enquêtrice : ça".data(using: .isoLatin1) ?? Data()))
    #expect(latin1.text == "Enquêtrice : ça")
  }

  @Test func lineEndsBecomeLF() throws {
    let crlf = try importOne(Data("Enquêtrice : Un.\r\nÉlue : Deux.\r\n\r\nTrois.".utf8))
    #expect(crlf.text == "Enquêtrice : Un.\nÉlue : Deux.\n\nTrois.")
    #expect(crlf.turns.map { ImportFixtures.slice(crlf.text, $0.range) } == ["Un.", "Deux.\n\nTrois."])
    let lonelyCR = try importOne(Data("Enquêtrice : Un.\rÉlue : Deux.\r".utf8))
    #expect(lonelyCR.text == "Enquêtrice : Un.\nÉlue : Deux.\n")
  }

  @Test func frontMatterIsTypedAndRemoved() throws {
    let text = """
      ---
      title: Entretien avec une élue
      population: 2800
      date: 2023-02-14
      roles: [élue, adjointe]
      code: "29019"
      vide:
      lieu:
        commune: Plouzané
        département: 29
      ---
      Élue : Bonjour.
      """
    let document = try importOne(Data(text.utf8), named: "elue.md")
    #expect(document.format == "md")
    #expect(document.text == "Élue : Bonjour.")
    #expect(
      document.metadata == [
        "title": .text("Entretien avec une élue"), "population": .integer(2800), "date": .date("2023-02-14"),
        "roles": .text("élue, adjointe"), "code": .text("29019"), "lieu.commune": .text("Plouzané"),
        "lieu.département": .integer(29),
      ])
    #expect(document.turns.first?.range == 8..<16)
  }

  @Test func frontMatterWithCRLFAndDotsClosing() throws {
    let document = try importOne(Data("---\r\nannee: 2023\r\n...\r\nÉlue : Oui.".utf8))
    #expect(document.metadata == ["annee": .integer(2023)])
    #expect(document.text == "Élue : Oui.")
  }

  @Test func malformedFrontMatterNamesTheLine() throws {
    let bad = "---\ntitle: Entretien\nroles: [élue, adjointe\ncommune: Brest\n---\nÉlue : Bonjour.\n"
    let error = ImportFixtures.importError(try ImportFixtures.write(bad, named: "bad.txt"))
    guard case let .malformed(path, line, reason)? = error else {
      Issue.record("expected malformed, got \(String(describing: error))")
      return
    }
    #expect(path == "bad.txt")
    #expect(line != nil && (3...5).contains(line ?? 0))
    #expect(reason.contains("front matter"))
    #expect(!(error?.description.contains("Bonjour") ?? true))

    let indentation = "---\ntitle: a\n  b: c\n---\nÉlue : oui"
    let indentationError = ImportFixtures.importError(try ImportFixtures.write(indentation, named: "b.txt"))
    guard case let .malformed(_, line2, _)? = indentationError else {
      Issue.record("expected malformed, got \(String(describing: indentationError))")
      return
    }
    #expect(line2 == 3)

    let unclosed = ImportFixtures.importError(try ImportFixtures.write("---\ntitle: a\nÉlue : oui\n", named: "c.txt"))
    #expect(unclosed == .malformed(path: "c.txt", line: 1, reason: "front matter opened by `---` on line 1 is never closed by a `---` line"))

    let notMapping = ImportFixtures.importError(try ImportFixtures.write("---\n- a\n- b\n---\nÉlue : oui\n", named: "d.txt"))
    guard case .malformed(_, 2, _)? = notMapping else {
      Issue.record("expected malformed on line 2, got \(String(describing: notMapping))")
      return
    }
  }

  @Test func emptyFiles() throws {
    #expect(ImportFixtures.importError(try ImportFixtures.write(Data(), named: "vide.txt")) == .empty(path: "vide.txt"))
    #expect(ImportFixtures.importError(try ImportFixtures.write(" \n\t\r\n", named: "blanc.txt")) == .empty(path: "blanc.txt"))
    #expect(ImportFixtures.importError(try ImportFixtures.write("\u{FEFF}", named: "bom.txt")) == .empty(path: "bom.txt"))
    #expect(
      ImportFixtures.importError(try ImportFixtures.write("---\ntitle: a\n---\n\n", named: "fm.md")) == .empty(path: "fm.md"))
  }

  @Test func binaryFilesAreRejected() throws {
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]
    let error = ImportFixtures.importError(try ImportFixtures.write(Data(png), named: "photo.txt"))
    guard case let .undecodable(path, reason)? = error else {
      Issue.record("expected undecodable, got \(String(describing: error))")
      return
    }
    #expect(path == "photo.txt")
    #expect(reason.contains("NUL"))
    // UTF-16 without a byte-order mark has NUL bytes too: the reason says what to do.
    let utf16 = Self.transcript.data(using: .utf16LittleEndian) ?? Data()
    guard case let .undecodable(_, reason16)? = ImportFixtures.importError(try ImportFixtures.write(utf16, named: "u.txt"))
    else {
      Issue.record("expected undecodable")
      return
    }
    #expect(reason16.contains("UTF-16"))
    // A UTF-16 file with an odd number of bytes.
    let odd = ImportFixtures.importError(try ImportFixtures.write(Data([0xFF, 0xFE, 0x41]), named: "odd.txt"))
    guard case .undecodable("odd.txt", _)? = odd else {
      Issue.record("expected undecodable, got \(String(describing: odd))")
      return
    }
  }

  @Test func unreadableAndUnsupportedFiles() throws {
    let folder = try ImportFixtures.temporaryFolder()
    let missing = folder.appendingPathComponent("absent.txt")
    guard case .unreadable("absent.txt", _)? = ImportFixtures.importError(missing) else {
      Issue.record("expected unreadable")
      return
    }
    let directory = folder.appendingPathComponent("dossier.txt")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    guard case .unreadable("dossier.txt", _)? = ImportFixtures.importError(directory) else {
      Issue.record("expected unreadable")
      return
    }
    for name in ["rapport.pdf", "vieux.doc", "sans-extension"] {
      let url = try ImportFixtures.write("x", named: name)
      guard case let .unsupported(path, reason)? = ImportFixtures.importError(url) else {
        Issue.record("expected unsupported for \(name)")
        continue
      }
      #expect(path == name)
      #expect(reason.contains("supported"))
    }
  }

  @Test func extensionsAreCaseInsensitiveAndThePathIsTheRelativePath() throws {
    let url = try ImportFixtures.write(Self.transcript, named: "ENTRETIEN.TXT")
    let documents = try Importers.importFile(at: url, relativePath: "communes/ENTRETIEN.TXT", options: ImportOptions())
    #expect(documents.first?.path == "communes/ENTRETIEN.TXT")
    #expect(documents.first?.format == "txt")
    #expect(Importers.supportedExtensions == ["txt", "md", "docx", "odt", "srt", "vtt", "csv", "jsonl"])
  }

  @Test func speakerPatternOption() throws {
    let url = try ImportFixtures.write("ENQ > Bonjour.\nINT > Oui.", named: "p.txt")
    let documents = try ImportFixtures.importFile(url, options: ImportOptions(speakerPattern: #"^([A-Z]{3}) >"#))
    #expect(documents.first?.turns.map(\.speaker) == ["ENQ", "INT"])
    guard case .malformed? = ImportFixtures.importError(url, options: ImportOptions(speakerPattern: "(")) else {
      Issue.record("expected malformed pattern")
      return
    }
  }

  @Test func errorsNeverQuoteTheText() throws {
    let secret = "Confidentiel"
    let cases: [(String, Data)] = [
      ("a.txt", Data("---\n\(secret): [x\n---\n\(secret) : oui".utf8)),
      ("b.txt", Data("\(secret)\u{0}".utf8)),
      ("c.srt", Data("1\n00:00:01,000 --> \(secret)\n\(secret)\n".utf8)),
      ("d.csv", Data("id,text\n1,\(secret)\n2,\(secret),\(secret)\n".utf8)),
      ("e.jsonl", Data("{\"text\": \"\(secret)\"}\n{\"text\": \(secret)}\n".utf8)),
      ("f.vtt", Data("\(secret)\n\n00:01.000 --> 00:02.000\nx\n".utf8)),
    ]
    for (name, data) in cases {
      let error = ImportFixtures.importError(try ImportFixtures.write(data, named: name))
      #expect(error != nil, "\(name)")
      #expect(error?.description.contains(secret) == false, "\(name): \(String(describing: error))")
      #expect(error?.description.contains(name) == true, "\(name)")
    }
  }
}
