import Foundation
import Testing

@testable import VerbatimCorpus

/// Imports the real transcripts of `../shared/corpora` and the shipped `Corpus/`, and compares
/// the turns found with the figures and the turn lists their sources give.
struct SharedCorporaImportTests {
  /// The turns of `corpus.jsonl`: speaker and text per document.
  static func referenceTurns(_ jsonl: URL, idField: String) throws -> [String: [(speaker: String, text: String)]] {
    var result: [String: [(speaker: String, text: String)]] = [:]
    let content = try String(contentsOf: jsonl, encoding: .utf8)
    for line in content.split(separator: "\n") where !line.isEmpty {
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      let id = try #require(object[idField] as? String)
      let turns = try #require(object["turns"] as? [[String: Any]])
      result[id] = try turns.map { turn in
        (try #require(turn["speaker"] as? String), try #require(turn["text"] as? String))
      }
    }
    return result
  }

  /// The text files of a folder, sorted.
  static func textFiles(in folder: URL) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "txt" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
  }

  /// The label as written: the label range without its colon and trailing spaces.
  static func labelText(_ document: ImportedDocument, _ turn: Turn) -> String? {
    guard let range = turn.labelRange else { return nil }
    var label = ImportFixtures.slice(document.text, range)
    if label.hasSuffix(":") { label.removeLast() }
    while label.last?.isWhitespace == true { label.removeLast() }
    return label
  }

  @Test(
    "ud-french-spoken: 123 recordings, 1,330 `Speaker: text` turns",
    .enabled(if: ImportFixtures.hasUDSpoken, "../shared/corpora/ud-french-spoken not found: skipped"))
  func udFrenchSpoken() throws {
    let folder = ImportFixtures.udSpoken
    let files = try Self.textFiles(in: folder.appendingPathComponent("transcripts"))
    let reference = try Self.referenceTurns(folder.appendingPathComponent("corpus.jsonl"), idField: "doc_id")
    #expect(files.count == 123)
    #expect(reference.count == 123)
    var turnCount = 0
    var mismatches: [String] = []
    for file in files {
      let documents = try ImportFixtures.importFile(file)
      try #require(documents.count == 1)
      let document = documents[0]
      turnCount += document.turns.count
      let id = file.deletingPathExtension().lastPathComponent
      let expected = reference[id] ?? []
      if document.turns.count != expected.count {
        mismatches.append("\(id): \(document.turns.count) turns, expected \(expected.count)")
        continue
      }
      for (turn, want) in zip(document.turns, expected)
      where turn.speaker != want.speaker || ImportFixtures.slice(document.text, turn.range) != want.text {
        mismatches.append("\(id): turn at byte \(turn.range.lowerBound) differs")
      }
    }
    #expect(turnCount == 1_330)
    #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
  }

  @Test(
    "an-debats-2013: 25 sittings, 19,238 turns, 537 distinct labels",
    .enabled(if: ImportFixtures.hasANDebates, "../shared/corpora/an-debats-2013 not found: skipped"))
  func anDebates() throws {
    let folder = ImportFixtures.anDebates
    let files = try Self.textFiles(in: folder.appendingPathComponent("transcripts"))
    let reference = try Self.referenceTurns(folder.appendingPathComponent("corpus.jsonl"), idField: "doc_id")
    let metadata = try MetadataCSV.load(at: folder.appendingPathComponent("metadata.csv"))
    #expect(files.count == 25)
    #expect(metadata.count == 25)
    var turnCount = 0
    var labels: Set<String> = []
    var speakers: Set<String> = []
    var mismatches: [String] = []
    for file in files {
      let document = try #require(try ImportFixtures.importFile(file).first)
      let id = file.deletingPathExtension().lastPathComponent
      let fields = try #require(MetadataCSV.fields(for: file.lastPathComponent, in: metadata))
      #expect(fields["date"].map { if case .date = $0 { true } else { false } } == true)
      turnCount += document.turns.count
      for turn in document.turns {
        if let label = Self.labelText(document, turn) { labels.insert(label) }
        if let speaker = turn.speaker { speakers.insert(speaker) }
      }
      let expected = reference[id] ?? []
      guard document.turns.count == expected.count else {
        mismatches.append("\(id): \(document.turns.count) turns, expected \(expected.count)")
        continue
      }
      for (turn, want) in zip(document.turns, expected)
      where Self.labelText(document, turn) != want.speaker || ImportFixtures.slice(document.text, turn.range) != want.text {
        mismatches.append("\(id): turn at byte \(turn.range.lowerBound) differs")
      }
    }
    // SOURCE.md: 25 sittings, 19,238 turns, 537 distinct speakers (the labels as written).
    #expect(turnCount == 19_238)
    #expect(labels.count == 537)
    // The speaker is the name before a description's first comma: `Erwann Binet` for
    // `Erwann Binet, rapporteur.` and `Erwann Binet,rapporteur de la commission…`.
    let expectedSpeakers = Set(
      reference.values.flatMap { $0 }.map { turn in
        var name = String(turn.speaker.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)[0])
        while name.last == " " || name.last == ":" { name.removeLast() }
        return name
      })
    #expect(speakers == expectedSpeakers)
    #expect(speakers.count == 432)
    #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
  }

  @Test(
    "The shipped Corpus: front matter and one turn per `Label : text` line",
    .enabled(if: ImportFixtures.hasCorpus, "Corpus/ not found: skipped"))
  func shippedCorpus() throws {
    let files = try Self.textFiles(in: ImportFixtures.repository.appendingPathComponent("Corpus"))
    #expect(!files.isEmpty)
    for file in files {
      let document = try #require(try ImportFixtures.importFile(file).first)
      let name = file.lastPathComponent
      #expect(document.metadata["title"] != nil, "\(name): no title")
      #expect(document.metadata["year"] == .integer(2023), "\(name): year")
      #expect(!document.text.hasPrefix("---"), "\(name): front matter left in the text")
      let bodyLines = document.text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
      #expect(document.turns.count == bodyLines.count, "\(name): \(document.turns.count) turns")
      #expect(document.turns.allSatisfy { $0.speaker != nil && $0.labelRange != nil }, "\(name): unlabelled turn")
      // Every speaker is listed in the front matter's `speakers`.
      if case let .text(listed)? = document.metadata["speakers"] {
        let names = Set(listed.components(separatedBy: ", "))
        for speaker in Set(document.turns.compactMap(\.speaker)) {
          #expect(names.contains(speaker), "\(name): speaker \(speaker) not in front matter")
        }
      }
    }
  }
}
