import Foundation
import VerbatimCorpus

/// Where the project folder is: `--project DIR`, else `$VERBATIM_PROJECT`, else `./.verbatim`.
public enum ProjectLocation {
  /// The environment variable naming the project folder.
  public static let environmentVariable = "VERBATIM_PROJECT"
  /// The default project folder, in the current directory.
  public static let defaultFolderName = ".verbatim"

  /// The project folder (it holds `project.sqlite` and, later, the index).
  ///
  ///     ProjectLocation.directory(option: nil, environment: [:])  // ./.verbatim
  public static func directory(
    option: String?, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> URL {
    if let option, !option.isEmpty { return URL(fileURLWithPath: option).standardizedFileURL }
    if let path = environment[environmentVariable], !path.isEmpty {
      return URL(fileURLWithPath: path).standardizedFileURL
    }
    return URL(fileURLWithPath: defaultFolderName).standardizedFileURL
  }
}

/// An error of `verbatim corpus` or `verbatim show`.
public enum CorpusQueryError: Error, CustomStringConvertible {
  /// The project store failed (or there is no project).
  case store(ProjectStoreError)
  /// No document has this id or path.
  case noDocument(String)
  /// Several documents end with this file name.
  case ambiguousDocument(String, matches: [String])

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .store(error): error.description
    case let .noDocument(name):
      "no document \(name) in the project; `verbatim corpus` lists the ids and paths"
    case let .ambiguousDocument(name, matches):
      "\(name) matches \(matches.count) documents (\(matches.prefix(3).joined(separator: ", "))\(matches.count > 3 ? ", …" : "")); give the id or the whole path"
    }
  }
}

/// What `verbatim corpus` and `verbatim show` print.
public enum CorpusQueries {
  /// The fixed columns of `verbatim corpus`.
  public static let corpusColumns = ["document", "path", "speakers", "turns", "sentences", "segments", "tokens"]
  /// The columns of `verbatim show`.
  public static let showColumns = ["turn", "speaker", "start", "end", "text"]

  /// Writes one row per document, in id order: `document path speakers turns sentences
  /// segments tokens`, then one column per metadata field (the union of all documents'
  /// fields, sorted by name; empty when a document lacks it). A field named like a fixed
  /// column is written `metadata.<name>`. `speakers` counts distinct named speakers;
  /// `tokens` counts the analysis chain's tokens inside turns.
  ///
  /// - Throws: ``CorpusQueryError/store(_:)``, e.g. when there is no project.
  public static func writeDocuments(projectDirectory: URL, format: TableFormat, to sink: OutputSink)
    throws(CorpusQueryError)
  {
    let summaries: [DocumentSummary]
    do {
      summaries = try ProjectStore(directory: projectDirectory, creating: false).documentSummaries()
    } catch {
      throw .store(error)
    }
    let fields = Set(summaries.flatMap(\.metadata.keys)).sorted()
    let fixed = Set(corpusColumns)
    let columns = corpusColumns + fields.map { fixed.contains($0) ? "metadata.\($0)" : $0 }
    let writer = TableWriter(format: format, columns: columns, sink: sink)
    for summary in summaries {
      var row: [TableValue] = [
        .integer(Int(summary.id)), .text(summary.path), .integer(summary.speakerCount), .integer(summary.turnCount),
        .integer(summary.sentenceCount), .integer(summary.segmentCount), .integer(summary.tokenCount),
      ]
      for field in fields {
        switch summary.metadata[field] {
        case let .integer(integer)?: row.append(.integer(integer))
        case let value?: row.append(.text(value.description))
        case nil: row.append(.text(""))
        }
      }
      writer.write(row)
    }
  }

  /// Writes the turns of one document (`turn speaker start end text`): the turn's 1-based
  /// ordinal, its speaker (empty for text before the first label), its UTF-8 range in the
  /// stored text and the text itself (without the label).
  ///
  /// - Parameter document: a document id, an exact path, or a file name ending exactly one
  ///   stored path (`a.txt` for `Corpus/a.txt`).
  /// - Throws: ``CorpusQueryError/noDocument(_:)``, ``CorpusQueryError/ambiguousDocument(_:matches:)``,
  ///   or ``CorpusQueryError/store(_:)``.
  public static func writeTurns(
    of document: String, projectDirectory: URL, format: TableFormat, to sink: OutputSink
  ) throws(CorpusQueryError) {
    let stored: StoredDocument
    do {
      let store = try ProjectStore(directory: projectDirectory, creating: false)
      if let id = Int64(document), let found = try store.document(id: id) {
        stored = found
      } else if let found = try store.document(path: document) {
        stored = found
      } else {
        let matches = try store.documentPaths(endingWith: document)
        guard let path = matches.first else { throw CorpusQueryError.noDocument(document) }
        guard matches.count == 1 else { throw CorpusQueryError.ambiguousDocument(document, matches: matches) }
        guard let found = try store.document(path: path) else { throw CorpusQueryError.noDocument(document) }
        stored = found
      }
    } catch let error as CorpusQueryError {
      throw error
    } catch let error as ProjectStoreError {
      throw .store(error)
    } catch {
      throw .noDocument(document)
    }
    let bytes = Array(stored.text.utf8)
    let writer = TableWriter(format: format, columns: showColumns, sink: sink)
    for turn in stored.turns {
      let range = turn.turn.range.clamped(to: 0..<bytes.count)
      writer.write([
        .integer(turn.ordinal), .text(turn.turn.speaker ?? ""), .integer(range.lowerBound),
        .integer(range.upperBound), .text(String(decoding: bytes[range], as: UTF8.self)),
      ])
    }
  }
}
