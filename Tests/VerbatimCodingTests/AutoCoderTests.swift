import Foundation
import Testing
import VerbatimAnalysis
import VerbatimCoding
import VerbatimCorpus
import VerbatimIndex
import VerbatimTestSupport

/// A project holding the shipped `Corpus/`, imported once per test process.
enum CorpusProject {
  static let directory: URL = {
    let directory = TestDirectories.make("autocoder", create: false)
    do {
      let store = try ProjectStore(directory: directory, creating: true)
      let segmenter = try Segmenter()
      let corpus = codingRepositoryRoot.appendingPathComponent("Corpus")
      let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".txt") }
        .sorted()
      for name in names {
        let url = corpus.appendingPathComponent(name)
        let documents = try Importers.importFile(at: url, relativePath: "Corpus/" + name, options: ImportOptions())
        let prepared = try documents.map { document in
          PreparedDocument(document: document, units: try segmenter.units(of: document.text, turns: document.turns))
        }
        let size = try Data(contentsOf: url).count
        _ = try store.write(
          PreparedFile(
            source: "Corpus/" + name, contentHash: name, settingsHash: "test", size: size, documents: prepared),
          importedAt: Date(timeIntervalSince1970: 0))
      }
    } catch {
      fatalError("cannot import Corpus/ for the tests: \(error)")
    }
    return directory
  }()

  static var store: ProjectStore { try! ProjectStore(directory: directory, creating: false) }

  static var documents: [StoredDocument] {
    let store = self.store
    return try! store.documentSummaries().map { try store.document(id: $0.id)! }
  }
}

/// The brute-force reference: every unit re-analysed with the string API and matched rule by
/// rule with ``QueryMatcher``.
func referenceCodings(_ compiled: CompiledCodebook, scope: CodingScope) throws -> [UnitCoding] {
  let pipeline = try Analyzer.french.makePipeline()
  var result: [UnitCoding] = []
  let store = CorpusProject.store
  for document in CorpusProject.documents {
    let units = try CodingUnits.read(scope, of: document, from: store)
    let bytes = Array(document.text.utf8)
    var metadata: [String: String] = [:]
    for (key, value) in document.metadata { metadata[key] = value.description }
    for turn in document.turns {
      let range = turn.turn.range
      let text = String(decoding: bytes[range], as: UTF8.self)
      let tokens = pipeline.tokens(in: text).map { token -> Token in
        var shifted = token
        shifted.utf8Range =
          (token.utf8Range.lowerBound + range.lowerBound)..<(token.utf8Range.upperBound + range.lowerBound)
        return shifted
      }
      for unit in units.units where unit.turn == turn.ordinal {
        let inside = tokens.filter { unit.range.contains($0.utf8Range.lowerBound) }
        let analysed = AnalyzedUnit(tokens: inside, speaker: turn.turn.speaker, metadata: metadata)
        for code in compiled.codes {
          guard
            let (index, hits) = code.rules.enumerated().lazy.compactMap({ index, rule in
              QueryMatcher(rule.query).matches(analysed).map { (index, $0) }
            }).first
          else { continue }
          if code.exclude.contains(where: { QueryMatcher($0.query).matches(analysed) != nil }) { continue }
          result.append(
            UnitCoding(
              document: document.id, scope: scope, unit: unit.ordinal, turn: unit.turn, range: unit.range,
              speaker: turn.turn.speaker, code: code.path, ruleIndex: index, rule: code.rules[index].text,
              hits: hits.map {
                let range = inside[$0.lowerBound].utf8Range.lowerBound..<inside[$0.upperBound].utf8Range.upperBound
                return CodingHit(positions: $0, range: range, text: String(decoding: bytes[range], as: UTF8.self))
              }))
        }
      }
    }
  }
  return result
}

func autoCodings(_ compiled: CompiledCodebook, scope: CodingScope) throws -> [UnitCoding] {
  let coder = try AutoCoder(compiled)
  let store = CorpusProject.store
  return try CorpusProject.documents.flatMap { document in
    try coder.code(document, units: CodingUnits.read(scope, of: document, from: store))
  }
}

/// Random rules over the corpus vocabulary: stems, exact terms, prefixes, phrases taken from
/// the text, NEAR, AND, OR, NOT, speaker filters and `*`.
struct RuleGenerator {
  var random: SplitMix64
  let words: [String]
  let bigrams: [String]
  let speakers: [String]
  /// Document metadata as (field, value) pairs, for `field:"value"` filters.
  let fields: [(String, String)]

  init(seed: UInt64) {
    random = SplitMix64(seed: seed)
    let pipeline = try! Analyzer.french.makePipeline()
    var words: [String] = []
    var bigrams: [String] = []
    var speakers: Set<String> = []
    var fields: Set<[String]> = []
    for document in CorpusProject.documents {
      let tokens = pipeline.tokens(in: document.text).filter { $0.kind == .word }
      for (index, token) in tokens.enumerated() where index % 7 == 0 {
        words.append(token.surface)
        if index + 1 < tokens.count { bigrams.append(token.surface + " " + tokens[index + 1].surface) }
      }
      for turn in document.turns { if let speaker = turn.turn.speaker { speakers.insert(speaker) } }
      for (key, value) in document.metadata where !value.description.contains("\"") {
        fields.insert([key, value.description])
      }
    }
    self.words = words.filter { !$0.contains("\"") && !$0.contains(":") }
    self.bigrams = bigrams.filter { !$0.contains("\"") && !$0.contains(":") }
    self.speakers = speakers.sorted()
    self.fields = fields.sorted { $0.lexicographicallyPrecedes($1) }.map { ($0[0], $0[1]) }
  }

