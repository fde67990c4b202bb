#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The exclusive write lock of an index folder: `<folder>/write.lock`, holding the pid of
/// the writer.
///
/// The lock is a `flock(LOCK_EX | LOCK_NB)` on that file, so the kernel releases it when its
/// holder exits or crashes. A lock file left behind by a dead writer (its pid no longer alive:
/// `kill(pid, 0)` fails with `ESRCH`) is therefore simply taken over: the file's pid is
/// informative, for the error message, and the `flock` decides. Two `IndexLock`s in one
/// process also exclude each other (a `flock` belongs to an open file description).
///
/// On release the file is unlinked while still locked, then closed. A taker that opened the
/// old file just before checks, once it holds the `flock`, that the path still names the file
/// it locked, and starts again otherwise.
///
///     let lock = try IndexLock(directory: "/corpus/.verbatim/index")
///     defer { lock.release() }
public final class IndexLock {
  /// The lock file's name inside the index folder.
  public static let fileName = "write.lock"

  /// The lock file's path.
  public let path: String
  private var descriptor: Int32

  /// Takes the lock of `directory`, or fails at once.
  ///
  /// - Throws: ``IndexError/locked(path:holder:)`` when another writer (in this process or
  ///   another) holds it; ``IndexError/io(path:reason:)`` when the file cannot be created.
  public init(directory: String) throws(IndexError) {
    let path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
    self.path = path
    descriptor = try Self.acquire(path)
  }

  deinit { release() }

  /// Whether this object still holds the lock.
  public var isHeld: Bool { descriptor >= 0 }

  /// Releases the lock (idempotent).
  public func release() {
    guard descriptor >= 0 else { return }
    unlink(path)
    close(descriptor)
    descriptor = -1
  }

  private static func acquire(_ path: String) throws(IndexError) -> Int32 {
    for _ in 0..<16 {
      let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else { throw .io(path: path, reason: "cannot create the lock file: \(lastError())") }
      if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
        let code = errno
        let holder = holder(of: descriptor)
        close(descriptor)
        if code == EWOULDBLOCK || code == EAGAIN { throw .locked(path: path, holder: holder) }
        throw .io(path: path, reason: "cannot lock: \(String(cString: strerror(code)))")
      }
      var opened = stat()
      var named = stat()
      if fstat(descriptor, &opened) == 0, stat(path, &named) == 0, opened.st_ino == named.st_ino,
        opened.st_dev == named.st_dev
      {
        // Ours: record the pid (a stale pid from a dead writer is overwritten here).
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return descriptor
      }
      // The previous holder unlinked the file between our open and our flock: start again.
      close(descriptor)
    }
    throw .locked(path: path, holder: "another writer (the lock file keeps being replaced)")
  }

  /// "process 1234" from the lock file's content, or a neutral phrase.
  private static func holder(of descriptor: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 32)
    let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return "another writer" }
    let text = String(decoding: buffer[..<count], as: UTF8.self)
    guard let pid = Int32(text.filter { !$0.isWhitespace }) else { return "another writer" }
    return "process \(pid)"
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}
