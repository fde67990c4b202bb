import Foundation
import Testing
@testable import VerbatimGraph

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Reads a GEXF 1.3 file back: nodes (id, label, attributes), edges (source, target, weight, attributes).
final class GEXFReader: NSObject, XMLParserDelegate {
  struct Node { var id = "", label = "", attributes: [String: String] = [:], hasPosition = false }
  struct Edge { var source = "", target = "", weight = 0.0, attributes: [String: String] = [:] }
  var nodes: [Node] = []
  var edges: [Edge] = []
  var declared: [String: String] = [:]  // attribute id → type
  var version = ""
  var defaultEdgeType = ""
  private var inNode = false
  private var inEdge = false

  init(_ text: String) throws {
    super.init()
    let parser = XMLParser(data: Data(text.utf8))
    parser.shouldProcessNamespaces = true
    parser.delegate = self
    guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    switch (namespaceURI, name) {
    case ("http://gexf.net/1.3", "gexf"): version = attributes["version"] ?? ""
    case ("http://gexf.net/1.3", "graph"): defaultEdgeType = attributes["defaultedgetype"] ?? ""
    case ("http://gexf.net/1.3", "attribute"): declared[attributes["id"] ?? ""] = attributes["type"]
    case ("http://gexf.net/1.3", "node"):
      inNode = true
      nodes.append(Node(id: attributes["id"] ?? "", label: attributes["label"] ?? ""))
    case ("http://gexf.net/1.3", "edge"):
      inEdge = true
      edges.append(Edge(source: attributes["source"] ?? "", target: attributes["target"] ?? "", weight: Double(attributes["weight"] ?? "") ?? .nan))
    case ("http://gexf.net/1.3", "attvalue"):
      if inNode { nodes[nodes.count - 1].attributes[attributes["for"] ?? ""] = attributes["value"] }
      if inEdge { edges[edges.count - 1].attributes[attributes["for"] ?? ""] = attributes["value"] }
    case ("http://gexf.net/1.3/viz", "position"):
      if inNode { nodes[nodes.count - 1].hasPosition = true }
    default: break
    }
  }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if name == "node" { inNode = false }
    if name == "edge" { inEdge = false }
  }
}

@Suite struct GraphExportTests {
  func sampleGraph() throws -> CooccurrenceGraph {
    let counts = try CooccurrenceCounts.count(try corpusDocuments(), scope: .segment, jobs: 2)
    var graph = CooccurrenceGraph.build(counts, options: GraphOptions(measure: .dice, minFrequency: 3, top: 2, communities: true))
    graph.layout()
    return graph
  }

  @Test func gexfReadsBack() throws {
    let graph = try sampleGraph()
    #expect(graph.nodes.count > 20)
    let reader = try GEXFReader(graph.gexf())
    #expect(reader.version == "1.3" && reader.defaultEdgeType == "undirected")
    #expect(reader.declared == ["frequency": "integer", "community": "integer", "key": "string", "count": "integer"])
    #expect(reader.nodes.map(\.label) == graph.nodes.map(\.label))
    #expect(reader.nodes.map { Int($0.attributes["frequency"]!)! } == graph.nodes.map(\.frequency))
    #expect(reader.nodes.map { Int($0.attributes["community"]!)! } == graph.nodes.map { $0.community! })
    #expect(reader.nodes.allSatisfy { $0.hasPosition })
    #expect(reader.edges.count == graph.edges.count)
    let ids = Dictionary(uniqueKeysWithValues: reader.nodes.enumerated().map { ($1.id, $0) })
    for (edge, read) in zip(graph.edges, reader.edges) {
      #expect(ids[read.source] == edge.source && ids[read.target] == edge.target)
      #expect(abs(read.weight - edge.value) < 1e-6)
      #expect(Int(read.attributes["count"]!) == edge.count)
    }
  }

  @Test func graphMLAndDotNameEveryNodeAndEdge() throws {
    let graph = try sampleGraph()
    let graphML = graph.graphML()
    #expect(graphML.components(separatedBy: "<node id=").count - 1 == graph.nodes.count)
    #expect(graphML.components(separatedBy: "<edge id=").count - 1 == graph.edges.count)
    #expect(XMLParser(data: Data(graphML.utf8)).parse())
    let dot = graph.dot()
    #expect(dot.hasPrefix("graph cooccurrence {") && dot.components(separatedBy: " -- ").count - 1 == graph.edges.count)
  }

  /// The picture: well-formed XML, one circle per node, no two node-and-label boxes overlapping,
  /// a legend with every community.
  @Test func svgHasNoOverlapsAndALegend() throws {
    let graph = try sampleGraph()
    let svg = graph.svg(title: "test")
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.components(separatedBy: "<circle cx=").count - 1 >= graph.nodes.count)
    #expect(svg.contains("Legend") && svg.contains("Communities (Louvain)"))
    let french = graph.svg(title: "test", language: .french)
    #expect(french.contains(">Légende<") && french.contains("Communautés (Louvain)") && french.contains("nœuds"))
    #expect(XMLParser(data: Data(french.utf8)).parse())
    let metrics = NodeMetrics(graph)
    for i in graph.nodes.indices {
      for j in graph.nodes.indices where j > i {
        let a = metrics.box(i, label: graph.nodes[i].label)
        let b = metrics.box(j, label: graph.nodes[j].label)
        let overlapX = min(graph.nodes[i].x + a.right, graph.nodes[j].x + b.right) - max(graph.nodes[i].x + a.left, graph.nodes[j].x + b.left)
        let overlapY = min(graph.nodes[i].y + a.bottom, graph.nodes[j].y + b.bottom) - max(graph.nodes[i].y + a.top, graph.nodes[j].y + b.top)
        #expect(!(overlapX > 0 && overlapY > 0), "\(graph.nodes[i].label) overlaps \(graph.nodes[j].label)")
      }
    }
  }

  @Test func xmlEscapesLabels() {
    let counts = handCounts(["a&b", "<c>"], [(0, 1, 2)])
    let graph = CooccurrenceGraph.build(counts, options: GraphOptions(minFrequency: 1))
    let text = graph.gexf()
    #expect(text.contains("label=\"a&amp;b\"") && text.contains("label=\"&lt;c&gt;\""))
    #expect(XMLParser(data: Data(graph.svg().utf8)).parse())
  }
}
