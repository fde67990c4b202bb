import Foundation
import GRDB

/// An error raised by the project store; messages name the project file and never quote
/// transcript text.
public enum ProjectStoreError: Error, Equatable, CustomStringConvertible {
  /// There is no project at this folder (read-only commands never create one).
  case missing(path: String)
  /// The project file could not be opened or created.
  case cannotOpen(path: String, reason: String)
  /// The project was written by a newer Verbatim, whose schema this build does not know.
  case newerSchema(path: String)
  /// A database operation failed (the transaction was rolled back).
  case database(path: String, operation: String, reason: String)

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .missing(path):
      "\(path): no Verbatim project here; run `verbatim import CORPUS` first, or give --project DIR"
    case let .cannotOpen(path, reason):
      "\(path): cannot open the project: \(reason)"
    case let .newerSchema(path):
      "\(path): the project was written by a newer version of Verbatim; upgrade verbatim to open it"
    case let .database(path, operation, reason):
      "\(path): cannot \(operation): \(reason); nothing was changed"
    }
  }
}

/// A sentence or segment as the store keeps it.
public struct StoredUnit: Sendable, Hashable {
  /// 1-based ordinal in the document.
  public var ordinal: Int
  /// 1-based ordinal of its turn.
  public var turn: Int
  /// UTF-8 byte range in the document text.
  public var range: Range<Int>
  /// Tokens of the analysis chain in the unit.
  public var tokenCount: Int
}

/// A turn as the store keeps it.
public struct StoredTurn: Sendable, Hashable {
  /// 1-based ordinal in the document.
  public var ordinal: Int
  /// The turn itself (speaker, ranges, times).
  public var turn: Turn
  /// Tokens of the analysis chain in the turn.
  public var tokenCount: Int
}

/// What the store knows of a document without its text: enough to decide whether a file
/// changed.
public struct StoredDocumentState: Sendable, Hashable {
  /// The document id, stable across re-imports.
  public var id: Int64
  /// The document's path (``ImportedDocument/path``).
  public var path: String
  /// The file it came from, relative like `path`.
  public var source: String
  /// ``ContentHash`` of the file's bytes when it was imported.
  public var contentHash: String
  /// The hash of the settings that shaped the import (metadata.csv rows, options).
  public var settingsHash: String
  /// The source file's size in bytes: the size of its text for a `.txt` import, an estimate
  /// for other formats (what `verbatim index` plans its segments with).
  public var size: Int = 0

  /// The version of the document as `verbatim index` records it: ``contentHash``, "/",
  /// ``settingsHash`` (a change of either re-imports, and so re-indexes, it).
  public var version: String { contentHash + "/" + settingsHash }
}

/// Every stored document's id, size and version (``StoredDocumentState/version``), in id
/// order, in a few flat arrays: about 70 bytes a document where ``StoredDocumentState``s take
/// about 400 (five strings each). What `verbatim index` and `search` compare with the index's
/// manifest, for every document, at every run: 157 MB of states at 4 GB (398,198 documents).
public struct StoredDocumentVersions: Sendable, Hashable {
  /// The document ids, ascending.
  public private(set) var ids: [Int64] = []
  /// The source files' sizes (``StoredDocumentState/size``), by index.
  public private(set) var sizes: [Int] = []
  /// Every version's UTF-8 bytes, one after the other; version `i` ends at `versionEnds[i]`.
  private var versionBytes: [UInt8] = []
  private var versionEnds: [Int] = []

  /// No document.
  public init() {}

  /// The versions of `states` (tests, tools), in the order given.
  public init(_ states: [StoredDocumentState]) {
    for state in states { append(id: state.id, size: state.size, contentHash: state.contentHash, settingsHash: state.settingsHash) }
  }

  /// The number of documents.
  public var count: Int { ids.count }

