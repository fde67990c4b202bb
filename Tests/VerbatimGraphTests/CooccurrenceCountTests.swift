import Foundation
import Testing
import VerbatimAnalysis
@testable import VerbatimGraph

/// Documents built from the shipped corpus: turns are the non-empty lines (after the front
/// matter), sentences are cut after ". ", "? ", "! " inside a turn, segments are pairs of sentences.
func corpusDocuments() throws -> [CorpusDocument] {
  let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Corpus")
  let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }.sorted()
  var result: [CorpusDocument] = []
  for (rank, name) in names.enumerated() {
    let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    var turns: [CorpusTurn] = []
    var sentences: [Range<Int>] = []
    var lineStart = 0
    var index = 0
    while index <= bytes.count {
      if index == bytes.count || bytes[index] == 0x0A {
        if index > lineStart {
          // Skip a "Label :" prefix so labels are outside turns, as the importer stores them.
          var start = lineStart
          if let colon = bytes[lineStart..<index].firstIndex(of: 0x3A), colon - lineStart < 60 { start = colon + 1 }
          turns.append(CorpusTurn(range: start..<index, speaker: String(decoding: bytes[lineStart..<start], as: UTF8.self)))
          var sentenceStart = start
          var cursor = start
          while cursor < index {
            if [0x2E, 0x3F, 0x21].contains(bytes[cursor]) && cursor + 1 < index && bytes[cursor + 1] == 0x20 {
              sentences.append(sentenceStart..<(cursor + 1))
              sentenceStart = cursor + 2
            }
            cursor += 1
          }
          if sentenceStart < index { sentences.append(sentenceStart..<index) }
        }
        lineStart = index + 1
      }
      index += 1
    }
    var segments: [Range<Int>] = []
    var sentence = 0
    while sentence < sentences.count {
      let last = min(sentence + 1, sentences.count - 1)
      // A segment never crosses a turn: pair sentences only inside one turn.
      let sameTurn = turns.contains { $0.range.contains(sentences[sentence].lowerBound) && $0.range.contains(sentences[last].lowerBound) }
      let end = sameTurn ? last : sentence
      segments.append(sentences[sentence].lowerBound..<sentences[end].upperBound)
      sentence = end + 1
    }
    result.append(
      CorpusDocument(
        id: Int64(rank + 1), path: name, text: bytes, metadata: ["rank": String(rank % 3)], turns: turns,
        sentences: sentences, segments: segments))
  }
  return result
}

/// The brute-force oracle: every token from the slow `tokens(in:)` API (what `verbatim tokens`
/// prints), pairs counted by nested loops.
struct BruteForce {
  var pairs: [String: Int] = [:]
  var frequency: [String: Int] = [:]
  var margins: [String: Int] = [:]
  var units = 0

  static func key(_ a: String, _ b: String) -> String { a < b ? "\(a)|\(b)" : "\(b)|\(a)" }

  init(_ documents: [CorpusDocument], scope: CooccurrenceScope, kind: NodeKind, keepStopWords: Bool) throws {
    let pipeline = try Analyzer.french.makePipeline()
    let stop = FrenchStopWords.default
    for document in documents {
      let text = String(decoding: document.text, as: UTF8.self)
      let tokens = pipeline.tokens(in: text).filter { token in
        token.kind != .symbol && (keepStopWords || !stop.contains(token.term))
          && document.turns.contains { $0.range.contains(token.utf8Range.lowerBound) }
      }
      func node(_ token: Token) -> String { kind == .stem ? token.stem : token.term }
      func turn(_ token: Token) -> Int { document.turns.firstIndex { $0.range.contains(token.utf8Range.lowerBound) }! }
      for token in tokens { frequency[node(token), default: 0] += 1 }
      switch scope {
      case let .window(size):
        for i in tokens.indices {
          for j in tokens.indices where j > i {
            let distance = tokens[j].position - tokens[i].position
            if distance >= 1 && distance <= size && turn(tokens[i]) == turn(tokens[j]) && node(tokens[i]) != node(tokens[j]) {
              pairs[Self.key(node(tokens[i]), node(tokens[j])), default: 0] += 1
            }
          }
        }
      default:
        let ranges: [Range<Int>]
        switch scope {
        case .sentence: ranges = document.sentences
        case .segment: ranges = document.segments
        case .turn: ranges = document.turns.map(\.range)
        default: ranges = [0..<document.text.count]
        }
        units += ranges.count
        for range in ranges {
          let nodes = Set(tokens.filter { range.contains($0.utf8Range.lowerBound) }.map(node))
          for a in nodes { margins[a, default: 0] += 1 }
          for a in nodes { for b in nodes where a < b { pairs[Self.key(a, b), default: 0] += 1 } }
        }
      }
    }
  }
}

@Suite struct CooccurrenceCountTests {
  static let cases: [(CooccurrenceScope, NodeKind, Bool)] = [
    (.window(1), .stem, false), (.window(5), .stem, false), (.window(3), .term, true), (.sentence, .stem, false),
    (.segment, .stem, false), (.turn, .term, false), (.document, .stem, true),
  ]

