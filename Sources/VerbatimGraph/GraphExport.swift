import Foundation

/// The file formats a ``CooccurrenceGraph`` is written in.
public enum GraphFileFormat: String, Sendable, CaseIterable {
  /// GEXF 1.3 (Gephi): labels, frequency, community, weights, positions when laid out.
  case gexf
  /// GraphML (yEd, igraph, networkx).
  case graphml
  /// Graphviz DOT.
  case dot
  /// An SVG picture with a legend.
  case svg
}

extension CooccurrenceGraph {
  /// The graph in `format`.
  public func export(_ format: GraphFileFormat, title: String = "") -> String {
    switch format {
    case .gexf: gexf()
    case .graphml: graphML()
    case .dot: dot()
    case .svg: svg(title: title)
    }
  }

  /// GEXF 1.3 (`http://gexf.net/1.3`): undirected, node ids `n0…` in label order, attribute
  /// `frequency` (integer) and `community` (integer, when computed), edge `weight` = the
  /// measure and attribute `count`; `viz:position` and `viz:size` when laid out.
  public func gexf() -> String {
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">
        <meta>
          <creator>Verbatim</creator>
          <description>\(XML.escape("co-occurrence graph; scope \(scope); weight \(measure.rawValue); n \(sampleSize)"))</description>
        </meta>
        <graph mode="static" defaultedgetype="undirected">
          <attributes class="node">
            <attribute id="frequency" title="frequency" type="integer"/>
            <attribute id="community" title="community" type="integer"/>
            <attribute id="key" title="key" type="string"/>
          </attributes>
          <attributes class="edge">
            <attribute id="count" title="count" type="integer"/>
          </attributes>
          <nodes>

      """
    let radii = hasLayout ? NodeMetrics(self).radii : []
    for (index, node) in nodes.enumerated() {
      out += "      <node id=\"n\(index)\" label=\"\(XML.escape(node.label))\">\n        <attvalues>\n"
      out += "          <attvalue for=\"frequency\" value=\"\(node.frequency)\"/>\n"
      if let community = node.community { out += "          <attvalue for=\"community\" value=\"\(community)\"/>\n" }
      out += "          <attvalue for=\"key\" value=\"\(XML.escape(node.key))\"/>\n        </attvalues>\n"
      if hasLayout {
        out += "        <viz:size value=\"\(GraphNumber.format(radii[index]))\"/>\n"
        out += "        <viz:position x=\"\(GraphNumber.format(node.x))\" y=\"\(GraphNumber.format(-node.y))\" z=\"0\"/>\n"
        if let community = node.community {
          let (r, g, b) = Palette.rgb(community)
          out += "        <viz:color r=\"\(r)\" g=\"\(g)\" b=\"\(b)\"/>\n"
        }
      }
      out += "      </node>\n"
    }
    out += "    </nodes>\n    <edges>\n"
    for (index, edge) in edges.enumerated() {
      out += "      <edge id=\"e\(index)\" source=\"n\(edge.source)\" target=\"n\(edge.target)\" weight=\"\(GraphNumber.format(edge.value))\">\n"
      out += "        <attvalues>\n          <attvalue for=\"count\" value=\"\(edge.count)\"/>\n        </attvalues>\n      </edge>\n"
    }
    out += "    </edges>\n  </graph>\n</gexf>\n"
    return out
  }

  /// GraphML: keys `label`, `frequency`, `community` (nodes), `count`, `weight` (edges).
  public func graphML() -> String {
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
        <key id="label" for="node" attr.name="label" attr.type="string"/>
        <key id="frequency" for="node" attr.name="frequency" attr.type="int"/>
        <key id="community" for="node" attr.name="community" attr.type="int"/>
        <key id="count" for="edge" attr.name="count" attr.type="int"/>
        <key id="weight" for="edge" attr.name="weight" attr.type="double"/>
        <graph id="cooccurrence" edgedefault="undirected">

      """
    for (index, node) in nodes.enumerated() {
      out += "    <node id=\"n\(index)\"><data key=\"label\">\(XML.escape(node.label))</data>"
      out += "<data key=\"frequency\">\(node.frequency)</data>"
      if let community = node.community { out += "<data key=\"community\">\(community)</data>" }
      out += "</node>\n"
    }
    for (index, edge) in edges.enumerated() {
      out += "    <edge id=\"e\(index)\" source=\"n\(edge.source)\" target=\"n\(edge.target)\">"
      out += "<data key=\"count\">\(edge.count)</data><data key=\"weight\">\(GraphNumber.format(edge.value))</data></edge>\n"
    }
    out += "  </graph>\n</graphml>\n"
    return out
  }

  /// Graphviz DOT (`graph`), labels quoted, `weight` and `count` on edges.
  public func dot() -> String {
    func quote(_ text: String) -> String {
      "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
    var out = "graph cooccurrence {\n"
    for (index, node) in nodes.enumerated() {
      var attributes = "label=\(quote(node.label)), frequency=\(node.frequency)"
      if let community = node.community { attributes += ", community=\(community)" }
      out += "  n\(index) [\(attributes)];\n"
    }
    for edge in edges {
      out += "  n\(edge.source) -- n\(edge.target) [weight=\(GraphNumber.format(edge.value)), count=\(edge.count)];\n"
    }
    return out + "}\n"
  }
}

/// Deterministic number text for the graph files.
enum GraphNumber {
  /// Integers without a fraction; others rounded to 6 decimals, trailing zeros dropped.
  static func format(_ value: Double) -> String {
    guard value.isFinite else { return value > 0 ? "INF" : value < 0 ? "-INF" : "NaN" }
    if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
    var text = String(format: "%.6f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
  }

  /// Rounded to two decimals (drawing coordinates).
  static func twoDecimals(_ value: Double) -> String { format((value * 100).rounded() / 100) }
}

/// XML text escaping.
enum XML {
  static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default:
        if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" { out += " " } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }
}

/// Community colours: Tableau 10, then a second ring of 10; grey beyond.
enum Palette {
  static let colours: [(Int, Int, Int)] = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    (174, 199, 232), (255, 187, 120), (152, 223, 138), (255, 152, 150), (197, 176, 213),
    (196, 156, 148), (247, 182, 210), (199, 199, 199), (219, 219, 141), (158, 218, 229),
  ]
  /// The colour of a community numbered from 1.
  static func rgb(_ community: Int) -> (Int, Int, Int) {
    community >= 1 && community <= colours.count ? colours[community - 1] : (170, 170, 170)
  }
  static func hex(_ community: Int?) -> String {
    guard let community else { return "#4c78a8" }
    let (r, g, b) = rgb(community)
    return String(format: "#%02x%02x%02x", r, g, b)
  }
}
