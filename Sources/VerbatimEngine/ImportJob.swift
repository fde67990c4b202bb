import Foundation
import VerbatimAnalysis
import VerbatimCorpus
import VerbatimIndex

/// A file the import did not take, and why (an unsupported format, a README, a metadata file).
public struct SkippedFile: Sendable, Hashable {
  /// The path, relative like document paths.
  public var path: String
  /// Why it was skipped.
  public var reason: String
}

/// A file the import rejected, and why; nothing of it was written.
public struct RejectedFile: Sendable, Hashable {
  /// The path, relative like document paths.
  public var path: String
  /// The reason, as printed after `error: `: it names the file (and line), never its text.
  public var message: String
}

/// What an import did. Documents are counted for imported, unchanged, replaced and vanished;
/// files for rejected and skipped.
public struct ImportSummary: Sendable, Hashable {
  /// Paths of documents imported for the first time.
  public var imported: [String] = []
  /// Paths of documents whose file and settings did not change (nothing written).
  public var unchanged: [String] = []
  /// Paths of documents replaced in place (same id) because their file or settings changed.
  public var replaced: [String] = []
  /// Files rejected (nothing of them written; what was stored before is kept).
  public var rejected: [RejectedFile] = []
  /// Paths of stored documents whose file is no longer under an imported folder (kept in the
  /// project: nothing is ever deleted by an import).
  public var vanished: [String] = []
  /// Files skipped (hidden files are ignored silently and not listed).
  public var skipped: [SkippedFile] = []

  /// Creates an empty summary.
  public init() {}

  /// The warning for human codings a re-import left stale (``HumanCodingJobs/staleCodings(onPaths:projectDirectory:)``).
  public static func staleCodingsWarning(_ stale: (codings: Int, documents: Int)) -> String {
    let codings = stale.codings == 1 ? "1 human coding" : "\(stale.codings) human codings"
    let documents = stale.documents == 1 ? "1 replaced document" : "\(stale.documents) replaced documents"
    return "warning: \(codings) on \(documents) no longer match the new text; they are kept, marked stale "
      + "and left out of analyses: `verbatim coding list --stale` shows them, `verbatim coding confirm DOCUMENT` "
      + "accepts those still inside the text"
  }

  /// The counts line and one line per skipped or vanished file, for stderr.
  ///
  ///     import: 10 imported, 0 unchanged, 0 replaced, 0 rejected, 0 vanished, 1 skipped
  ///     skipped: Corpus/README.md: a README (documentation, not a transcript)
  public var lines: [String] {
    var lines = [
      "import: \(imported.count) imported, \(unchanged.count) unchanged, \(replaced.count) replaced, "
        + "\(rejected.count) rejected, \(vanished.count) vanished, \(skipped.count) skipped"
    ]
    lines += skipped.map { "skipped: \($0.path): \($0.reason)" }
    lines += vanished.map { "vanished: \($0): no longer found; kept in the project (an import never deletes)" }
    return lines
  }

  /// Writes the summary as one jsonl object: the six counts, then the lists of rejected,
  /// vanished and skipped paths.
  public func writeJSONL(to sink: OutputSink) {
    let writer = TableWriter(
      format: .jsonl,
      columns: [
        "imported", "unchanged", "replaced", "rejected", "vanished", "skipped", "rejected_paths", "vanished_paths",
        "skipped_paths",
      ], sink: sink)
    writer.write([
      .integer(imported.count), .integer(unchanged.count), .integer(replaced.count), .integer(rejected.count),
      .integer(vanished.count), .integer(skipped.count), .list(rejected.map(\.path)), .list(vanished),
      .list(skipped.map(\.path)),
    ])
  }
}

