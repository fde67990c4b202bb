import Foundation

/// How a graph is cut out of ``CooccurrenceCounts``.
public struct GraphOptions: Sendable {
  /// The edge weight.
  public var measure: AssociationMeasure
  /// Nodes below this kept-token count are left out (IRaMuTeQ's active forms: 3).
  public var minFrequency: Int
  /// Pairs below this count are left out.
  public var minCount: Int
  /// Ego nodes (keys); empty for the whole graph.
  public var egoKeys: [String]
  /// Ego graph: the strongest `top` neighbours of each ego; whole graph: each node's `top`
  /// strongest edges (an edge stays when it is among the top of either end).
  public var top: Int?
  /// Edges whose measure is below this are left out.
  public var threshold: Double?
  /// Keep only a maximum spanning tree (forest) of the measure (IRaMuTeQ's `arbremax`).
  public var tree: Bool
  /// Detect communities (Louvain).
  public var communities: Bool
  /// The seed of Louvain's node order and of the layout.
  public var seed: UInt64

  /// Creates options; the defaults follow IRaMuTeQ's similitude (count, min frequency 3).
  public init(
    measure: AssociationMeasure = .count, minFrequency: Int = 3, minCount: Int = 1, egoKeys: [String] = [],
    top: Int? = nil, threshold: Double? = nil, tree: Bool = false, communities: Bool = false, seed: UInt64 = 1
  ) {
    self.measure = measure
    self.minFrequency = minFrequency
    self.minCount = minCount
    self.egoKeys = egoKeys
    self.top = top
    self.threshold = threshold
    self.tree = tree
    self.communities = communities
    self.seed = seed
  }
}

/// A node of a ``CooccurrenceGraph``.
public struct GraphNode: Sendable, Hashable {
  /// The node key (stem, term, or phrase words).
  public var key: String
  /// The label shown (most frequent term, or the phrase).
  public var label: String
  /// Kept-token count.
  public var frequency: Int
  /// Community number (1 = largest total frequency), or nil when not computed.
  public var community: Int?
  /// Whether the node is one of the ego terms.
  public var isEgo: Bool
  /// Layout position, when computed.
  public var x: Double = 0
  /// Layout position, when computed.
  public var y: Double = 0
}

/// An undirected weighted edge of a ``CooccurrenceGraph`` (indices into `nodes`).
public struct GraphEdge: Sendable, Hashable {
  /// The source node (an ego when one end is an ego, else the end whose label sorts first).
  public var source: Int
  /// The target node.
  public var target: Int
  /// The pair's co-occurrence count (`a`).
  public var count: Int
  /// The measure's value.
  public var value: Double
}

/// A co-occurrence graph: nodes sorted by label, edges sorted by value (descending), then
/// count (descending), then source and target labels.
public struct CooccurrenceGraph: Sendable {
  /// Nodes, sorted bytewise by label.
  public var nodes: [GraphNode]
  /// Edges in output order.
  public var edges: [GraphEdge]
  /// The edge weight.
  public var measure: AssociationMeasure
  /// How pairs were counted.
  public var scope: CooccurrenceScope
  /// `n` of the 2×2 tables.
  public var sampleSize: Int
  /// Whether ``layout(seed:)`` has run.
  public var hasLayout = false

