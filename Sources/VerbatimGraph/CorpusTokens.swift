import Dispatch
import Foundation
import VerbatimAnalysis
import VerbatimCorpus

// The corpus-loading layer of the graph module: documents from the project store (or a folder
// of text files), analysed concurrently, tokens assigned to turns, sentences and segments by
// byte range, and per-worker ids merged into one deterministic global numbering.

/// A speaker turn of a ``CorpusDocument``: what is said (label excluded) and by whom.
public struct CorpusTurn: Sendable, Hashable {
  /// UTF-8 byte range of the turn's text in the document.
  public var range: Range<Int>
  /// The speaker label, empty for text before the first label.
  public var speaker: String

  /// Creates a turn.
  public init(range: Range<Int>, speaker: String) {
    self.range = range
    self.speaker = speaker
  }
}

/// One document ready for analysis: its text, metadata and units, each an exact UTF-8 range.
public struct CorpusDocument: Sendable {
  /// The document id (the project's, or the 1-based file rank for a folder of files).
  public var id: Int64
  /// The stored path, used in messages.
  public var path: String
  /// The UTF-8 text.
  public var text: [UInt8]
  /// Metadata values as text (`--where` compares these).
  public var metadata: [String: String]
  /// Speaker turns in text order; tokens outside every turn (labels) are never counted.
  public var turns: [CorpusTurn]
  /// Sentence ranges in text order (empty for plain files).
  public var sentences: [Range<Int>]
  /// Segment ranges in text order (empty for plain files).
  public var segments: [Range<Int>]
  /// Whether `sentences` and `segments` are known (false for a folder of plain files).
  public var hasUnits: Bool

  /// Creates a document.
  public init(
    id: Int64, path: String, text: [UInt8], metadata: [String: String] = [:], turns: [CorpusTurn],
    sentences: [Range<Int>] = [], segments: [Range<Int>] = [], hasUnits: Bool = true
  ) {
    self.id = id
    self.path = path
    self.text = text
    self.metadata = metadata
    self.turns = turns
    self.sentences = sentences
    self.segments = segments
    self.hasUnits = hasUnits
  }
}

/// `--where FIELD=VALUE`: keeps documents whose metadata field equals the value, or, for the
/// field `speaker`, only the turns of that speaker. Several filters all apply.
public struct DocumentFilter: Sendable, Hashable, CustomStringConvertible {
  /// The metadata field (or `speaker`).
  public var field: String
  /// The value, compared exactly to the field's text.
  public var value: String

  /// Creates a filter.
  public init(field: String, value: String) {
    self.field = field
    self.value = value
  }

  /// Parses `FIELD=VALUE`.
  ///
  /// - Throws: ``GraphError/badFilter(_:)`` when there is no `=` or the field is empty.
  public init(parsing text: String) throws(GraphError) {
    guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { throw .badFilter(text) }
    field = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
    value = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
    if field.isEmpty { throw .badFilter(text) }
  }

  /// `FIELD=VALUE`.
  public var description: String { "\(field)=\(value)" }

  /// Whether this filter restricts turns rather than documents.
  public var isSpeakerFilter: Bool { field == "speaker" }
}

