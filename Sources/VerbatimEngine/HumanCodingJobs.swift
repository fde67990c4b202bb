import Foundation
import VerbatimCoding
import VerbatimCorpus

/// An error of `verbatim coding`, `agree` or `themes`; messages name the file, line and
/// field, never transcript text.
public enum HumanCodingError: Error, CustomStringConvertible {
  /// The coding store refused or failed.
  case coding(CodingStoreError)
  /// A file could not be read or written.
  case file(path: String, reason: String)
  /// The request cannot be met with the stored codings (too few coders, unknown coder…).
  case request(String)

  /// The message for stderr (several lines for a rejected import).
  public var description: String {
    switch self {
    case let .coding(error): error.description
    case let .file(path, reason): "\(path): \(reason)"
    case let .request(message): message
    }
  }
}

/// What `verbatim coding …` does: add, remove, list, import and export human codings.
public enum HumanCodingJobs {
  /// The columns of `verbatim coding list`.
  public static let listColumns = ["coder", "document", "path", "start", "end", "code", "memo", "created", "status"]

  /// Opens the project's coding store (the project must exist).
  public static func open(_ projectDirectory: URL) throws(HumanCodingError) -> CodingStore {
    do {
      return try CodingStore(directory: projectDirectory)
    } catch {
      throw .coding(error)
    }
  }

  /// The human codings a re-import left stale: those on the documents `paths` (the replaced
  /// ones) whose text no longer matches the text they were made on. Nothing is created: a
  /// project without coding tables has none.
  ///
  /// - Returns: the stale codings and the documents they are on.
  public static func staleCodings(onPaths paths: [String], projectDirectory: URL) throws(HumanCodingError) -> (
    codings: Int, documents: Int
  ) {
    guard !paths.isEmpty else { return (0, 0) }
    do {
      let projectStore = try ProjectStore(directory: projectDirectory, creating: false)
      guard try projectStore.hasExtension(namespace: CodingStore.namespace) else { return (0, 0) }
      let wanted = Set(paths)
      let stale = try CodingStore(projectStore: projectStore).codings().filter { $0.isStale && wanted.contains($0.documentPath) }
      return (stale.count, Set(stale.map(\.documentPath)).count)
    } catch let error as CodingStoreError {
      throw .coding(error)
    } catch let error as ProjectStoreError {
      throw .coding(.store(error))
    } catch {
      throw .coding(.store(.cannotOpen(path: projectDirectory.path, reason: "\(error)")))
    }
  }

  /// The code paths of a codebook file (any format `CodebookFiles` reads, validated), for
  /// checking codes on import or add.
  public static func knownCodes(codebookAt path: String) throws(HumanCodingError) -> Set<String> {
    do {
      return Set(try CodebookFiles.read(path: path).codebook.codebook.allPaths)
    } catch {
      throw .file(path: path, reason: "cannot use the codebook: \(error.description)")
    }
  }

  /// Adds one coding; returns true when it is new (false: the stored one's memo was replaced).
  public static func add(_ coding: Coding, knownCodes: Set<String>?, projectDirectory: URL) throws(HumanCodingError)
    -> Bool
  {
    let store = try open(projectDirectory)
    do {
      return try store.add(coding, knownCodes: knownCodes)
    } catch {
      throw .coding(error)
    }
  }

  /// Removes the coding with this key.
  public static func remove(
    coder: String, document: Int64, range: Range<Int>, code: String, projectDirectory: URL
  ) throws(HumanCodingError) {
    let store = try open(projectDirectory)
    do {
      try store.remove(coder: coder, document: document, range: range, code: code)
    } catch {
      throw .coding(error)
    }
  }

