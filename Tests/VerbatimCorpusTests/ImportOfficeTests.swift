import Foundation
import Testing
import ZIPFoundation

@testable import VerbatimCorpus

/// `.docx` and `.odt` built in the test from XML strings, and malicious or broken archives.
@Suite struct ImportOfficeTests {
  static let core = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
    <dc:title>Entretien n°3</dc:title><dc:creator>Enquêtrice A</dc:creator><dc:subject>Numérique responsable</dc:subject>\
    <cp:keywords>parc, réemploi</cp:keywords>\
    <dcterms:created xsi:type="dcterms:W3CDTF">2023-02-14T09:30:00Z</dcterms:created></cp:coreProperties>
    """

  static let body = """
    <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>\
    <w:r><w:t>Enquêtrice</w:t></w:r><w:r><w:t xml:space="preserve"> : Vous avez </w:t></w:r>\
    <w:r><w:rPr><w:b/></w:rPr><w:t>renouvelé</w:t></w:r><w:r><w:t xml:space="preserve"> le parc ?</w:t></w:r></w:p>\
    <w:p><w:r><w:t>Élue : Oui.</w:t><w:br/><w:t>Deuxième ligne</w:t><w:tab/><w:t>après une tabulation.</w:t></w:r>\
    <w:del><w:r><w:delText>texte supprimé</w:delText></w:r></w:del></w:p>\
    <w:p/>\
    <w:p><w:r><w:t>Suite du tour &amp; fin.</w:t></w:r>\
    <w:r><mc:AlternateContent><mc:Choice><w:drawing/></mc:Choice><mc:Fallback><w:pict><w:p><w:r><w:t>copie VML</w:t></w:r></w:p></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>
    """

  @Test func docxParagraphsBreaksTabsAndProperties() throws {
    let url = try ImportFixtures.zip(
      ImportFixtures.docxEntries(document: ImportFixtures.wordDocument(Self.body), core: Self.core), named: "entretien.docx")
    let documents = try ImportFixtures.importFile(url)
    let document = try #require(documents.first)
    #expect(documents.count == 1)
    #expect(document.format == "docx")
    #expect(
      document.text
        == "Enquêtrice : Vous avez renouvelé le parc ?\nÉlue : Oui.\nDeuxième ligne\taprès une tabulation.\n\nSuite du tour & fin.")
    #expect(document.turns.map(\.speaker) == ["Enquêtrice", "Élue"])
    #expect(
      document.turns.map { ImportFixtures.slice(document.text, $0.range) } == [
        "Vous avez renouvelé le parc ?", "Oui.\nDeuxième ligne\taprès une tabulation.\n\nSuite du tour & fin.",
      ])
    #expect(
      document.metadata == [
        "title": .text("Entretien n°3"), "creator": .text("Enquêtrice A"), "subject": .text("Numérique responsable"),
        "keywords": .text("parc, réemploi"), "created": .date("2023-02-14"),
      ])
  }

  @Test func docxWithoutPropertiesOrRelationships() throws {
    let url = try ImportFixtures.zip(
      [("word/document.xml", ImportFixtures.wordDocument("<w:p><w:r><w:t>Maire : Oui.</w:t></w:r></w:p>"))],
      named: "m.docx")
    let document = try #require(try ImportFixtures.importFile(url).first)
    #expect(document.text == "Maire : Oui.")
    #expect(document.metadata.isEmpty)
  }

  static let odtContent = """
    <?xml version="1.0" encoding="UTF-8"?>
    <office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
    xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">
      <office:body>
        <office:text>
          <text:sequence-decls/>
          <text:h text:outline-level="1">Entretien n°3</text:h>
          <text:p text:style-name="P1">Enquêtrice :<text:s/>Vous   avez
            renouvelé<text:s text:c="3"/>le parc ?</text:p>
          <text:p>Élue : Oui.<text:line-break/>Deuxième ligne<text:tab/>après.<text:note text:note-class="footnote">\
    <text:note-citation>1</text:note-citation><text:note-body><text:p>Note de bas de page.</text:p></text:note-body></text:note></text:p>
          <text:p/>
          <text:list><text:list-item><text:p><text:span>Suite</text:span> du tour.</text:p></text:list-item></text:list>
        </office:text>
      </office:body>
    </office:document-content>
    """

  static let odtMeta = """
    <?xml version="1.0" encoding="UTF-8"?>
    <office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
    xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\
    <office:meta><dc:title>Entretien ODT</dc:title><meta:initial-creator>Enquêtrice B</meta:initial-creator>\
    <dc:creator>Relectrice</dc:creator><meta:creation-date>2023-03-01T10:00:00</meta:creation-date>\
    <meta:keyword>élus</meta:keyword><meta:keyword>parc</meta:keyword></office:meta></office:document-meta>
    """

  @Test func odtParagraphsSpacesAndProperties() throws {
    let url = try ImportFixtures.zip(
      [
        ("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", Self.odtContent),
        ("meta.xml", Self.odtMeta),
      ], named: "entretien.odt")
    let document = try #require(try ImportFixtures.importFile(url).first)
    #expect(document.format == "odt")
    #expect(
      document.text
        == "Entretien n°3\nEnquêtrice : Vous avez renouvelé   le parc ?\nÉlue : Oui.\nDeuxième ligne\taprès.\n\nSuite du tour.")
    #expect(document.turns.map(\.speaker) == [nil, "Enquêtrice", "Élue"])
    #expect(
      document.metadata == [
        "title": .text("Entretien ODT"), "creator": .text("Enquêtrice B"), "created": .date("2023-03-01"),
        "keywords": .text("élus, parc"),
      ])
  }

  // MARK: - Malicious and broken archives

  static let xxe = """
    <?xml version="1.0" encoding="UTF-8"?>
    <!DOCTYPE w:document [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
    <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\
    <w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>
    """

  @Test func externalEntitiesAreRefused() throws {
    let docx = try ImportFixtures.zip(ImportFixtures.docxEntries(document: Self.xxe), named: "xxe.docx")
    guard case let .unsafeArchive(path, reason)? = ImportFixtures.importError(docx) else {
      Issue.record("expected unsafeArchive")
      return
    }
    #expect(path == "xxe.docx")
    #expect(reason.contains("word/document.xml"))
    #expect(!reason.contains("root:"))

    let odt = try ImportFixtures.zip(
      [("content.xml", Self.xxe.replacingOccurrences(of: "w:document", with: "office:document-content"))], named: "xxe.odt")
    guard case .unsafeArchive("xxe.odt", _)? = ImportFixtures.importError(odt) else {
      Issue.record("expected unsafeArchive for odt")
      return
    }
    // A billion-laughs entity in the document properties.
    let laughs = """
      <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\
      <cp:coreProperties xmlns:cp="x"><dc:title xmlns:dc="y">&lol2;</dc:title></cp:coreProperties>
      """
    let core = try ImportFixtures.zip(
      ImportFixtures.docxEntries(
        document: ImportFixtures.wordDocument("<w:p><w:r><w:t>Maire : oui</w:t></w:r></w:p>"), core: laughs),
      named: "lol.docx")
    guard case .unsafeArchive("lol.docx", _)? = ImportFixtures.importError(core) else {
      Issue.record("expected unsafeArchive for core.xml")
      return
    }
    // Declarations written in UTF-16 are found too.
    let utf16 = Data([0xFF, 0xFE]) + (Self.xxe.data(using: .utf16LittleEndian) ?? Data())
    #expect(SafeXML.declaresDocumentType(utf16))
    #expect(!SafeXML.declaresDocumentType(Data(ImportFixtures.wordDocument("<w:p/>").utf8)))
  }

  @Test(arguments: ["../evil.txt", "word/../../evil.xml", "/etc/cron.d/evil", "..\\evil.txt", "C:\\evil.txt"])
  func zipSlipNamesAreRefused(name: String) throws {
    var entries = ImportFixtures.docxEntries(
      document: ImportFixtures.wordDocument("<w:p><w:r><w:t>Maire : oui</w:t></w:r></w:p>"))
    entries.append((name, "pwned"))
    let url = try ImportFixtures.zip(entries, named: "slip.docx")
    let error = ImportFixtures.importError(url)
    guard case let .unsafeArchive(path, reason)? = error else {
      Issue.record("expected unsafeArchive for \(name), got \(String(describing: error))")
      return
    }
    #expect(path == "slip.docx")
    #expect(reason.contains("escapes"))
  }

  @Test func oversizedArchivesAreRefused() throws {
    let url = try ImportFixtures.zip(
      ImportFixtures.docxEntries(document: ImportFixtures.wordDocument("<w:p><w:r><w:t>Maire : oui</w:t></w:r></w:p>")),
      named: "bomb.docx")
    // Declare 3.75 GB for the first entry in the central directory (uncompressed size at +24).
    var bytes = [UInt8](try Data(contentsOf: url))
    let signature: [UInt8] = [0x50, 0x4B, 0x01, 0x02]
    let start = try #require((0..<(bytes.count - 4)).first { Array(bytes[$0..<($0 + 4)]) == signature })
    for offset in 0..<4 { bytes[start + 24 + offset] = offset == 3 ? 0xF0 : 0x00 }
    try Data(bytes).write(to: url)
    let error = ImportFixtures.importError(url)
    guard case let .unsafeArchive(path, reason)? = error else {
      Issue.record("expected unsafeArchive, got \(String(describing: error))")
      return
    }
    #expect(path == "bomb.docx")
    #expect(reason.contains("512 MB"))
  }

  @Test func truncatedAndFakeArchives() throws {
    let good = try ImportFixtures.zip(
      ImportFixtures.docxEntries(document: ImportFixtures.wordDocument(Self.body)), named: "good.docx")
    let bytes = try Data(contentsOf: good)
    let truncated = try ImportFixtures.write(bytes.prefix(bytes.count / 2), named: "tronque.docx")
    guard case let .malformed(path, nil, reason)? = ImportFixtures.importError(truncated) else {
      Issue.record("expected malformed for a truncated zip")
      return
    }
    #expect(path == "tronque.docx")
    #expect(reason.contains("zip"))

    let text = try ImportFixtures.write("Maire : ceci n'est pas un zip", named: "faux.docx")
    guard case .malformed("faux.docx", nil, _)? = ImportFixtures.importError(text) else {
      Issue.record("expected malformed for text named .docx")
      return
    }
    #expect(ImportFixtures.importError(try ImportFixtures.write(Data(), named: "vide.odt")) == .empty(path: "vide.odt"))

    let ole = try ImportFixtures.write(Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]), named: "ancien.docx")
    guard case .unsupported("ancien.docx", _)? = ImportFixtures.importError(ole) else {
      Issue.record("expected unsupported for an OLE file")
      return
    }
  }

  @Test func missingPartsAndInvalidXML() throws {
    let noDocument = try ImportFixtures.zip([("docProps/core.xml", Self.core)], named: "sans.docx")
    guard case let .malformed("sans.docx", nil, reason)? = ImportFixtures.importError(noDocument) else {
      Issue.record("expected malformed")
      return
    }
    #expect(reason.contains("word/document.xml"))
    let noContent = try ImportFixtures.zip([("meta.xml", Self.odtMeta)], named: "sans.odt")
    guard case .malformed("sans.odt", nil, _)? = ImportFixtures.importError(noContent) else {
      Issue.record("expected malformed")
      return
    }
    let broken = try ImportFixtures.zip(
      ImportFixtures.docxEntries(document: "<w:document><w:body><w:p>Maire : oui</w:body>"), named: "casse.docx")
    let brokenError = ImportFixtures.importError(broken)
    guard case let .malformed("casse.docx", nil, brokenReason)? = brokenError else {
      Issue.record("expected malformed XML, got \(String(describing: brokenError))")
      return
    }
    #expect(brokenReason.contains("invalid XML"))
    #expect(!brokenReason.contains("Maire"))
    let unclosed = try ImportFixtures.zip(
      ImportFixtures.docxEntries(document: "<w:document><w:body><w:p><w:r><w:t>Maire : oui</w:t></w:r>"), named: "ouvert.docx")
    guard case .malformed("ouvert.docx", nil, _)? = ImportFixtures.importError(unclosed) else {
      Issue.record("expected malformed for unclosed XML")
      return
    }
    let empty = try ImportFixtures.zip(
      ImportFixtures.docxEntries(document: ImportFixtures.wordDocument("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>")),
      named: "blanc.docx")
    #expect(ImportFixtures.importError(empty) == .empty(path: "blanc.docx"))
  }

  /// Imports run in parallel (the engine's workers) give the same documents as one by one.
  @Test func concurrentImportsAgree() async throws {
    let docx = try ImportFixtures.zip(
      ImportFixtures.docxEntries(document: ImportFixtures.wordDocument(Self.body), core: Self.core), named: "p.docx")
    let odt = try ImportFixtures.zip([("content.xml", Self.odtContent), ("meta.xml", Self.odtMeta)], named: "p.odt")
    let files = Array(repeating: [docx, odt], count: 16).flatMap { $0 }
    let expected = try files.map { try ImportFixtures.importFile($0) }
    let results = try await withThrowingTaskGroup(of: (Int, [ImportedDocument]).self) { group in
      for (index, file) in files.enumerated() {
        group.addTask { (index, try ImportFixtures.importFile(file)) }
      }
      var results = [[ImportedDocument]](repeating: [], count: files.count)
      for try await (index, documents) in group { results[index] = documents }
      return results
    }
    #expect(results == expected)
  }

  @Test func unsafeNames() {
    #expect(ZipReader.isUnsafeName("../a"))
    #expect(ZipReader.isUnsafeName("a/../../b"))
    #expect(ZipReader.isUnsafeName("/a"))
    #expect(ZipReader.isUnsafeName("D:a"))
    #expect(!ZipReader.isUnsafeName("word/document.xml"))
    #expect(!ZipReader.isUnsafeName("word/..media/a.png"))
  }
}