/// Reads documents for the graph and statistics jobs.
public enum CorpusLoader {
  /// The project's documents that pass every document filter, in id order, with their turns,
  /// sentences and segments. Speaker filters keep only the matching turns (and the units in them).
  ///
  /// - Throws: ``GraphError/project(_:)``, or ``GraphError/noDocuments(filters:)`` when nothing is left.
  public static func load(project: URL, filters: [DocumentFilter] = []) throws(GraphError) -> [CorpusDocument] {
    var result: [CorpusDocument] = []
    do {
      let store = try ProjectStore(directory: project, creating: false)
      for summary in try store.documentSummaries() {
        let metadata = summary.metadata.mapValues(\.description)
        if !filters.allSatisfy({ $0.isSpeakerFilter || metadata[$0.field] == $0.value }) { continue }
        guard let stored = try store.document(id: summary.id) else { continue }
        let speakers = filters.filter(\.isSpeakerFilter).map(\.value)
        var keptTurnOrdinals = Set<Int>()
        var turns: [CorpusTurn] = []
        for turn in stored.turns {
          let speaker = turn.turn.speaker ?? ""
          if speakers.allSatisfy({ $0 == speaker }) {
            keptTurnOrdinals.insert(turn.ordinal)
            turns.append(CorpusTurn(range: turn.turn.range, speaker: speaker))
          }
        }
        if turns.isEmpty { continue }
        let sentences = try store.units(documentID: stored.id, kind: .sentence)
          .filter { keptTurnOrdinals.contains($0.turn) }.map(\.range)
        let segments = try store.units(documentID: stored.id, kind: .segment)
          .filter { keptTurnOrdinals.contains($0.turn) }.map(\.range)
        result.append(
          CorpusDocument(
            id: stored.id, path: stored.path, text: Array(stored.text.utf8), metadata: metadata, turns: turns,
            sentences: sentences, segments: segments))
      }
    } catch {
      throw .project(error)
    }
    if result.isEmpty { throw .noDocuments(filters: filters.map(\.description)) }
    return result
  }

  /// Every `.txt` file under `directory` (recursive, sorted by path), each one document with a
  /// single turn covering the whole text and no sentences or segments (benchmarks, quick looks).
  ///
  /// - Throws: ``GraphError/unreadable(path:reason:)`` or ``GraphError/noDocuments(filters:)``.
  public static func load(textFilesIn directory: URL) throws(GraphError) -> [CorpusDocument] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
    else { throw .unreadable(path: directory.path, reason: "not a folder") }
    guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
      throw .unreadable(path: directory.path, reason: "cannot list the folder")
    }
    var paths: [String] = []
    for case let url as URL in enumerator where url.pathExtension == "txt" { paths.append(url.path) }
    paths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var result: [CorpusDocument] = []
    for (rank, path) in paths.enumerated() {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw .unreadable(path: path, reason: "permission denied")
      }
      let bytes = [UInt8](data)
      result.append(
        CorpusDocument(
          id: Int64(rank + 1), path: path, text: bytes, turns: [CorpusTurn(range: 0..<bytes.count, speaker: "")],
          hasUnits: false))
    }
    if result.isEmpty { throw .unreadable(path: directory.path, reason: "no .txt file in the folder") }
    return result
  }
}

/// What a node is: a stem (labelled by its most frequent term) or an exact term.
public enum NodeKind: String, Sendable, CaseIterable {
  /// Stems, labelled by their most frequent term (ties: the term that sorts first).
  case stem
  /// Exact normalised terms.
  case term
}

/// How tokens become nodes: stems or terms, stop words, multi-word phrases.
public struct NodeOptions: Sendable {
  /// Stems or terms.
  public var kind: NodeKind
  /// Whether stop words stay (`--keep-stopwords`).
  public var keepsStopWords: Bool
  /// The stop list (normalised terms).
  public var stopWords: Set<String>
  /// Phrases that become one node each (`"numérique responsable"`), as written by the user.
  public var phrases: [String]
  /// The analysis chain.
  public var analyzer: Analyzer

  /// Creates options; the defaults are the brief's (stems, stop words dropped, no phrases).
  public init(
    kind: NodeKind = .stem, keepsStopWords: Bool = false, stopWords: Set<String> = FrenchStopWords.default,
    phrases: [String] = [], analyzer: Analyzer = .french
  ) {
    self.kind = kind
    self.keepsStopWords = keepsStopWords
    self.stopWords = stopWords
    self.phrases = phrases
    self.analyzer = analyzer
  }
}

/// A phrase as analysed: its terms, stems, node key and label.
public struct AnalyzedPhrase: Sendable, Hashable {
  /// The phrase's normalised terms.
  public var terms: [String]
  /// The stems of those terms.
  public var stems: [String]
  /// The words matched (stems or terms, per ``NodeKind``).
  public var words: [String]
  /// The node key: the words joined by a space (no single-word key contains a space).
  public var key: String { words.joined(separator: " ") }
  /// The label: the terms joined by a space.
  public var label: String { terms.joined(separator: " ") }
}

