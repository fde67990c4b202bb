import Foundation
import Testing

/// Fixtures and the XSD oracle of the REFI-QDA tests.
enum REFIFixtures {
  /// The repository root, from this file's path.
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  /// `Tests/Fixtures/refi/`.
  static let folder = repository.appendingPathComponent("Tests/Fixtures/refi", isDirectory: true)
  /// The REFI-QDA schemas, in `../shared/reference/refi-qda` (absent on machines without it).
  static let schemas = repository.deletingLastPathComponent().appendingPathComponent(
    "shared/reference/refi-qda", isDirectory: true)

  /// A fixture's bytes.
  static func data(_ name: String) throws -> Data {
    try Data(contentsOf: folder.appendingPathComponent(name))
  }

  /// `xmllint`, when installed (`scripts/ensure-deps.sh test` installs libxml2-utils).
  static let xmllint: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for folder in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
      let url = URL(fileURLWithPath: folder).appendingPathComponent("xmllint")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
  }()

  /// Whether XSD validation can run: xmllint and both schemas present.
  static var canValidate: Bool {
    xmllint != nil
      && FileManager.default.fileExists(atPath: schemas.appendingPathComponent("Codebook.xsd").path)
      && FileManager.default.fileExists(atPath: schemas.appendingPathComponent("Project.xsd").path)
  }

  /// Why validation tests are skipped.
  static let skipReason: Comment =
    "xmllint (apt-get install libxml2-utils) or ../shared/reference/refi-qda/*.xsd missing: XSD validation skipped"

  /// Validates XML against `Codebook.xsd` or `Project.xsd` with `xmllint --noout --schema`;
  /// returns nil when valid, else xmllint's messages.
  static func schemaProblems(_ xml: Data, schema: String) throws -> String? {
    guard let xmllint else { return "xmllint missing" }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("refi-\(UUID().uuidString).xml")
    try xml.write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = xmllint
    process.arguments = ["--noout", "--schema", schemas.appendingPathComponent(schema).path, file.path]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = Pipe()
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? nil : String(decoding: message, as: UTF8.self)
  }
}
