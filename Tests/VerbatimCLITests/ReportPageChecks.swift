import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Structural checks of a rendered report page, shared by the renderer's tests and (later) the
/// test of `verbatim analyze`: the page is parsed as XML (the renderer writes XHTML-compatible
/// HTML), then each accessibility and self-containment rule is checked. Returns the problems
/// found, as sentences; an empty list means the page passed.
struct ReportPage {
  let html: String
  let document: XMLDocument

  /// A page that is not balanced XML.
  struct Unbalanced: Error, CustomStringConvertible {
    var description: String
  }

  /// Checks that every element is closed in order, then parses `html` as XML (FoundationXML on
  /// Linux recovers from unclosed tags, hence the balance check of our own first).
  init(_ html: String) throws {
    self.html = html
    try Self.checkBalance(html)
    document = try XMLDocument(data: Data(html.utf8), options: [])
  }

  /// Walks the tags: `<x …>` opens, `</x>` must close the innermost open element, `<x … />` and
  /// `<!…>`, `<?…?>` stand alone. Text never holds a raw `<` in an escaped page.
  static func checkBalance(_ html: String) throws {
    var stack: [String] = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
      guard let close = rest[open...].firstIndex(of: ">") else { throw Unbalanced(description: "a tag is never closed by >") }
      let tag = rest[rest.index(after: open)..<close]
      rest = rest[rest.index(after: close)...]
      if tag.hasPrefix("!") || tag.hasPrefix("?") || tag.hasSuffix("/") { continue }
      let name = tag.prefix { !$0.isWhitespace && $0 != "/" }.lowercased()
      if tag.hasPrefix("/") {
        let closing = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces).lowercased()
        guard stack.last == closing else {
          throw Unbalanced(description: "</\(closing)> closes <\(stack.last ?? "nothing")>")
        }
        stack.removeLast()
      } else {
        stack.append(name)
      }
    }
    if !stack.isEmpty { throw Unbalanced(description: "unclosed: \(stack)") }
  }

  /// Elements by local name, anywhere (SVG elements carry a namespace).
  func elements(_ name: String) -> [XMLElement] {
    ((try? document.nodes(forXPath: "//*[local-name()='\(name)']")) ?? []).compactMap { $0 as? XMLElement }
  }

  /// Nodes for an XPath expression.
  func nodes(_ xpath: String) -> [XMLNode] { (try? document.nodes(forXPath: xpath)) ?? [] }

  /// The `id`s of every element.
  var ids: [String] { nodes("//@id").compactMap(\.stringValue) }

  /// The headings `h1`…`h6` in document order, as (level, text).
  var headings: [(level: Int, text: String)] {
    nodes("//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6]").compactMap { node in
      guard let name = node.name, let level = Int(name.dropFirst()) else { return nil }
      return (level, node.stringValue ?? "")
    }
  }

  /// An attribute's value, read through XPath (works on namespaced elements such as `<svg>`).
  func attribute(_ element: XMLElement, _ name: String) -> String? {
    ((try? element.nodes(forXPath: "@\(name)")) ?? []).first?.stringValue
  }

  /// Every problem found.
  func problems() -> [String] {
    var problems: [String] = []
    guard let root = document.rootElement(), root.name == "html" else { return ["the root element is not <html>"] }
    if (root.attribute(forName: "lang")?.stringValue ?? "").isEmpty { problems.append("<html> has no lang") }
    if elements("title").first(where: { $0.parent?.name == "head" })?.stringValue?.isEmpty ?? true {
      problems.append("no <title> in <head>")
    }
    // Headings: exactly one h1, first; levels never skip on the way down.
    let levels = headings.map(\.level)
    if levels.filter({ $0 == 1 }).count != 1 || levels.first != 1 { problems.append("not exactly one <h1> first: \(levels)") }
    for (previous, next) in zip(levels, levels.dropFirst()) where next > previous + 1 {
      problems.append("heading level jumps from h\(previous) to h\(next)")
    }
    // Ids are unique; every in-page link resolves.
    let allIDs = ids
    let idSet = Set(allIDs)
    if idSet.count != allIDs.count {
      let duplicates = Dictionary(grouping: allIDs, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
      problems.append("duplicate ids: \(duplicates.prefix(5))")
    }
    for href in nodes("//@href").compactMap(\.stringValue) {
      if href.hasPrefix("#") {
        if !idSet.contains(String(href.dropFirst())) { problems.append("link \(href) has no target") }
      } else {
        problems.append("link to outside the page: \(href)")
      }
    }
    // Self-contained: no script, no external resource.
    for name in ["script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignObject"] where !elements(name).isEmpty {
      problems.append("the page holds <\(name)>")
    }
    if !nodes("//@src").isEmpty { problems.append("an element has src=") }
    if html.range(of: "url(", options: .caseInsensitive) != nil || html.contains("@import") {
      problems.append("the CSS loads something (url( or @import)")
    }
    // Tables: a caption, header cells with a scope, a header row.
    for (index, table) in elements("table").enumerated() {
      let caption = table.elements(forName: "caption").first?.stringValue ?? ""
      if caption.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("table \(index + 1) has no caption") }
      let headers = (try? table.nodes(forXPath: ".//th")) ?? []
      if headers.isEmpty { problems.append("table \(index + 1) (\(caption)) has no <th>") }
      for header in headers.compactMap({ $0 as? XMLElement }) {
        let scope = header.attribute(forName: "scope")?.stringValue ?? ""
        if !["col", "row", "colgroup", "rowgroup"].contains(scope) {
          problems.append("table \(index + 1) (\(caption)): <th> without scope")
        }
      }
      if ((try? table.nodes(forXPath: "./thead/tr/th[@scope='col']")) ?? []).isEmpty {
        problems.append("table \(index + 1) (\(caption)) has no column headers")
      }
    }
    // Pictures: role="img" and an accessible name.
    for (index, svg) in elements("svg").enumerated() {
      if attribute(svg, "role") != "img" { problems.append("svg \(index + 1) lacks role=img") }
      let hasTitle = !((try? svg.nodes(forXPath: "./*[local-name()='title']")) ?? []).isEmpty
      if !hasTitle && attribute(svg, "aria-label") == nil { problems.append("svg \(index + 1) has no title nor aria-label") }
    }
    return problems
  }
}