/// The tokens of one document as a consumer sees them, in the worker's local node ids.
///
/// Only kept tokens appear: inside a kept turn, not a symbol, not a stop word (unless kept).
/// A phrase occurrence is one token spanning positions `startPositions[i]...endPositions[i]`.
public struct DocumentTokens {
  /// Index of the document in the scanned array.
  public var document = 0
  /// Local node id per token.
  public var nodes: [Int32] = []
  /// First position of the token.
  public var startPositions: [Int32] = []
  /// Last position of the token (equal to the start except for phrases).
  public var endPositions: [Int32] = []
  /// Index of the token's turn in the document's `turns`.
  public var turns: [Int32] = []
  /// UTF-8 byte offset of the token's first byte (filled when sentences or segments are asked
  /// for: it is how tokens are dealt to them).
  public var byteStarts: [Int] = []
  /// Index of the token's sentence in the document's `sentences`, `-1` outside (filled on request).
  public var sentences: [Int32] = []
  /// Index of the token's segment in the document's `segments`, `-1` outside (filled on request).
  public var segments: [Int32] = []

  mutating func removeAll() {
    nodes.removeAll(keepingCapacity: true)
    startPositions.removeAll(keepingCapacity: true)
    endPositions.removeAll(keepingCapacity: true)
    turns.removeAll(keepingCapacity: true)
    byteStarts.removeAll(keepingCapacity: true)
    sentences.removeAll(keepingCapacity: true)
    segments.removeAll(keepingCapacity: true)
  }
}

/// Which unit indices a consumer needs (filling them costs a walk over the ranges).
public struct UnitNeeds: OptionSet, Sendable {
  /// The raw value.
  public let rawValue: Int
  /// Creates needs.
  public init(rawValue: Int) { self.rawValue = rawValue }
  /// Sentence indices.
  public static let sentences = UnitNeeds(rawValue: 1)
  /// Segment indices.
  public static let segments = UnitNeeds(rawValue: 2)
}

/// One worker's local numbering: node keys and the term counts that decide labels.
public final class WorkerNodes {
  /// Local node id → key (a stem, a term, or a phrase's words joined by a space).
  public internal(set) var keys: [String] = []
  /// Local node id → the phrase index, or -1 for a single word.
  public internal(set) var phraseIndex: [Int] = []
  /// Per local term id: its node, whether it is a stop word, and its kept-token count
  /// (phrases excluded), side by side so that one cache line serves a token.
  var terms: [TermSlot] = []
  /// Local term id → term string (filled for terms seen).
  var termStrings: [String] = []
  /// Phrase index → occurrences kept.
  var phraseFrequency: [Int] = []
  /// Term id → kept tokens beyond what its slot's 31-bit count held (2^31 tokens of one term).
  var spilledFrequency: [Int: Int] = [:]
  init() {}
}

/// What a worker knows of one local term id, in 8 bytes: the worker looks its token's slot up
/// at random in a table of every term it has seen, and a smaller table misses the cache less
/// (16-byte slots: that load was 6 % of a `window:4` run).
struct TermSlot {
  /// Local node id, -1 until the term is kept once.
  var node: Int32
  /// Bit 31: a stop word; bits 0–30: kept tokens since the count last spilled.
  private var packed: UInt32

  /// A slot; `frequency` (below 2^31 − 1) is for tests of the spill.
  init(node: Int32, isStop: Bool, frequency: Int = 0) {
    precondition(frequency >= 0 && frequency < 0x7FFF_FFFF, "a slot holds fewer than 2^31 − 1 tokens")
    self.node = node
    packed = (isStop ? 1 << 31 : 0) | UInt32(frequency)
  }

