import Foundation
import VerbatimTestSupport
import Testing
import ZIPFoundation

@testable import VerbatimCorpus

/// Paths and builders shared by the importer tests: a temporary folder per test, zip
/// archives built from strings, the repository and `../shared` found from this file.
enum ImportFixtures {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
  static let udSpoken = shared.appendingPathComponent("corpora/ud-french-spoken")
  static let anDebates = shared.appendingPathComponent("corpora/an-debats-2013")

  static var hasUDSpoken: Bool {
    FileManager.default.fileExists(atPath: udSpoken.appendingPathComponent("transcripts").path)
  }
  static var hasANDebates: Bool {
    FileManager.default.fileExists(atPath: anDebates.appendingPathComponent("transcripts").path)
  }
  static var hasCorpus: Bool {
    FileManager.default.fileExists(atPath: repository.appendingPathComponent("Corpus").path)
  }

  /// A new empty temporary folder.
  static func temporaryFolder() throws -> URL {
    let url = TestDirectories.make("import", create: false)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Writes bytes to `name` in a new temporary folder.
  static func write(_ data: Data, named name: String) throws -> URL {
    let url = try temporaryFolder().appendingPathComponent(name)
    try data.write(to: url)
    return url
  }

  /// Writes UTF-8 text to `name` in a new temporary folder.
  static func write(_ text: String, named name: String) throws -> URL {
    try write(Data(text.utf8), named: name)
  }

  /// Builds a zip archive with the given entries (name → content), in order.
  static func zip(_ entries: [(String, String)], named name: String) throws -> URL {
    let url = try temporaryFolder().appendingPathComponent(name)
    let archive = try Archive(url: url, accessMode: .create)
    for (path, content) in entries {
      let data = Data(content.utf8)
      try archive.addEntry(
        with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
        provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
    }
    return url
  }

  /// Imports a file with default options.
  static func importFile(_ url: URL, options: ImportOptions = ImportOptions()) throws -> [ImportedDocument] {
    try Importers.importFile(at: url, relativePath: url.lastPathComponent, options: options)
  }

  /// Imports a file and expects an error.
  static func importError(_ url: URL, options: ImportOptions = ImportOptions()) -> ImportError? {
    do {
      _ = try Importers.importFile(at: url, relativePath: url.lastPathComponent, options: options)
      return nil
    } catch {
      return error
    }
  }

  /// The UTF-8 slice of a text.
  static func slice(_ text: String, _ range: Range<Int>) -> String {
    String(decoding: Array(text.utf8)[range], as: UTF8.self)
  }

  /// A word document.xml holding the given body XML.
  static func wordDocument(_ body: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
    xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>\(body)</w:body></w:document>
    """
  }

  /// Minimal parts of a docx around a document.xml.
  static func docxEntries(document: String, core: String? = nil) -> [(String, String)] {
    var entries: [(String, String)] = [
      (
        "[Content_Types].xml",
        #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#
      ),
      (
        "_rels/.rels",
        #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#
      ),
      ("word/document.xml", document),
    ]
    if let core { entries.append(("docProps/core.xml", core)) }
    return entries
  }
}

/// The fixtures' own checks: a built archive reads back.
@Suite struct ImportFixturesTests {
  @Test func builtArchivesReadBack() throws {
    let url = try ImportFixtures.zip([("a.txt", "Bonjour"), ("b/c.xml", "<a/>")], named: "x.zip")
    let archive = try Archive(url: url, accessMode: .read)
    var contents = Data()
    guard let entry = archive["a.txt"] else {
      Issue.record("entry missing")
      return
    }
    _ = try archive.extract(entry) { contents.append($0) }
    #expect(String(decoding: contents, as: UTF8.self) == "Bonjour")
    #expect(archive.map(\.path).sorted() == ["a.txt", "b/c.xml"])
  }

  @Test func slicesAreUTF8Ranges() {
    #expect(ImportFixtures.slice("Élue : oui", 0..<5) == "Élue")
  }
}