  /// Reserves room for `count` documents whose versions take about `bytesPerVersion` bytes,
  /// so that the arrays do not grow by copying (at 4 GB the version bytes were copied up to
  /// 52 MB while the manifest was read beside them).
  mutating func reserveCapacity(_ count: Int, bytesPerVersion: Int) {
    ids.reserveCapacity(count)
    sizes.reserveCapacity(count)
    versionEnds.reserveCapacity(count)
    versionBytes.reserveCapacity(count * bytesPerVersion)
  }

  mutating func append(id: Int64, size: Int, contentHash: String, settingsHash: String) {
    ids.append(id)
    sizes.append(size)
    versionBytes.append(contentsOf: contentHash.utf8)
    versionBytes.append(UInt8(ascii: "/"))
    versionBytes.append(contentsOf: settingsHash.utf8)
    versionEnds.append(versionBytes.count)
  }

  private func versionRange(at index: Int) -> Range<Int> {
    (index == 0 ? 0 : versionEnds[index - 1])..<versionEnds[index]
  }

  /// The version of the document at `index`.
  public func version(at index: Int) -> String {
    String(decoding: versionBytes[versionRange(at: index)], as: UTF8.self)
  }

  /// Calls `body` with the UTF-8 bytes of the version of the document at `index`.
  public func withVersionBytes<Result>(at index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    versionBytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[versionRange(at: index)])) }
  }

  /// Whether the document at `index` has the version `version` (compared without making a
  /// string).
  public func hasVersion(_ version: String, at index: Int) -> Bool {
    version.utf8.elementsEqual(versionBytes[versionRange(at: index)])
  }
}

/// One row of `verbatim corpus`: a document and its counts.
public struct DocumentSummary: Sendable, Hashable {
  /// The document id.
  public var id: Int64
  /// The document's path.
  public var path: String
  /// The source format (`txt`, `docx`…).
  public var format: String
  /// Distinct named speakers.
  public var speakerCount: Int
  /// Turns.
  public var turnCount: Int
  /// Sentences.
  public var sentenceCount: Int
  /// Segments.
  public var segmentCount: Int
  /// Tokens of the analysis chain inside turns.
  public var tokenCount: Int
  /// Metadata fields.
  public var metadata: [String: MetadataValue]
}

/// A stored document with its text and turns (what `verbatim show` needs).
public struct StoredDocument: Sendable, Hashable {
  /// The document id.
  public var id: Int64
  /// The document's path.
  public var path: String
  /// The source format.
  public var format: String
  /// The stored text; every offset points into its UTF-8 bytes.
  public var text: String
  /// Metadata fields.
  public var metadata: [String: MetadataValue]
  /// Turns in order.
  public var turns: [StoredTurn]
}

/// A document ready to be written: the importer's document and its units, validated.
public struct PreparedDocument: Sendable, Hashable {
  /// The document as imported (path, text, metadata, turns, format).
  public var document: ImportedDocument {
    didSet { outline = DocumentOutline(document: document, units: units).encoded() }
  }
  /// Its sentences, segments and token counts (``Segmenter``).
  public var units: DocumentUnits {
    didSet {
      unitRows = Self.unitRows(units)
      outline = DocumentOutline(document: document, units: units).encoded()
    }
  }
  /// The encoded ``DocumentOutline``, made here like ``unitRows``.
  private(set) var outline: [UInt8]
  /// Paragraphs, sentences and segments as the JSON arrays the store inserts from, made here
  /// (on the thread that prepares the document) rather than in the one writing transaction.
  private(set) var unitRows: [String]

  /// Creates a prepared document.
  public init(document: ImportedDocument, units: DocumentUnits) {
    self.document = document
    self.units = units
    unitRows = Self.unitRows(units)
    outline = DocumentOutline(document: document, units: units).encoded()
  }

  /// `[[turn ordinal, start, end, tokens], …]` for paragraphs, sentences and segments.
  private static func unitRows(_ units: DocumentUnits) -> [String] {
    [units.paragraphs, units.sentences, units.segments].map { list in
      var json = "["
      json.reserveCapacity(list.count * 24)
      for (index, unit) in list.enumerated() {
        if index > 0 { json += "," }
        json += "[\(unit.turn + 1),\(unit.range.lowerBound),\(unit.range.upperBound),\(unit.tokenCount)]"
      }
      return json + "]"
    }
  }
}