/// The job behind `verbatim import CORPUS…`: walk files and folders, read `metadata.csv`,
/// hash, import, segment and store each file in its own transaction.
///
/// - Paths: a folder argument's files are stored under the folder's own name
///   (`verbatim import ~/enquête/Corpus` stores `Corpus/a.txt`, `Corpus/sub/b.docx`); a file
///   argument is stored under its folder's name too (`Corpus/a.txt`), so both routes give the
///   same document.
/// - Walking is recursive and sorted; hidden files and folders are ignored; files with an
///   unsupported extension, `README` files and `metadata.csv` files are skipped and listed.
/// - `metadata.csv`: its rows (file path relative to its folder, with or without extension,
///   or else the file name alone → fields; ``MetadataCSV``) apply to the files of its folder
///   and subfolders; a nearer file wins over a farther one, and both win over
///   the document's own metadata (front matter, document properties). A bad `metadata.csv`
///   rejects the files it governs (their stored versions are kept).
/// - Change detection: ``ContentHash`` of the file's bytes, plus a hash of what else shaped
///   the import (the `metadata.csv` rows applied, the options that matter for the format,
///   ``ImportJob/recipeVersion``). Both unchanged → "unchanged", nothing written; otherwise
///   every document of the file is validated and segmented, then written in one transaction
///   (new ones inserted, existing paths replaced with the same id).
/// - A rejected file prints `error: <path>: <reason>` and is counted; the others go on.
/// - Vanished: documents stored from files under an imported folder (or from an imported file,
///   for csv/jsonl rows) that this run did not find; they are reported and kept.
public struct ImportJob: Sendable {
  /// Bump when importers or segmentation change what is stored, so that re-imports replace.
  public static let recipeVersion = 1

  /// Files and folders to import, as the user wrote them.
  public var inputs: [String]
  /// The project folder (holding `project.sqlite`).
  public var projectDirectory: URL
  /// Importer options.
  public var options: ImportOptions
  /// The analysis chain used to count tokens for segments.
  public var analyzer: Analyzer
  /// Threads that read, parse and segment files (the default: every core). Files are still
  /// written in walk order by one thread, so the project does not depend on it.
  public var jobs = ProcessInfo.processInfo.activeProcessorCount
  /// Files a chunk holds per worker at most (tests make it small to have many chunks).
  public var filesPerChunk = 64

  /// Creates an import job.
  ///
  /// - Parameters:
  ///   - textColumn: the csv column holding the text (`--text-column`).
  ///   - speakerPattern: an extra speaker-label pattern (`--speaker-pattern`).
  public init(
    inputs: [String], projectDirectory: URL, textColumn: String? = nil, speakerPattern: String? = nil,
    analyzer: Analyzer = .french
  ) {
    self.inputs = inputs
    self.projectDirectory = projectDirectory
    options = ImportOptions(csvTextColumn: textColumn, speakerPattern: speakerPattern)
    self.analyzer = analyzer
  }

  /// Why `pattern` cannot be a speaker pattern, or nil when it can (for usage errors).
  public static func problem(withSpeakerPattern pattern: String) -> String? {
    do {
      _ = try SpeakerTurnParser(extraPattern: pattern)
      return nil
    } catch {
      return "--speaker-pattern: \(error)"
    }
  }