  /// Whether the term is a stop word.
  var isStop: Bool { packed >> 31 != 0 }
  /// Kept tokens counted in the slot (the rest is in ``WorkerNodes/spilledFrequency``).
  var frequency: Int { Int(packed & 0x7FFF_FFFF) }

  /// Counts one kept token; returns the 31-bit count when it is full (and empties it), else 0.
  @inline(__always) mutating func countOne() -> Int {
    packed &+= 1
    guard packed & 0x7FFF_FFFF == 0x7FFF_FFFF else { return 0 }
    packed &= 1 << 31
    return 0x7FFF_FFFF
  }
}

/// The merged numbering of all workers: nodes sorted by key (bytewise), with labels.
public struct NodeSpace: Sendable {
  /// Global node id → key.
  public var keys: [String]
  /// Global node id → label: the most frequent term (ties: the one that sorts first), or the phrase.
  public var labels: [String]
  /// Global node id → kept-token count.
  public var frequencies: [Int]
  /// For each worker, local node id → global node id.
  public var localToGlobal: [[Int32]]
}

/// A per-worker accumulator of ``DocumentTokens``; merged after the scan.
public protocol TokenConsumer: SendableMetatype {
  /// Folds one document's tokens into the accumulator.
  mutating func consume(_ tokens: DocumentTokens, of document: CorpusDocument)
}

/// Results of a scan: one consumer and one local numbering per worker, and the merged nodes.
public struct CorpusScan<Consumer: TokenConsumer> {
  /// Per-worker consumers (in worker order; results never depend on how documents were dealt).
  public var consumers: [Consumer]
  /// The global node numbering.
  public var nodes: NodeSpace
  /// Tokens kept over the whole corpus.
  public var tokenCount: Int
  /// Bytes of text analysed.
  public var byteCount: Int
}

/// Analyses documents concurrently (one ``AnalysisPipeline`` per worker) and feeds each
/// document's kept tokens to a per-worker ``TokenConsumer``.
public enum CorpusTokens {
  /// Analyses the phrases with the chain; empty or one-word phrases are rejected.
  ///
  /// - Throws: ``GraphError/badOption(option:reason:)`` naming the phrase's rank.
  public static func analyze(phrases: [String], options: NodeOptions) throws(GraphError) -> [AnalyzedPhrase] {
    guard !phrases.isEmpty else { return [] }
    let pipeline: AnalysisPipeline
    do { pipeline = try options.analyzer.makePipeline() } catch { throw .analysis(path: "<phrase>", error) }
    var result: [AnalyzedPhrase] = []
    for (rank, phrase) in phrases.enumerated() {
      let tokens = pipeline.tokens(in: phrase).filter { $0.kind != .symbol }
      if tokens.count < 2 {
        throw .badOption(option: "phrase \(rank + 1)", reason: "a phrase needs at least two words")
      }
      let terms = tokens.map(\.term)
      let stems = tokens.map(\.stem)
      result.append(AnalyzedPhrase(terms: terms, stems: stems, words: options.kind == .stem ? stems : terms))
    }
    return result
  }