  @Test(arguments: 0..<7)
  func countsEqualTheBruteForce(caseIndex: Int) throws {
    let (scope, kind, keep) = Self.cases[caseIndex]
    let documents = try corpusDocuments()
    let oracle = try BruteForce(documents, scope: scope, kind: kind, keepStopWords: keep)
    let counts = try CooccurrenceCounts.count(
      documents, scope: scope, options: NodeOptions(kind: kind, keepsStopWords: keep), jobs: 2)
    var found: [String: Int] = [:]
    for index in counts.counts.indices {
      found[BruteForce.key(counts.keys[Int(counts.sources[index])], counts.keys[Int(counts.targets[index])])] = counts.counts[index]
    }
    #expect(found.count == oracle.pairs.count)
    #expect(found == oracle.pairs)
    #expect(Dictionary(uniqueKeysWithValues: zip(counts.keys, counts.frequencies)) == oracle.frequency)
    if scope.isUnitScope {
      #expect(counts.sampleSize == oracle.units)
      let margins = Dictionary(uniqueKeysWithValues: zip(counts.keys, counts.margins)).filter { $0.value > 0 }
      #expect(margins == oracle.margins)
    } else {
      #expect(counts.sampleSize == 2 * oracle.pairs.values.reduce(0, +))
    }
    #expect(found.count > 100)  // the corpus is large enough for the comparison to mean something
  }

  /// Counting on 1 or 2 workers gives the same arrays (and the same files downstream).
  @Test func oneAndTwoWorkersAgree() throws {
    let documents = try corpusDocuments()
    for scope in [CooccurrenceScope.window(5), .segment] {
      let one = try CooccurrenceCounts.count(documents, scope: scope, jobs: 1)
      let two = try CooccurrenceCounts.count(documents, scope: scope, jobs: 2)
      #expect(one.keys == two.keys && one.labels == two.labels && one.frequencies == two.frequencies)
      #expect(one.sources == two.sources && one.targets == two.targets && one.counts == two.counts)
      #expect(one.margins == two.margins && one.sampleSize == two.sampleSize)
      let options = GraphOptions(measure: .loglikelihood, top: 3, communities: true)
      var graphOne = CooccurrenceGraph.build(one, options: options)
      var graphTwo = CooccurrenceGraph.build(two, options: options)
      graphOne.layout()
      graphTwo.layout()
      #expect(graphOne.gexf() == graphTwo.gexf())
      #expect(graphOne.svg() == graphTwo.svg())
    }
  }

  /// A phrase is one node spanning its words: the words inside it no longer count alone, and a
  /// window is measured from its last position.
  @Test func phrasesAreOneNode() throws {
    let text = "Le numérique responsable demande du temps. Le numérique coûte. Un numérique responsable partagé."
    let bytes = Array(text.utf8)
    let document = CorpusDocument(id: 1, path: "t", text: bytes, turns: [CorpusTurn(range: 0..<bytes.count, speaker: "")])
    let counts = try CooccurrenceCounts.count(
      [document], scope: .window(2), options: NodeOptions(phrases: ["numérique responsable"]), jobs: 1)
    let phrase = try #require(counts.keys.firstIndex(of: "numer respons"))
    #expect(counts.labels[phrase] == "numérique responsable")
    #expect(counts.frequencies[phrase] == 2)
    #expect(counts.frequencies[counts.keys.firstIndex(of: "numer")!] == 1)
    // Positions: le0 numérique1 responsable2 demande3 du4 temps5 … un13 numérique14 responsable15 partagé16.
    // Window 2 from the phrase's last position (2): demande (3, distance 1) and du is a stop word.
    var pairs: [String: Int] = [:]
    for index in counts.counts.indices {
      pairs["\(counts.labels[Int(counts.sources[index])])|\(counts.labels[Int(counts.targets[index])])"] = counts.counts[index]
    }
    #expect(pairs["demande|numérique responsable"] == 1)
    #expect(pairs["numérique responsable|partagé"] == 1)
    #expect(pairs["demande|temps"] == 1)  // distance 2
    #expect(pairs["numérique responsable|temps"] == nil)  // distance 3 from position 2
  }

  /// Labels: the most frequent term of the stem; ties go to the term that sorts first.
  @Test func labelsAreTheMostFrequentTerm() throws {
    let text = "élus élu élus. Agents agent. Agent agents."
    let bytes = Array(text.utf8)
    let document = CorpusDocument(id: 1, path: "t", text: bytes, turns: [CorpusTurn(range: 0..<bytes.count, speaker: "")])
    let counts = try CooccurrenceCounts.count([document], scope: .window(5), jobs: 1)
    #expect(counts.labels[counts.keys.firstIndex(of: "élus")!] == "élus")
    #expect(counts.labels[counts.keys.firstIndex(of: "agent")!] == "agent")  // 2 × agent, 2 × agents: tie
  }

  /// Tokens of speaker labels (outside every turn) never count; windows stop at turn ends.
  @Test func labelsAndTurnEndsAreBarriers() throws {
    let text = "Marie : sobriété numérique\nPaul : mails envoyés"
    let bytes = Array(text.utf8)
    let first = 8..<Array("Marie : sobriété numérique".utf8).count
    let secondStart = Array("Marie : sobriété numérique\nPaul : ".utf8).count
    let document = CorpusDocument(
      id: 1, path: "t", text: bytes,
      turns: [CorpusTurn(range: first, speaker: "Marie"), CorpusTurn(range: secondStart..<bytes.count, speaker: "Paul")])
    let counts = try CooccurrenceCounts.count([document], scope: .window(10), jobs: 1)
    #expect(!counts.keys.contains("mari") && !counts.keys.contains("paul"))
    #expect(counts.counts == [1, 1])  // sobriété–numérique, mails–envoyés
  }

  @Test func plainFilesHaveNoSentences() {
    let document = CorpusDocument(id: 1, path: "f.txt", text: Array("a b".utf8), turns: [CorpusTurn(range: 0..<3, speaker: "")], hasUnits: false)
    #expect(throws: GraphError.self) { try CooccurrenceCounts.count([document], scope: .segment, jobs: 1) }
  }
}