  /// Runs the import.
  ///
  /// - Parameters:
  ///   - diagnostics: receives each `error: …` and `warning: …` line as it happens.
  ///   - progress: receives (files done, files in all) after each file.
  /// - Returns: the summary; `rejected` is non-empty when anything was rejected.
  /// - Throws: ``ProjectStoreError`` when the project cannot be opened (nothing imported).
  public func run(
    diagnostics: (String) -> Void = { _ in }, progress: (Int, Int) -> Void = { _, _ in }
  ) throws(ProjectStoreError) -> ImportSummary {
    let store = try ProjectStore(directory: projectDirectory, creating: true)
    var summary = ImportSummary()
    var walk = Walk(excluding: projectDirectory)
    for input in inputs { walk.add(input) }
    summary.skipped = walk.skipped
    for rejection in walk.rejected {
      diagnostics("error: \(rejection.message)")
      summary.rejected.append(rejection)
    }

    let statesBySource = StatesBySource(try store.documentStates())
    var metadata = MetadataFiles()
    let workers = max(1, min(jobs, walk.files.count))
    var segmenters: [Segmenter] = []
    do {
      for _ in 0..<workers { segmenters.append(try Segmenter(analyzer: analyzer)) }
    } catch {
      throw .cannotOpen(path: projectDirectory.path, reason: "the analysis chain failed: \(error)")
    }
    let importedAt = Date()
    var presentSources: Set<String> = []
    var writtenPaths: Set<String> = []

    // Files go in chunks (a bounded amount of text in memory): each chunk is read, parsed and
    // segmented on `workers` threads, then written in walk order on this one, so document ids
    // and every stored row are the same whatever the number of threads.
    // The next chunk is prepared while this thread writes the current one.
    let chunks = Self.chunks(of: walk.files, workers: workers, filesPerWorker: filesPerChunk)
    func launch(_ chunk: ArraySlice<WalkedFile>) -> ChunkInFlight {
      var externals: [Result<[String: MetadataValue], MetadataFailure>] = []
      for file in chunk { externals.append(metadata.fields(for: file)) }
      let flight = ChunkInFlight()
      let work = UncheckedSendable((job: self, chunk: chunk, externals: externals, segmenters: segmenters))
      let states = UncheckedSendable(statesBySource)
      flight.group.enter()
      DispatchQueue.global().async {
        let context = work.value
        flight.prepared = context.job.prepareChunk(
          context.chunk, externals: context.externals, statesBySource: states.value, segmenters: context.segmenters)
        flight.group.leave()
      }
      return flight
    }
    var index = 0
    var next = chunks.first.map(launch)
    for chunkIndex in chunks.indices {
      guard let current = next else { break }
      current.group.wait()
      let prepared = current.prepared
      next = chunkIndex + 1 < chunks.count ? launch(chunks[chunkIndex + 1]) : nil
      for preparation in prepared {
        index += 1
        defer { progress(index, walk.files.count) }
        let outcome = finish(preparation, store: store, importedAt: importedAt, diagnostics: diagnostics)
        switch outcome {
        case let .unchanged(paths):
          presentSources.insert(preparation.file.source)
          summary.unchanged += paths
        case let .written(writes):
          for write in writes {
            switch write {
            case let .inserted(path, _):
              summary.imported.append(path)
              writtenPaths.insert(path)
            case let .replaced(path, _):
              summary.replaced.append(path)
              writtenPaths.insert(path)
            }
          }
        case let .rejected(message):
          presentSources.insert(preparation.file.source)
          diagnostics("error: \(message)")
          summary.rejected.append(RejectedFile(path: preparation.file.source, message: message))
        }
      }
    }
    for warning in metadata.unusedRowWarnings() { diagnostics("warning: \(warning)") }

    // Vanished: stored documents under an imported root that this run did not account for.
    for state in statesBySource.all where walk.covers(source: state.source) && !walk.isUnread(source: state.source) {
      if presentSources.contains(state.source) || writtenPaths.contains(state.path) { continue }
      summary.vanished.append(state.path)
    }
    return summary
  }

  /// The stored states, in id order, and an order of them by source file in which each file's
  /// are found by binary search: `Dictionary(grouping:)` made an array per file (14 MB at 1 GB).
  struct StatesBySource: Sendable {
    /// Every stored state, in id order.
    let all: [StoredDocumentState]
    /// Indices into ``all``, sorted by source (byte order), then id.
    private let bySource: [Int32]

    init(_ states: [StoredDocumentState]) {
      all = states
      bySource = (0..<Int32(states.count)).sorted { a, b in
        let (x, y) = (states[Int(a)].source, states[Int(b)].source)
        return x != y ? x.utf8.lexicographicallyPrecedes(y.utf8) : a < b
      }
    }

