import Foundation

/// Drawing sizes shared by the layout and the SVG: node radius by frequency, label box.
struct NodeMetrics {
  static let minimumRadius = 5.0
  static let maximumRadius = 30.0
  static let fontSize = 13.0
  /// Approximate advance of one character at `fontSize` (a sans-serif average).
  static let characterWidth = 0.58 * fontSize

  let radii: [Double]

  init(_ graph: CooccurrenceGraph) {
    // IRaMuTeQ rescales vertex size to [tvmin = 5, tvmax = 30]; sqrt keeps areas proportional.
    let roots = graph.nodes.map { Double($0.frequency).squareRoot() }
    let low = roots.min() ?? 0
    let high = roots.max() ?? 0
    radii = roots.map { root in
      high > low
        ? Self.minimumRadius + (root - low) / (high - low) * (Self.maximumRadius - Self.minimumRadius)
        : (Self.minimumRadius + Self.maximumRadius) / 2
    }
  }

  /// Width of a label's text.
  static func labelWidth(_ label: String) -> Double { Double(label.count) * characterWidth }

  /// The box a node and its label (to its right, vertically centred) occupy, relative to the centre.
  func box(_ index: Int, label: String) -> (left: Double, right: Double, top: Double, bottom: Double) {
    let radius = radii[index]
    let half = max(radius, Self.fontSize * 0.7)
    return (-radius - 2, radius + 4 + Self.labelWidth(label) + 2, -half - 2, half + 2)
  }
}

extension CooccurrenceGraph {
  /// Computes a deterministic force-directed layout (Fruchterman and Reingold 1991, seeded
  /// start, fixed cooling, a weak pull to the centre so that components stay together), then
  /// moves nodes apart until no two node-plus-label boxes overlap.
  ///
  /// Positions are in drawing units (about 1,000 wide), the same for the same graph and seed.
  public mutating func layout(seed: UInt64 = 1) {
    let count = nodes.count
    guard count > 0 else { return }
    var random = SeededGenerator(state: seed)
    let area = 1000.0 * 1000.0
    let k = (area / Double(count)).squareRoot()
    var x = (0..<count).map { _ in random.unit() * 1000 - 500 }
    var y = (0..<count).map { _ in random.unit() * 1000 - 500 }
    let maximum = edges.map { abs($0.value) }.max() ?? 1
    let weights = edges.map { maximum > 0 ? 0.2 + 0.8 * abs($0.value) / maximum : 1 }
    var temperature = 100.0
    let iterations = count > 2000 ? 60 : 300
    var dx = [Double](repeating: 0, count: count)
    var dy = [Double](repeating: 0, count: count)
    for _ in 0..<iterations {
      for i in 0..<count {
        dx[i] = 0
        dy[i] = 0
      }
      for i in 0..<count {
        for j in (i + 1)..<max(count, i + 1) {
          var ddx = x[i] - x[j]
          var ddy = y[i] - y[j]
          var distance = (ddx * ddx + ddy * ddy).squareRoot()
          if distance < 0.01 {
            ddx = 0.01 * Double((i + j) % 7 + 1)
            ddy = 0.01 * Double((i * 3 + j) % 5 + 1)
            distance = (ddx * ddx + ddy * ddy).squareRoot()
          }
          let force = k * k / distance
          dx[i] += ddx / distance * force
          dy[i] += ddy / distance * force
          dx[j] -= ddx / distance * force
          dy[j] -= ddy / distance * force
        }
      }
      for (index, edge) in edges.enumerated() {
        let ddx = x[edge.source] - x[edge.target]
        let ddy = y[edge.source] - y[edge.target]
        let distance = max((ddx * ddx + ddy * ddy).squareRoot(), 0.01)
        let force = distance * distance / k * weights[index]
        dx[edge.source] -= ddx / distance * force
        dy[edge.source] -= ddy / distance * force
        dx[edge.target] += ddx / distance * force
        dy[edge.target] += ddy / distance * force
      }
      for i in 0..<count {
        // Gravity towards the centre.
        dx[i] -= x[i] * 0.05 * k / 100
        dy[i] -= y[i] * 0.05 * k / 100
        let length = (dx[i] * dx[i] + dy[i] * dy[i]).squareRoot()
        if length > 0 {
          x[i] += dx[i] / length * min(length, temperature)
          y[i] += dy[i] / length * min(length, temperature)
        }
      }
      temperature = max(temperature * 0.985, 1)
    }
    // Fit the drawing to a size that grows with √n (about 110 units a node across), so labels
    // keep a readable size relative to the picture; then remove overlaps.
    let side = min(max(110 * Double(count).squareRoot(), 500), 2600)
    let width = max((x.max() ?? 0) - (x.min() ?? 0), 1e-9)
    let height = max((y.max() ?? 0) - (y.min() ?? 0), 1e-9)
    let scale = count > 1 ? side / max(width, height) : 1
    for i in 0..<count {
      nodes[i].x = (x[i] - (x.min() ?? 0)) * scale
      nodes[i].y = (y[i] - (y.min() ?? 0)) * scale
    }
    separate()
    hasLayout = true
  }

  /// Pushes apart nodes whose node-plus-label boxes overlap, along the axis of least overlap,
  /// until none overlap. Pairwise pushes can go round in circles in a crowded drawing: after
  /// 200 rounds the whole drawing is spread by a quarter (boxes keep their size) and the
  /// pushes start again, so the loop ends with no overlap.
  mutating func separate() {
    for _ in 0..<40 {
      if separationRounds(200) { return }
      for index in nodes.indices {
        nodes[index].x *= 1.25
        nodes[index].y *= 1.25
      }
    }
  }

  /// Up to `rounds` rounds of pairwise pushes; true when no two boxes overlap.
  private mutating func separationRounds(_ rounds: Int) -> Bool {
    let metrics = NodeMetrics(self)
    let boxes = nodes.indices.map { metrics.box($0, label: nodes[$0].label) }
    let count = nodes.count
    for _ in 0..<rounds {
      var moved = false
      for i in 0..<count {
        for j in (i + 1)..<max(count, i + 1) {
          let a = boxes[i]
          let b = boxes[j]
          let overlapX =
            min(nodes[i].x + a.right, nodes[j].x + b.right) - max(nodes[i].x + a.left, nodes[j].x + b.left)
          let overlapY =
            min(nodes[i].y + a.bottom, nodes[j].y + b.bottom) - max(nodes[i].y + a.top, nodes[j].y + b.top)
          guard overlapX > 0 && overlapY > 0 else { continue }
          moved = true
          if overlapX < overlapY {
            let shift = overlapX / 2 + 0.5
            let direction: Double = nodes[i].x < nodes[j].x || (nodes[i].x == nodes[j].x && i < j) ? -1 : 1
            nodes[i].x += direction * shift
            nodes[j].x -= direction * shift
          } else {
            let shift = overlapY / 2 + 0.5
            let direction: Double = nodes[i].y < nodes[j].y || (nodes[i].y == nodes[j].y && i < j) ? -1 : 1
            nodes[i].y += direction * shift
            nodes[j].y -= direction * shift
          }
        }
      }
      if !moved { return true }
    }
    return false
  }
}