  /// Scans `documents` on `jobs` workers.
  ///
  /// Documents are taken in order from a shared counter; each worker owns its pipeline,
  /// local ids and consumer. Nodes are then numbered by sorted key, so the result (after the
  /// caller merges the consumers through ``NodeSpace/localToGlobal``) does not depend on `jobs`.
  ///
  /// - Throws: the first error in document order (invalid UTF-8, ICU failure).
  public static func scan<Consumer: TokenConsumer>(
    _ documents: [CorpusDocument], options: NodeOptions, needs: UnitNeeds, jobs: Int,
    makeConsumer: () -> Consumer
  ) throws(GraphError) -> CorpusScan<Consumer> {
    let phrases = try analyze(phrases: options.phrases, options: options)
    let workers = max(1, min(jobs, documents.count))
    let slots = WorkerResults<WorkerState<Consumer>>(count: workers)
    let errors = WorkerResults<GraphError>(count: documents.count)
    let dispenser = IndexDispenser(count: documents.count)
    var consumers: [Consumer] = []
    for _ in 0..<workers { consumers.append(makeConsumer()) }
    let initial = UncheckedBox(consumers)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let made = Result { () throws(AnalysisError) in
        try WorkerState(options: options, phrases: phrases, needs: needs, consumer: initial.value[worker])
      }
      let state: WorkerState<Consumer>
      switch made {
      case let .success(value): state = value
      case let .failure(error):
        if !documents.isEmpty { errors[0] = .analysis(path: "<analyzer>", error) }
        return
      }
      while let index = dispenser.next() {
        if let error = state.process(documents[index], index: index) { errors[index] = error; return }
      }
      slots[worker] = state
    }
    for index in 0..<documents.count { if let error = errors[index] { throw error } }
    var states: [WorkerState<Consumer>] = []
    for worker in 0..<workers {
      guard let state = slots[worker] else { throw .analysis(path: "<worker>", .icu(operation: "start a worker", code: -1)) }
      states.append(state)
    }
    let space = mergeNodes(states.map(\.nodes), phrases: phrases)
    return CorpusScan(
      consumers: states.map(\.consumer), nodes: space, tokenCount: states.reduce(0) { $0 + $1.keptTokens },
      byteCount: documents.reduce(0) { $0 + $1.text.count })
  }

  /// Numbers the union of the workers' node keys in bytewise order and picks labels.
  static func mergeNodes(_ workers: [WorkerNodes], phrases: [AnalyzedPhrase]) -> NodeSpace {
    var keySet = Set<String>()
    keySet.reserveCapacity(workers.first?.keys.count ?? 0)
    for worker in workers { keySet.formUnion(worker.keys) }
    let keys = sortedBytewise(Array(keySet))
    var idOfKey: [String: Int32] = [:]
    idOfKey.reserveCapacity(keys.count)
    for (id, key) in keys.enumerated() { idOfKey[key] = Int32(id) }
    var maps: [[Int32]] = []
    var frequencies = [Int](repeating: 0, count: keys.count)
    // Every (node, worker, term) with kept tokens, grouped by node (a counting sort): a term has
    // one id per worker, so its total is summed inside its node's small group, by string.
    var entries: [(node: Int32, worker: Int32, term: Int32, frequency: Int)] = []
    for (workerIndex, worker) in workers.enumerated() {
      let map = worker.keys.map { idOfKey[$0]! }
      maps.append(map)
      let spilled = worker.spilledFrequency
      for (term, slot) in worker.terms.enumerated() {
        let frequency = slot.frequency + (spilled.isEmpty ? 0 : spilled[term, default: 0])
        guard frequency > 0 else { continue }
        let node = map[Int(slot.node)]
        entries.append((node, Int32(workerIndex), Int32(term), frequency))
        frequencies[Int(node)] += frequency
      }
    }
    var groupStarts = [Int](repeating: 0, count: keys.count + 1)
    for entry in entries { groupStarts[Int(entry.node) + 1] += 1 }
    for node in 0..<keys.count { groupStarts[node + 1] += groupStarts[node] }
    var grouped = entries
    var next = groupStarts
    for entry in entries {
      grouped[next[Int(entry.node)]] = entry
      next[Int(entry.node)] += 1
    }
    var labels = keys
    for (worker, nodes) in workers.enumerated() {
      for (local, phrase) in nodes.phraseIndex.enumerated() where phrase >= 0 {
        labels[Int(maps[worker][local])] = phrases[phrase].label
        frequencies[Int(maps[worker][local])] += nodes.phraseFrequency[phrase]
      }
    }
    // A node's label is its most frequent term, the bytewise smallest among equals. Groups are
    // small (a stem's inflected forms, once per worker): each is copied out once and sorted by
    // its terms' bytes (terms are interned by bytes, already NFC; `String ==` would normalise
    // non-ASCII terms again on every comparison), then equal terms are summed.
    let termStrings = workers.map(\.termStrings)
    var group: [(term: String, frequency: Int)] = []
    for node in 0..<keys.count where groupStarts[node] < groupStarts[node + 1] {
      let start = groupStarts[node]
      let end = groupStarts[node + 1]
      guard end - start > 1 else {
        labels[node] = termStrings[Int(grouped[start].worker)][Int(grouped[start].term)]
        continue
      }
      group.removeAll(keepingCapacity: true)
      for index in start..<end {
        group.append((termStrings[Int(grouped[index].worker)][Int(grouped[index].term)], grouped[index].frequency))
      }
      // In bytewise order, equal terms are adjacent and the first of equal totals wins ties.
      group.sort { bytewiseLess($0.term, $1.term) }
      var best = 0
      var bestTotal = 0
      var index = 0
      while index < group.count {
        let first = index
        var total = 0
        repeat {
          total += group[index].frequency
          index += 1
        } while index < group.count && bytewiseEqual(group[index].term, group[first].term)
        if total > bestTotal {
          best = first
          bestTotal = total
        }
      }
      labels[node] = group[best].term
    }
    return NodeSpace(keys: keys, labels: labels, frequencies: frequencies, localToGlobal: maps)
  }

  /// `strings` in bytewise order of their UTF-8: compared by their first 8 bytes as one
  /// integer, then in full only when those are equal.
  static func sortedBytewise(_ strings: [String]) -> [String] {
    let prefixes = strings.map { string -> UInt64 in
      var prefix: UInt64 = 0
      var taken = 0
      for byte in string.utf8 {
        guard taken < 8 else { break }
        prefix |= UInt64(byte) << UInt64(56 - 8 * taken)
        taken += 1
      }
      return prefix
    }
    let order = strings.indices.sorted { left, right in
      prefixes[left] != prefixes[right] ? prefixes[left] < prefixes[right] : bytewiseLess(strings[left], strings[right])
    }
    return order.map { strings[$0] }
  }

  /// Whether two strings have the same UTF-8 bytes.
  static func bytewiseEqual(_ left: String, _ right: String) -> Bool {
    var left = left
    var right = right
    return left.withUTF8 { l in
      right.withUTF8 { r in
        l.count == r.count && (l.count == 0 || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0)
      }
    }
  }

  /// Bytewise order of two strings' UTF-8 (memcmp, then length).
  static func bytewiseLess(_ left: String, _ right: String) -> Bool {
    var left = left
    var right = right
    return left.withUTF8 { l in
      right.withUTF8 { r in
        let common = min(l.count, r.count)
        if common > 0 {
          let order = memcmp(l.baseAddress!, r.baseAddress!, common)
          if order != 0 { return order < 0 }
        }
        return l.count < r.count
      }
    }
  }
}

