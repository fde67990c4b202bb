import Foundation

/// Temporary folders for tests, all inside one folder per test process
/// (`$TMPDIR/verbatim-tests-PID`), which is removed when the process exits: a test run leaves
/// nothing behind in the temporary directory, whether each test cleans up or not.
///
/// Test support only: never a product, never used by the engine.
///
///     let folder = TestDirectories.make("import")   // created, empty, unique
public enum TestDirectories {
  /// The folder of this process's test folders.
  public static let root: URL = {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("verbatim-tests-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit {
      try? FileManager.default.removeItem(at: TestDirectories.root)
    }
    return url
  }()

  /// A new unique folder named after `prefix`, created (or, with `create: false`, only named).
  public static func make(_ prefix: String, create: Bool = true) -> URL {
    let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    if create { try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
    return url
  }
}
