import Foundation
import GRDB
import VerbatimTestSupport
import Testing
import VerbatimAnalysis
@testable import VerbatimCorpus

/// A fresh project folder under the temporary directory (not created).
private func temporaryProject() -> URL {
  TestDirectories.make("store").appendingPathComponent(".verbatim")
}

/// A hand-made transcript: `Label : text` lines, turns after each label.
private func transcript(path: String, lines: [(String, String)], metadata: [String: MetadataValue] = [:])
  -> ImportedDocument
{
  var text = ""
  var turns: [Turn] = []
  for (speaker, said) in lines {
    let labelStart = text.utf8.count
    text += speaker + " :"
    let labelEnd = text.utf8.count
    text += " "
    let start = text.utf8.count
    text += said
    turns.append(Turn(speaker: speaker, range: start..<text.utf8.count, labelRange: labelStart..<labelEnd))
    text += "\n"
  }
  return ImportedDocument(path: path, text: text, metadata: metadata, turns: turns, format: "txt")
}

/// A file of documents, segmented, with hashes derived from the texts.
private func prepared(_ documents: [ImportedDocument], source: String, settings: String = "s1") throws -> PreparedFile {
  let segmenter = try Segmenter()
  let items = try documents.map { document in
    PreparedDocument(document: document, units: try segmenter.units(of: document.text, turns: document.turns))
  }
  let bytes = Array(documents.map(\.text).joined(separator: "\u{0}").utf8)
  return PreparedFile(
    source: source, contentHash: ContentHash.string(bytes), settingsHash: settings, size: bytes.count,
    documents: items)
}

private let interview = transcript(
  path: "Corpus/a.txt",
  lines: [("Enquêtrice", "Bonjour. Ça va ?"), ("Élu", "Oui, merci. M. Dupont arrive.")],
  metadata: ["commune": .text("Rennes"), "population": .integer(220_000), "date": .date("2023-02-14")])