/// One worker's pipeline, lazily filled id tables, scratch tokens and consumer.
final class WorkerState<Consumer: TokenConsumer> {
  let pipeline: AnalysisPipeline
  let options: NodeOptions
  let phrases: [AnalyzedPhrase]
  let needs: UnitNeeds
  var consumer: Consumer
  let nodes = WorkerNodes()
  var keptTokens = 0
  private var raw: [RawToken] = []
  private var tokens = DocumentTokens()
  /// Local stem id → local node id (stem nodes), -1 until seen.
  private var nodeOfStem: [Int32] = []
  /// Local word id (stem or term per kind) → index into `phraseSlots`, -1 when no phrase uses it.
  private var phraseSlotOfWord: [Int32] = []
  private var phraseSlots: [[(phrase: Int, index: Int)]] = []
  private var phraseWordSlots: [String: [(phrase: Int, index: Int)]] = [:]
  /// Phrase index → local node id, -1 until seen.
  private var nodeOfPhrase: [Int32]
  private var phraseOccurrences: [Int] = []

  init(options: NodeOptions, phrases: [AnalyzedPhrase], needs: UnitNeeds, consumer: Consumer) throws(AnalysisError) {
    pipeline = try options.analyzer.makePipeline()
    self.options = options
    self.phrases = phrases
    self.needs = needs
    self.consumer = consumer
    nodeOfPhrase = [Int32](repeating: -1, count: phrases.count)
    nodes.phraseFrequency = [Int](repeating: 0, count: phrases.count)
    for (phrase, analyzed) in phrases.enumerated() {
      for (index, word) in analyzed.words.enumerated() { phraseWordSlots[word, default: []].append((phrase, index)) }
    }
  }

