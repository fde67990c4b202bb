import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

// MARK: - Writing

/// Builds XML text with correct escaping, two spaces per level; attributes in the order given.
struct REFIXMLWriter {
  private(set) var text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
  private var open: [String] = []

  /// `<name a="…">`, then children.
  mutating func start(_ name: String, _ attributes: [(String, String?)] = []) {
    text += indent + "<" + name + Self.attributes(attributes) + ">\n"
    open.append(name)
  }

  /// `</name>` of the innermost open element.
  mutating func end() {
    guard let name = open.popLast() else { preconditionFailure("REFIXMLWriter.end without an open element") }
    text += indent + "</" + name + ">\n"
  }

  /// `<name a="…"/>`.
  mutating func empty(_ name: String, _ attributes: [(String, String?)] = []) {
    text += indent + "<" + name + Self.attributes(attributes) + "/>\n"
  }

  /// `<name>text</name>`, the text escaped.
  mutating func element(_ name: String, text content: String) {
    text += indent + "<" + name + ">" + Self.escapeText(content) + "</" + name + ">\n"
  }

  private var indent: String { String(repeating: "  ", count: open.count) }

  private static func attributes(_ attributes: [(String, String?)]) -> String {
    var result = ""
    for (name, value) in attributes {
      guard let value else { continue }
      result += " " + name + "=\"" + escapeAttribute(value) + "\""
    }
    return result
  }

  /// Text content: `&`, `<`, `>` escaped; CR written `&#13;` (a parser would turn a raw CR
  /// into LF); characters XML 1.0 cannot carry become U+FFFD.
  static func escapeText(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out.append(contentsOf: "&amp;".unicodeScalars)
      case "<": out.append(contentsOf: "&lt;".unicodeScalars)
      case ">": out.append(contentsOf: "&gt;".unicodeScalars)
      case "\r": out.append(contentsOf: "&#13;".unicodeScalars)
      default: out.append(isXMLCharacter(scalar) ? scalar : "\u{FFFD}")
      }
    }
    return String(out)
  }

  /// Attribute values: also `"` and the whitespace a parser would normalise (tab, LF, CR)
  /// as character references, so values come back exactly.
  static func escapeAttribute(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out.append(contentsOf: "&amp;".unicodeScalars)
      case "<": out.append(contentsOf: "&lt;".unicodeScalars)
      case ">": out.append(contentsOf: "&gt;".unicodeScalars)
      case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
      case "\t": out.append(contentsOf: "&#9;".unicodeScalars)
      case "\n": out.append(contentsOf: "&#10;".unicodeScalars)
      case "\r": out.append(contentsOf: "&#13;".unicodeScalars)
      default: out.append(isXMLCharacter(scalar) ? scalar : "\u{FFFD}")
      }
    }
    return String(out)
  }

  /// Whether XML 1.0 allows the character (§2.2 `Char`).
  static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
    default: false
    }
  }
}

// MARK: - Reading

/// One element of a parsed XML document: local name (namespaces dropped), attributes,
/// children, its own character data, and the line where it starts.
final class REFIXMLNode {
  let name: String
  let attributes: [String: String]
  let line: Int
  var children: [REFIXMLNode] = []
  var text = ""

  init(name: String, attributes: [String: String], line: Int) {
    self.name = name
    self.attributes = attributes
    self.line = line
  }

  /// An attribute by its local name; an exact match first, then ignoring case.
  func attribute(_ name: String) -> String? {
    if let value = attributes[name] { return value }
    let lowered = name.lowercased()
    for (key, value) in attributes where Self.localName(key).lowercased() == lowered { return value }
    return nil
  }

  /// The children with this local name.
  func children(_ name: String) -> [REFIXMLNode] { children.filter { $0.name == name } }

  /// The first child with this local name.
  func child(_ name: String) -> REFIXMLNode? { children.first { $0.name == name } }

  /// The text of the `<Description>` child, nil when absent or only whitespace (as
  /// pretty-printing exporters write empty descriptions).
  var descriptionText: String? {
    guard let text = child("Description")?.text,
      !text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    else { return nil }
    return text
  }