    /// The states of the documents imported from `source`, in id order (empty if none).
    subscript(source: String) -> [StoredDocumentState] {
      var low = bySource.partitioningIndex { !all[Int($0)].source.utf8.lexicographicallyPrecedes(source.utf8) }
      var found: [StoredDocumentState] = []
      while low < bySource.count && all[Int(bySource[low])].source == source {
        found.append(all[Int(bySource[low])])
        low += 1
      }
      return found
    }
  }

  private enum FileOutcome {
    case unchanged([String])
    case written([DocumentWrite])
    case rejected(String)
  }

  /// A file read, parsed and segmented, not yet written.
  struct Preparation {
    enum State {
      case unchanged([String])
      case rejected(String)
      case ready(PreparedFile)
    }
    var file: WalkedFile
    var state: State
  }

  /// Consecutive runs of files: at most `filesPerWorker` per worker and about 16 MB of files per
  /// worker, so that two chunks (one written, one prepared) bound the text held in memory.
  static func chunks(of files: [WalkedFile], workers: Int, filesPerWorker: Int) -> [ArraySlice<WalkedFile>] {
    var result: [ArraySlice<WalkedFile>] = []
    var start = 0
    var bytes = 0
    for (index, file) in files.enumerated() {
      let size = file.size
      if index > start && (index - start >= filesPerWorker * workers || bytes + size > (16 << 20) * workers) {
        result.append(files[start..<index])
        start = index
        bytes = 0
      }
      bytes += size
    }
    if start < files.count { result.append(files[start...]) }
    return result
  }

