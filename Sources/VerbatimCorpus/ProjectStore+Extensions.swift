import GRDB

/// Tables that a higher module (``VerbatimCoding``'s coding store) keeps in `project.sqlite`.
///
/// Such a module registers its own GRDB migrations, whose identifiers are namespaced
/// (`coding/v1`): the corpus migrator ignores namespaced identifiers when it checks for a
/// newer schema, and each namespace checks only its own. It then reads and writes through the
/// store's pool, so every process sees one database with one writer at a time.
extension ProjectStore {
  /// Applies a module's migrations, whose identifiers must all start with `namespace + "/"`.
  ///
  /// - Throws: ``ProjectStoreError/newerSchema(path:)`` when the project holds a migration of
  ///   this namespace that the migrator does not know (a newer build wrote it);
  ///   ``ProjectStoreError/cannotOpen(path:reason:)`` when a migration fails.
  public func migrateExtension(_ migrator: DatabaseMigrator, namespace: String) throws(ProjectStoreError) {
    precondition(
      migrator.migrations.allSatisfy { $0.hasPrefix(namespace + "/") }, "migrations must be namespaced \(namespace)/")
    let path = fileURL.path
    do {
      if try pool.read({ try Self.isSuperseded(migrator, namespace: namespace, $0) }) {
        throw ProjectStoreError.newerSchema(path: path)
      }
      try migrator.migrate(pool)
    } catch let error as ProjectStoreError {
      throw error
    } catch {
      throw .cannotOpen(path: path, reason: Self.reason(error))
    }
  }

  /// Whether a module's migrations (`namespace/…`) were ever applied to this project: a
  /// reader can then skip a module whose tables do not exist, without creating them.
  public func hasExtension(namespace: String) throws(ProjectStoreError) -> Bool {
    do {
      return try pool.read { db in
        guard try db.tableExists("grdb_migrations") else { return false }
        return try Bool.fetchOne(
          db, sql: "SELECT EXISTS (SELECT 1 FROM grdb_migrations WHERE substr(identifier, 1, ?) = ?)",
          arguments: [namespace.count + 1, namespace + "/"]) ?? false
      }
    } catch {
      throw .database(path: fileURL.path, operation: "read the migrations", reason: Self.reason(error))
    }
  }

  /// Runs `body` in a read transaction of the store.
  ///
  /// - Throws: ``ProjectStoreError/database(path:operation:reason:)`` for a database failure;
  ///   any other error `body` throws, unchanged.
  public func readDatabase<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
    do {
      return try pool.read(body)
    } catch let error as DatabaseError {
      throw ProjectStoreError.database(path: fileURL.path, operation: operation, reason: Self.reason(error))
    }
  }

  /// Runs `body` in one immediate write transaction: it commits when `body` returns and rolls
  /// back when it throws.
  ///
  /// - Throws: ``ProjectStoreError/database(path:operation:reason:)`` for a database failure;
  ///   any other error `body` throws, unchanged (after the rollback).
  public func writeDatabase<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
    do {
      return try pool.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(db)
          return .commit
        }
        return result!
      }
    } catch let error as DatabaseError {
      throw ProjectStoreError.database(path: fileURL.path, operation: operation, reason: Self.reason(error))
    }
  }

  /// Whether the project holds migrations of this namespace (nil: the corpus's own,
  /// un-namespaced ones) that `migrator` does not know.
  static func isSuperseded(_ migrator: DatabaseMigrator, namespace: String?, _ db: Database) throws -> Bool {
    let known = Set(migrator.migrations)
    return try migrator.appliedIdentifiers(db).contains { identifier in
      let inNamespace: Bool =
        if let namespace { identifier.hasPrefix(namespace + "/") } else { !identifier.contains("/") }
      return inNamespace && !known.contains(identifier)
    }
  }
}