  /// Cuts a graph out of the counts: node and pair minimums, ego selection, threshold, top-k,
  /// spanning tree, then communities. Isolated nodes are dropped (egos stay).
  public static func build(_ counts: CooccurrenceCounts, options: GraphOptions) -> CooccurrenceGraph {
    let measure = options.measure
    var egoSet = Set<Int32>()
    for key in options.egoKeys {
      if let id = binarySearch(counts.keys, key) { egoSet.insert(Int32(id)) }
    }
    let isEgoGraph = !options.egoKeys.isEmpty
    // Candidate pairs.
    var candidates: [Candidate] = []
    for index in 0..<counts.counts.count {
      let source = counts.sources[index]
      let target = counts.targets[index]
      guard counts.counts[index] >= options.minCount else { continue }
      let sourceOK = counts.frequencies[Int(source)] >= options.minFrequency || egoSet.contains(source)
      let targetOK = counts.frequencies[Int(target)] >= options.minFrequency || egoSet.contains(target)
      guard sourceOK && targetOK else { continue }
      let value = measure.value(counts.table(ofPair: index))
      if let threshold = options.threshold, !(value >= threshold) { continue }
      candidates.append(Candidate(source: source, target: target, count: counts.counts[index], value: value))
    }
    let labels = counts.labels
    let order: (Candidate, Candidate) -> Bool = { left, right in
      if left.value != right.value { return left.value > right.value }
      if left.count != right.count { return left.count > right.count }
      if left.source != right.source { return labels[Int(left.source)].utf8.lexicographicallyPrecedes(labels[Int(right.source)].utf8) }
      return labels[Int(left.target)].utf8.lexicographicallyPrecedes(labels[Int(right.target)].utf8)
    }
    if isEgoGraph {
      var chosen = egoSet
      for ego in egoSet.sorted() {
        var neighbours = candidates.filter { $0.source == ego || $0.target == ego }
        neighbours.sort(by: order)
        if let top = options.top { neighbours = Array(neighbours.prefix(top)) }
        for edge in neighbours { chosen.insert(edge.source == ego ? edge.target : edge.source) }
      }
      candidates = candidates.filter { chosen.contains($0.source) && chosen.contains($0.target) }
    } else if let top = options.top {
      candidates.sort(by: order)
      var kept = [Int](repeating: 0, count: counts.keys.count)
      var survivors: [Candidate] = []
      for edge in candidates {
        // The top k of either end: count an edge for both ends only when it is kept.
        if kept[Int(edge.source)] < top || kept[Int(edge.target)] < top {
          kept[Int(edge.source)] += 1
          kept[Int(edge.target)] += 1
          survivors.append(edge)
        }
      }
      candidates = survivors
    }
    if options.tree { candidates = maximumSpanningForest(candidates, order: order) }
    // Nodes: every end of a kept edge, plus the egos.
    var used = egoSet
    for edge in candidates {
      used.insert(edge.source)
      used.insert(edge.target)
    }
    let nodeIDs = used.sorted { labels[Int($0)].utf8.lexicographicallyPrecedes(labels[Int($1)].utf8) }
    var indexOf: [Int32: Int] = [:]
    for (index, id) in nodeIDs.enumerated() { indexOf[id] = index }
    let nodes = nodeIDs.map { id in
      GraphNode(
        key: counts.keys[Int(id)], label: labels[Int(id)], frequency: counts.frequencies[Int(id)], community: nil,
        isEgo: egoSet.contains(id))
    }
    candidates.sort(by: order)
    var edges: [GraphEdge] = []
    for edge in candidates {
      var source = indexOf[edge.source]!
      var target = indexOf[edge.target]!
      // Orientation: ego first, else the label that sorts first (nodes are sorted by label).
      if nodes[target].isEgo && !nodes[source].isEgo || (nodes[source].isEgo == nodes[target].isEgo && target < source) {
        swap(&source, &target)
      }
      edges.append(GraphEdge(source: source, target: target, count: edge.count, value: edge.value))
    }
    var graph = CooccurrenceGraph(
      nodes: nodes, edges: edges, measure: measure, scope: counts.scope, sampleSize: counts.sampleSize)
    if options.communities { graph.detectCommunities(seed: options.seed) }
    return graph
  }

  struct Candidate {
    var source: Int32
    var target: Int32
    var count: Int
    var value: Double
  }

  static func binarySearch(_ keys: [String], _ key: String) -> Int? {
    var low = 0
    var high = keys.count
    while low < high {
      let middle = (low + high) / 2
      if keys[middle] == key { return middle }
      if keys[middle].utf8.lexicographicallyPrecedes(key.utf8) { low = middle + 1 } else { high = middle }
    }
    return nil
  }

  /// Kruskal's algorithm on edges taken strongest first (ties by `order`): the maximum
  /// spanning forest, one tree per connected component (IRaMuTeQ's `arbremax`, which inverts
  /// weights and takes igraph's minimum spanning tree).
  static func maximumSpanningForest(_ edges: [Candidate], order: (Candidate, Candidate) -> Bool) -> [Candidate] {
    let sorted = edges.sorted(by: order)
    var parent: [Int32: Int32] = [:]
    func root(_ node: Int32) -> Int32 {
      var current = node
      while let next = parent[current], next != current { current = next }
      var walk = node
      while let next = parent[walk], next != current {
        parent[walk] = current
        walk = next
      }
      return current
    }
    var result: [Candidate] = []
    for edge in sorted {
      let left = root(edge.source)
      let right = root(edge.target)
      if left == right { continue }
      parent[left] = right
      parent[right] = parent[right] ?? right
      result.append(edge)
    }
    return result
  }

  /// Assigns ``GraphNode/community`` with Louvain (Blondel et al. 2008) on the edge weights
  /// (the measure's value, negative values taken as 0), node order shuffled by `seed`.
  /// Communities are numbered from 1 by decreasing total frequency (ties: smallest first label).
  public mutating func detectCommunities(seed: UInt64) {
    let weights = edges.map { (source: $0.source, target: $0.target, weight: max($0.value, 0)) }
    let partition = Louvain.communities(nodeCount: nodes.count, edges: weights, seed: seed)
    // Renumber: larger total frequency first, then the smallest member index.
    var totals: [Int: (frequency: Int, first: Int)] = [:]
    for (index, community) in partition.enumerated() {
      let current = totals[community] ?? (0, index)
      totals[community] = (current.frequency + nodes[index].frequency, min(current.first, index))
    }
    let ranked = totals.keys.sorted { left, right in
      let l = totals[left]!
      let r = totals[right]!
      return l.frequency != r.frequency ? l.frequency > r.frequency : l.first < r.first
    }
    var number: [Int: Int] = [:]
    for (rank, community) in ranked.enumerated() { number[community] = rank + 1 }
    for index in nodes.indices { nodes[index].community = number[partition[index]] }
  }
}

