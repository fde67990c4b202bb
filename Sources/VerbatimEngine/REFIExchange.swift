import Foundation
import VerbatimAnalysis
import VerbatimCoding
import VerbatimCorpus

/// An error of `verbatim export --qdpx` or `verbatim import --qdpx`; messages name the file
/// and never quote transcript text.
public enum REFIExchangeError: Error, CustomStringConvertible {
  /// Reading or writing the REFI-QDA file failed.
  case refi(REFIError)
  /// The project store failed (or there is no project).
  case store(ProjectStoreError)
  /// A codebook file cannot be read by this build.
  case codebook(path: String, reason: String)
  /// A codebook file is not a valid codebook (the error names the file, path and column).
  case invalidCodebook(CodebookFileError)
  /// A coding given to the export does not fit the project.
  case coding(index: Int, reason: String)
  /// The import would overwrite documents already in the project.
  case alreadyImported(file: String, paths: [String])
  /// A source could not be prepared for storing.
  case source(file: String, name: String, reason: String)
  /// An output file could not be written.
  case cannotWrite(path: String, reason: String)

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .refi(error): error.description
    case let .store(error): error.description
    case let .codebook(path, reason): "\(path): \(reason)"
    case let .invalidCodebook(error): error.description
    case let .coding(index, reason): "coding \(index + 1): \(reason)"
    case let .alreadyImported(file, paths):
      "\(file): \(paths.count) document(s) of this archive are already in the project (first: \(paths[0])); "
        + "import a .qdpx into a new project (--project DIR); nothing was stored"
    case let .source(file, name, reason): "\(file): source \(name): \(reason); nothing was stored"
    case let .cannotWrite(path, reason): "\(path): cannot write: \(reason)"
    }
  }
}

/// REFI-QDA exchange between a Verbatim project and `.qdpx`/`.qdc` files (NVivo, ATLAS.ti,
/// MAXQDA, QualCoder).
///
/// Export maps: each document to a `TextSource` (name: its path; GUID: its `refi-guid`
/// metadata when it came from a `.qdpx`, else derived from its path), each document's
/// metadata to one `Case` named after the document with one `VariableValue` per field
/// (``variableType(of:)`` gives the type), each coder to a `User`, each ``Coding`` to a
/// `Coding` in a `PlainTextSelection`, each coding memo to a `Note` referenced by the coding.
/// Import maps back: sources to documents `<archive name>/<source name>` (the name read as a
/// relative path: empty, `.` and `..` parts dropped; a repeated one gets ` (2)`) with the variables
/// of their cases and their own as metadata (plus `refi-guid`), codings to ``Coding``s whose
/// coder is the user's name.
public enum REFIExchange {
  /// The metadata field that keeps a document's REFI source GUID across round trips; never
  /// exported as a variable.
  public static let guidField = "refi-guid"
  /// The coder name of codings whose file names no creator.
  public static let unknownCoder = "unknown"

  // MARK: - Codebooks

