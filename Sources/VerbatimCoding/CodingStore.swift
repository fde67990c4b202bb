import Foundation
import GRDB
import VerbatimCorpus

/// An error of the coding store; messages name the line and field, never transcript text.
public enum CodingStoreError: Error, CustomStringConvertible {
  /// The project store failed (or there is no project).
  case store(ProjectStoreError)
  /// Codings were refused; nothing was stored. Each problem names its line (0 for codings
  /// given as command-line options) and field.
  case invalid(source: String, problems: [CodingRowProblem])
  /// No stored coding has this key.
  case noSuchCoding(coder: String, document: Int64, range: Range<Int>, code: String)

  /// The message for stderr; for ``invalid(source:problems:)`` one line per problem.
  public var description: String {
    switch self {
    case let .store(error): return error.description
    case let .invalid(source, problems):
      let rows = Set(problems.map(\.line)).count
      var lines: [String]
      if problems.allSatisfy({ $0.line == 0 }) {
        lines = problems.map { "\(source): \($0.field.isEmpty ? "" : "--\($0.field) ")\($0.message)" }
      } else {
        lines = ["\(source): \(rows) bad \(rows == 1 ? "row" : "rows"); nothing was imported"]
        lines += problems.map { "\(source):\($0.line): \($0.field.isEmpty ? "" : "\($0.field): ")\($0.message)" }
      }
      return lines.joined(separator: "\n")
    case let .noSuchCoding(coder, document, range, code):
      return
        "no coding by \(coder) of document \(document) at \(range.lowerBound)..<\(range.upperBound) with code \(code); `verbatim coding list` shows them"
    }
  }
}

/// A coding as stored, with what the store knows about it.
public struct StoredCoding: Sendable, Hashable {
  /// The coding (coder, document, range, code, memo, creation time).
  public var coding: Coding
  /// The document's path.
  public var documentPath: String
  /// True when the document's text changed since the coding was made (a re-import of a
  /// changed file): the range may no longer point at the passage the coder meant.
  public var isStale: Bool
}

/// A memo on a code or on a document.
public struct CodingMemo: Sendable, Hashable {
  /// What a memo is about.
  public enum Target: Sendable, Hashable {
    /// A code path.
    case code(String)
    /// A document id.
    case document(Int64)
  }

  /// The code or document.
  public var target: Target
  /// The memo's text.
  public var text: String
  /// When it was last written.
  public var updated: Date?

  /// Creates a value.
  public init(target: Target, text: String, updated: Date? = nil) {
    self.target = target
    self.text = text
    self.updated = updated
  }
}

/// What an import did.
public struct CodingImportSummary: Sendable, Hashable {
  /// Rows that added a coding.
  public var added: Int
  /// Rows whose coding was already stored (its memo was replaced by the file's).
  public var updated: Int

  /// Creates a value.
  public init(added: Int, updated: Int) {
    self.added = added
    self.updated = updated
  }
}

/// Human codings, coders and memos, kept in the project's `project.sqlite` beside the
/// corpus (schema: ``CodingStore/migrator``).
///
/// Every coding names a stored document and a non-empty UTF-8 range inside its text whose
/// ends are on code point boundaries (not inside a multi-byte character). Each coding keeps
/// the XXH64 of the document text it was made on (`text_hash`): when a re-import changes the
/// text, the coding is kept but reported stale (``StoredCoding/isStale``), listed as such,
/// and left out of analyses until confirmed (``confirm(document:)``) or removed. A document
/// that has codings cannot be deleted from the store (the foreign key refuses it), so
/// codings never point at a vanished document.
///
///     let codings = try CodingStore(directory: URL(fileURLWithPath: ".verbatim"))
///     try codings.add(Coding(coder: "AB", document: 1, range: 0..<12, code: "Équipement"))
///
/// Writes are single transactions: a batch with any bad row stores nothing.
public final class CodingStore: Sendable {
  /// The project store whose database holds the codings.
  public let projectStore: ProjectStore

  /// Opens the coding tables of a project, migrating them to the current version.
  public init(projectStore: ProjectStore) throws(CodingStoreError) {
    self.projectStore = projectStore
    do {
      try projectStore.migrateExtension(Self.migrator, namespace: Self.namespace)
    } catch {
      throw .store(error)
    }
  }

