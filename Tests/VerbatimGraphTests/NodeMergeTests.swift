import Testing
import VerbatimTestSupport
@testable import VerbatimGraph

@Suite struct NodeMergeTests {
  /// One worker's numbering: node keys, and terms as (string, node, kept tokens).
  private func worker(keys: [String], terms: [(String, Int32, Int)], phrases: [Int] = []) -> WorkerNodes {
    let nodes = WorkerNodes()
    nodes.keys = keys
    nodes.phraseIndex = keys.map { _ in -1 }
    for (string, node, frequency) in terms {
      nodes.terms.append(TermSlot(node: node, isStop: false, frequency: frequency))
      nodes.termStrings.append(string)
    }
    return nodes
  }

  /// A label is the most frequent term over all workers, not in one: worker A alone would pick
  /// "élus" (3 against 2), but "élu" has 2 + 2 = 4. Ties go to the bytewise smallest term
  /// ("aux" and "à" both 5: "aux" is 0x61…, "à" 0xC3…). Hand-computed expectations.
  @Test func labelsSumATermOverWorkers() {
    let a = worker(keys: ["élu", "a"], terms: [("élus", 0, 3), ("élu", 0, 2), ("à", 1, 5)])
    let b = worker(keys: ["a", "élu", "mair"], terms: [("aux", 0, 5), ("élu", 1, 2), ("maire", 2, 1)])
    let space = CorpusTokens.mergeNodes([a, b], phrases: [])
    #expect(space.keys == ["a", "mair", "élu"])
    #expect(space.labels == ["aux", "maire", "élu"])
    #expect(space.frequencies == [10, 1, 7])
    #expect(space.localToGlobal == [[2, 0], [0, 2, 1]])
  }

  /// The same counts dealt to workers in any way give the same nodes and labels.
  @Test func theSplitDoesNotShowInTheResult() {
    let whole = worker(keys: ["élu"], terms: [("élus", 0, 4), ("élu", 0, 4), ("élue", 0, 1)])
    let left = worker(keys: ["élu"], terms: [("élue", 0, 1), ("élus", 0, 3)])
    let right = worker(keys: ["élu"], terms: [("élu", 0, 4), ("élus", 0, 1)])
    let one = CorpusTokens.mergeNodes([whole], phrases: [])
    let two = CorpusTokens.mergeNodes([left, right], phrases: [])
    #expect(one.labels == ["élu"])  // 4 and 4: "élu" sorts before "élus"
    #expect(two.labels == one.labels)
    #expect(two.frequencies == one.frequencies)
  }

  /// The prefix sort against a plain comparison of UTF-8 bytes, on seeded strings sharing long
  /// prefixes (so the 8-byte integers tie), of every length around 8, with multi-byte letters.
  @Test func prefixSortEqualsABytewiseSort() {
    var random = SplitMix64(seed: 5)
    let alphabet: [String] = ["a", "b", "é", "è", "z", "œ", "\u{1F600}", "-"]
    var strings: [String] = []
    for _ in 0..<3000 {
      var string = ["", "numériqu", "responsab"][Int(random.next(below: 3))]
      for _ in 0..<Int(random.next(below: 12)) { string += alphabet[Int(random.next(below: alphabet.count))] }
      strings.append(string)
    }
    let expected = strings.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    #expect(CorpusTokens.sortedBytewise(strings) == expected)
  }
}
