import Foundation
import VerbatimTestSupport
import Testing
@testable import VerbatimCorpus

/// Paragraphs: the non-blank lines of each turn, with exact ranges, stored with the document.
@Suite struct ParagraphTests {
  @Test func paragraphsAreTheTrimmedNonBlankLinesOfEachTurn() throws {
    let text = "Enquêtrice : Bonjour.\nInterlocuteur 1 : Premier point.\n\n  Second point. \nFin"
    let bytes = Array(text.utf8)
    func range(of piece: String) -> Range<Int> {
      let needle = Array(piece.utf8)
      let start = (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }!
      return start..<(start + needle.count)
    }
    let first = Turn(speaker: "Enquêtrice", range: range(of: "Bonjour."))
    let secondStart = range(of: "Premier point.").lowerBound
    let second = Turn(speaker: "Interlocuteur 1", range: secondStart..<bytes.count)
    let units = try Segmenter().units(of: text, turns: [first, second])
    let pieces = units.paragraphs.map { String(decoding: bytes[$0.range], as: UTF8.self) }
    #expect(pieces == ["Bonjour.", "Premier point.", "Second point.", "Fin"])
    #expect(units.paragraphs.map(\.turn) == [0, 1, 1, 1])
    #expect(units.paragraphs.map(\.tokenCount) == [1, 2, 2, 1])
  }

  @Test func paragraphsAreStoredAndReadBack() throws {
    let folder = TestDirectories.make("paragraphs", create: false)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = try ProjectStore(directory: folder, creating: true)
    let text = "Ligne une.\nLigne deux."
    let document = ImportedDocument(
      path: "a.txt", text: text, turns: [Turn(speaker: "A", range: 0..<text.utf8.count)], format: "txt")
    let units = try Segmenter().units(of: text, turns: document.turns)
    let file = PreparedFile(
      source: "a.txt", contentHash: "h", settingsHash: "s", size: text.utf8.count,
      documents: [PreparedDocument(document: document, units: units)])
    _ = try store.write(file, importedAt: Date(timeIntervalSince1970: 0))
    let stored = try #require(try store.document(path: "a.txt"))
    let paragraphs = try store.units(documentID: stored.id, kind: .paragraph)
    #expect(paragraphs.map(\.range) == [0..<10, 11..<22])
    #expect(paragraphs.map(\.ordinal) == [1, 2])
  }
}