/// One source file ready to be written in one transaction: one document for most formats,
/// one per row for csv and jsonl.
public struct PreparedFile: Sendable, Hashable {
  /// The file's path relative to the imported folder's parent (`Corpus/a.txt`).
  public var source: String
  /// ``ContentHash`` of the file's bytes.
  public var contentHash: String
  /// The hash of the settings that shaped the import.
  public var settingsHash: String
  /// The file's size in bytes.
  public var size: Int
  /// Its documents.
  public var documents: [PreparedDocument]

  /// Creates a prepared file.
  public init(source: String, contentHash: String, settingsHash: String, size: Int, documents: [PreparedDocument]) {
    self.source = source
    self.contentHash = contentHash
    self.settingsHash = settingsHash
    self.size = size
    self.documents = documents
  }
}

extension ImportedDocument {
  /// Checks the turns an importer produced before anything is stored: each range inside the
  /// text and on character boundaries, turns in order without overlap, label ranges likewise
  /// inside the text. A document without turns gets one unnamed turn over its text (trimmed
  /// of ASCII whitespace).
  ///
  ///     var document = ImportedDocument(path: "a.txt", text: "\n Bonjour. \n", format: "txt")
  ///     document.validateTurns()   // nil; document.turns == [Turn(speaker: nil, range: 2..<10)]
  ///
  /// - Returns: the problem (an importer bug, worded for the user), or nil.
  public mutating func validateTurns() -> String? {
    let bytes = Array(text.utf8)
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
    if turns.isEmpty {
      if let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) {
        turns = [Turn(speaker: nil, range: first..<(last + 1))]
      }
      return nil
    }
    func isBoundary(_ offset: Int) -> Bool {
      offset == bytes.count || (offset >= 0 && offset < bytes.count && bytes[offset] & 0xC0 != 0x80)
    }
    var previousEnd = 0
    for (index, turn) in turns.enumerated() {
      for range in [turn.range] + (turn.labelRange.map { [$0] } ?? []) {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count, isBoundary(range.lowerBound),
          isBoundary(range.upperBound)
        else {
          return "turn \(index + 1) has an invalid range (an importer bug; please report it)"
        }
      }
      guard turn.range.lowerBound >= previousEnd else {
        return "turn \(index + 1) overlaps the previous turn (an importer bug; please report it)"
      }
      previousEnd = turn.range.upperBound
    }
    return nil
  }
}

/// What writing a document did.
public enum DocumentWrite: Sendable, Hashable {
  /// A new document, with its new id.
  case inserted(path: String, id: Int64)
  /// An existing document replaced in place, keeping its id.
  case replaced(path: String, id: Int64)
}

/// The project store: `project.sqlite` in the project folder (`.verbatim/` by default),
/// through GRDB in WAL mode.
///
/// It keeps documents (path, content hash, text, metadata), speaker turns, sentences and
/// segments (see ``ProjectStore/migrator`` for the schema). Each file is written in one
/// transaction: a failure rolls everything of that file back and leaves the previous version
/// intact. Several processes may read while one writes; a second writer waits up to 10 s.
///
///     let store = try ProjectStore(directory: URL(fileURLWithPath: ".verbatim"), creating: true)
///     try store.write(preparedFile, importedAt: Date())
///
/// `Sendable`: GRDB's `DatabasePool` serialises writes and runs reads concurrently.
public final class ProjectStore: Sendable {
  /// The file name of the store inside the project folder.
  public static let fileName = "project.sqlite"

  /// The project folder.
  public let directory: URL
  /// `directory/project.sqlite`.
  public let fileURL: URL
  let pool: DatabasePool