@Suite struct ProjectStoreTests {
  @Test func migratesAFreshProjectAndReopens() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    #expect(throws: ProjectStoreError.missing(path: folder.path)) {
      try ProjectStore(directory: folder, creating: false)
    }
    let store = try ProjectStore(directory: folder, creating: true)
    #expect(try store.appliedSchemaVersions() == ["v1-corpus", "v2-outline", "v3-document-states"])
    #expect(ProjectStore.schemaVersions == ["v1-corpus", "v2-outline", "v3-document-states"])
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("project.sqlite").path))
    #expect(try store.integer(rawSQL: "SELECT COUNT(*) FROM documents") == 0)
    // WAL mode, as DatabasePool sets it.
    let reopened = try ProjectStore(directory: folder, creating: false)
    #expect(try reopened.appliedSchemaVersions() == ["v1-corpus", "v2-outline", "v3-document-states"])
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("project.sqlite-wal").path))
  }

  /// The reads a search and an index build make, one document or a batch at a time, give what
  /// the document's own record holds (text, units in order, speakers).
  @Test func readsTextsInBatchesAndDocumentsWithTheirUnits() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    let second = transcript(path: "Corpus/b.txt", lines: [("Agent", "Deux phrases ici. Et là !")])
    _ = try store.write(try prepared([interview], source: "Corpus/a.txt"), importedAt: Date(timeIntervalSince1970: 0))
    _ = try store.write(try prepared([second], source: "Corpus/b.txt"), importedAt: Date(timeIntervalSince1970: 0))
    let texts = try store.textBytes(ofDocuments: [2, 7, 1])
    #expect(texts.map(\.id) == [2, 1])  // in the order asked, the missing id left out
    #expect(texts.map { String(decoding: $0.utf8, as: UTF8.self) } == [second.text, interview.text])
    #expect(try store.textBytes(ofDocuments: [Int64]()).isEmpty)
    for kind in ProjectStore.UnitKind.allCases {
      let (document, units) = try #require(try store.document(id: 1, units: kind))
      #expect(document == (try store.document(id: 1)))
      #expect(units == (try store.units(documentID: 1, kind: kind)))
      #expect(!units.isEmpty && units.map(\.ordinal) == Array(1...units.count))
    }
    let (plain, none) = try #require(try store.document(id: 2, units: nil))
    #expect(plain.turns.map(\.turn.speaker) == ["Agent"] && none.isEmpty)
    #expect(try store.document(id: 9, units: .sentence) == nil)
  }

  /// The outline the import stores beside a text equals the one made from the document's
  /// rows (turns, sentences, segments, metadata): what a project imported before outlines
  /// (schema version 1, `outline` NULL) gives `verbatim index`.
  @Test func storedOutlinesEqualTheRowsTheyDescribe() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    let second = transcript(path: "Corpus/b.txt", lines: [("Agent", "Deux phrases ici. Et là !"), ("Élu", "Oui.")])
    _ = try store.write(try prepared([interview, second], source: "Corpus/a.txt"), importedAt: Date(timeIntervalSince1970: 0))
    let stored = try store.textBytes(ofDocuments: [1, 2])
    try store.execute(rawSQL: "UPDATE documents SET outline = NULL")
    let rebuilt = try store.textBytes(ofDocuments: [1, 2])
    #expect(stored.map(\.outline) == rebuilt.map(\.outline))
    for entry in stored {
      let outline = try #require(entry.outline.withUnsafeBytes { DocumentOutline(decoding: $0) })
      let document = try #require(try store.document(id: entry.id))
      #expect(outline.turns.map(\.range) == document.turns.map(\.turn.range))
      #expect(outline.turns.map(\.speaker) == document.turns.map(\.turn.speaker))
      #expect(outline.metadata == document.metadata.mapValues(\.description))
      for (units, kind) in [(outline.sentences, ProjectStore.UnitKind.sentence), (outline.segments, .segment)] {
        let rows = try store.units(documentID: entry.id, kind: kind)
        #expect(!rows.isEmpty)
        #expect(units.map(\.range) == rows.map(\.range))
        #expect(units.map(\.turn) == rows.map(\.turn))
      }
    }
    #expect(try store.integer(rawSQL: "SELECT COUNT(*) FROM documents WHERE outline IS NULL") == 2)
  }

  /// Document states come from the covering index `documents_state`, not from the table whose
  /// rows hold the texts (SQLite's own query plan says which), also in a project made before
  /// the index (schema version 2), which the next open migrates; the states are the same.
  @Test func readsDocumentStatesFromTheirCoveringIndex() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    let second = transcript(path: "Corpus/b.txt", lines: [("Agent", "Deux phrases ici.")])
    _ = try store.write(try prepared([interview], source: "Corpus/a.txt"), importedAt: Date(timeIntervalSince1970: 0))
    _ = try store.write(try prepared([second], source: "Corpus/b.txt"), importedAt: Date(timeIntervalSince1970: 0))
    let states = try store.documentStates()
    #expect(states.map(\.path) == ["Corpus/a.txt", "Corpus/b.txt"])
    func plan(_ store: ProjectStore) throws -> String {
      // On the writing connection, which made the schema changes below: a reading connection
      // may plan with the schema it loaded before (an EXPLAIN reads no schema cookie).
      try store.writeDatabase("plan") { db in
        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + ProjectStore.documentStatesSQL)
          .map { $0["detail"] as String }.joined(separator: "; ")
      }
    }
    #expect(try plan(store).contains("COVERING INDEX documents_state"))
    // As a version-2 project: no index, no record of the migration.
    try store.execute(rawSQL: "DROP INDEX documents_state")
    try store.execute(rawSQL: "DELETE FROM grdb_migrations WHERE identifier = 'v3-document-states'")
    let withoutIndex = try plan(store)
    #expect(!withoutIndex.contains("documents_state"), "\(withoutIndex)")
    let reopened = try ProjectStore(directory: folder, creating: false)
    #expect(try reopened.appliedSchemaVersions() == ["v1-corpus", "v2-outline", "v3-document-states"])
    #expect(try plan(reopened).contains("COVERING INDEX documents_state"))
    #expect(try reopened.documentStates() == states)
  }

  @Test func documentVersionsAreTheStatesHeldCompactly() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    #expect(try store.documentVersions().count == 0)
    let second = transcript(path: "Corpus/b.txt", lines: [("Agent", "Deux phrases ici.")])
    _ = try store.write(try prepared([interview], source: "Corpus/a.txt"), importedAt: Date(timeIntervalSince1970: 0))
    _ = try store.write(try prepared([second], source: "Corpus/b.txt"), importedAt: Date(timeIntervalSince1970: 0))
    let states = try store.documentStates()
    let versions = try store.documentVersions()
    #expect(versions == StoredDocumentVersions(states))
    #expect(versions.ids == states.map(\.id))
    #expect(versions.sizes == states.map(\.size))
    #expect(states.allSatisfy { $0.size > 0 })
    for (index, state) in states.enumerated() {
      #expect(versions.version(at: index) == state.contentHash + "/" + state.settingsHash)
      #expect(versions.hasVersion(state.version, at: index))
      #expect(!versions.hasVersion(state.contentHash, at: index), "a prefix is not the version")
      #expect(!versions.hasVersion(state.version + "0", at: index))
    }
    #expect(!versions.hasVersion(states[1].version, at: 0), "each document has its own version")
  }

  @Test func refusesAProjectFromANewerVersion() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    try store.execute(rawSQL: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")
    let path = folder.appendingPathComponent("project.sqlite").path
    #expect(throws: ProjectStoreError.newerSchema(path: path)) {
      try ProjectStore(directory: folder, creating: false)
    }
  }

  @Test func writesAndReadsADocument() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    let file = try prepared([interview], source: "Corpus/a.txt")
    let writes = try store.write(file, importedAt: Date(timeIntervalSince1970: 0))
    #expect(writes == [.inserted(path: "Corpus/a.txt", id: 1)])

    let summaries = try store.documentSummaries()
    #expect(summaries.count == 1)
    let summary = try #require(summaries.first)
    #expect(summary.id == 1 && summary.path == "Corpus/a.txt" && summary.format == "txt")
    #expect(summary.speakerCount == 2 && summary.turnCount == 2)
    #expect(summary.sentenceCount == 4)  // Bonjour. | Ça va ? | Oui, merci. | M. Dupont arrive.
    #expect(summary.segmentCount == 2)  // one per turn
    #expect(summary.tokenCount == 8)
    #expect(summary.metadata == interview.metadata)

    let stored = try #require(try store.document(id: 1))
    #expect(stored.text == interview.text)
    #expect(stored.turns.map(\.turn) == interview.turns)
    #expect(stored.turns.map(\.ordinal) == [1, 2])
    #expect(stored.turns.map(\.tokenCount) == [3, 5])
    #expect(try store.document(path: "Corpus/a.txt")?.id == 1)
    #expect(try store.document(path: "a.txt") == nil)
    #expect(try store.documentPaths(endingWith: "a.txt") == ["Corpus/a.txt"])
    let segments = try store.units(documentID: 1, segments: true)
    #expect(segments.map(\.turn) == [1, 2])
    #expect(segments.map(\.range) == interview.turns.map(\.range))
    let sentences = try store.units(documentID: 1, segments: false)
    #expect(sentences.map(\.ordinal) == [1, 2, 3, 4])
    let bytes = Array(interview.text.utf8)
    #expect(
      sentences.map { String(decoding: bytes[$0.range], as: UTF8.self) }
        == ["Bonjour.", "Ça va ?", "Oui, merci.", "M. Dupont arrive."])
    #expect(try store.documentStates().map(\.contentHash) == [file.contentHash])
  }

  @Test func aChangedFileIsReplacedInPlaceWithTheSameID() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    try store.write(try prepared([interview], source: "Corpus/a.txt"), importedAt: Date())
    try store.write(
      try prepared([transcript(path: "Corpus/b.txt", lines: [("Maire", "Non.")])], source: "Corpus/b.txt"),
      importedAt: Date())

    let changed = transcript(
      path: "Corpus/a.txt", lines: [("Enquêtrice", "Bonsoir.")], metadata: ["commune": .text("Brest")])
    let file = try prepared([changed], source: "Corpus/a.txt", settings: "s2")
    #expect(try store.write(file, importedAt: Date()) == [.replaced(path: "Corpus/a.txt", id: 1)])

    let summaries = try store.documentSummaries()
    #expect(summaries.map(\.id) == [1, 2])
    #expect(summaries[0].turnCount == 1 && summaries[0].sentenceCount == 1 && summaries[0].segmentCount == 1)
    #expect(summaries[0].metadata == ["commune": .text("Brest")])
    #expect(try store.document(id: 1)?.text == changed.text)
    #expect(try store.documentStates().first?.settingsHash == "s2")
    // No orphan rows are left behind.
    #expect(try store.integer(rawSQL: "SELECT COUNT(*) FROM turns WHERE document_id = 1") == 1)
    #expect(try store.integer(rawSQL: "SELECT COUNT(*) FROM metadata WHERE document_id = 1") == 1)
    // A new document never takes an old id.
    let third = try prepared([transcript(path: "Corpus/c.txt", lines: [("Élue", "Oui.")])], source: "Corpus/c.txt")
    #expect(try store.write(third, importedAt: Date()) == [.inserted(path: "Corpus/c.txt", id: 3)])
  }

  @Test func aFailingInsertLeavesThePreviousVersionIntact() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    let original = try prepared([interview], source: "Corpus/a.txt")
    try store.write(original, importedAt: Date())
    let before = try store.documentSummaries()
    let beforeDocument = try store.document(id: 1)

    // The new version's last segment has an impossible range: the CHECK fails after the
    // document row was updated and its old turns, sentences and metadata deleted.
    var broken = try prepared(
      [transcript(path: "Corpus/a.txt", lines: [("Élu", "Tout a changé.")])], source: "Corpus/a.txt", settings: "s2")
    broken.documents[0].units.segments.append(TextUnit(turn: 0, range: 5..<5, tokenCount: 0))
    #expect(throws: ProjectStoreError.self) { try store.write(broken, importedAt: Date()) }

    #expect(try store.documentSummaries() == before)
    #expect(try store.document(id: 1) == beforeDocument)
    #expect(try store.documentStates().first?.settingsHash == original.settingsHash)
  }

  @Test func aFileIsWrittenWholeOrNotAtAll() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    // Two rows of a csv: the second refers to a turn that does not exist (foreign key).
    var file = try prepared(
      [
        transcript(path: "Corpus/survey.csv#1", lines: [("R", "Oui.")]),
        transcript(path: "Corpus/survey.csv#2", lines: [("R", "Non.")]),
      ], source: "Corpus/survey.csv")
    file.documents[1].units.sentences[0].turn = 7
    #expect(throws: ProjectStoreError.self) { try store.write(file, importedAt: Date()) }
    #expect(try store.documentSummaries().isEmpty)
    #expect(try store.integer(rawSQL: "SELECT COUNT(*) FROM turns") == 0)
  }

  @Test func documentsMissingFromARewrittenFileAreKept() throws {
    let folder = temporaryProject()
    defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
    let store = try ProjectStore(directory: folder, creating: true)
    let rows = [
      transcript(path: "Corpus/survey.csv#1", lines: [("R", "Oui.")]),
      transcript(path: "Corpus/survey.csv#2", lines: [("R", "Non.")]),
    ]
    try store.write(try prepared(rows, source: "Corpus/survey.csv"), importedAt: Date())
    let rewritten = try prepared([rows[1]], source: "Corpus/survey.csv", settings: "s2")
    #expect(try store.write(rewritten, importedAt: Date()) == [.replaced(path: "Corpus/survey.csv#2", id: 2)])
    let states = try store.documentStates()
    #expect(states.map(\.path) == ["Corpus/survey.csv#1", "Corpus/survey.csv#2"])
    #expect(states.map(\.settingsHash) == ["s1", "s2"])
  }
}

