import Foundation

/// The language of a picture's legend: English for the command line, French inside the
/// report (whose text is French).
public enum PictureLanguage: Sendable {
  case english
  case french

  /// The legend's words.
  struct Words {
    let legend: String
    let summary: @Sendable (_ nodes: Int, _ edges: Int, _ scope: String, _ sampleSize: Int) -> String
    let nodeSize: String
    /// Followed by the measure's name.
    let edgeWidth: String
    let ego: String
    let communities: String
    let hidden: @Sendable (_ count: Int) -> String
    let measure: @Sendable (AssociationMeasure) -> String
  }

  var words: Words {
    switch self {
    case .english:
      Words(
        legend: "Legend", summary: { "\($0) nodes, \($1) edges; scope \($2), n = \($3)" },
        nodeSize: "Node size: frequency", edgeWidth: "Edge width: ", ego: "ego term (bold label)",
        communities: "Communities (Louvain)", hidden: { "\($0) labels hidden (crowded)" }, measure: { $0.rawValue })
    case .french:
      Words(
        legend: "Légende", summary: { "\($0) nœuds, \($1) liens ; portée \($2), n = \($3)" },
        nodeSize: "Taille des nœuds : fréquence", edgeWidth: "Épaisseur des liens : ",
        ego: "terme pivot (étiquette en gras)", communities: "Communautés (Louvain)",
        hidden: { "\($0) étiquettes masquées (chevauchement)" },
        measure: { measure in
          switch measure {
          case .count: "cooccurrences"
          case .loglikelihood: "log-vraisemblance (G²)"
          case .chi2: "χ²"
          case .cosine: "cosinus"
          default: measure.rawValue
          }
        })
    }
  }
}

extension CooccurrenceGraph {
  /// An SVG picture: node area by frequency (radius 5–30, IRaMuTeQ's `tvmin`/`tvmax`), edge
  /// width by |measure| (1–10, IRaMuTeQ's `coeff_temin`/`coeff_temax`), community colours,
  /// labels to the right of their node that never overlap another node or label, and a legend.
  ///
  /// Lays the graph out first (``layout(seed:)``) when it has no positions.
  public func svg(title: String = "", seed: UInt64 = 1, language: PictureLanguage = .english) -> String {
    var graph = self
    if !graph.hasLayout { graph.layout(seed: seed) }
    return graph.drawSVG(title: title, words: language.words)
  }