  /// Extends the per-id tables to the vocabulary's current size.
  private func extendTables() {
    let vocabulary = pipeline.vocabulary
    while nodes.terms.count < vocabulary.termCount {
      let id = Int32(nodes.terms.count)
      let term = vocabulary.term(id)
      nodes.terms.append(TermSlot(node: -1, isStop: options.stopWords.contains(term)))
      nodes.termStrings.append(term)
      if options.kind == .term { appendPhraseSlot(for: term) }
    }
    while nodeOfStem.count < vocabulary.stemCount {
      nodeOfStem.append(-1)
      if options.kind == .stem { appendPhraseSlot(for: vocabulary.stem(Int32(nodeOfStem.count - 1))) }
    }
  }

  private func appendPhraseSlot(for word: String) {
    if let slots = phraseWordSlots[word] {
      phraseSlotOfWord.append(Int32(phraseSlots.count))
      phraseSlots.append(slots)
    } else {
      phraseSlotOfWord.append(-1)
    }
  }

  @inline(__always) private func word(_ token: RawToken) -> Int {
    options.kind == .stem ? Int(token.stemID) : Int(token.termID)
  }

  private func phraseLength(at index: Int, turnEnd: Int) -> (phrase: Int, length: Int)? {
    let first = raw[index]
    let slot = phraseSlotOfWord[word(first)]
    guard slot >= 0 else { return nil }
    var best: (phrase: Int, length: Int)?
    for (phrase, wordIndex) in phraseSlots[Int(slot)] where wordIndex == 0 {
      let length = phrases[phrase].words.count
      guard index + length <= raw.count, best.map({ length > $0.length }) ?? true else { continue }
      var matches = true
      for offset in 1..<length {
        let token = raw[index + offset]
        let tokenSlot = phraseSlotOfWord[word(token)]
        if token.position != first.position + Int32(offset) || token.end > turnEnd || tokenSlot < 0
          || !phraseSlots[Int(tokenSlot)].contains(where: { $0.phrase == phrase && $0.index == offset })
        {
          matches = false
          break
        }
      }
      if matches { best = (phrase, length) }
    }
    return best
  }

  private func node(forPhrase phrase: Int) -> Int32 {
    if nodeOfPhrase[phrase] < 0 {
      nodeOfPhrase[phrase] = Int32(nodes.keys.count)
      nodes.keys.append(phrases[phrase].key)
      nodes.phraseIndex.append(phrase)
    }
    return nodeOfPhrase[phrase]
  }

  @inline(__always) private func node(for token: RawToken) -> Int32 {
    let term = Int(token.termID)
    let existing = nodes.terms[term].node
    if existing >= 0 { return existing }
    let node: Int32
    if options.kind == .stem {
      let stem = Int(token.stemID)
      if nodeOfStem[stem] < 0 {
        nodeOfStem[stem] = Int32(nodes.keys.count)
        nodes.keys.append(pipeline.vocabulary.stem(token.stemID))
        nodes.phraseIndex.append(-1)
      }
      node = nodeOfStem[stem]
    } else {
      node = Int32(nodes.keys.count)
      nodes.keys.append(nodes.termStrings[term])
      nodes.phraseIndex.append(-1)
    }
    nodes.terms[term].node = node
    return node
  }

