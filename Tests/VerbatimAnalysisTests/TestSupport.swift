import Foundation
import Testing
@_exported import VerbatimTestSupport
@testable import VerbatimAnalysis


/// Paths of the repository and of `../shared`, found from this file.
enum Fixtures {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let shared = repository.deletingLastPathComponent().appendingPathComponent("shared")
  static var hasShared: Bool {
    FileManager.default.fileExists(atPath: shared.appendingPathComponent("corpora").path)
  }
  /// Every `.txt` file below a folder of `../shared`, sorted.
  static func sharedTextFiles(under folder: String) -> [URL] {
    let root = shared.appendingPathComponent(folder)
    guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
      return []
    }
    return enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "txt" }
      .sorted { $0.path < $1.path }
  }
}

/// Checks an analysis in the manner of Lucene's `assertTokenStreamContents`: terms, and when
/// given, surfaces, byte ranges, positions, stems, kinds and flags.
func expectAnalyzes(
  _ text: String, terms: [String], surfaces: [String]? = nil, ranges: [Range<Int>]? = nil,
  positions: [Int]? = nil, stems: [String]? = nil, kinds: [TokenKind]? = nil, flags: [TokenFlags]? = nil,
  analyzer: Analyzer = .french, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  let pipeline = try analyzer.makePipeline()
  let tokens = pipeline.tokens(in: text)
  #expect(tokens.map(\.term) == terms, "terms of \(text)", sourceLocation: sourceLocation)
  if let surfaces { #expect(tokens.map(\.surface) == surfaces, "surfaces", sourceLocation: sourceLocation) }
  if let ranges { #expect(tokens.map(\.utf8Range) == ranges, "ranges", sourceLocation: sourceLocation) }
  if let positions { #expect(tokens.map(\.position) == positions, "positions", sourceLocation: sourceLocation) }
  if let stems { #expect(tokens.map(\.stem) == stems, "stems", sourceLocation: sourceLocation) }
  if let kinds { #expect(tokens.map(\.kind) == kinds, "kinds", sourceLocation: sourceLocation) }
  if let flags { #expect(tokens.map(\.flags) == flags, "flags", sourceLocation: sourceLocation) }
  // Every token's range must point at its surface in the original text.
  let bytes = Array(text.utf8)
  for token in tokens {
    let slice = String(decoding: bytes[token.utf8Range], as: UTF8.self)
    #expect(slice == token.surface, "surface of \(token.term)", sourceLocation: sourceLocation)
  }
}