  /// Prepares a chunk on one thread per segmenter; the results come back in the chunk's order.
  fileprivate func prepareChunk(
    _ chunk: ArraySlice<WalkedFile>, externals: [Result<[String: MetadataValue], MetadataFailure>],
    statesBySource: StatesBySource, segmenters: [Segmenter]
  ) -> [Preparation] {
    let files = Array(chunk)
    let slots = WorkerSlots<Preparation?>(count: files.count, initial: nil)
    let shared = UncheckedSendable((job: self, files: files, externals: externals, states: statesBySource, segmenters: segmenters))
    let workers = min(segmenters.count, files.count)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let context = shared.value
      var index = worker
      while index < context.files.count {
        let file = context.files[index]
        slots[index] = context.job.prepare(
          file, external: context.externals[index], previous: context.states[file.source],
          segmenter: context.segmenters[worker])
        index += workers
      }
    }
    return (0..<files.count).map { slots[$0]! }
  }

  /// Writes a prepared file (its warnings first), or passes on what happened to it.
  private func finish(
    _ preparation: Preparation, store: ProjectStore, importedAt: Date, diagnostics: (String) -> Void
  ) -> FileOutcome {
    switch preparation.state {
    case let .unchanged(paths): return .unchanged(paths)
    case let .rejected(message): return .rejected(message)
    case let .ready(preparedFile):
      for document in preparedFile.documents {
        for warning in document.document.warnings { diagnostics("warning: \(document.document.path): \(warning)") }
      }
      do {
        return .written(try store.write(preparedFile, importedAt: importedAt))
      } catch {
        return .rejected("\(preparedFile.source): \(Self.storeReason(error))")
      }
    }
  }

  /// Reads, hashes, parses, validates and segments one file (any thread; nothing is written).
  private func prepare(
    _ file: WalkedFile, external fields: Result<[String: MetadataValue], MetadataFailure>,
    previous: [StoredDocumentState], segmenter: Segmenter
  ) -> Preparation {
    func rejected(_ message: String) -> Preparation { Preparation(file: file, state: .rejected(message)) }
    let external: [String: MetadataValue]
    switch fields {
    case let .success(values): external = values
    case let .failure(failure): return rejected(failure.message)
    }
    let data: Data
    do {
      data = try Data(contentsOf: file.url)
    } catch {
      return rejected(ImportError.unreadable(path: file.source, reason: Self.reason(error)).description)
    }
    let contentHash = ContentHash.string(data)
    let settingsHash = settingsHash(for: file, external: external)
    if !previous.isEmpty && previous.allSatisfy({ $0.contentHash == contentHash && $0.settingsHash == settingsHash }) {
      return Preparation(file: file, state: .unchanged(previous.map(\.path)))
    }

    // Import, validate and segment everything before writing anything.
    let documents: [ImportedDocument]
    do {
      documents = try Importers.importFile(at: file.url, relativePath: file.source, options: options)
    } catch {
      return rejected(Self.relabel(error, source: file.source).description)
    }
    guard !documents.isEmpty else { return rejected(ImportError.empty(path: file.source).description) }
    var prepared: [PreparedDocument] = []
    var paths: Set<String> = []
    for var document in documents {
      if let problem = Self.validate(&document, paths: &paths) {
        return rejected("\(document.path): \(problem)")
      }
      document.metadata.merge(external) { _, new in new }
      do {
        let units = try segmenter.units(of: document.text, turns: document.turns)
        prepared.append(PreparedDocument(document: document, units: units))
      } catch {
        return rejected("\(document.path): \(error)")
      }
    }
    let preparedFile = PreparedFile(
      source: file.source, contentHash: contentHash, settingsHash: settingsHash, size: data.count,
      documents: prepared)
    return Preparation(file: file, state: .ready(preparedFile))
  }

  /// The hash of what, besides the file's bytes, shaped its documents.
  private func settingsHash(for file: WalkedFile, external: [String: MetadataValue]) -> String {
    var recipe = "verbatim-import \(Self.recipeVersion)\n"
    recipe += "analyzer \(analyzer.locale) \(analyzer.foldsAccents)\n"
    switch file.url.pathExtension.lowercased() {
    case "csv": recipe += "text-column \(options.csvTextColumn ?? "")\n"
    case "jsonl": recipe += "jsonl \(options.jsonlTextField) \(options.jsonlIDField ?? "")\n"
    default: break
    }
    recipe += "speaker-pattern \(options.speakerPattern ?? "")\n"
    for (field, value) in external.sorted(by: { $0.key < $1.key }) {
      recipe += "metadata \(field.utf8.count):\(field) \(value.typeName) \(value.description.utf8.count):\(value)\n"
    }
    return ContentHash.string(Array(recipe.utf8))
  }

  /// Checks what an importer produced: a unique path, then the turns
  /// (``ImportedDocument/validateTurns()``).
  ///
  /// - Returns: the problem, or nil.
  static func validate(_ document: inout ImportedDocument, paths: inout Set<String>) -> String? {
    guard !document.path.isEmpty else { return "a document has no path" }
    guard paths.insert(document.path).inserted else { return "two documents have the same path" }
    return document.validateTurns()
  }

  /// The error with the file's relative path when it names another one (an absolute path).
  static func relabel(_ error: ImportError, source: String) -> ImportError {
    switch error {
    case let .unreadable(path, reason): .unreadable(path: relabel(path, source), reason: reason)
    case let .undecodable(path, reason): .undecodable(path: relabel(path, source), reason: reason)
    case let .unsupported(path, reason): .unsupported(path: relabel(path, source), reason: reason)
    case let .malformed(path, line, reason): .malformed(path: relabel(path, source), line: line, reason: reason)
    case let .empty(path): .empty(path: relabel(path, source))
    case let .unsafeArchive(path, reason): .unsafeArchive(path: relabel(path, source), reason: reason)
    }
  }

  private static func relabel(_ path: String, _ source: String) -> String {
    path.hasPrefix(source) ? path : source
  }

  static func reason(_ error: any Error) -> String {
    if let error = error as? CocoaError {
      switch error.code {
      case .fileReadNoSuchFile: return "no such file"
      case .fileReadNoPermission: return "permission denied"
      default: break
      }
    }
    return (error as NSError).localizedDescription
  }

  private static func storeReason(_ error: ProjectStoreError) -> String {
    switch error {
    case let .database(_, _, reason): "cannot store: \(reason); the previous version is kept"
    default: error.description
    }
  }
}

// MARK: - Walking

