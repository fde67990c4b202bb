import Foundation
import Testing
@testable import VerbatimGraph

/// Counts for a hand-made graph: node i has key/label `labels[i]` (sorted), unit-free.
func handCounts(_ labels: [String], _ edges: [(Int, Int, Int)], frequencies: [Int]? = nil) -> CooccurrenceCounts {
  let sorted = edges.map { ($0.0 < $0.1 ? $0.0 : $0.1, $0.0 < $0.1 ? $0.1 : $0.0, $0.2) }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
  return CooccurrenceCounts(
    scope: .segment, keys: labels, labels: labels, frequencies: frequencies ?? labels.map { _ in 10 },
    margins: labels.map { _ in 10 }, sampleSize: 100, sources: sorted.map { Int32($0.0) },
    targets: sorted.map { Int32($0.1) }, counts: sorted.map(\.2), documentCount: 1, tokenCount: 0, byteCount: 0)
}

@Suite struct GraphShapingTests {
  /// The maximum spanning tree of a known graph: a–b 5, b–c 4, a–c 3, c–d 2, b–d 1, d–e 6
  /// keeps a–b, b–c, c–d, d–e (total 17; a–c and b–d close cycles).
  @Test func maximumSpanningTree() {
    let counts = handCounts(["a", "b", "c", "d", "e"], [(0, 1, 5), (1, 2, 4), (0, 2, 3), (2, 3, 2), (1, 3, 1), (3, 4, 6)])
    let graph = CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1, tree: true))
    let edges = Set(graph.edges.map { "\(graph.nodes[$0.source].label)\(graph.nodes[$0.target].label)" })
    #expect(edges == ["ab", "bc", "cd", "de"])
    #expect(graph.edges.map(\.count) == [6, 5, 4, 2])  // sorted by weight
  }

  /// Two components give a spanning forest, one tree each.
  @Test func spanningForestOfTwoComponents() {
    let counts = handCounts(["a", "b", "c", "x", "y", "z"], [(0, 1, 1), (1, 2, 2), (0, 2, 3), (3, 4, 1), (4, 5, 1), (3, 5, 1)])
    let graph = CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1, tree: true))
    #expect(graph.edges.count == 4)
    // Ties (x–y, x–z, y–z all 1) break by labels: x–y and x–z come first.
    #expect(Set(graph.edges.filter { $0.count == 1 }.map { "\(graph.nodes[$0.source].label)\(graph.nodes[$0.target].label)" }) == ["xy", "xz"])
  }

  /// Two 4-cliques joined by one weak edge: Louvain finds the two cliques. Modularity by hand:
  /// m = 13, each community has 6 inner edges and degree sum 13: Q = 2 (6/13 − (13/26)²) = 0.42307…
  @Test func louvainFindsTwoCliques() {
    var edges: [(Int, Int, Int)] = []
    for group in [0, 4] {
      for i in 0..<4 { for j in (i + 1)..<4 { edges.append((group + i, group + j, 1)) } }
    }
    edges.append((3, 4, 1))
    let labels = (0..<8).map { "n\($0)" }
    let counts = handCounts(labels, edges)
    for seed in [1, 2, 3, 42] as [UInt64] {
      let graph = CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1, communities: true, seed: seed))
      let communities = graph.nodes.map { $0.community! }
      #expect(Set(communities[0..<4]).count == 1 && Set(communities[4..<8]).count == 1)
      #expect(communities[0] != communities[4])
      let membership = communities
      let q = Louvain.modularity(
        nodeCount: 8, edges: graph.edges.map { ($0.source, $0.target, Double($0.count)) }, membership: membership)
      #expect(abs(q - 2 * (6.0 / 13 - 0.25)) < 1e-12)
    }
  }

  /// Zachary's karate club (Zachary 1977, 78 edges, unweighted): Louvain's best known partition
  /// has modularity ≈ 0.4198; any good run lands above 0.40, with 3 to 5 communities.
  @Test func louvainOnKarateClub() {
    let pairs: [(Int, Int)] = [
      (0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (0, 6), (0, 7), (0, 8), (0, 10), (0, 11), (0, 12), (0, 13), (0, 17), (0, 19),
      (0, 21), (0, 31), (1, 2), (1, 3), (1, 7), (1, 13), (1, 17), (1, 19), (1, 21), (1, 30), (2, 3), (2, 7), (2, 8), (2, 9),
      (2, 13), (2, 27), (2, 28), (2, 32), (3, 7), (3, 12), (3, 13), (4, 6), (4, 10), (5, 6), (5, 10), (5, 16), (6, 16),
      (8, 30), (8, 32), (8, 33), (9, 33), (13, 33), (14, 32), (14, 33), (15, 32), (15, 33), (18, 32), (18, 33), (19, 33),
      (20, 32), (20, 33), (22, 32), (22, 33), (23, 25), (23, 27), (23, 29), (23, 32), (23, 33), (24, 25), (24, 27),
      (24, 31), (25, 31), (26, 29), (26, 33), (27, 33), (28, 31), (28, 33), (29, 32), (29, 33), (30, 32), (30, 33),
      (31, 32), (31, 33), (32, 33),
    ]
    #expect(pairs.count == 78)
    let edges = pairs.map { (source: $0.0, target: $0.1, weight: 1.0) }
    let membership = Louvain.communities(nodeCount: 34, edges: edges, seed: 7)
    let q = Louvain.modularity(nodeCount: 34, edges: edges, membership: membership)
    #expect(q > 0.40 && q < 0.4199)
    #expect((3...5).contains(Set(membership).count))
    #expect(membership == Louvain.communities(nodeCount: 34, edges: edges, seed: 7))  // deterministic
  }

  /// Ego graph: the ego, its `top` strongest neighbours, and the edges among them.
  @Test func egoGraphKeepsTopNeighbours() {
    let counts = handCounts(["ego", "p", "q", "r", "s"], [(0, 1, 9), (0, 2, 7), (0, 3, 1), (1, 2, 4), (3, 4, 8), (1, 4, 2)])
    let graph = CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1, egoKeys: ["ego"], top: 2))
    #expect(graph.nodes.map(\.label) == ["ego", "p", "q"])
    #expect(graph.edges.map { "\(graph.nodes[$0.source].label)-\(graph.nodes[$0.target].label)" } == ["ego-p", "ego-q", "p-q"])
  }

  /// Whole graph with top 1: each node keeps its strongest edge (an edge survives for either end).
  @Test func topKPerNode() {
    let counts = handCounts(["a", "b", "c", "d"], [(0, 1, 5), (1, 2, 4), (2, 3, 3), (0, 3, 1)])
    let graph = CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1, top: 1))
    let edges = graph.edges.map { "\(graph.nodes[$0.source].label)\(graph.nodes[$0.target].label)" }
    // a–b is the best of a and b; b–c the best of c; c–d the best of d; a–d is no one's best.
    #expect(edges == ["ab", "bc", "cd"])
  }

  @Test func thresholdsAndMinimums() {
    let counts = handCounts(["a", "b", "c"], [(0, 1, 5), (1, 2, 1)], frequencies: [10, 10, 2])
    #expect(CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 3)).edges.count == 1)
    #expect(CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1, minCount: 2)).edges.count == 1)
    #expect(CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1, threshold: 2)).nodes.count == 2)
  }
}
