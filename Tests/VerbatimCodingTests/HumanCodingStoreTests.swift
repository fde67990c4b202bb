import Foundation
import VerbatimTestSupport
import GRDB
import Testing
import VerbatimCoding
import VerbatimCorpus

/// A temporary project with two documents (ids 1 and 2) stored through `ProjectStore`.
struct CodingProject {
  let root: URL
  let store: ProjectStore
  let codings: CodingStore

  static let first = "Élu : Le numérique, ça coûte.\nAgent : Oui, les tablettes.\n"
  static let second = "Maire : Non.\n"

  init() throws {
    root = TestDirectories.make("coding", create: false)
    store = try ProjectStore(directory: root.appendingPathComponent(".verbatim"), creating: true)
    try Self.write(store, path: "Corpus/a.txt", text: Self.first)
    try Self.write(store, path: "Corpus/b.txt", text: Self.second)
    codings = try CodingStore(projectStore: store)
  }

  static func write(_ store: ProjectStore, path: String, text: String) throws {
    var document = ImportedDocument(path: path, text: text, format: "txt")
    _ = document.validateTurns()
    let units = try Segmenter().units(of: document.text, turns: document.turns)
    let bytes = Array(text.utf8)
    try store.write(
      PreparedFile(
        source: path, contentHash: ContentHash.string(bytes), settingsHash: "s", size: bytes.count,
        documents: [PreparedDocument(document: document, units: units)]),
      importedAt: Date(timeIntervalSince1970: 0))
  }

  func remove() { try? FileManager.default.removeItem(at: root) }

  /// Every coding as an exported CSV (the whole visible state of the codings).
  func snapshot() throws -> String { CodingCSV.write(try codings.codings().map(\.coding)) }
}

/// The problems of a refused write (none, with an issue recorded, when it was accepted).
func problems(_ body: () throws -> Void) -> [CodingRowProblem] {
  do {
    try body()
  } catch let error as CodingStoreError {
    if case let .invalid(_, problems) = error { return problems }
    Issue.record("unexpected error \(error)")
    return []
  } catch {
    Issue.record("unexpected error \(error)")
    return []
  }
  Issue.record("the write was accepted")
  return []
}

@Suite struct HumanCodingStoreTests {
  @Test func migratesInItsOwnNamespaceAndTheCorpusStoreStillOpens() throws {
    let project = try CodingProject()
    defer { project.remove() }
    // Reopening the corpus store must not take the coding migration for a newer schema.
    let reopened = try ProjectStore(directory: project.store.directory, creating: false)
    #expect(try reopened.appliedSchemaVersions() == ["v1-corpus", "v2-outline", "v3-document-states"])
    _ = try CodingStore(projectStore: reopened)
    // A coding migration from a newer build is refused by name.
    try reopened.writeDatabase("test") { db in
      try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('coding/v99')")
    }
    #expect(throws: CodingStoreError.self) { try CodingStore(projectStore: reopened) }
    _ = try ProjectStore(directory: project.store.directory, creating: false)
  }

