import Dispatch
import Foundation
import VerbatimAnalysis
import VerbatimCoding
import VerbatimCorpus
import VerbatimGraph

/// What `verbatim analyze` is asked to do.
public struct AnalyzeOptions: Sendable {
  /// Files and folders to import (incrementally) into the project.
  public var corpus: [String]
  /// Codebook files (any format `CodebookFiles` reads).
  public var codebooks: [String]
  /// The report folder to write (replaced atomically).
  public var output: URL
  /// The project folder.
  public var project: URL
  /// The report's language.
  public var language: ReportLanguage
  /// Worker threads.
  public var jobs: Int
  /// Key notions for the co-occurrence graphs; empty: the corpus's own (see ``AnalyzeJob``).
  public var notions: [String]
  /// The unit coded and counted.
  public var scope: CodingScope
  /// The date written in the report (pass a fixed one for reproducible output).
  public var date: Date

  /// Creates options with the contract's defaults.
  public init(
    corpus: [String], codebooks: [String], output: URL, project: URL, language: ReportLanguage = .fr,
    jobs: Int = ProcessInfo.processInfo.activeProcessorCount, notions: [String] = [], scope: CodingScope = .segment,
    date: Date = Date()
  ) {
    self.corpus = corpus
    self.codebooks = codebooks
    self.output = output
    self.project = project
    self.language = language
    self.jobs = jobs
    self.notions = notions
    self.scope = scope
    self.date = date
  }
}

/// What `verbatim analyze` did.
public struct AnalyzeSummary: Sendable {
  /// Documents in the project.
  public var documents: Int
  /// Units (segments by default) in the project.
  public var units: Int
  /// Codes of every codebook.
  public var codes: Int
  /// Units coded by some code (automatic or human codings).
  public var codedUnits: Int
  /// Files written in the report folder, by name.
  public var files: [String]
  /// Import messages (rejected or skipped files).
  public var importLines: [String]
}

/// An error of `verbatim analyze`; nothing is written to the report folder when one is raised.
public enum AnalyzeError: Error, CustomStringConvertible {
  case codebook(CodebookFileError)
  case importing(String)
  case index(IndexJobError)
  case coding(AutoCodingError)
  case humanCoding(HumanCodingError)
  case graph(GraphError)
  case output(path: String, reason: String)

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .codebook(error): error.description
    case let .importing(message): message
    case let .index(error): error.description
    case let .coding(error): error.description
    case let .humanCoding(error): error.description
    case let .graph(error): error.description
    case let .output(path, reason): "\(path): \(reason)"
    }
  }
}

/// The main job: import, index, code with every codebook, count, and write the report folder.
///
/// Steps (each reported to `progress`):
/// 1. read and validate every codebook (nothing is touched if one is bad);
/// 2. import the corpus into the project (unchanged files are skipped) and index it
///    (unchanged documents are not analysed again);
/// 3. code every unit with every codebook (automatic coder `verbatim`) and add the human
///    codings of the project store: a unit counts as coded with a code when any of them
///    codes it (overlap);
/// 4. code frequencies, theme co-occurrence (count, Jaccard, c-coefficient), code × metadata
///    crosstabs for every field with 2–12 values;
/// 5. co-occurrence graphs (segments, IRaMuTeQ's defaults): the ego graph around each key
///    notion (default: "numérique responsable" when the corpus has it, else the most frequent
///    content word) and the whole corpus's maximum spanning tree; term specificities per group;
/// 6. write tables (CSV and JSONL), graphs (GEXF, SVG) and `index.html` into a fresh folder,
///    then swap it for `output` (the previous report is replaced only when all is written).
public enum AnalyzeJob {
  /// The marker file that makes a folder a Verbatim report (and so safe to replace).
  public static let markerFile = ".verbatim-report"