/// A file to import: where it is and the path it is stored under.
struct WalkedFile: Sendable, Hashable {
  /// The file's absolute, standardised path. A path, not a `URL`: a `URL` kept for each of
  /// 96,468 files took 34 MB of a re-import's 119 MB heap at 1 GB (``url`` makes one when the
  /// file is read).
  var path: String
  /// The file.
  var url: URL { URL(fileURLWithPath: path, isDirectory: false) }
  /// Its stored path (`Corpus/sub/a.txt`).
  var source: String
  /// The folder argument it was found under; for a file argument, the file's folder.
  var root: URL
  /// The stored name of `root` (`Corpus`).
  var rootName: String
  /// Whether it was found by walking a folder argument (then every file of the folder is seen).
  var isFromFolder: Bool
  /// Its size in bytes when walked (what the chunks are cut by).
  var size: Int = 0
}

/// What `stat` says of a path, read with `lstat` and `stat` directly: through Foundation
/// (`URL.resourceValues`, `FileManager.fileExists`) the walk of 398,198 files took most of a
/// re-import's 90 s at 4 GB.
struct PathStatus {
  /// Whether the path, links followed, exists.
  var exists = false
  /// Whether it (links followed) is a folder.
  var isDirectory = false
  /// Whether the path itself is a symbolic link.
  var isSymbolicLink = false
  /// The size of what it names, links followed.
  var size = 0

  init(path: String) {
    var status = stat()
    if lstat(path, &status) == 0 { isSymbolicLink = (status.st_mode & S_IFMT) == S_IFLNK }
    guard stat(path, &status) == 0 else { return }
    exists = true
    isDirectory = (status.st_mode & S_IFMT) == S_IFDIR
    size = Int(status.st_size)
  }
}

/// Walks the inputs: files to import, files skipped, arguments rejected.
struct Walk {
  var files: [WalkedFile] = []
  var skipped: [SkippedFile] = []
  var rejected: [RejectedFile] = []
  /// Stored-path prefixes of folder arguments (`Corpus/`) and sources of file arguments.
  private var folderPrefixes: [String] = []
  private var fileSources: Set<String> = []
  private var seen: Set<String> = []
  /// Stored-path prefixes of folders that could not be read (their documents are not vanished).
  private var unreadPrefixes: [String] = []
  /// The project folder, never walked.
  private let excludedPath: String

  init(excluding projectDirectory: URL) {
    excludedPath = projectDirectory.standardizedFileURL.path
  }

  /// Whether `source` lies in a folder that could not be read.
  func isUnread(source: String) -> Bool {
    unreadPrefixes.contains { source.hasPrefix($0) }
  }

  /// Whether a stored document from `source` lies under what this run imported.
  func covers(source: String) -> Bool {
    fileSources.contains(source) || folderPrefixes.contains { source.hasPrefix($0) }
  }