  @Test func addListRemoveRoundTrip() throws {
    let project = try CodingProject()
    defer { project.remove() }
    let date = Date(timeIntervalSince1970: 1_700_000_000)
    #expect(try project.codings.add(Coding(coder: "AB", document: 1, range: 6..<16, code: "Numérique", memo: "m"), at: date))
    #expect(try project.codings.add(Coding(coder: "CD", document: 1, range: 0..<4, code: "Acteurs/Élu"), at: date))
    // The same key again only replaces the memo.
    #expect(try !project.codings.add(Coding(coder: "AB", document: 1, range: 6..<16, code: "Numérique", memo: "n")))
    let listed = try project.codings.codings()
    #expect(listed.map(\.coding) == [
      Coding(coder: "CD", document: 1, range: 0..<4, code: "Acteurs/Élu", created: date),
      Coding(coder: "AB", document: 1, range: 6..<16, code: "Numérique", memo: "n", created: date),
    ])
    #expect(listed.allSatisfy { !$0.isStale && $0.documentPath == "Corpus/a.txt" })
    #expect(try project.codings.coders() == ["AB", "CD"])
    try project.codings.remove(coder: "AB", document: 1, range: 6..<16, code: "Numérique")
    #expect(try project.codings.codings().count == 1)
    #expect(throws: CodingStoreError.self) {
      try project.codings.remove(coder: "AB", document: 1, range: 6..<16, code: "Numérique")
    }
  }

  @Test func refusesRangesOffTheTextOrInsideACharacter() throws {
    let project = try CodingProject()
    defer { project.remove() }
    // "Élu": É is two bytes, so offset 1 is inside it.
    for (coding, field) in [
      (Coding(coder: "AB", document: 1, range: 1..<3, code: "A"), "start"),
      (Coding(coder: "AB", document: 1, range: 0..<1, code: "A"), "end"),
      (Coding(coder: "AB", document: 2, range: 0..<99, code: "A"), "end"),
      (Coding(coder: "AB", document: 7, range: 0..<1, code: "A"), "document"),
      (Coding(coder: "", document: 1, range: 0..<2, code: "A"), "coder"),
      (Coding(coder: "AB", document: 1, range: 0..<2, code: "A//B"), "code"),
    ] {
      #expect(problems { try project.codings.add(coding) }.map(\.field) == [field])
    }
    #expect(throws: CodingStoreError.self) {
      try project.codings.add(Coding(coder: "AB", document: 1, range: 0..<2, code: "Autre"), knownCodes: ["A"])
    }
    #expect(try project.codings.codings().isEmpty)
  }

  @Test func importWithBadRowsIsRejectedWholeAndChangesNothing() throws {
    let project = try CodingProject()
    defer { project.remove() }
    _ = try project.codings.importCSV(
      "coder,document,start,end,code\nAB,1,0,4,Acteurs\nAB,2,0,5,Acteurs\n", source: "first.csv")
    let before = try project.snapshot()
    let bad = """
      coder,document,start,end,code,memo
      CD,1,0,4,Acteurs,nouveau
      CD,9,0,4,Acteurs,
      CD,1,8,4,Acteurs,
      CD,1,1,4,Acteurs,
      CD,2,0,500,Acteurs,
      CD,1,0,4,,
      CD,Corpus/b.txt,0,5,Inconnu,
      CD,1,0,4,Acteurs,double

      """
    let problems = problems { _ = try project.codings.importCSV(bad, source: "bad.csv", knownCodes: ["Acteurs"]) }
    #expect(problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
    #expect(problems.map(\.field) == ["document", "end", "start", "end", "code", "code", ""])
    let message = CodingStoreError.invalid(source: "bad.csv", problems: problems).description
    #expect(message.hasPrefix("bad.csv: 7 bad rows; nothing was imported\nbad.csv:3: document: unknown document \"9\""))
    #expect(message.contains("bad.csv:8: code: unknown code \"Inconnu\": not in the codebook"))
    #expect(message.contains("bad.csv:9: repeats the coding of line 2"))
    #expect(try project.snapshot() == before)
    #expect(try project.codings.coders() == ["AB"])  // the new coder CD was not created either
  }

  @Test func exportImportExportIsIdentical() throws {
    let project = try CodingProject()
    defer { project.remove() }
    let file = "coder,document,start,end,code,memo\r\nZoé,2,0,5,\"Refus, net\",\"dit \"\"non\"\"\nfermement\"\r\nAB,1,0,4,Acteurs/Élu,\r\n"
    let summary = try project.codings.importCSV(file, source: "in.csv")
    #expect(summary == CodingImportSummary(added: 2, updated: 0))
    let exported = try project.snapshot()
    let other = try CodingProject()
    defer { other.remove() }
    _ = try other.codings.importCSV(exported, source: "exported.csv")
    #expect(try other.snapshot() == exported)
    // Documents may be named by path, and a re-import only updates memos.
    #expect(try project.codings.importCSV(exported, source: "again.csv") == CodingImportSummary(added: 0, updated: 2))
    #expect(exported.hasPrefix("coder,document,start,end,code,memo\r\nAB,1,0,4,Acteurs/Élu,\r\nZoé,2,0,5,"))
  }

  @Test func aChangedDocumentMakesItsCodingsStaleUntilConfirmed() throws {
    let project = try CodingProject()
    defer { project.remove() }
    try project.codings.add(Coding(coder: "AB", document: 2, range: 0..<5, code: "Acteurs"))
    try project.codings.add(Coding(coder: "AB", document: 2, range: 8..<13, code: "Refus"))
    // Re-import b.txt with a shorter text: same id, new content.
    try CodingProject.write(project.store, path: "Corpus/b.txt", text: "Maire : Oui\n")
    #expect(try project.codings.codings().map(\.isStale) == [true, true])
    let result = try project.codings.confirm(document: 2)
    #expect(result.confirmed == 1 && result.stillStale == 1)  // 8..<13 now ends past the 12-byte text
    #expect(try project.codings.codings().map(\.isStale) == [false, true])
    // A coded document cannot be deleted behind the codings' back.
    #expect(throws: (any Error).self) {
      try project.store.writeDatabase("delete") { db in try db.execute(sql: "DELETE FROM documents WHERE id = 2") }
    }
  }

  @Test func memosOnCodesAndDocuments() throws {
    let project = try CodingProject()
    defer { project.remove() }
    let date = Date(timeIntervalSince1970: 1_700_000_000)
    try project.codings.setMemo("Ce que disent les élus", onCode: "Acteurs/Élu", at: date)
    try project.codings.setMemo("Entretien court", onDocument: 2, at: date)
    try project.codings.setMemo("Entretien très court", onDocument: 2, at: date)
    #expect(try project.codings.memos() == [
      CodingMemo(target: .code("Acteurs/Élu"), text: "Ce que disent les élus", updated: date),
      CodingMemo(target: .document(2), text: "Entretien très court", updated: date),
    ])
    #expect(throws: CodingStoreError.self) { try project.codings.setMemo("x", onDocument: 42) }
    try project.codings.setMemo(nil, onCode: "Acteurs/Élu")
    #expect(try project.codings.memos().count == 1)
  }

}

@Suite struct HumanCodingTimestampTests {
  @Test func matchesFoundationsISO8601Formatter() {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    var random = UInt64(12345)
    for _ in 0..<2000 {
      random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      // Seconds from 1601 to 2400, whole seconds.
      let seconds = Double(Int64(random >> 20) % 25_200_000_000 - 11_644_473_600)
      let date = Date(timeIntervalSince1970: seconds)
      let text = CodingTimestamp.string(date)
      #expect(text == formatter.string(from: date), "\(seconds)")
      #expect(CodingTimestamp.date(text) == date)
    }
    #expect(CodingTimestamp.date("2026-02-30T00:00:00") == nil)
    #expect(CodingTimestamp.date("2024-02-29T23:59:59Z") == formatter.date(from: "2024-02-29T23:59:59Z"))
  }
}