  mutating func pick<T>(_ items: [T]) -> T { items[random.next(below: items.count)] }

  mutating func atom() -> String {
    let word = pick(words)
    switch random.next(below: 6) {
    case 0: return "=" + word
    case 1: return String(word.prefix(1 + random.next(below: 4))) + "*"
    case 2: return "\"" + pick(bigrams) + "\""
    default: return word
    }
  }

  mutating func positional(depth: Int) -> String {
    if depth == 0 || random.next(below: 3) == 0 { return atom() }
    switch random.next(below: 3) {
    case 0:
      return "(\(positional(depth: depth - 1)) NEAR/\(1 + random.next(below: 10)) \(positional(depth: depth - 1)))"
    case 1: return "(\(positional(depth: depth - 1)) OR \(positional(depth: depth - 1)))"
    default: return "(\(positional(depth: depth - 1)) AND \(positional(depth: depth - 1)))"
    }
  }

  mutating func rule() -> String {
    switch random.next(below: 10) {
    case 8:
      let (field, value) = pick(fields)
      return "\(field.uppercased()):\"\(value)\" AND \(positional(depth: 1))"
    case 9:
      let (field, value) = pick(fields)
      return "\(positional(depth: 1)) OR NOT \(field):\"\(value.prefix(4))\"*"
    case 0: return "\(positional(depth: 2)) AND NOT \(atom())"
    case 1: return "NOT \(positional(depth: 1))"
    case 2: return "speaker:\"\(pick(speakers))\" AND \(positional(depth: 1))"
    case 3: return "\(positional(depth: 1)) OR speaker:\"\(pick(speakers).prefix(5))\"*"
    default: return positional(depth: 3)
    }
  }
}

@Suite struct AutoCoderTests {
  @Test(arguments: [1, 2, 3] as [UInt64])
  func equalsQueryMatcherOnEveryUnitOfTheCorpus(seed: UInt64) throws {
    var generator = RuleGenerator(seed: seed)
    var codes: [Code] = []
    for index in 0..<40 {
      var code = Code(name: "c\(index)")
      for _ in 0..<(1 + generator.random.next(below: 3)) { code.rules.append(generator.rule()) }
      if generator.random.next(below: 4) == 0 { code.exclude.append(generator.atom()) }
      if index % 5 == 4 { codes[codes.count - 1].codes.append(code) } else { codes.append(code) }
    }
    let compiled = try CompiledCodebook(Codebook(name: "random \(seed)", codes: codes), file: "random")
    for scope in [CodingScope.segment, .sentence, .turn] {
      let expected = try referenceCodings(compiled, scope: scope)
      let actual = try autoCodings(compiled, scope: scope)
      #expect(actual.count == expected.count, "scope \(scope)")
      #expect(actual == expected, "scope \(scope)")
      // The random rules must code a real share of units, with hits and without.
      #expect(expected.count > 100)
      #expect(expected.contains { !$0.hits.isEmpty && $0.hits.contains { $0.positions.count > 1 } })
      // …and metadata filters must decide some of them.
      let fieldNames = Set(generator.fields.map { $0.0.uppercased() + ":" })
      #expect(expected.contains { coded in fieldNames.contains { coded.rule.contains($0) } })
    }
  }

  @Test func firstMatchingRuleAndExclusionsAreReported() throws {
    let book = Codebook(
      name: "T",
      codes: [
        Code(name: "Tablettes", rules: ["=zzzz", "tablette*"], exclude: ["chocolat"]),
        Code(name: "Filtre", rules: ["speaker:\"Agent de DSI\""]),
      ])
    let compiled = try CompiledCodebook(book, file: "t")
    let rows = try autoCodings(compiled, scope: .segment)
    let tablets = rows.filter { $0.code == "Tablettes" }
    #expect(!tablets.isEmpty)
    #expect(tablets.allSatisfy { $0.ruleIndex == 1 && $0.rule == "tablette*" && !$0.hits.isEmpty })
    let documents = Dictionary(uniqueKeysWithValues: CorpusProject.documents.map { ($0.id, Array($0.text.utf8)) })
    for row in tablets {
      for hit in row.hits {
        let word = String(decoding: documents[row.document]![hit.range], as: UTF8.self)
        #expect(word.lowercased().hasPrefix("tablette"))
        #expect(hit.text == word)
        #expect(row.range.contains(hit.range.lowerBound))
      }
    }
    let filtered = rows.filter { $0.code == "Filtre" }
    #expect(!filtered.isEmpty)
    #expect(filtered.allSatisfy { $0.speaker == "Agent de DSI" && $0.hits.isEmpty })
    #expect(filtered[0].coding.coder == Coding.automaticCoder)
    #expect(filtered[0].coding.range == filtered[0].range)
    #expect(filtered[0].coding.code == "Filtre")
  }
}