  mutating func add(_ input: String) {
    let url = URL(fileURLWithPath: input).standardizedFileURL
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
      rejected.append(RejectedFile(path: input, message: "\(input): no such file or folder"))
      return
    }
    let parent = url.deletingLastPathComponent()
    if isDirectory.boolValue {
      let name = url.resolvingSymlinksInPath().lastPathComponent
      let prefix = name == "/" || name.isEmpty ? "" : name + "/"
      folderPrefixes.append(prefix)
      walk(folder: url, relative: prefix, root: url, rootName: name)
    } else {
      let folderName = parent.resolvingSymlinksInPath().lastPathComponent
      let prefix = folderName == "/" || folderName.isEmpty ? "" : folderName + "/"
      let source = prefix + url.lastPathComponent
      if url.lastPathComponent == MetadataFiles.fileName {
        skipped.append(SkippedFile(path: source, reason: "metadata file: import its folder to apply it"))
      } else if !Importers.supportedExtensions.contains(url.pathExtension.lowercased()) {
        rejected.append(RejectedFile(path: source, message: "\(source): \(Self.unsupportedReason(url))"))
      } else {
        fileSources.insert(source)
        append(
          WalkedFile(
            path: url.path, source: source, root: parent, rootName: folderName, isFromFolder: false,
            size: PathStatus(path: url.path).size))
      }
    }
  }

  private mutating func append(_ file: WalkedFile) {
    guard seen.insert(file.source).inserted else { return }
    files.append(file)
  }

  private mutating func walk(folder: URL, relative: String, root: URL, rootName: String) {
    let manager = FileManager.default
    guard let names = try? manager.contentsOfDirectory(atPath: folder.path) else {
      rejected.append(RejectedFile(path: relative, message: "\(relative): cannot read the folder"))
      unreadPrefixes.append(relative)
      return
    }
    // `folder` is standardised (the argument was, and a name read from a folder has no `/`
    // and, not starting with a dot, is neither `.` nor `..`), so its children's paths are too.
    let folderPath = folder.path
    for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      if name.hasPrefix(".") { continue }
      let path = folderPath.hasSuffix("/") ? folderPath + name : folderPath + "/" + name
      if path == excludedPath { continue }
      let source = relative + name
      let status = PathStatus(path: path)
      guard status.exists else {
        skipped.append(SkippedFile(path: source, reason: "broken symbolic link"))
        continue
      }
      if status.isDirectory {
        if status.isSymbolicLink {
          skipped.append(SkippedFile(path: source, reason: "symbolic link to a folder (not followed)"))
        } else {
          walk(folder: URL(fileURLWithPath: path, isDirectory: true), relative: source + "/", root: root, rootName: rootName)
        }
        continue
      }
      let url = URL(fileURLWithPath: path, isDirectory: false)
      if name == MetadataFiles.fileName { continue }  // applied to the folder's files
      let stem = url.deletingPathExtension().lastPathComponent.lowercased()
      let fileExtension = url.pathExtension.lowercased()
      if stem == "readme" && ["md", "txt", ""].contains(fileExtension) {
        skipped.append(SkippedFile(path: source, reason: "a README (documentation, not a transcript)"))
      } else if !Importers.supportedExtensions.contains(fileExtension) {
        skipped.append(SkippedFile(path: source, reason: Self.unsupportedReason(url)))
      } else {
        append(
          WalkedFile(path: path, source: source, root: root, rootName: rootName, isFromFolder: true, size: status.size))
      }
    }
  }

  private static func unsupportedReason(_ url: URL) -> String {
    let supported = Importers.supportedExtensions.sorted().joined(separator: ", ")
    let fileExtension = url.pathExtension
    return fileExtension.isEmpty
      ? "no file extension (supported: \(supported))"
      : "unsupported format .\(fileExtension) (supported: \(supported))"
  }
}

// MARK: - metadata.csv

/// The `metadata.csv` files met while importing, loaded once each.
struct MetadataFiles {
  static let fileName = MetadataCSV.fileName

  private enum Loaded {
    case rows([String: [String: MetadataValue]])
    case invalid(String)
  }

  /// Loaded files by folder path, with their stored path.
  private var loaded: [String: (source: String, content: Loaded)] = [:]
  /// Keys used, by folder path.
  private var used: [String: Set<String>] = [:]
  /// Folders whose files were all walked (their unused rows deserve a warning).
  private var walkedWhole: Set<String> = []
  /// Whether a folder (by path) holds a `metadata.csv`.
  private var csvExists: [String: Bool] = [:]