  /// Reads a codebook file by extension: `.qdc` (REFI-QDA) here.
  ///
  /// Hook: Verbatim's own `.yml` codebooks are read by the YAML codebook loader, which is not
  /// part of this module yet; until it is wired in here (`case "yml", "yaml":`), they get a
  /// clear error asking for a `.qdc`.
  public static func loadCodebook(at path: String) throws(REFIExchangeError) -> (codebook: Codebook, warnings: [String]) {
    let url = URL(fileURLWithPath: path)
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw .codebook(path: path, reason: "cannot read: \((error as NSError).localizedDescription)")
    }
    switch url.pathExtension.lowercased() {
    case "qdc":
      do {
        return try REFICodebook.readWithWarnings(data, file: path)
      } catch {
        throw .refi(error)
      }
    default:
      do {
        let read = try CodebookFiles.read(path: path)
        return (read.codebook.codebook, read.notes)
      } catch {
        throw .invalidCodebook(error)
      }
    }
  }

  // MARK: - Export

  /// What an export wrote.
  public struct ExportSummary: Sendable {
    /// Documents written as sources.
    public var documents: Int
    /// Codes in the codebook written.
    public var codes: Int
    /// Codings written.
    public var codings: Int
    /// Variables written.
    public var variables: Int
    /// Remarks for stderr.
    public var warnings: [String]
  }

  /// The REFI type of a metadata field from its values: Integer when all are integers, Date
  /// when all are dates, else Text.
  public static func variableType(of values: [MetadataValue]) -> REFIProject.VariableType {
    if !values.isEmpty && values.allSatisfy({ if case .integer = $0 { true } else { false } }) { return .integer }
    if !values.isEmpty && values.allSatisfy({ if case .date = $0 { true } else { false } }) { return .date }
    return .text
  }

  /// Builds the REFI project of a Verbatim project.
  ///
  /// - Parameters:
  ///   - name: the project name written (`Project@name`).
  ///   - codebook: the codebook; codes that codings use but it lacks are added (with their
  ///     parents) and reported in the warnings.
  ///   - codings: human and automatic codings (``Coding/automaticCoder`` for the latter).
  /// - Throws: ``REFIExchangeError/coding(index:reason:)`` for a coding of an unknown
  ///   document or an empty code path; store errors.
  public static func makeProject(
    store: ProjectStore, name: String, codebook: Codebook?, codings: [Coding]
  ) throws(REFIExchangeError) -> (project: REFIProject, warnings: [String]) {
    var warnings: [String] = []
    let summaries: [DocumentSummary]
    do {
      summaries = try store.documentSummaries()
    } catch {
      throw .store(error)
    }
    var documents: [StoredDocument] = []
    for summary in summaries {
      do {
        if let document = try store.document(id: summary.id) { documents.append(document) }
      } catch {
        throw .store(error)
      }
    }

    // Sources, with GUIDs kept from an import or derived from the path.
    var project = REFIProject(name: name, origin: "Verbatim")
    var sourceGUIDs: [Int64: String] = [:]
    var usedGUIDs: Set<String> = []
    for document in documents {
      var guid = REFIGUID.derived("source:\(document.path)")
      if case let .text(kept)? = document.metadata[guidField], let normalized = REFIGUID.normalized(kept),
        !usedGUIDs.contains(normalized)
      {
        guid = normalized
      }
      usedGUIDs.insert(guid)
      sourceGUIDs[document.id] = guid
      project.sources.append(REFIProject.Source(guid: guid, name: document.path, text: document.text))
    }

    // Variables and one case per document.
    var fieldValues: [String: [MetadataValue]] = [:]
    for document in documents {
      for (field, value) in document.metadata where field != guidField { fieldValues[field, default: []].append(value) }
    }
    var variableGUIDs: [String: String] = [:]
    for field in fieldValues.keys.sorted() {
      let guid = REFIGUID.derived("variable:\(field)")
      variableGUIDs[field] = guid
      project.variables.append(
        REFIProject.Variable(guid: guid, name: field, type: variableType(of: fieldValues[field] ?? [])))
    }
    for document in documents where !document.metadata.keys.filter({ $0 != guidField }).isEmpty {
      let values = document.metadata.filter { $0.key != guidField }.sorted { $0.key < $1.key }.compactMap {
        field, value in
        variableGUIDs[field].map { REFIProject.VariableValue(variableGUID: $0, value: value.description) }
      }
      project.cases.append(
        REFIProject.Case(
          guid: REFIGUID.derived("case:\(document.path)"), name: document.path, values: values,
          sourceGUIDs: [sourceGUIDs[document.id] ?? ""]))
    }

    // Codebook, completed with the codes the codings use.
    var book = codebook ?? Codebook(name: name)
    var known = Set(book.allPaths)
    for (index, coding) in codings.enumerated() {
      let parts = coding.code.components(separatedBy: Code.pathSeparator)
      guard !coding.code.isEmpty, !parts.contains(where: { $0.isEmpty }) else {
        throw .coding(index: index, reason: "the code path \"\(coding.code)\" is empty or has an empty part")
      }
      if !known.contains(coding.code) {
        add(path: parts, to: &book.codes)
        var prefix = ""
        for part in parts {
          prefix = prefix.isEmpty ? part : prefix + Code.pathSeparator + part
          known.insert(prefix)
        }
        warnings.append("code \(coding.code) is used by codings but not in the codebook; added to the export")
      }
    }
    book = REFICodebook.assigningGUIDs(book)
    project.codebook = book
    let codeGUIDs = Dictionary(book.flattened.map { ($0.path, $0.code.guid ?? "") }, uniquingKeysWith: { a, _ in a })

    // Users and codings, in a deterministic order.
    let coders = Set(codings.map(\.coder)).sorted()
    var userGUIDs: [String: String] = [:]
    for coder in coders {
      let guid = REFIGUID.derived("user:\(coder)")
      userGUIDs[coder] = guid
      project.users.append(REFIProject.User(guid: guid, name: coder))
    }
    let ordered = codings.enumerated().sorted { left, right in
      let a = left.element
      let b = right.element
      return (a.document, a.range.lowerBound, a.range.upperBound, a.code, a.coder, left.offset)
        < (b.document, b.range.lowerBound, b.range.upperBound, b.code, b.coder, right.offset)
    }
    var memos: [(index: Int, memo: String, coder: String, created: Date?)] = []
    for (index, coding) in ordered {
      guard let source = sourceGUIDs[coding.document] else {
        throw .coding(
          index: index,
          reason: "coder \(coding.coder): document \(coding.document) is not in the project (`verbatim corpus` lists ids)")
      }
      if let memo = coding.memo, !memo.isEmpty {
        memos.append((project.codings.count, memo, coding.coder, coding.created))
      }
      project.codings.append(
        REFIProject.TextCoding(
          sourceGUID: source, codeGUID: codeGUIDs[coding.code] ?? "", range: coding.range,
          creatingUserGUID: userGUIDs[coding.coder], creationDate: coding.created))
    }
    project = project.assigningGUIDs()
    for memo in memos {
      let codingGUID = project.codings[memo.index].guid ?? ""
      project.notes.append(
        REFIProject.Note(
          guid: REFIGUID.derived("note:\(codingGUID)"), name: "Memo", text: memo.memo, target: .coding(codingGUID),
          creatingUserGUID: userGUIDs[memo.coder], creationDate: memo.created))
    }
    return (project, warnings)
  }

  private static func add(path: [String], to codes: inout [Code]) {
    guard let first = path.first else { return }
    if let index = codes.firstIndex(where: { $0.name == first }) {
      add(path: Array(path.dropFirst()), to: &codes[index].codes)
    } else {
      var code = Code(name: first)
      add(path: Array(path.dropFirst()), to: &code.codes)
      codes.append(code)
    }
  }

  /// Writes the project as a `.qdpx` file (atomically).
  ///
  /// - Parameters:
  ///   - name: the REFI project name; default: the output file's base name.
  public static func exportArchive(
    projectDirectory: URL, to output: URL, name: String? = nil, codebook: Codebook?, codings: [Coding]
  ) throws(REFIExchangeError) -> ExportSummary {
    let store: ProjectStore
    do {
      store = try ProjectStore(directory: projectDirectory, creating: false)
    } catch {
      throw .store(error)
    }
    let projectName = name ?? output.deletingPathExtension().lastPathComponent
    let (project, warnings) = try makeProject(store: store, name: projectName, codebook: codebook, codings: codings)
    do {
      try REFIProjectArchive.write(project, to: output)
    } catch {
      throw .refi(error)
    }
    return ExportSummary(
      documents: project.sources.count, codes: project.codebook.flattened.count, codings: project.codings.count,
      variables: project.variables.count, warnings: warnings)
  }

  // MARK: - Import

  /// What importing a `.qdpx` did.
  public struct ImportOutcome: Sendable {
    /// The stored documents: path and id, in the archive's order.
    public var documents: [(path: String, id: Int64)]
    /// The archive's codebook (GUIDs kept).
    public var codebook: Codebook
    /// The archive's codings, on the stored documents (UTF-8 ranges of the stored texts).
    public var codings: [Coding]
    /// Remarks for stderr.
    public var warnings: [String]
  }

  /// Imports a `.qdpx` into the project: its plain-text sources become documents (in one
  /// transaction), and its codebook and codings are returned to the caller to store.
  ///
  /// Nothing is stored when the archive is invalid or any of its documents' paths is
  /// already in the project.
  ///
  /// - Parameters:
  ///   - counting: how CRLF count in the file's positions (default: detected per source).
  ///   - jobs: worker threads finding turns and segments (the result does not depend on it).
  public static func importArchive(
    at url: URL, file: String, projectDirectory: URL, counting: REFILineEndCounting = .automatic,
    analyzer: Analyzer = .french, jobs: Int = ProcessInfo.processInfo.activeProcessorCount
  ) throws(REFIExchangeError) -> ImportOutcome {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw .refi(.unreadable(file: file, reason: (error as NSError).localizedDescription))
    }
    let read: REFIImport
    do {
      read = try REFIProjectArchive.read(data, file: file, counting: counting)
    } catch {
      throw .refi(error)
    }
    let project = read.project
    var warnings = read.warnings

    // Metadata of each source: its cases' variable values, then its own (which win).
    let variables = Dictionary(project.variables.map { ($0.guid, $0) }, uniquingKeysWith: { a, _ in a })
    var metadata: [String: [String: MetadataValue]] = [:]
    func apply(_ values: [REFIProject.VariableValue], to source: String) {
      for value in values {
        guard let variable = variables[value.variableGUID], variable.name != guidField else { continue }
        metadata[source, default: [:]][variable.name] = metadataValue(value.value, type: variable.type)
      }
    }
    for item in project.cases {
      for source in item.sourceGUIDs { apply(item.values, to: source) }
    }
    for source in project.sources { apply(source.values, to: source.guid) }

    // Documents: paths and metadata first, then turns and segments on every core.
    let archiveName = url.deletingPathExtension().lastPathComponent
    var documents: [(document: ImportedDocument, name: String)] = []
    var pathsBySource: [String: String] = [:]
    var usedPaths: Set<String> = []
    for source in project.sources {
      if source.text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
        warnings.append("\(file): source \(source.name) has no text; skipped")
        continue
      }
      // The source's name as a relative path (`Corpus/a.txt` comes back as it went out);
      // empty, `.` and `..` components dropped.
      var base = source.name.split(whereSeparator: { $0 == "/" || $0 == "\\" })
        .filter { $0 != "." && $0 != ".." }.joined(separator: "/")
      if base.isEmpty { base = source.guid }
      var path = "\(archiveName)/\(base)"
      var suffix = 2
      while usedPaths.contains(path) {
        path = "\(archiveName)/\(base) (\(suffix))"
        suffix += 1
      }
      usedPaths.insert(path)
      pathsBySource[source.guid] = path
      var fields = metadata[source.guid] ?? [:]
      fields[guidField] = .text(source.guid)
      documents.append(
        (ImportedDocument(path: path, text: source.text, metadata: fields, format: "qdpx"), source.name))
    }
    let prepared = try prepare(documents, file: file, analyzer: analyzer, jobs: jobs)

    // Codings, on the stored texts.
    let users = Dictionary(project.users.map { ($0.guid, $0.displayName) }, uniquingKeysWith: { a, _ in a })
    let codePaths = Dictionary(
      project.codebook.flattened.map { ($0.code.guid ?? "", $0.path) }, uniquingKeysWith: { a, _ in a })
    var memos: [String: [String]] = [:]
    for note in project.notes {
      if case let .coding(guid) = note.target { memos[guid, default: []].append(note.text) }
    }
    let attachedElsewhere = project.notes.filter { if case .coding = $0.target { false } else { true } }.count
    if attachedElsewhere > 0 {
      warnings.append(
        "\(file): \(attachedElsewhere) note(s) on the project, codes or sources are not imported "
          + "(Verbatim keeps memos on codings)")
    }

    // Store, in one transaction.
    let store: ProjectStore
    do {
      store = try ProjectStore(directory: projectDirectory, creating: true)
    } catch {
      throw .store(error)
    }
    let storedPaths: Set<String>
    do {
      storedPaths = Set(try store.documentStates().map(\.path))
    } catch {
      throw .store(error)
    }
    let clashes = prepared.map(\.document.path).filter { storedPaths.contains($0) }
    if !clashes.isEmpty { throw .alreadyImported(file: file, paths: clashes) }
    var ids: [String: Int64] = [:]
    var stored: [(path: String, id: Int64)] = []
    if !prepared.isEmpty {
      let recipe = "verbatim-import-qdpx 1\nanalyzer \(analyzer.locale) \(analyzer.foldsAccents)\ncounting \(counting)\n"
      let file = PreparedFile(
        source: url.lastPathComponent, contentHash: ContentHash.string(data),
        settingsHash: ContentHash.string(Array(recipe.utf8)), size: data.count, documents: prepared)
      do {
        for write in try store.write(file, importedAt: Date()) {
          switch write {
          case let .inserted(path, id), let .replaced(path, id):
            ids[path] = id
            stored.append((path, id))
          }
        }
      } catch {
        throw .store(error)
      }
    }
    var codings: [Coding] = []
    for coding in project.codings {
      guard let path = pathsBySource[coding.sourceGUID], let id = ids[path], let code = codePaths[coding.codeGUID]
      else { continue }
      let memo = (memos[coding.guid ?? ""] ?? []).joined(separator: "\n\n")
      codings.append(
        Coding(
          coder: coding.creatingUserGUID.map { users[$0] ?? $0 } ?? unknownCoder, document: id, range: coding.range,
          code: code, memo: memo.isEmpty ? nil : memo, created: coding.creationDate))
    }
    return ImportOutcome(documents: stored, codebook: project.codebook, codings: codings, warnings: warnings)
  }

  /// Finds the turns and segments of each document on `jobs` workers (each with its own
  /// segmenter), keeping the input order; the first failing document, in input order, throws.
  static func prepare(
    _ documents: [(document: ImportedDocument, name: String)], file: String, analyzer: Analyzer, jobs: Int
  ) throws(REFIExchangeError) -> [PreparedDocument] {
    let parser: SpeakerTurnParser
    do {
      parser = try SpeakerTurnParser()
    } catch {
      throw .source(file: file, name: "-", reason: "the speaker-turn parser failed: \(error)")
    }
    let results = PreparedResults(count: documents.count)
    let workers = max(1, min(jobs, documents.count))
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let segmenter: Segmenter
      do {
        segmenter = try Segmenter(analyzer: analyzer)
      } catch {
        for index in stride(from: worker, to: documents.count, by: workers) {
          results.fail(index, "the analysis chain failed: \(error)")
        }
        return
      }
      var index = worker
      while index < documents.count {
        var document = documents[index].document
        document.turns = parser.turns(in: document.text)
        if let problem = document.validateTurns() {
          results.fail(index, problem)
        } else {
          do {
            results.set(index, PreparedDocument(document: document, units: try segmenter.units(of: document.text, turns: document.turns)))
          } catch {
            results.fail(index, "\(error)")
          }
        }
        index += workers
      }
    }
    var prepared: [PreparedDocument] = []
    for (index, result) in results.values.enumerated() {
      switch result {
      case let .success(document)?: prepared.append(document)
      case let .failure(problem)?: throw .source(file: file, name: documents[index].name, reason: problem.message)
      case nil: throw .source(file: file, name: documents[index].name, reason: "not prepared")
      }
    }
    return prepared
  }

  /// Results written by the import workers, each at its own index.
  private final class PreparedResults: @unchecked Sendable {
    struct Problem: Error { var message: String }
    private let lock = NSLock()
    private(set) var values: [Result<PreparedDocument, Problem>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ document: PreparedDocument) {
      lock.lock()
      values[index] = .success(document)
      lock.unlock()
    }

    func fail(_ index: Int, _ message: String) {
      lock.lock()
      if index < values.count { values[index] = .failure(Problem(message: message)) }
      lock.unlock()
    }
  }

  /// A REFI value as Verbatim metadata: integers and dates typed, everything else text.
  static func metadataValue(_ raw: String, type: REFIProject.VariableType) -> MetadataValue {
    let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
    switch type {
    case .integer:
      if let integer = Int(trimmed) { return .integer(integer) }
    case .date:
      if case let .date(date) = MetadataValue.parse(String(trimmed.prefix(10))), trimmed.count == 10 {
        return .date(date)
      }
    default: break
    }
    return .text(raw)
  }

  // MARK: - Coding files

  /// The codings as the human-codings exchange CSV (`coder,document,start,end,code,memo`,
  /// RFC 4180), in the given order.
  public static func codingsCSV(_ codings: [Coding]) -> String {
    var text = "coder,document,start,end,code,memo\r\n"
    for coding in codings {
      let fields = [
        coding.coder, String(coding.document), String(coding.range.lowerBound), String(coding.range.upperBound),
        coding.code, coding.memo ?? "",
      ]
      text += fields.map(TableWriter.escapeCSV).joined(separator: ",") + "\r\n"
    }
    return text
  }

  /// Writes bytes to a file atomically (a temporary file beside it, then a rename).
  public static func writeAtomically(_ data: Data, to url: URL) throws(REFIExchangeError) {
    do {
      try data.write(to: url, options: .atomic)
    } catch {
      throw .cannotWrite(path: url.path, reason: (error as NSError).localizedDescription)
    }
  }
}