  /// Runs the main job.
  ///
  /// - Throws: ``AnalyzeError``.
  public static func run(
    _ options: AnalyzeOptions, diagnostics: (String) -> Void = { _ in }, progress: (String) -> Void = { _ in }
  ) throws(AnalyzeError) -> AnalyzeSummary {
    try checkOutputFolder(options.output)
    progress("codebooks")
    var codebooks: [(file: String, compiled: CompiledCodebook)] = []
    for path in options.codebooks {
      do {
        let read = try CodebookFiles.read(path: path)
        for note in read.notes { diagnostics("note: \(note)") }
        codebooks.append((path, read.codebook))
      } catch {
        throw .codebook(error)
      }
    }

    var importLines: [String] = []
    if !options.corpus.isEmpty {
      progress("import")
      var job = ImportJob(inputs: options.corpus, projectDirectory: options.project)
      job.jobs = options.jobs
      do {
        let summary = try job.run(diagnostics: { importLines.append($0) }, progress: { _, _ in })
        importLines = summary.rejected.map { "rejected: \($0.path): \($0.message)" }
        if let stale = try? HumanCodingJobs.staleCodings(onPaths: summary.replaced, projectDirectory: options.project),
          stale.codings > 0
        {
          diagnostics(ImportSummary.staleCodingsWarning(stale))
        }
      } catch {
        throw .importing(error.description)
      }
    }
    progress("index")
    do {
      _ = try IndexJob.run(project: options.project, jobs: options.jobs, memoryBudgetMegabytes: 512)
    } catch {
      throw .index(error)
    }

    progress("coding")
    let prefixCodes = codebooks.count > 1
    var automatic: [UnitCoding] = []
    var codes: [ReportCode] = []
    var rules: [String: [String]] = [:]
    for (file, compiled) in codebooks {
      let name = compiled.codebook.name
      let prefix = prefixCodes ? name + Code.pathSeparator : ""
      do {
        var rows = try AutoCodingJob.run(
          project: options.project, codebook: compiled, scope: options.scope, jobs: options.jobs)
        for index in rows.indices { rows[index].code = prefix + rows[index].code }
        automatic += rows
      } catch {
        throw .coding(error)
      }
      if prefixCodes {
        codes.append(ReportCode(codebook: name, path: name, name: name, description: file, depth: 0))
      }
      for (path, code) in compiled.codebook.flattened {
        let depth = path.components(separatedBy: Code.pathSeparator).count - (prefixCodes ? 0 : 1)
        codes.append(
          ReportCode(
            codebook: name, path: prefix + path, name: code.name, description: code.description, color: code.color,
            depth: depth))
        rules[prefix + path] = code.rules
      }
    }
    let material: CodingMaterial
    do {
      material = try CodingMaterial.load(
        projectDirectory: options.project, unit: AgreementUnit(rawValue: options.scope.rawValue) ?? .segment,
        coders: nil, extra: automatic.map(\.coding))
    } catch {
      throw .humanCoding(error)
    }
    for warning in material.warnings { diagnostics(warning) }

    progress("statistics")
    let store: ProjectStore
    var documents: [StoredDocument] = []
    let summaries: [DocumentSummary]
    do {
      store = try ProjectStore(directory: options.project, creating: false)
      summaries = try store.documentSummaries()
      for summary in summaries {
        if let document = try store.document(id: summary.id) { documents.append(document) }
      }
    } catch {
      throw .importing(error.description)
    }
    let fields = groupingFields(documents)
    let codePaths = codes.map(\.path)
    // Frequencies and crosstabs count a parent code for the units of its children (NVivo's
    // aggregate coding); theme co-occurrence pairs the codes as coded.
    var aggregated = material
    aggregated.codings = withAncestors(material.codings)
    let counts = CodeCounts(aggregated: aggregated, fields: fields)

    progress("graphs")
    let corpus: [CorpusDocument]
    do {
      corpus = try GraphJob.documents(project: options.project, filters: [])
    } catch {
      throw .graph(error)
    }
    let graphs = try makeGraphs(corpus, notions: options.notions, jobs: options.jobs)
    var specificities: [(field: String, rows: [FrequencyRow])] = []
    for field in fields {
      do {
        let rows = try FrequencyJob.run(
          documents: corpus,
          options: FrequencyJobOptions(
            by: field, measure: .specificity, top: 15, minimumCount: 2, nodes: NodeOptions(stopWords: FrenchStopWords.spoken),
            jobs: options.jobs))
        specificities.append((field, rows))
      } catch {
        throw .graph(error)
      }
    }
    let termCounts: [FrequencyRow]
    do {
      termCounts = try FrequencyJob.run(
        documents: corpus,
        options: FrequencyJobOptions(
          measure: .count, top: 500, nodes: NodeOptions(stopWords: FrenchStopWords.spoken), jobs: options.jobs))
    } catch {
      throw .graph(error)
    }

    progress("report")
    let folder = try makeStagingFolder(next: options.output)
    var files: [String] = []
    do {
      let tables = ReportTables(
        folder: folder, documents: documents, material: material, counts: counts, automatic: automatic, codePaths: codePaths,
        specificities: specificities, termCounts: termCounts, graphs: graphs)
      files += try tables.write()
      let model = ReportBuilder(
        options: options, codebooks: codebooks.map(\.compiled.codebook.name), documents: documents,
        summaries: summaries, codes: codes, rules: rules, material: material, aggregated: aggregated, counts: counts,
        automatic: automatic, fields: fields, specificities: specificities, graphs: graphs
      ).model()
      try write(HTMLReport.render(model, language: options.language), to: folder.appendingPathComponent("index.html"))
      try model.jsonData().write(to: folder.appendingPathComponent("report.json"))
      files += ["index.html", "report.json"]
      try write("", to: folder.appendingPathComponent(markerFile))
      try swap(folder, into: options.output)
    } catch let error as AnalyzeError {
      try? FileManager.default.removeItem(at: folder)
      throw error
    } catch {
      try? FileManager.default.removeItem(at: folder)
      throw .output(path: options.output.path, reason: "\(error)")
    }
    return AnalyzeSummary(
      documents: documents.count, units: material.units.count, codes: codes.count, codedUnits: counts.codedUnits,
      files: files.sorted(), importLines: importLines)
  }