  static func localName(_ name: String) -> String {
    guard let colon = name.lastIndex(of: ":") else { return name }
    return String(name[name.index(after: colon)...])
  }
}

/// Why an XML document could not be read (the caller adds the file's name).
struct REFIXMLFailure: Error {
  var line: Int?
  var reason: String
}

/// Parses XML into ``REFIXMLNode``s with Foundation's `XMLParser`, refusing DTDs and entity
/// declarations (no external entity is ever resolved, no expansion can explode).
enum REFIXMLTree {
  /// The largest XML document accepted.
  static let maximumBytes = 512 * 1024 * 1024

  /// The root element of `data`. A UTF-8 BOM is skipped; UTF-16 (with a BOM) is accepted.
  static func parse(_ data: Data) throws(REFIXMLFailure) -> REFIXMLNode {
    guard data.count <= maximumBytes else { throw REFIXMLFailure(line: nil, reason: "larger than 512 MB") }
    var bytes = data
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
    if bytes.isEmpty || bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
      throw REFIXMLFailure(line: nil, reason: "empty file, not XML")
    }
    if declaresDocumentType(bytes) {
      throw REFIXMLFailure(line: nil, reason: "declares a DOCTYPE or entities (possible XML entity attack); refused")
    }
    let builder = TreeBuilder()
    let parser = XMLParser(data: Data(bytes))
    parser.shouldResolveExternalEntities = false
    parser.shouldProcessNamespaces = true
    parser.shouldReportNamespacePrefixes = false
    parser.delegate = builder
    let succeeded = parser.parse()
    if builder.sawDeclaration {
      throw REFIXMLFailure(line: nil, reason: "declares a DOCTYPE or entities (possible XML entity attack); refused")
    }
    if !succeeded || parser.parserError != nil || builder.errorLine != nil || !builder.stack.isEmpty {
      let line = builder.errorLine ?? parser.lineNumber
      throw REFIXMLFailure(line: line, reason: "not well-formed XML")
    }
    guard let root = builder.root else { throw REFIXMLFailure(line: nil, reason: "no root element") }
    return root
  }

  /// Whether the bytes contain `<!DOCTYPE` or `<!ENTITY` (any case), in UTF-8 or UTF-16.
  static func declaresDocumentType(_ data: Data) -> Bool {
    var bytes = [UInt8](data)
    if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x00, 0x3C])
      || bytes.starts(with: [0x3C, 0x00])
    {
      let bigEndian = bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0x00, 0x3C])
      bytes = Array((String(data: data, encoding: bigEndian ? .utf16BigEndian : .utf16LittleEndian) ?? "").utf8)
    }
    let upper = bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }
    for needle in ["<!DOCTYPE", "<!ENTITY"] {
      let pattern = Array(needle.utf8)
      guard upper.count >= pattern.count else { continue }
      for start in 0...(upper.count - pattern.count) where upper[start] == 0x3C {
        if upper[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
      }
    }
    return false
  }

  private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [REFIXMLNode] = []
    var root: REFIXMLNode?
    var sawDeclaration = false
    var errorLine: Int?

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
      qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
      var attributes: [String: String] = [:]
      for (key, value) in attributeDict { attributes[REFIXMLNode.localName(key)] = value }
      let node = REFIXMLNode(name: REFIXMLNode.localName(elementName), attributes: attributes, line: parser.lineNumber)
      if let parent = stack.last { parent.children.append(node) } else if root == nil { root = node }
      stack.append(node)
    }

    func parser(
      _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
      _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
      stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
      if errorLine == nil { errorLine = parser.lineNumber }
    }

    private func refuse(_ parser: XMLParser) {
      sawDeclaration = true
      parser.abortParsing()
    }

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
      refuse(parser)
    }

    func parser(
      _ parser: XMLParser, foundAttributeDeclarationWithName attributeName: String, forElement elementName: String,
      type: String?, defaultValue: String?
    ) {
      refuse(parser)
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
      refuse(parser)
    }

    func parser(
      _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?
    ) {
      refuse(parser)
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
      refuse(parser)
      return nil
    }
  }
}