  /// Opens the project in `directory` (which must exist unless `creating`) and its coding tables.
  public convenience init(directory: URL, creating: Bool = false) throws(CodingStoreError) {
    let store: ProjectStore
    do {
      store = try ProjectStore(directory: directory, creating: creating)
    } catch {
      throw .store(error)
    }
    try self.init(projectStore: store)
  }

  /// The namespace of the coding migrations in `project.sqlite`.
  public static let namespace = "coding"

  /// The coding tables, one GRDB migration per version.
  ///
  /// Version 1 (`coding/v1`):
  ///
  /// - `coders(id, name UNIQUE, created)`;
  /// - `codings(id, coder_id → coders, document_id → documents, start, end, code, memo,
  ///   created, text_hash)`, unique on `(coder_id, document_id, start, end, code)`;
  ///   `start < end`; `text_hash` is ``ContentHash`` of the document text when the coding was
  ///   made or last confirmed; the document reference has no cascade, so deleting a coded
  ///   document fails;
  /// - `code_memos(code PRIMARY KEY, memo, updated)` and
  ///   `document_memos(document_id PRIMARY KEY → documents ON DELETE CASCADE, memo, updated)`.
  public static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("coding/v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE coders (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE CHECK (name <> ''),
            created TEXT NOT NULL
          );
          CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            document_id INTEGER NOT NULL REFERENCES documents(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            code TEXT NOT NULL CHECK (code <> ''),
            memo TEXT,
            created TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            CHECK (start >= 0 AND start < "end"),
            UNIQUE (coder_id, document_id, start, "end", code)
          );
          CREATE INDEX codings_document ON codings(document_id, start);
          CREATE TABLE code_memos (
            code TEXT PRIMARY KEY CHECK (code <> ''),
            memo TEXT NOT NULL,
            updated TEXT NOT NULL
          );
          CREATE TABLE document_memos (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            memo TEXT NOT NULL,
            updated TEXT NOT NULL
          );
          """)
    }
    return migrator
  }

  // MARK: - Writing codings

  /// Adds one coding (or replaces the memo of the same stored coding).
  ///
  /// - Parameter knownCodes: when given, the code must be one of them (a codebook's paths).
  /// - Returns: true when the coding is new.
  /// - Throws: ``CodingStoreError/invalid(source:problems:)`` naming each bad field (line 0).
  @discardableResult
  public func add(_ coding: Coding, knownCodes: Set<String>? = nil, at date: Date = Date()) throws(CodingStoreError)
    -> Bool
  {
    let row = CodingRow(
      line: 0, coder: coding.coder, document: String(coding.document), range: coding.range, code: coding.code,
      memo: coding.memo)
    var problems: [CodingRowProblem] = []
    if let message = CodingCSV.problem(withCoder: coding.coder) { problems.append(.init(line: 0, field: "coder", message: message)) }
    if let message = CodingCSV.problem(withCode: coding.code) { problems.append(.init(line: 0, field: "code", message: message)) }
    if coding.range.isEmpty { problems.append(.init(line: 0, field: "end", message: "equals start: the range is empty")) }
    guard problems.isEmpty else { throw .invalid(source: "coding", problems: problems) }
    let summary = try store([row], source: "coding", knownCodes: knownCodes, date: date)
    return summary.added == 1
  }

  /// Imports parsed rows in one transaction: every row is checked against the project
  /// (document, range, boundaries, known codes, duplicates in the batch) before anything is
  /// written, and a batch with any bad row stores nothing.
  ///
  /// - Parameter source: the file name used in error messages.
  /// - Throws: ``CodingStoreError/invalid(source:problems:)`` with every bad row.
  public func importRows(
    _ rows: [CodingRow], source: String, knownCodes: Set<String>? = nil, at date: Date = Date()
  ) throws(CodingStoreError) -> CodingImportSummary {
    try store(rows, source: source, knownCodes: knownCodes, date: date)
  }

  /// Parses a codings CSV text and imports it (``CodingCSV/parse(_:)``, then
  /// ``importRows(_:source:knownCodes:at:)``); syntax and project problems are reported
  /// together, and nothing is stored unless every row is good.
  public func importCSV(_ text: String, source: String, knownCodes: Set<String>? = nil, at date: Date = Date())
    throws(CodingStoreError) -> CodingImportSummary
  {
    let (rows, syntaxProblems) = CodingCSV.parse(text)
    if rows.isEmpty && !syntaxProblems.isEmpty { throw .invalid(source: source, problems: syntaxProblems) }
    return try store(rows, source: source, knownCodes: knownCodes, date: date, extraProblems: syntaxProblems)
  }

  private func store(
    _ rows: [CodingRow], source: String, knownCodes: Set<String>?, date: Date,
    extraProblems: [CodingRowProblem] = []
  ) throws(CodingStoreError) -> CodingImportSummary {
    let timestamp = Self.timestamp(date)
    do {
      return try projectStore.writeDatabase("store codings") { db in
        var problems = extraProblems
        var texts: [Int64: (bytes: [UInt8], hash: String)] = [:]
        var documentByName: [String: Int64?] = [:]
        var firstLine: [String: Int] = [:]
        var valid: [(row: CodingRow, document: Int64)] = []
        for row in rows {
          var rowProblems: [CodingRowProblem] = []
          func problem(_ field: String, _ message: String) {
            rowProblems.append(CodingRowProblem(line: row.line, field: field, message: message))
          }
          let resolved: Int64?
          if let cached = documentByName[row.document] {
            resolved = cached
          } else {
            resolved = try Self.resolveDocument(row.document, in: db)
            documentByName[row.document] = resolved
          }
          if let id = resolved {
            if texts[id] == nil, let text = try String.fetchOne(db, sql: "SELECT text FROM documents WHERE id = ?", arguments: [id]) {
              let bytes = Array(text.utf8)
              texts[id] = (bytes, ContentHash.string(bytes))
            }
            let bytes = texts[id]?.bytes ?? []
            if row.range.upperBound > bytes.count {
              problem("end", "\(row.range.upperBound) is out of range: document \(id) has \(bytes.count) bytes")
            } else {
              for (field, offset) in [("start", row.range.lowerBound), ("end", row.range.upperBound)]
              where offset < bytes.count && bytes[offset] & 0xC0 == 0x80 {
                problem(field, "\(offset) is not on a character boundary (inside a multi-byte UTF-8 character)")
              }
            }
            let key = "\(row.coder)\u{0}\(id)\u{0}\(row.range.lowerBound)\u{0}\(row.range.upperBound)\u{0}\(row.code)"
            if let first = firstLine[key] {
              problem("", "repeats the coding of line \(first) (same coder, document, start, end and code)")
            } else {
              firstLine[key] = row.line
            }
          } else {
            problem("document", "unknown document \"\(row.document)\"; `verbatim corpus` lists the ids")
          }
          if let knownCodes, !knownCodes.contains(row.code) {
            problem("code", "unknown code \"\(row.code)\": not in the codebook")
          }
          if rowProblems.isEmpty, let id = resolved { valid.append((row, id)) }
          problems += rowProblems
        }
        if !problems.isEmpty {
          throw CodingStoreError.invalid(
            source: source, problems: problems.sorted { ($0.line, $0.field) < ($1.line, $1.field) })
        }
        var summary = CodingImportSummary(added: 0, updated: 0)
        var coderIDs: [String: Int64] = [:]
        for (row, document) in valid {
          let coderID: Int64
          if let known = coderIDs[row.coder] {
            coderID = known
          } else {
            coderID = try Self.coderID(row.coder, timestamp: timestamp, in: db)
            coderIDs[row.coder] = coderID
          }
          let existing = try Int64.fetchOne(
            db.cachedStatement(
              sql: "SELECT id FROM codings WHERE coder_id = ? AND document_id = ? AND start = ? AND \"end\" = ? AND code = ?"),
            arguments: [coderID, document, row.range.lowerBound, row.range.upperBound, row.code])
          if let existing {
            try db.cachedStatement(sql: "UPDATE codings SET memo = ? WHERE id = ?").execute(arguments: [row.memo, existing])
            summary.updated += 1
          } else {
            try db.cachedStatement(
              sql: """
                INSERT INTO codings (coder_id, document_id, start, "end", code, memo, created, text_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
            ).execute(
              arguments: [
                coderID, document, row.range.lowerBound, row.range.upperBound, row.code, row.memo, timestamp,
                texts[document]?.hash ?? "",
              ])
            summary.added += 1
          }
        }
        return summary
      }
    } catch let error as CodingStoreError {
      throw error
    } catch let error as ProjectStoreError {
      throw .store(error)
    } catch {
      throw .store(.database(path: projectStore.fileURL.path, operation: "store codings", reason: "\(error)"))
    }
  }

  /// Removes the coding with this key.
  ///
  /// - Throws: ``CodingStoreError/noSuchCoding(coder:document:range:code:)`` when there is none.
  public func remove(coder: String, document: Int64, range: Range<Int>, code: String) throws(CodingStoreError) {
    let removed: Int = try write("remove a coding") { db in
      try db.execute(
        sql: """
          DELETE FROM codings WHERE coder_id = (SELECT id FROM coders WHERE name = ?) AND document_id = ?
            AND start = ? AND "end" = ? AND code = ?
          """, arguments: [coder, document, range.lowerBound, range.upperBound, code])
      return db.changesCount
    }
    if removed == 0 { throw .noSuchCoding(coder: coder, document: document, range: range, code: code) }
  }

  /// Confirms the stale codings of a document against its current text: each whose range
  /// is still inside the text and on character boundaries gets the current text hash (it is
  /// current again); the others stay stale.
  ///
  /// - Returns: how many codings were confirmed and how many stay stale.
  public func confirm(document: Int64) throws(CodingStoreError) -> (confirmed: Int, stillStale: Int) {
    try write("confirm codings") { db in
      guard let text = try String.fetchOne(db, sql: "SELECT text FROM documents WHERE id = ?", arguments: [document])
      else { return (0, 0) }
      let bytes = Array(text.utf8)
      let hash = ContentHash.string(bytes)
      var confirmed = 0
      var stale = 0
      for row in try Row.fetchAll(
        db, sql: "SELECT id, start, \"end\" FROM codings WHERE document_id = ? AND text_hash <> ?",
        arguments: [document, hash])
      {
        let start: Int = row["start"]
        let end: Int = row["end"]
        func boundary(_ offset: Int) -> Bool { offset == bytes.count || bytes[offset] & 0xC0 != 0x80 }
        if end <= bytes.count && boundary(start) && boundary(end) {
          try db.execute(sql: "UPDATE codings SET text_hash = ? WHERE id = ?", arguments: [hash, row["id"] as Int64])
          confirmed += 1
        } else {
          stale += 1
        }
      }
      return (confirmed, stale)
    }
  }

  // MARK: - Reading codings

  /// The stored codings, ordered by document, start, end, coder, code.
  ///
  /// - Parameter coders: only these coders' codings (nil: everyone's).
  public func codings(coders: Set<String>? = nil) throws(CodingStoreError) -> [StoredCoding] {
    try read("list codings") { db in
      var hashes: [Int64: (path: String, hash: String)] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT id, path, text FROM documents WHERE id IN (SELECT DISTINCT document_id FROM codings)")
      {
        let text: String = row["text"]
        hashes[row["id"]] = (row["path"], ContentHash.string(text.utf8))
      }
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT k.name, c.document_id, c.start, c."end", c.code, c.memo, c.created, c.text_hash
          FROM codings c JOIN coders k ON k.id = c.coder_id
          """)
      var result: [StoredCoding] = []
      result.reserveCapacity(rows.count)
      for row in rows {
        let name: String = row["name"]
        if let coders, !coders.contains(name) { continue }
        let document: Int64 = row["document_id"]
        let start: Int = row["start"]
        let end: Int = row["end"]
        let created: String = row["created"]
        let hash: String = row["text_hash"]
        let known = hashes[document]
        result.append(
          StoredCoding(
            coding: Coding(
              coder: name, document: document, range: start..<end, code: row["code"], memo: row["memo"],
              created: Self.date(created)),
            documentPath: known?.path ?? "", isStale: known?.hash != hash))
      }
      result.sort { Self.precedes($0.coding, $1.coding) }
      return result
    }
  }

  /// The coders' names, sorted.
  public func coders() throws(CodingStoreError) -> [String] {
    try read("list coders") { db in try String.fetchAll(db, sql: "SELECT name FROM coders ORDER BY name") }
  }

  /// The export and listing order: document, start, end, coder, code.
  public static func precedes(_ left: Coding, _ right: Coding) -> Bool {
    (left.document, left.range.lowerBound, left.range.upperBound, left.coder, left.code)
      < (right.document, right.range.lowerBound, right.range.upperBound, right.coder, right.code)
  }

  // MARK: - Memos

  /// Writes (or with nil, deletes) the memo on a code path.
  public func setMemo(_ text: String?, onCode code: String, at date: Date = Date()) throws(CodingStoreError) {
    if let message = CodingCSV.problem(withCode: code) {
      throw .invalid(source: "memo", problems: [CodingRowProblem(line: 0, field: "code", message: message)])
    }
    try write("write a memo") { db in
      if let text {
        try db.execute(
          sql: "INSERT INTO code_memos (code, memo, updated) VALUES (?, ?, ?) ON CONFLICT(code) DO UPDATE SET memo = excluded.memo, updated = excluded.updated",
          arguments: [code, text, Self.timestamp(date)])
      } else {
        try db.execute(sql: "DELETE FROM code_memos WHERE code = ?", arguments: [code])
      }
    }
  }

  /// Writes (or with nil, deletes) the memo on a document.
  ///
  /// - Throws: ``CodingStoreError/invalid(source:problems:)`` when there is no such document.
  public func setMemo(_ text: String?, onDocument document: Int64, at date: Date = Date()) throws(CodingStoreError) {
    try write("write a memo") { db in
      guard try Int.fetchOne(db, sql: "SELECT 1 FROM documents WHERE id = ?", arguments: [document]) != nil else {
        throw CodingStoreError.invalid(
          source: "memo",
          problems: [CodingRowProblem(line: 0, field: "document", message: "unknown document \(document); `verbatim corpus` lists the ids")])
      }
      if let text {
        try db.execute(
          sql: "INSERT INTO document_memos (document_id, memo, updated) VALUES (?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET memo = excluded.memo, updated = excluded.updated",
          arguments: [document, text, Self.timestamp(date)])
      } else {
        try db.execute(sql: "DELETE FROM document_memos WHERE document_id = ?", arguments: [document])
      }
    }
  }

  /// Every memo: code memos by path, then document memos by id.
  public func memos() throws(CodingStoreError) -> [CodingMemo] {
    try read("list memos") { db in
      let codes = try Row.fetchAll(db, sql: "SELECT code, memo, updated FROM code_memos ORDER BY code").map { row in
        CodingMemo(target: .code(row["code"]), text: row["memo"], updated: Self.date(row["updated"]))
      }
      let documents = try Row.fetchAll(
        db, sql: "SELECT document_id, memo, updated FROM document_memos ORDER BY document_id"
      ).map { row in
        CodingMemo(target: .document(row["document_id"]), text: row["memo"], updated: Self.date(row["updated"]))
      }
      return codes + documents
    }
  }

  // MARK: - Plumbing

  private static func resolveDocument(_ name: String, in db: Database) throws -> Int64? {
    if let id = Int64(name), try Int.fetchOne(db, sql: "SELECT 1 FROM documents WHERE id = ?", arguments: [id]) != nil {
      return id
    }
    return try Int64.fetchOne(db, sql: "SELECT id FROM documents WHERE path = ?", arguments: [name])
  }

  private static func coderID(_ name: String, timestamp: String, in db: Database) throws -> Int64 {
    if let id = try Int64.fetchOne(db, sql: "SELECT id FROM coders WHERE name = ?", arguments: [name]) { return id }
    try db.execute(sql: "INSERT INTO coders (name, created) VALUES (?, ?)", arguments: [name, timestamp])
    return db.lastInsertedRowID
  }

  private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(CodingStoreError) -> T {
    do {
      return try projectStore.readDatabase(operation, body)
    } catch {
      throw Self.wrap(error, operation: operation, path: projectStore.fileURL.path)
    }
  }

  private func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(CodingStoreError) -> T {
    do {
      return try projectStore.writeDatabase(operation, body)
    } catch {
      throw Self.wrap(error, operation: operation, path: projectStore.fileURL.path)
    }
  }

  private static func wrap(_ error: any Error, operation: String, path: String) -> CodingStoreError {
    if let error = error as? CodingStoreError { return error }
    if let error = error as? ProjectStoreError { return .store(error) }
    return .store(.database(path: path, operation: operation, reason: "\(error)"))
  }

  static func timestamp(_ date: Date) -> String { CodingTimestamp.string(date) }

  static func date(_ text: String?) -> Date? { text.flatMap(CodingTimestamp.date) }
}

/// The coding store's timestamps: ``UTCTimestamp`` (VerbatimCorpus).
public typealias CodingTimestamp = UTCTimestamp