  /// Opens the project in `directory`, creating the folder and the database when `creating`
  /// is true, and migrates the schema to the current version.
  ///
  /// - Throws: ``ProjectStoreError/missing(path:)`` when there is no project and `creating`
  ///   is false; ``ProjectStoreError/newerSchema(path:)`` for a project from a newer build;
  ///   ``ProjectStoreError/cannotOpen(path:reason:)`` otherwise.
  public init(directory: URL, creating: Bool) throws(ProjectStoreError) {
    self.directory = directory
    fileURL = directory.appendingPathComponent(Self.fileName)
    let path = fileURL.path
    let manager = FileManager.default
    if !manager.fileExists(atPath: path) {
      guard creating else { throw .missing(path: directory.path) }
      do {
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
      } catch {
        throw .cannotOpen(path: directory.path, reason: Self.reason(error))
      }
    }
    var configuration = Configuration()
    configuration.foreignKeysEnabled = true
    configuration.busyMode = .timeout(10)
    configuration.label = "verbatim.project"
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
    } catch {
      throw .cannotOpen(path: path, reason: Self.reason(error))
    }
    let migrator = Self.migrator
    do {
      if try pool.read({ try Self.isSuperseded(migrator, namespace: nil, $0) }) {
        throw ProjectStoreError.newerSchema(path: path)
      }
      try migrator.migrate(pool)
    } catch let error as ProjectStoreError {
      throw error
    } catch {
      throw .cannotOpen(path: path, reason: Self.reason(error))
    }
  }

  /// The schema versions applied to this project, oldest first.
  public func appliedSchemaVersions() throws(ProjectStoreError) -> [String] {
    try reading("read the schema version") { db in try Self.migrator.appliedMigrations(db) }
  }

  // MARK: - Writing

  /// Writes one file's documents in one transaction.
  ///
  /// A document whose path is already stored is replaced in place: its row is updated (same
  /// id) and its metadata, turns, sentences and segments are deleted and written anew. Other
  /// documents are inserted. Documents stored before from this file but absent now are left
  /// as they are (the caller reports them as vanished).
  ///
  /// - Throws: ``ProjectStoreError/database(path:operation:reason:)``; then nothing of this
  ///   file was written.
  @discardableResult
  public func write(_ file: PreparedFile, importedAt: Date) throws(ProjectStoreError) -> [DocumentWrite] {
    let timestamp = Self.timestamp(importedAt)
    return try writing("store \(file.source)") { db in
      var results: [DocumentWrite] = []
      for prepared in file.documents {
        results.append(try Self.write(prepared, of: file, timestamp: timestamp, in: db))
      }
      return results
    }
  }

  private static func write(
    _ prepared: PreparedDocument, of file: PreparedFile, timestamp: String, in db: Database
  ) throws -> DocumentWrite {
    let document = prepared.document
    let units = prepared.units
    let existing = try Int64.fetchOne(db, sql: "SELECT id FROM documents WHERE path = ?", arguments: [document.path])
    let id: Int64
    let result: DocumentWrite
    if let existing {
      id = existing
      for table in ["segments", "sentences", "paragraphs", "turns", "metadata"] {
        try db.execute(sql: "DELETE FROM \(table) WHERE document_id = ?", arguments: [id])
      }
      try db.execute(
        sql: """
          UPDATE documents SET source = ?, format = ?, content_hash = ?, settings_hash = ?, size = ?,
            text = ?, imported_at = ?, outline = ? WHERE id = ?
          """,
        arguments: Self.arguments([
          file.source, document.format, file.contentHash, file.settingsHash, file.size, document.text, timestamp,
          Data(prepared.outline), id,
        ]))
      result = .replaced(path: document.path, id: id)
    } else {
      try db.execute(
        sql: """
          INSERT INTO documents (path, source, format, content_hash, settings_hash, size, text, imported_at, outline)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: Self.arguments([
          document.path, file.source, document.format, file.contentHash, file.settingsHash, file.size, document.text,
          timestamp, Data(prepared.outline),
        ]))
      id = db.lastInsertedRowID
      result = .inserted(path: document.path, id: id)
    }
    let metadata = try db.cachedStatement(
      sql: "INSERT INTO metadata (document_id, field, type, value) VALUES (?, ?, ?, ?)")
    for (field, value) in document.metadata.sorted(by: { $0.key < $1.key }) {
      try metadata.execute(arguments: Self.arguments([id, field, value.typeName, databaseValue(value)]))
    }
    let turns = try db.cachedStatement(
      sql: """
        INSERT INTO turns (document_id, ordinal, speaker, start, "end", label_start, label_end, start_time,
          end_time, tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    for (index, turn) in document.turns.enumerated() {
      let tokens = index < units.turnTokenCounts.count ? units.turnTokenCounts[index] : 0
      let values: [(any DatabaseValueConvertible)?] = [
        id, index + 1, turn.speaker, turn.range.lowerBound, turn.range.upperBound, turn.labelRange?.lowerBound,
        turn.labelRange?.upperBound, turn.startTime, turn.endTime, tokens,
      ]
      try turns.execute(arguments: StatementArguments(values))
    }
    // Sentences and segments are many: one statement per table reads them from a JSON array
    // of [turn, start, end, tokens] (SQLite's json_each), which avoids binding every row.
    for (index, (table, list)) in [
      ("paragraphs", units.paragraphs), ("sentences", units.sentences), ("segments", units.segments),
    ].enumerated() where !list.isEmpty {
      let statement = try db.cachedStatement(
        sql: """
          INSERT INTO \(table) (document_id, ordinal, turn, start, "end", tokens)
          SELECT ?, key + 1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
            json_extract(value, '$[3]')
          FROM json_each(?)
          """)
      try statement.execute(arguments: [id, prepared.unitRows[index]])
    }
    return result
  }

  private static func arguments(_ values: [any DatabaseValueConvertible]) -> StatementArguments {
    StatementArguments(values)
  }

  private static func databaseValue(_ value: MetadataValue) -> DatabaseValue {
    switch value {
    case let .integer(integer): integer.databaseValue
    case let .text(text): text.databaseValue
    case let .date(date): date.databaseValue
    }
  }

  // MARK: - Reading

  /// What ``documentStates()`` reads: every column it needs is in the covering index
  /// `documents_state` (schema version 3), so SQLite scans that index, not the table's rows
  /// and their texts.
  static let documentStatesSQL = "SELECT id, path, source, content_hash, settings_hash, size FROM documents ORDER BY id"

  /// Every stored document's id, size and version, in id order (the same query as
  /// ``documentStates()``, held compactly).
  public func documentVersions() throws(ProjectStoreError) -> StoredDocumentVersions {
    try reading("list documents") { db in
      let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? 0
      let rows = try Row.fetchCursor(db, sql: Self.documentStatesSQL)
      var versions = StoredDocumentVersions()
      while let row = try rows.next() {
        let contentHash: String = row[3]
        let settingsHash: String = row[4]
        if versions.count == 0 {
          // Versions are hashes of one length, usually: sized by the first (a longer one
          // later only grows the array).
          versions.reserveCapacity(count, bytesPerVersion: contentHash.utf8.count + 1 + settingsHash.utf8.count)
        }
        versions.append(id: row[0], size: row[5], contentHash: contentHash, settingsHash: settingsHash)
      }
      return versions
    }
  }

  /// Every stored document's id, path, source and hashes, in id order.
  public func documentStates() throws(ProjectStoreError) -> [StoredDocumentState] {
    try reading("list documents") { db in
      // Columns by index: a lookup by name lowercases the name for every row.
      var states: [StoredDocumentState] = []
      // Counted first: grown by doubling, the array was held twice at its last growth.
      states.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? 0)
      let rows = try Row.fetchCursor(db, sql: Self.documentStatesSQL)
      var settingsHash = ""
      while let row = try rows.next() {
        // Strings shared where the values are equal (most documents of a folder share their
        // settings' hash; a text file's one document has its source's path): at 1 GB, 24.7 →
        // 12.3 MB of strings.
        let path: String = row[1]
        let source: String = row[2]
        let settings: String = row[4]
        if settings != settingsHash { settingsHash = settings }
        states.append(
          StoredDocumentState(
            id: row[0], path: path, source: source == path ? path : source, contentHash: row[3],
            settingsHash: settingsHash, size: row[5]))
      }
      return states
    }
  }

  /// One summary per document, in id order, with counts and metadata.
  public func documentSummaries() throws(ProjectStoreError) -> [DocumentSummary] {
    try reading("list documents") { db in
      var metadata: [Int64: [String: MetadataValue]] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT document_id, field, type, value FROM metadata") {
        let id: Int64 = row["document_id"]
        metadata[id, default: [:]][row["field"]] = Self.metadataValue(type: row["type"], value: row["value"])
      }
      return try Row.fetchAll(
        db,
        sql: """
          SELECT d.id, d.path, d.format,
            (SELECT COUNT(DISTINCT speaker) FROM turns WHERE document_id = d.id) AS speakers,
            (SELECT COUNT(*) FROM turns WHERE document_id = d.id) AS turns,
            (SELECT COUNT(*) FROM sentences WHERE document_id = d.id) AS sentences,
            (SELECT COUNT(*) FROM segments WHERE document_id = d.id) AS segments,
            (SELECT COALESCE(SUM(tokens), 0) FROM turns WHERE document_id = d.id) AS tokens
          FROM documents d ORDER BY d.id
          """
      ).map { row in
        let id: Int64 = row["id"]
        return DocumentSummary(
          id: id, path: row["path"], format: row["format"], speakerCount: row["speakers"], turnCount: row["turns"],
          sentenceCount: row["sentences"], segmentCount: row["segments"], tokenCount: row["tokens"],
          metadata: metadata[id] ?? [:])
      }
    }
  }

  /// The document with this id, with its text, metadata and turns; nil when there is none.
  public func document(id: Int64) throws(ProjectStoreError) -> StoredDocument? {
    try reading("read document \(id)") { db in try Self.document(where: "id = ?", id, in: db) }
  }

  /// The document with this id and its units of `kind` (none for `nil`), read in one
  /// transaction: a search describes its documents one after another, and each read costs a
  /// transaction of its own.
  public func document(id: Int64, units kind: UnitKind?) throws(ProjectStoreError) -> (
    document: StoredDocument, units: [StoredUnit]
  )? {
    try reading("read document \(id)") { db in
      guard let document = try Self.document(where: "id = ?", id, in: db) else { return nil }
      return (document, try kind.map { try Self.units(of: id, in: $0.rawValue, db) } ?? [])
    }
  }

  /// The texts of `ids` as UTF-8 bytes with their encoded ``DocumentOutline``, in the order
  /// given, read in one transaction; an id with no document is left out. A copy of what
  /// ``forEachText(ofDocuments:outlines:_:)`` shows in place (tests and small reads).
  public func textBytes(ofDocuments ids: some Collection<Int64>) throws(ProjectStoreError)
    -> [(id: Int64, utf8: [UInt8], outline: [UInt8])]
  {
    var texts: [(id: Int64, utf8: [UInt8], outline: [UInt8])] = []
    texts.reserveCapacity(ids.count)
    try forEachText(ofDocuments: ids) { id, text, outline in texts.append((id, [UInt8](text), [UInt8](outline))) }
    return texts
  }

  /// Calls `body` with the text of each of `ids` as UTF-8 bytes and its encoded
  /// ``DocumentOutline``, in the order given, in one read transaction; an id with no document
  /// is left out. The bytes are SQLite's own, valid only during the call: no `String` and no
  /// array is made, so `verbatim index` copies each text once, straight into the run its
  /// workers analyse (an array per text, freshly faulted in after each flush's `malloc_trim`,
  /// cost the reading thread a quarter of its time at 1 GB). A read transaction per document
  /// cost 13 % of a core beside the worker at `--jobs 1` on a 1 GB corpus (96,468 documents),
  /// so the caller passes batches. A document imported before outlines were stored (schema
  /// version 1) gets one made from its rows.
  /// With `outlines: false` the outline passed is empty (none is read or made).
  public func forEachText(
    ofDocuments ids: some Collection<Int64>, outlines: Bool = true,
    _ body: (_ id: Int64, _ text: UnsafeRawBufferPointer, _ outline: UnsafeRawBufferPointer) -> Void
  ) throws(ProjectStoreError) {
    try reading("read documents") { db in
      let statement = try db.cachedStatement(
        sql: outlines ? "SELECT text, outline FROM documents WHERE id = ?" : "SELECT text, x'' FROM documents WHERE id = ?")
      for id in ids {
        let rows = try Row.fetchCursor(statement, arguments: [id])
        guard let row = try rows.next() else { continue }
        try row.withUnsafeData(atIndex: 0) { text in
          guard let text else { return }
          try row.withUnsafeData(atIndex: 1) { outline in
            let made = try outline == nil && outlines ? Self.outline(of: id, db) : []
            text.withUnsafeBytes { text in
              if let outline {
                outline.withUnsafeBytes { body(id, text, $0) }
              } else {
                made.withUnsafeBytes { body(id, text, $0) }
              }
            }
          }
        }
      }
    }
  }

  /// The outline of document `id` made from its rows (for documents stored without one).
  private static func outline(of id: Int64, _ db: Database) throws -> [UInt8] {
    guard let document = try document(where: "id = ?", id, in: db) else { return [] }
    func units(_ table: String) throws -> [DocumentOutline.Unit] {
      try Self.units(of: id, in: table, db).map { DocumentOutline.Unit(turn: $0.turn, range: $0.range) }
    }
    return DocumentOutline(
      turns: document.turns.map { DocumentOutline.Turn(range: $0.turn.range, speaker: $0.turn.speaker) },
      sentences: try units("sentences"), segments: try units("segments"),
      metadata: document.metadata.mapValues(\.description)
    ).encoded()
  }

  /// The document with this exact path; nil when there is none.
  public func document(path: String) throws(ProjectStoreError) -> StoredDocument? {
    try reading("read a document") { db in try Self.document(where: "path = ?", path, in: db) }
  }

  /// The paths of the documents whose path ends with `/suffix` (for `show a.txt`).
  public func documentPaths(endingWith suffix: String) throws(ProjectStoreError) -> [String] {
    try reading("find a document") { db in
      try String.fetchAll(db, sql: "SELECT path FROM documents ORDER BY id").filter { $0.hasSuffix("/" + suffix) }
    }
  }

  /// The sentences (`segments: false`) or segments of a document, in order.
  public func units(documentID: Int64, segments: Bool) throws(ProjectStoreError) -> [StoredUnit] {
    try units(documentID: documentID, kind: segments ? .segment : .sentence)
  }

  /// The kinds of stored text units below the turn.
  public enum UnitKind: String, Sendable, CaseIterable {
    case paragraph = "paragraphs", sentence = "sentences", segment = "segments"
  }

  /// The paragraphs, sentences or segments of a document, in order.
  public func units(documentID: Int64, kind: UnitKind) throws(ProjectStoreError) -> [StoredUnit] {
    let table = kind.rawValue
    return try reading("read \(table)") { db in try Self.units(of: documentID, in: table, db) }
  }

  /// A search or a coding run reads documents one after another: each statement is compiled
  /// once per connection (`cachedStatement`), and columns are read by index (a lookup by name
  /// lowercases the name for every row). Measured on a 1 GB project (96,468 documents), with
  /// ``document(id:units:)``: `verbatim search point` (174,470 hits in 62,815 documents) went
  /// from 16.3 s to 5.2 s; compiling the statements for every document was most of it.
  private static func units(of documentID: Int64, in table: String, _ db: Database) throws -> [StoredUnit] {
    let rows = try Row.fetchCursor(
      db.cachedStatement(
        sql: "SELECT ordinal, turn, start, \"end\", tokens FROM \(table) WHERE document_id = ? ORDER BY ordinal"),
      arguments: [documentID])
    var units: [StoredUnit] = []
    while let row = try rows.next() {
      let start: Int = row[2]
      let end: Int = row[3]
      units.append(StoredUnit(ordinal: row[0], turn: row[1], range: start..<end, tokenCount: row[4]))
    }
    return units
  }

  private static func document(where condition: String, _ argument: any DatabaseValueConvertible, in db: Database)
    throws -> StoredDocument?
  {
    // Statements compiled once per connection and columns read by index: see units(of:in:_:).
    // A cursor's row is read in place; `fetchOne` would copy it, column names included.
    let documents = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT id, path, format, text FROM documents WHERE \(condition)"),
      arguments: [argument])
    guard let row = try documents.next() else { return nil }
    let id: Int64 = row[0]
    let path: String = row[1]
    let format: String = row[2]
    let text: String = row[3]
    var metadata: [String: MetadataValue] = [:]
    let fields = try Row.fetchCursor(
      db.cachedStatement(sql: "SELECT field, type, value FROM metadata WHERE document_id = ?"), arguments: [id])
    while let field = try fields.next() {
      metadata[field[0]] = metadataValue(type: field[1], value: field[2])
    }
    let rows = try Row.fetchCursor(
      db.cachedStatement(
        sql: """
          SELECT ordinal, speaker, start, "end", label_start, label_end, start_time, end_time, tokens
          FROM turns WHERE document_id = ? ORDER BY ordinal
          """), arguments: [id])
    var turns: [StoredTurn] = []
    while let turn = try rows.next() {
      let start: Int = turn[2]
      let end: Int = turn[3]
      let labelStart: Int? = turn[4]
      let labelEnd: Int? = turn[5]
      var label: Range<Int>?
      if let labelStart, let labelEnd, labelStart <= labelEnd { label = labelStart..<labelEnd }
      turns.append(
        StoredTurn(
          ordinal: turn[0],
          turn: Turn(speaker: turn[1], range: start..<end, labelRange: label, startTime: turn[6], endTime: turn[7]),
          tokenCount: turn[8]))
    }
    return StoredDocument(id: id, path: path, format: format, text: text, metadata: metadata, turns: turns)
  }

  private static func metadataValue(type: String, value: DatabaseValue) -> MetadataValue {
    switch (type, value.storage) {
    case let ("integer", .int64(integer)): .integer(Int(integer))
    case let ("date", .string(date)): .date(date)
    case let (_, .string(text)): .text(text)
    case let (_, .int64(integer)): .text(String(integer))
    case let (_, .double(number)): .text(String(number))
    default: .text("")
    }
  }

  // MARK: - Plumbing

  /// Runs raw SQL in one transaction (tests and maintenance only: no arguments, no results).
  func execute(rawSQL sql: String) throws(ProjectStoreError) {
    try writing("run maintenance SQL") { db in try db.execute(sql: sql) }
  }

  /// The first column of the first row of a raw query, as an integer (tests only).
  func integer(rawSQL sql: String) throws(ProjectStoreError) -> Int? {
    try reading("run a query") { db in try Int.fetchOne(db, sql: sql) }
  }

  private func reading<T>(_ operation: String, _ body: (Database) throws -> T) throws(ProjectStoreError) -> T {
    do {
      return try pool.read(body)
    } catch {
      throw .database(path: fileURL.path, operation: operation, reason: Self.reason(error))
    }
  }

  private func writing<T>(_ operation: String, _ body: (Database) throws -> T) throws(ProjectStoreError) -> T {
    do {
      return try pool.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(db)
          return .commit
        }
        guard let result else { throw ProjectStoreError.database(path: "", operation: operation, reason: "no result") }
        return result
      }
    } catch {
      throw .database(path: fileURL.path, operation: operation, reason: Self.reason(error))
    }
  }

  /// A reason that names the failure without SQL arguments (which could hold transcript text).
  static func reason(_ error: any Error) -> String {
    if let error = error as? DatabaseError {
      return error.message ?? "SQLite error \(error.resultCode.rawValue)"
    }
    if let error = error as? ProjectStoreError { return error.description }
    return String(describing: error)
  }

  static func timestamp(_ date: Date) -> String { UTCTimestamp.string(date) }
}