  private func drawSVG(title: String, words: PictureLanguage.Words) -> String {
    let metrics = NodeMetrics(self)
    let boxes = nodes.indices.map { metrics.box($0, label: nodes[$0].label) }
    // Labels still in conflict after separation: the less frequent node loses its label.
    var showsLabel = [Bool](repeating: true, count: nodes.count)
    for i in nodes.indices {
      for j in nodes.indices where j > i && showsLabel[i] && showsLabel[j] {
        let a = boxes[i]
        let b = boxes[j]
        let overlapX = min(nodes[i].x + a.right, nodes[j].x + b.right) - max(nodes[i].x + a.left, nodes[j].x + b.left)
        let overlapY = min(nodes[i].y + a.bottom, nodes[j].y + b.bottom) - max(nodes[i].y + a.top, nodes[j].y + b.top)
        if overlapX > 0 && overlapY > 0 {
          if nodes[i].frequency >= nodes[j].frequency { showsLabel[j] = false } else { showsLabel[i] = false }
        }
      }
    }
    let margin = 30.0
    let legendWidth = 300.0
    var minX = 0.0
    var maxX = 0.0
    var minY = 0.0
    var maxY = 0.0
    for (index, node) in nodes.enumerated() {
      let box = boxes[index]
      if index == 0 {
        (minX, maxX, minY, maxY) = (node.x + box.left, node.x + box.right, node.y + box.top, node.y + box.bottom)
      }
      minX = min(minX, node.x + box.left)
      maxX = max(maxX, node.x + box.right)
      minY = min(minY, node.y + box.top)
      maxY = max(maxY, node.y + box.bottom)
    }
    let headerHeight = 40.0
    let drawingWidth = max(maxX - minX, 200)
    let drawingHeight = max(maxY - minY, 200)
    let communityCount = Set(nodes.compactMap(\.community)).count
    let legendHeight = 230.0 + Double(min(communityCount, 20)) * 22
    let width = drawingWidth + legendWidth + 3 * margin
    let height = max(drawingHeight, legendHeight) + 2 * margin + headerHeight
    let offsetX = margin - minX
    let offsetY = margin + headerHeight - minY
    func x(_ value: Double) -> String { GraphNumber.twoDecimals(value + offsetX) }
    func y(_ value: Double) -> String { GraphNumber.twoDecimals(value + offsetY) }
    var out = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width.rounded(.up)))" height="\(Int(height.rounded(.up)))" viewBox="0 0 \(Int(width.rounded(.up))) \(Int(height.rounded(.up)))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
      <rect width="100%" height="100%" fill="#ffffff"/>

      """
    let heading = title.isEmpty ? "Co-occurrence graph" : title
    out += "<text x=\"\(Int(margin))\" y=\"\(Int(margin + 8))\" font-size=\"18\" font-weight=\"bold\" fill=\"#222\">\(XML.escape(heading))</text>\n"
    // Edges.
    let maximum = edges.map { abs($0.value) }.max() ?? 0
    let minimum = edges.map { abs($0.value) }.min() ?? 0
    func edgeWidth(_ value: Double) -> Double {
      maximum > minimum ? 1 + (abs(value) - minimum) / (maximum - minimum) * 9 : 3
    }
    out += "<g stroke-linecap=\"round\">\n"
    for edge in edges.reversed() {
      let source = nodes[edge.source]
      let target = nodes[edge.target]
      let colour = source.community != nil && source.community == target.community ? Palette.hex(source.community) : "#999999"
      out += "<line x1=\"\(x(source.x))\" y1=\"\(y(source.y))\" x2=\"\(x(target.x))\" y2=\"\(y(target.y))\" stroke=\"\(colour)\" stroke-opacity=\"0.55\" stroke-width=\"\(GraphNumber.twoDecimals(edgeWidth(edge.value)))\"/>\n"
    }
    out += "</g>\n<g>\n"
    for (index, node) in nodes.enumerated() {
      let colour = Palette.hex(node.community)
      let stroke = node.isEgo ? "#000000" : "#ffffff"
      let strokeWidth = node.isEgo ? "2.5" : "1"
      out += "<circle cx=\"\(x(node.x))\" cy=\"\(y(node.y))\" r=\"\(GraphNumber.twoDecimals(metrics.radii[index]))\" fill=\"\(colour)\" fill-opacity=\"0.9\" stroke=\"\(stroke)\" stroke-width=\"\(strokeWidth)\"><title>\(XML.escape(node.label)) (\(node.frequency))</title></circle>\n"
    }
    out += "</g>\n<g font-size=\"\(Int(NodeMetrics.fontSize))\" fill=\"#111\">\n"
    for (index, node) in nodes.enumerated() where showsLabel[index] {
      let weight = node.isEgo ? " font-weight=\"bold\"" : ""
      out += "<text x=\"\(x(node.x + metrics.radii[index] + 4))\" y=\"\(y(node.y + NodeMetrics.fontSize * 0.35))\"\(weight) stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(XML.escape(node.label))</text>\n"
    }
    out += "</g>\n"
    // Legend.
    let legendX = drawingWidth + 2 * margin
    var line = margin + headerHeight
    out += "<g font-size=\"12\" fill=\"#222\">\n"
    out += "<rect x=\"\(Int(legendX - 10))\" y=\"\(Int(line - 20))\" width=\"\(Int(legendWidth))\" height=\"\(Int(legendHeight))\" fill=\"#f7f7f7\" stroke=\"#cccccc\"/>\n"
    out += "<text x=\"\(Int(legendX))\" y=\"\(Int(line))\" font-weight=\"bold\" font-size=\"14\">\(XML.escape(words.legend))</text>\n"
    line += 22
    out += "<text x=\"\(Int(legendX))\" y=\"\(Int(line))\">\(XML.escape(words.summary(nodes.count, edges.count, scope.description, sampleSize)))</text>\n"
    line += 26
    let frequencies = nodes.map(\.frequency)
    out += "<text x=\"\(Int(legendX))\" y=\"\(Int(line))\">\(XML.escape("\(words.nodeSize) (\(frequencies.min() ?? 0)–\(frequencies.max() ?? 0))"))</text>\n"
    line += 30
    out += "<circle cx=\"\(Int(legendX + 10))\" cy=\"\(Int(line))\" r=\"5\" fill=\"#888\"/><text x=\"\(Int(legendX + 24))\" y=\"\(Int(line + 4))\">\(frequencies.min() ?? 0)</text>\n"
    out += "<circle cx=\"\(Int(legendX + 110))\" cy=\"\(Int(line))\" r=\"18\" fill=\"#888\"/><text x=\"\(Int(legendX + 134))\" y=\"\(Int(line + 4))\">\(frequencies.max() ?? 0)</text>\n"
    line += 36
    out += "<text x=\"\(Int(legendX))\" y=\"\(Int(line))\">\(XML.escape("\(words.edgeWidth)\(words.measure(measure)) (\(Self.short(minimum))–\(Self.short(maximum)))"))</text>\n"
    line += 18
    out += "<line x1=\"\(Int(legendX))\" y1=\"\(Int(line))\" x2=\"\(Int(legendX + 60))\" y2=\"\(Int(line))\" stroke=\"#999\" stroke-width=\"1\"/>\n"
    out += "<line x1=\"\(Int(legendX + 100))\" y1=\"\(Int(line))\" x2=\"\(Int(legendX + 160))\" y2=\"\(Int(line))\" stroke=\"#999\" stroke-width=\"10\" stroke-linecap=\"round\"/>\n"
    line += 26
    if nodes.contains(where: \.isEgo) {
      out += "<circle cx=\"\(Int(legendX + 10))\" cy=\"\(Int(line - 4))\" r=\"7\" fill=\"#ccc\" stroke=\"#000\" stroke-width=\"2.5\"/><text x=\"\(Int(legendX + 24))\" y=\"\(Int(line))\">\(XML.escape(words.ego))</text>\n"
      line += 24
    }
    if communityCount > 0 {
      out += "<text x=\"\(Int(legendX))\" y=\"\(Int(line))\" font-weight=\"bold\">\(XML.escape(words.communities))</text>\n"
      line += 20
      for community in 1...min(communityCount, 20) {
        let members = nodes.filter { $0.community == community }.sorted {
          $0.frequency != $1.frequency ? $0.frequency > $1.frequency : $0.label.utf8.lexicographicallyPrecedes($1.label.utf8)
        }
        let names = members.prefix(3).map(\.label).joined(separator: ", ")
        var text = "\(community): \(names)\(members.count > 3 ? ", …" : "")"
        if text.count > 38 { text = String(text.prefix(37)) + "…" }
        out += "<rect x=\"\(Int(legendX))\" y=\"\(Int(line - 11))\" width=\"14\" height=\"14\" fill=\"\(Palette.hex(community))\"/>"
        out += "<text x=\"\(Int(legendX + 22))\" y=\"\(Int(line))\">\(XML.escape(text))</text>\n"
        line += 22
      }
    }
    let hidden = showsLabel.filter { !$0 }.count
    if hidden > 0 {
      out += "<text x=\"\(Int(legendX))\" y=\"\(Int(line))\" fill=\"#666\">\(XML.escape(words.hidden(hidden)))</text>\n"
    }
    out += "</g>\n</svg>\n"
    return out
  }

  /// A number for the legend: at most 3 significant decimals.
  static func short(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e9 { return String(Int(value)) }
    return String(format: abs(value) >= 100 ? "%.0f" : abs(value) >= 1 ? "%.2f" : "%.3f", value)
  }
}