  /// Imports a codings CSV file atomically: any bad row rejects the whole file, and the error
  /// names every bad row; nothing stored changes.
  public static func importFile(at path: String, knownCodes: Set<String>?, projectDirectory: URL)
    throws(HumanCodingError) -> CodingImportSummary
  {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw .file(path: path, reason: "cannot read (\(error.localizedDescription))")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .file(path: path, reason: "not valid UTF-8; save the file as UTF-8")
    }
    let store = try open(projectDirectory)
    do {
      return try store.importCSV(text, source: path, knownCodes: knownCodes)
    } catch {
      throw .coding(error)
    }
  }

  /// The stored codings, optionally of some coders only, in export order.
  public static func codings(coders: Set<String>?, projectDirectory: URL) throws(HumanCodingError) -> [StoredCoding] {
    let store = try open(projectDirectory)
    do {
      return try store.codings(coders: coders)
    } catch {
      throw .coding(error)
    }
  }

  /// Writes `verbatim coding list`: `coder document path start end code memo created status`
  /// (`status` is `current`, or `stale` when the document's text changed since).
  public static func writeList(
    coders: Set<String>?, staleOnly: Bool, projectDirectory: URL, format: TableFormat, to sink: OutputSink
  ) throws(HumanCodingError) {
    let stored = try codings(coders: coders, projectDirectory: projectDirectory)
    let writer = TableWriter(format: format, columns: listColumns, sink: sink)
    for item in stored where !staleOnly || item.isStale {
      let coding = item.coding
      writer.write([
        .text(coding.coder), .integer(Int(coding.document)), .text(item.documentPath),
        .integer(coding.range.lowerBound), .integer(coding.range.upperBound), .text(coding.code),
        .text(coding.memo ?? ""), .text(coding.created.map(timestamp) ?? ""), .text(item.isStale ? "stale" : "current"),
      ])
    }
  }

  /// The exchange CSV of the stored codings (``CodingCSV/write(_:)``), and how many are stale.
  public static func exportCSV(coders: Set<String>?, projectDirectory: URL) throws(HumanCodingError)
    -> (csv: String, stale: Int)
  {
    let stored = try codings(coders: coders, projectDirectory: projectDirectory)
    return (CodingCSV.write(stored.map(\.coding)), stored.filter(\.isStale).count)
  }

  /// Writes `text` to `path` atomically (a temp file beside it, then a rename).
  public static func writeAtomically(_ text: String, to path: String) throws(HumanCodingError) {
    do {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw .file(path: path, reason: "cannot write (\(error.localizedDescription))")
    }
  }

  /// Writes `verbatim coding memos`: `target id memo updated` (`target` is `code` or `document`).
  public static func writeMemos(projectDirectory: URL, format: TableFormat, to sink: OutputSink)
    throws(HumanCodingError)
  {
    let store = try open(projectDirectory)
    let memos: [CodingMemo]
    do {
      memos = try store.memos()
    } catch {
      throw .coding(error)
    }
    let writer = TableWriter(format: format, columns: ["target", "id", "memo", "updated"], sink: sink)
    for memo in memos {
      let (kind, id): (String, String) =
        switch memo.target {
        case let .code(path): ("code", path)
        case let .document(document): ("document", String(document))
        }
      writer.write([.text(kind), .text(id), .text(memo.text), .text(memo.updated.map(timestamp) ?? "")])
    }
  }

  /// Writes (or with nil deletes) a memo on a code or a document.
  public static func setMemo(_ text: String?, code: String?, document: Int64?, projectDirectory: URL)
    throws(HumanCodingError)
  {
    let store = try open(projectDirectory)
    do {
      if let code { try store.setMemo(text, onCode: code) }
      if let document { try store.setMemo(text, onDocument: document) }
    } catch {
      throw .coding(error)
    }
  }

  /// Confirms a document's stale codings against its current text.
  public static func confirm(document: Int64, projectDirectory: URL) throws(HumanCodingError) -> (
    confirmed: Int, stillStale: Int
  ) {
    let store = try open(projectDirectory)
    do {
      return try store.confirm(document: document)
    } catch {
      throw .coding(error)
    }
  }

  static func timestamp(_ date: Date) -> String { CodingTimestamp.string(date) }
}

/// The project's units and human codings, as analyses and agreement read them.
public struct CodingMaterial {
  /// The units of the kind asked (empty for characters).
  public var units: [CodingUnit]
  /// Document texts (for character agreement), by id.
  public var texts: [Int64: String]
  /// Current human codings (stale ones left out), plus the extra codings given.
  public var codings: [Coding]
  /// Every human coder with codings in the store, sorted.
  public var coders: [String]
  /// Diagnostics for stderr (stale codings left out).
  public var warnings: [String]

  /// Reads the project: units of `unit` (segments for `.character`'s metadata needs none),
  /// human codings of `coders` (nil: all), and `extra` codings (e.g. the automatic coder's).
  public static func load(
    projectDirectory: URL, unit: AgreementUnit, coders: Set<String>?, extra: [Coding] = []
  ) throws(HumanCodingError) -> CodingMaterial {
    let codingStore = try HumanCodingJobs.open(projectDirectory)
    let store = codingStore.projectStore
    do {
      let stored = try codingStore.codings(coders: coders)
      let stale = stored.filter(\.isStale)
      var warnings: [String] = []
      if !stale.isEmpty {
        let documents = Set(stale.map(\.coding.document)).sorted().map(String.init)
        warnings.append(
          "warning: \(stale.count) stale \(stale.count == 1 ? "coding" : "codings") left out (document \(documents.joined(separator: ", ")) changed since coded); review with `verbatim coding list --stale`, then `verbatim coding confirm --document D` or remove them"
        )
      }
      var units: [CodingUnit] = []
      var texts: [Int64: String] = [:]
      for summary in try store.documentSummaries() {
        guard let document = try store.document(id: summary.id) else { continue }
        let metadata = document.metadata.mapValues(\.description)
        let speakers = document.turns.map(\.turn.speaker)
        func speaker(_ turn: Int) -> String? { turn >= 1 && turn <= speakers.count ? speakers[turn - 1] : nil }
        guard let scope = CodingScope(rawValue: unit.rawValue) else {
          texts[document.id] = document.text  // characters: the texts, no units
          continue
        }
        // Empty turns (a label with nothing said) hold no character to code.
        for stored in try CodingUnits.read(scope, of: document, from: store).units
        where scope != .turn || !stored.range.isEmpty {
          units.append(
            CodingUnit(
              document: document.id, kind: unit.rawValue, ordinal: stored.ordinal, range: stored.range,
              speaker: speaker(stored.turn), metadata: metadata))
        }
      }
      return CodingMaterial(
        units: units, texts: texts, codings: stored.filter { !$0.isStale }.map(\.coding) + extra,
        coders: try codingStore.coders(), warnings: warnings)
    } catch let error as CodingStoreError {
      throw .coding(error)
    } catch let error as ProjectStoreError {
      throw .coding(.store(error))
    } catch {
      throw .request("\(error)")
    }
  }
}