@Suite struct ProjectStoreValidationTests {
  func document(_ text: String = "abc defgh", turns: [Range<Int>]) -> ImportedDocument {
    ImportedDocument(path: "a.txt", text: text, turns: turns.map { Turn(speaker: "A", range: $0) }, format: "txt")
  }

  @Test func importerOutputIsCheckedBeforeWriting() {
    var good = document(turns: [0..<3, 4..<9])
    #expect(good.validateTurns() == nil)
    var outside = document(turns: [0..<30])
    #expect(outside.validateTurns() == "turn 1 has an invalid range (an importer bug; please report it)")
    var overlapping = document(turns: [0..<5, 4..<8])
    #expect(overlapping.validateTurns() == "turn 2 overlaps the previous turn (an importer bug; please report it)")
    var splitCharacter = document("été", turns: [0..<1])
    #expect(splitCharacter.validateTurns()?.hasPrefix("turn 1 has an invalid range") == true)
    var badLabel = ImportedDocument(
      path: "a.txt", text: "A : oui", turns: [Turn(speaker: "A", range: 4..<7, labelRange: 0..<9)], format: "txt")
    #expect(badLabel.validateTurns()?.hasPrefix("turn 1 has an invalid range") == true)
  }

  @Test func aDocumentWithoutTurnsGetsOneUnnamedTurn() {
    var noTurns = ImportedDocument(path: "a.txt", text: "\n Bonjour. \n", format: "txt")
    #expect(noTurns.validateTurns() == nil)
    #expect(noTurns.turns == [Turn(speaker: nil, range: 2..<10)])
    var blank = ImportedDocument(path: "a.txt", text: " \n", format: "txt")
    #expect(blank.validateTurns() == nil)
    #expect(blank.turns.isEmpty)
  }
}