  /// Analyses one document and hands its kept tokens to the consumer; nil on success.
  func process(_ document: CorpusDocument, index: Int) -> GraphError? {
    raw.removeAll(keepingCapacity: true)
    do {
      try document.text.withUnsafeBufferPointer { buffer throws(AnalysisError) in
        try pipeline.analyze(buffer) { batch in raw.append(contentsOf: batch) }
      }
    } catch {
      if case let .invalidUTF8(offset) = error { return .invalidUTF8(path: document.path, offset: offset) }
      return .analysis(path: document.path, error)
    }
    extendTables()
    tokens.removeAll()
    tokens.document = index
    // The loop works on local arrays (taken out of the worker, put back after): no uniqueness
    // or exclusivity checks per token on class-held storage.
    var kept = DocumentTokens()
    swap(&kept, &tokens)
    var terms: [TermSlot] = []
    swap(&terms, &nodes.terms)
    let turns = document.turns
    let recordsBytes = !needs.isEmpty
    let keepsStopWords = options.keepsStopWords
    var turn = 0
    var position = 0
    while position < raw.count {
      let token = raw[position]
      while turn < turns.count && turns[turn].range.upperBound <= token.start { turn += 1 }
      if turn == turns.count { break }
      let turnRange = turns[turn].range
      if token.start < turnRange.lowerBound || token.kind == .symbol {
        position += 1
        continue
      }
      if !phrases.isEmpty, let match = phraseLength(at: position, turnEnd: turnRange.upperBound) {
        kept.nodes.append(node(forPhrase: match.phrase))
        kept.startPositions.append(token.position)
        kept.endPositions.append(raw[position + match.length - 1].position)
        kept.turns.append(Int32(turn))
        if recordsBytes { kept.byteStarts.append(token.start) }
        nodes.phraseFrequency[match.phrase] += 1
        position += match.length
        continue
      }
      position += 1
      let term = Int(token.termID)
      if !keepsStopWords && terms[term].isStop { continue }
      var node = terms[term].node
      if node < 0 {  // first kept occurrence in this worker: the slow path reads the tables
        swap(&terms, &nodes.terms)
        node = self.node(for: token)
        swap(&terms, &nodes.terms)
      }
      kept.nodes.append(node)
      let full = terms[term].countOne()
      if full > 0 { nodes.spilledFrequency[term, default: 0] += full }
      kept.startPositions.append(token.position)
      kept.endPositions.append(token.position)
      kept.turns.append(Int32(turn))
      if recordsBytes { kept.byteStarts.append(token.start) }
    }
    swap(&kept, &tokens)
    swap(&terms, &nodes.terms)
    if needs.contains(.sentences) { tokens.sentences = assign(document.sentences) }
    if needs.contains(.segments) { tokens.segments = assign(document.segments) }
    keptTokens += tokens.nodes.count
    consumer.consume(tokens, of: document)
    return nil
  }

  /// Unit index of each kept token (the unit holding its first byte), -1 outside every unit.
  private func assign(_ ranges: [Range<Int>]) -> [Int32] {
    var result: [Int32] = []
    result.reserveCapacity(tokens.byteStarts.count)
    var unit = 0
    for byte in tokens.byteStarts {
      while unit < ranges.count && ranges[unit].upperBound <= byte { unit += 1 }
      result.append(unit < ranges.count && ranges[unit].contains(byte) ? Int32(unit) : -1)
    }
    return result
  }
}

/// Hands out 0..<count once each, in order, to any number of threads.
final class IndexDispenser: @unchecked Sendable {
  private let lock = NSLock()
  private var nextIndex = 0
  private let count: Int
  init(count: Int) { self.count = count }
  func next() -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard nextIndex < count else { return nil }
    nextIndex += 1
    return nextIndex - 1
  }
}

/// One slot per worker or document, each written by one thread, read after the workers joined.
final class WorkerResults<Value>: @unchecked Sendable {
  private var slots: [Value?]
  private let lock = NSLock()
  init(count: Int) { slots = [Value?](repeating: nil, count: count) }
  subscript(index: Int) -> Value? {
    get { lock.withLock { slots[index] } }
    set { lock.withLock { slots[index] = newValue } }
  }
}

/// Passes a value to worker threads that only read their own element.
struct UncheckedBox<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