  /// The fields that `metadata.csv` files give `file`, farther folders first, nearer ones
  /// winning; or the message rejecting it when one of them is invalid.
  mutating func fields(for file: WalkedFile) -> Result<[String: MetadataValue], MetadataFailure> {
    // Folders from the root down to the file's own folder.
    let rootPath = file.root.path
    var folders: [URL] = []
    var folder = file.url.deletingLastPathComponent()
    while true {
      folders.append(folder)
      if folder.path == rootPath || folder.path == "/" || !folder.path.hasPrefix(rootPath) { break }
      folder = folder.deletingLastPathComponent()
    }
    var fields: [String: MetadataValue] = [:]
    for folder in folders.reversed() {
      let folderPath = folder.path
      // Once per folder, not once per file and folder above it (a `stat` each: 17 % of a
      // 4 GB re-import).
      let exists: Bool
      if let known = csvExists[folderPath] {
        exists = known
      } else {
        exists = PathStatus(path: folderPath + "/" + Self.fileName).exists
        csvExists[folderPath] = exists
      }
      guard exists else { continue }
      let csv = folder.appendingPathComponent(Self.fileName)
      let key = String(file.url.path.dropFirst(folder.path.count + 1))
      let csvSource = Self.source(of: csv, file: file)
      if file.isFromFolder { walkedWhole.insert(folder.path) }
      let content: Loaded
      if let cached = loaded[folder.path] {
        content = cached.content
      } else {
        do {
          content = .rows(try MetadataCSV.load(at: csv))
        } catch {
          content = .invalid(ImportJob.relabel(error, source: csvSource).description)
        }
        loaded[folder.path] = (csvSource, content)
      }
      switch content {
      case let .rows(rows):
        // The row naming the file's path below the csv's folder, with or without extension;
        // else the row naming its file name alone (`20130118` for `transcripts/20130118.txt`).
        let name = (key as NSString).lastPathComponent
        let candidates = [key, (key as NSString).deletingPathExtension, name, (name as NSString).deletingPathExtension]
        if let match = candidates.first(where: { rows[$0] != nil }), let row = rows[match] {
          fields.merge(row) { _, new in new }
          used[folder.path, default: []].insert(match)
        }
      case let .invalid(message):
        return .failure(MetadataFailure(message: "\(file.source): not imported: \(message)"))
      }
    }
    return .success(fields)
  }

  /// Warnings for rows of valid `metadata.csv` files, in walked folders, that named no
  /// imported file.
  func unusedRowWarnings() -> [String] {
    var warnings: [String] = []
    for (folder, entry) in loaded.sorted(by: { $0.key < $1.key }) where walkedWhole.contains(folder) {
      guard case let .rows(rows) = entry.content else { continue }
      let unused = Set(rows.keys).subtracting(used[folder] ?? [])
      for name in unused.sorted() {
        warnings.append("\(entry.source): no file named \(name) was imported; its row was not applied")
      }
    }
    return warnings
  }

  private static func source(of csv: URL, file: WalkedFile) -> String {
    let relative = String(csv.path.dropFirst(file.root.path.count)).drop { $0 == "/" }
    return file.rootName.isEmpty || file.rootName == "/" ? String(relative) : file.rootName + "/" + relative
  }
}

/// Why a file could not get its `metadata.csv` fields.
struct MetadataFailure: Error {
  var message: String
}

// MARK: - Progress

/// A one-line progress bar on stderr, only when stderr is a terminal.
///
///     import [##########          ] 5/10
public final class TerminalProgress {
  private let label: String
  private var lastWidth = 0
  private var isVisible = false

  /// Creates a progress bar, or nil when stderr is not a terminal (then nothing is ever drawn).
  public init?(label: String) {
    guard isatty(2) == 1 else { return nil }
    self.label = label
  }

  /// Draws `done` of `total`.
  public func update(done: Int, total: Int) {
    guard total > 0 else { return }
    let width = 30
    let filled = min(width, done * width / total)
    let line = "\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total)"
    FileHandle.standardError.write(Data(line.utf8))
    lastWidth = line.count
    isVisible = true
  }

  /// Erases the bar.
  public func finish() {
    guard isVisible else { return }
    FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: lastWidth) + "\r").utf8))
    isVisible = false
  }
}

/// A chunk being prepared on other threads; `prepared` is read after `group` is done.
private final class ChunkInFlight: @unchecked Sendable {
  let group = DispatchGroup()
  var prepared: [ImportJob.Preparation] = []
}

/// Hands read-only values (segmenters, one per worker, each used by its worker alone) to
/// `concurrentPerform`'s threads.
private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