@Suite struct ProjectStoreContentHashTests {
  /// Reference values from the xxHash reference implementation (XXH64, seed 0).
  @Test func matchesTheReferenceXXH64() {
    #expect(ContentHash.xxh64([UInt8]()) == 0xEF46_DB37_51D8_E999)
    #expect(ContentHash.xxh64(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
    #expect(ContentHash.xxh64(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
    #expect(ContentHash.xxh64(Array("Bonjour, numérique responsable.".utf8)) == 0x2A03_AE7B_19D7_0283)
    #expect(ContentHash.xxh64((0..<37).map { UInt8($0) }) == 0xD93F_A2DF_EE5C_24C9)
    #expect(ContentHash.xxh64((0..<100).map { UInt8($0) }) == 0x6AC1_E580_3216_6597)
    let long = (0..<768).map { UInt8($0 % 256) }
    #expect(ContentHash.xxh64(long) == 0x8E03_C838_C596_036F)
  }

  @Test func storedFormIsPrefixedAndPadded() {
    #expect(ContentHash.string(Array("abc".utf8)) == "xxh64:44bc2cf5ad770999")
    #expect(ContentHash.string([UInt8]()) == "xxh64:ef46db3751d8e999")
    #expect(ContentHash.string(Data("abc".utf8)) == "xxh64:44bc2cf5ad770999")
  }
}
