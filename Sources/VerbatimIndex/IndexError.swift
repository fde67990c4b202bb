/// An error raised by the index or the query language; every case says where and what to do,
/// and never quotes transcript text.
public enum IndexError: Error, Equatable, CustomStringConvertible {
  /// A query could not be parsed: `column` is 1-based in the query string.
  case querySyntax(column: Int, expected: String, found: String)
  /// An index file is damaged or of an unknown version.
  case corrupt(file: String, reason: String)
  /// Another writer holds the index lock.
  case locked(path: String, holder: String)
  /// A file could not be read or written.
  case io(path: String, reason: String)

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .querySyntax(column, expected, found):
      "query, column \(column): expected \(expected), found \(found)"
    case let .corrupt(file, reason):
      "\(file): damaged index: \(reason); rebuild it with `verbatim index`"
    case let .locked(path, holder):
      "\(path): the index is being written by \(holder); wait for it to finish, or remove the lock if that process is gone"
    case let .io(path, reason):
      "\(path): \(reason)"
    }
  }
}