  /// The codings plus, for each coding of `A/B/C`, the same span coded `A/B` and `A`.
  static func withAncestors(_ codings: [Coding]) -> [Coding] {
    var result = codings
    var seen = Set(codings.map { [$0.coder, String($0.document), String($0.range.lowerBound), String($0.range.upperBound), $0.code] })
    for coding in codings {
      var parts = coding.code.components(separatedBy: Code.pathSeparator)
      while parts.count > 1 {
        parts.removeLast()
        var parent = coding
        parent.code = parts.joined(separator: Code.pathSeparator)
        let key = [parent.coder, String(parent.document), String(parent.range.lowerBound), String(parent.range.upperBound), parent.code]
        if seen.insert(key).inserted { result.append(parent) }
      }
    }
    return result
  }

  /// Metadata fields worth crossing: 2 to 12 distinct values over the documents, not one
  /// value per document (titles, file names), and not lists (`a, b, c`).
  static func groupingFields(_ documents: [StoredDocument]) -> [String] {
    var values: [String: Set<String>] = [:]
    for document in documents {
      for (field, value) in document.metadata { values[field, default: []].insert(value.description) }
    }
    return values.keys.sorted().filter { field in
      // A list (speakers, keywords) is not a category.
      if values[field]!.contains(where: { $0.contains(", ") }) { return false }
      let count = values[field]!.count
      let covered = documents.filter { $0.metadata[field] != nil }.count
      return count >= 2 && count <= 12 && count < max(3, covered)
    }
  }

  /// A co-occurrence graph with its picture.
  struct DrawnGraph {
    var name: String
    var notion: String
    var graph: CooccurrenceGraph
    var svg: String
  }

