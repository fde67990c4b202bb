import GRDB

extension ProjectStore {
  /// The versioned schema of `project.sqlite`, one GRDB migration per version.
  ///
  /// Version 1 (`v1-corpus`):
  ///
  /// - `documents(id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT UNIQUE, source, format,
  ///   content_hash, settings_hash, size, text, imported_at)`: `path` is the document's path
  ///   as ``ImportedDocument/path`` (`Corpus/a.txt`, `Corpus/survey.csv#3`), `source` the file
  ///   it came from, `content_hash` ``ContentHash`` of the file's bytes (`xxh64:…`),
  ///   `settings_hash` the hash of what else shaped the import (metadata.csv rows, options),
  ///   `size` the file's size in bytes, `imported_at` an ISO 8601 time. Ids are never reused
  ///   (AUTOINCREMENT) and a re-import keeps them.
  /// - `metadata(document_id, field, type, value)`: `type` is `text`, `integer` or `date`;
  ///   integers are stored as SQLite integers, the others as text.
  /// - `turns(document_id, ordinal, speaker, start, end, label_start, label_end, start_time,
  ///   end_time, tokens)`: ordinals start at 1; offsets are UTF-8 byte offsets into
  ///   `documents.text`, `end` exclusive; times in seconds.
  /// - `paragraphs`, `sentences` and `segments(document_id, ordinal, turn, start, end, tokens)`: `turn` is
  ///   the ordinal of the turn holding the unit; `tokens` counts the analysis chain's tokens.
  ///
  /// Version 2 (`v2-outline`) adds `documents.outline BLOB`: the document's
  /// ``DocumentOutline`` (turns, sentences, segments, metadata), which `verbatim index` copies
  /// into the index. Documents imported before it have `NULL` there; the index reads their rows.
  ///
  /// Version 3 (`v3-document-states`) adds the covering index `documents_state(id, path,
  /// source, content_hash, settings_hash, size)`: ``documentStates()`` (which every `search`,
  /// `kwic`, `index` and `import` reads to see what changed) scans it instead of the table,
  /// whose rows hold the texts. At 1 GB (96,468 documents) that is about 15 MB read instead of
  /// about 400 MB of leaf pages; creating it on an existing project takes about a second, once.
  ///
  /// Checks reject impossible ranges, so a bad row fails its whole transaction.
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1-corpus") { db in
      try db.execute(
        sql: """
          CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            settings_hash TEXT NOT NULL,
            size INTEGER NOT NULL CHECK (size >= 0),
            text TEXT NOT NULL,
            imported_at TEXT NOT NULL
          );
          CREATE INDEX documents_source ON documents(source);
          CREATE TABLE metadata (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('text', 'integer', 'date')),
            value NOT NULL,
            PRIMARY KEY (document_id, field)
          ) WITHOUT ROWID;
          CREATE INDEX metadata_field ON metadata(field, value);
          CREATE TABLE turns (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL CHECK (ordinal >= 1),
            speaker TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label_start INTEGER,
            label_end INTEGER,
            start_time REAL,
            end_time REAL,
            tokens INTEGER NOT NULL CHECK (tokens >= 0),
            PRIMARY KEY (document_id, ordinal),
            CHECK (start >= 0 AND start <= "end"),
            CHECK ((label_start IS NULL) = (label_end IS NULL)),
            CHECK (label_start IS NULL OR (label_start >= 0 AND label_start <= label_end))
          ) WITHOUT ROWID;
          """ + UnitKind.allCases.map { unitTableDDL($0.rawValue) }.joined())
    }
    migrator.registerMigration("v2-outline") { db in
      try db.execute(sql: "ALTER TABLE documents ADD COLUMN outline BLOB")
    }
    // Immediate checks: an index changes no row, and the deferred check would scan every
    // table with a foreign key (about 10 s at 1 GB) for nothing.
    migrator.registerMigration("v3-document-states", foreignKeyChecks: .immediate) { db in
      try db.execute(
        sql: "CREATE INDEX documents_state ON documents(id, path, source, content_hash, settings_hash, size)")
    }
    return migrator
  }

  /// The table of one kind of text unit below the turn (paragraphs, sentences, segments):
  /// all three have the same columns and checks.
  private static func unitTableDDL(_ table: String) -> String {
    """
    CREATE TABLE \(table) (
      document_id INTEGER NOT NULL,
      ordinal INTEGER NOT NULL CHECK (ordinal >= 1),
      turn INTEGER NOT NULL,
      start INTEGER NOT NULL,
      "end" INTEGER NOT NULL,
      tokens INTEGER NOT NULL CHECK (tokens >= 0),
      PRIMARY KEY (document_id, ordinal),
      FOREIGN KEY (document_id, turn) REFERENCES turns(document_id, ordinal) ON DELETE CASCADE,
      CHECK (start >= 0 AND start < "end")
    ) WITHOUT ROWID;

    """
  }

  /// The identifiers of the schema versions this build knows, oldest first.
  public static var schemaVersions: [String] { migrator.migrations }
}
