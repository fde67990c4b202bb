import Foundation
import VerbatimTestSupport

/// The result of running the `verbatim` binary.
struct CommandResult {
  var stdout: String
  var stderr: String
  var status: Int32
}

/// Runs the built `verbatim` executable (found next to the test bundle) with arguments and
/// optional standard input, in `directory` when given.
func runVerbatim(
  _ arguments: [String], stdin: String? = nil, in directory: URL? = nil, environment: [String: String] = [:]
) throws -> CommandResult {
  let process = Process()
  process.executableURL = verbatimExecutable()
  process.arguments = arguments
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
  }
  if let directory { process.currentDirectoryURL = directory }
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  let input = Pipe()
  process.standardInput = input
  try process.run()
  // Feed stdin and drain stderr on other threads: a child blocked on a full pipe would
  // otherwise wait for us while we wait for it.
  let writer = input.fileHandleForWriting
  let data = Data((stdin ?? "").utf8)
  let feeding = Thread {
    writer.write(data)
    try? writer.close()
  }
  feeding.start()
  let errorBox = DataBox()
  let draining = Thread { errorBox.data = errors.fileHandleForReading.readDataToEndOfFile() }
  draining.start()
  let outData = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  while !draining.isFinished || !feeding.isFinished { Thread.sleep(forTimeInterval: 0.001) }
  let errData = errorBox.data
  return CommandResult(
    stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
    status: process.terminationStatus)
}

/// A mutable box a draining thread writes once, read after the thread finished.
final class DataBox: @unchecked Sendable {
  var data = Data()
}

/// `verbatim` in the products folder of this test run (SwiftPM builds it for the test target).
func verbatimExecutable() -> URL {
  let candidates = [
    Bundle.main.bundleURL.appendingPathComponent("verbatim"),
    Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("verbatim"),
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("verbatim"),
  ]
  return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
}

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// A fresh temporary directory.
func makeTemporaryDirectory() throws -> URL {
  let url = TestDirectories.make("cli", create: false)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}