  static func makeGraphs(_ corpus: [CorpusDocument], notions: [String], jobs: Int) throws(AnalyzeError) -> [DrawnGraph] {
    var drawn: [DrawnGraph] = []
    let nodes = NodeOptions(stopWords: FrenchStopWords.spoken)
    let counts: CooccurrenceCounts
    var wanted = notions
    let candidates = wanted.isEmpty ? ["numérique responsable"] : wanted
    do {
      var withPhrases = nodes
      withPhrases.phrases = candidates.filter { $0.contains(" ") }
      counts = try GraphJob.count(corpus, options: GraphJobOptions(scope: .segment, nodes: withPhrases, jobs: jobs))
        .counts
      if wanted.isEmpty {
        if (try? GraphJob.egoKeys(candidates, in: counts, nodes: withPhrases)) != nil {
          wanted = candidates
        } else if let top = counts.keys.indices.max(by: { counts.frequencies[$0] < counts.frequencies[$1] }) {
          wanted = [counts.labels[top]]
        }
      }
      for (index, notion) in wanted.enumerated() {
        let keys = try GraphJob.egoKeys([notion], in: counts, nodes: withPhrases)
        var graph = CooccurrenceGraph.build(
          counts,
          options: GraphOptions(measure: .count, minFrequency: 2, egoKeys: keys, top: 25, communities: true, seed: 1))
        graph.layout(seed: 1)
        drawn.append(DrawnGraph(name: "cooccurrence-\(index + 1)", notion: notion, graph: graph, svg: graph.svg(title: notion, language: .french)))
      }
      // IRaMuTeQ's similitude: the maximum spanning tree of the 60 most frequent words.
      let floor = counts.frequencies.sorted(by: >).dropFirst(59).first ?? 1
      var tree = CooccurrenceGraph.build(
        counts, options: GraphOptions(measure: .count, minFrequency: max(3, floor), tree: true, communities: true, seed: 1))
      tree.layout(seed: 1)
      drawn.append(DrawnGraph(name: "similitude", notion: "", graph: tree, svg: tree.svg(title: "similitude", language: .french)))
    } catch {
      throw .graph(error)
    }
    return drawn
  }

  // MARK: The output folder

  /// Refuses to replace a folder that is not a previous report (it might hold the user's files).
  static func checkOutputFolder(_ output: URL) throws(AnalyzeError) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: output.path, isDirectory: &isDirectory) else { return }
    let marker = output.appendingPathComponent(markerFile).path
    guard isDirectory.boolValue, FileManager.default.fileExists(atPath: marker) else {
      throw .output(
        path: output.path,
        reason: "exists and is not a Verbatim report (no \(markerFile) inside); choose another --out or remove it")
    }
  }

  static func makeStagingFolder(next output: URL) throws(AnalyzeError) -> URL {
    let folder = output.deletingLastPathComponent()
      .appendingPathComponent(".\(output.lastPathComponent).tmp-\(getpid())")
    do {
      try? FileManager.default.removeItem(at: folder)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw .output(path: folder.path, reason: "cannot create the report folder: \(error.localizedDescription)")
    }
    return folder
  }

  /// Puts `folder` in place of `output`: the old report is renamed away, the new one renamed
  /// in, and the old one deleted.
  static func swap(_ folder: URL, into output: URL) throws(AnalyzeError) {
    let old = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).old-\(getpid())")
    try? FileManager.default.removeItem(at: old)
    let hadOld = FileManager.default.fileExists(atPath: output.path)
    if hadOld && rename(output.path, old.path) != 0 {
      throw .output(path: output.path, reason: "cannot move the previous report aside: \(String(cString: strerror(errno)))")
    }
    if rename(folder.path, output.path) != 0 {
      let reason = String(cString: strerror(errno))
      if hadOld { _ = rename(old.path, output.path) }
      throw .output(path: output.path, reason: "cannot put the new report in place: \(reason)")
    }
    if hadOld { try? FileManager.default.removeItem(at: old) }
  }

  static func write(_ text: String, to url: URL) throws(AnalyzeError) {
    do {
      try Data(text.utf8).write(to: url)
    } catch {
      throw .output(path: url.path, reason: "cannot write: \(error.localizedDescription)")
    }
  }
}