/// A small deterministic random generator (SplitMix64, Steele, Lea and Flood 2014).
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// A value in `0..<bound`.
  mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
  /// A value in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Louvain modularity optimisation (Blondel, Guillaume, Lambiotte, Lefebvre 2008), deterministic:
/// nodes are visited in a seeded shuffled order; a node moves to the neighbouring community of
/// largest positive gain (ties: the smallest community id); levels repeat until nothing moves.
public enum Louvain {
  /// The community of each node (arbitrary ids; equal ids mean one community).
  public static func communities(
    nodeCount: Int, edges: [(source: Int, target: Int, weight: Double)], seed: UInt64
  ) -> [Int] {
    var membership = Array(0..<nodeCount)
    var levelNodes = nodeCount
    var levelEdges: [Int: [Int: Double]] = [:]
    for edge in edges where edge.weight > 0 && edge.source != edge.target {
      levelEdges[edge.source, default: [:]][edge.target, default: 0] += edge.weight
      levelEdges[edge.target, default: [:]][edge.source, default: 0] += edge.weight
    }
    var selfLoops = [Double](repeating: 0, count: nodeCount)
    var random = SeededGenerator(state: seed)
    while true {
      let (local, moved) = oneLevel(
        nodeCount: levelNodes, adjacency: levelEdges, selfLoops: selfLoops, random: &random)
      if !moved { break }
      // Renumber communities 0..<k in order of first appearance.
      var renumber: [Int: Int] = [:]
      for community in local where renumber[community] == nil { renumber[community] = renumber.count }
      membership = membership.map { renumber[local[$0]]! }
      // Aggregate.
      var nextEdges: [Int: [Int: Double]] = [:]
      var nextSelf = [Double](repeating: 0, count: renumber.count)
      for node in 0..<levelNodes {
        let from = renumber[local[node]]!
        nextSelf[from] += selfLoops[node]
        for (neighbour, weight) in levelEdges[node] ?? [:] {
          let to = renumber[local[neighbour]]!
          if from == to {
            nextSelf[from] += weight  // counted from both ends: 2 × the inner weight, as a self loop's degree
          } else {
            nextEdges[from, default: [:]][to, default: 0] += weight
          }
        }
      }
      levelNodes = renumber.count
      levelEdges = nextEdges
      selfLoops = nextSelf
      if levelNodes == 1 { break }
    }
    return membership
  }

  /// One level of local moves; returns each node's community and whether anything moved.
  static func oneLevel(
    nodeCount: Int, adjacency: [Int: [Int: Double]], selfLoops: [Double], random: inout SeededGenerator
  ) -> ([Int], Bool) {
    var community = Array(0..<nodeCount)
    var degree = [Double](repeating: 0, count: nodeCount)
    for node in 0..<nodeCount { degree[node] = (adjacency[node]?.values.reduce(0, +) ?? 0) + selfLoops[node] }
    let total = degree.reduce(0, +)  // 2m
    guard total > 0 else { return (community, false) }
    var communityDegree = degree
    var order = Array(0..<nodeCount)
    for index in stride(from: nodeCount - 1, to: 0, by: -1) {
      order.swapAt(index, random.next(below: index + 1))
    }
    var movedAny = false
    var improved = true
    var rounds = 0
    while improved && rounds < 100 {
      improved = false
      rounds += 1
      for node in order {
        let current = community[node]
        var links: [Int: Double] = [:]
        for (neighbour, weight) in adjacency[node] ?? [:] { links[community[neighbour], default: 0] += weight }
        communityDegree[current] -= degree[node]
        // Gain of joining c: links[c] − Σ_c · k_i / 2m (the constant factors dropped).
        var best = current
        var bestGain = (links[current] ?? 0) - communityDegree[current] * degree[node] / total
        for candidate in links.keys.sorted() {
          let gain = links[candidate]! - communityDegree[candidate] * degree[node] / total
          if gain > bestGain + 1e-12 || (abs(gain - bestGain) <= 1e-12 && candidate < best && gain > 0) {
            best = candidate
            bestGain = gain
          }
        }
        communityDegree[best] += degree[node]
        if best != current {
          community[node] = best
          improved = true
          movedAny = true
        }
      }
    }
    return (community, movedAny)
  }

  /// Newman's modularity of a partition: `Q = Σ_c [L_c / m − (d_c / 2m)²]`.
  public static func modularity(
    nodeCount: Int, edges: [(source: Int, target: Int, weight: Double)], membership: [Int]
  ) -> Double {
    var degree = [Double](repeating: 0, count: nodeCount)
    var inside: [Int: Double] = [:]
    var m = 0.0
    for edge in edges {
      degree[edge.source] += edge.weight
      degree[edge.target] += edge.weight
      m += edge.weight
      if membership[edge.source] == membership[edge.target] { inside[membership[edge.source], default: 0] += edge.weight }
    }
    guard m > 0 else { return 0 }
    var communityDegree: [Int: Double] = [:]
    for node in 0..<nodeCount { communityDegree[membership[node], default: 0] += degree[node] }
    var q = 0.0
    for (community, d) in communityDegree { q += (inside[community] ?? 0) / m - (d / (2 * m)) * (d / (2 * m)) }
    return q
  }
}
