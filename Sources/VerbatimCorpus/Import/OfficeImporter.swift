import Foundation

/// Word (`.docx`) and OpenDocument (`.odt`) files, read in memory.
///
/// - docx: the main part (`word/document.xml`, or the target of `_rels/.rels`): each
///   paragraph `w:p` is a line, `w:br`/`w:cr` a newline, `w:tab` a tab, text from `w:t`
///   (deleted text, field codes and the VML fallback copy of text boxes are left out);
///   `docProps/core.xml` gives `title`, `creator`, `created` (a date), `subject`,
///   `keywords`, `description`.
/// - odt: `content.xml`: each `text:p`/`text:h` is a line, `text:line-break` a newline,
///   `text:tab` a tab, `text:s` spaces (`text:c` of them); other whitespace collapses as ODF
///   says; notes and comments are left out. `meta.xml` gives the same fields as docx
///   (`meta:initial-creator` is the creator, `meta:keyword`s are joined by commas).
///
/// Paragraphs are joined by one LF; empty paragraphs stay as blank lines.
enum OfficeImporter {
  /// Reads a `.docx` file.
  static func importDocx(at url: URL, path: String, parser: SpeakerTurnParser) throws(ImportError) -> ImportedDocument {
    let zip = try ZipReader(url: url, path: path, kind: "docx")
    let mainPart = try mainDocumentPart(zip, path: path)
    guard let documentXML = try zip.data(of: mainPart) else {
      throw .malformed(path: path, line: nil, reason: "no \(mainPart) in the archive: not a Word document")
    }
    let body = DocxBodyCollector()
    try SafeXML.parse(documentXML, entry: mainPart, path: path, collector: body)
    var metadata: [String: MetadataValue] = [:]
    if let core = try zip.data(of: "docProps/core.xml") {
      let properties = PropertyCollector()
      try SafeXML.parse(core, entry: "docProps/core.xml", path: path, collector: properties)
      metadata = properties.metadata()
    }
    return try document(body.lines, metadata: metadata, path: path, format: "docx", parser: parser)
  }

  /// Reads a `.odt` file.
  static func importOdt(at url: URL, path: String, parser: SpeakerTurnParser) throws(ImportError) -> ImportedDocument {
    let zip = try ZipReader(url: url, path: path, kind: "odt")
    guard let content = try zip.data(of: "content.xml") else {
      throw .malformed(path: path, line: nil, reason: "no content.xml in the archive: not an OpenDocument text")
    }
    let body = OdtBodyCollector()
    try SafeXML.parse(content, entry: "content.xml", path: path, collector: body)
    var metadata: [String: MetadataValue] = [:]
    if let meta = try zip.data(of: "meta.xml") {
      let properties = PropertyCollector()
      try SafeXML.parse(meta, entry: "meta.xml", path: path, collector: properties)
      metadata = properties.metadata()
    }
    return try document(body.lines, metadata: metadata, path: path, format: "odt", parser: parser)
  }

  /// The document from its lines.
  private static func document(
    _ lines: [String], metadata: [String: MetadataValue], path: String, format: String,
    parser: SpeakerTurnParser
  ) throws(ImportError) -> ImportedDocument {
    let text = TextDecoding.normalizeLineEnds(lines.joined(separator: "\n"))
    if TextDecoding.isBlank(text) { throw .empty(path: path) }
    return ImportedDocument(
      path: path, text: text, metadata: metadata, turns: parser.turns(in: text), format: format)
  }

  /// The main part named by `_rels/.rels`, else `word/document.xml`.
  private static func mainDocumentPart(_ zip: ZipReader, path: String) throws(ImportError) -> String {
    guard let relations = try zip.data(of: "_rels/.rels") else { return "word/document.xml" }
    let collector = RelationshipCollector()
    try SafeXML.parse(relations, entry: "_rels/.rels", path: path, collector: collector)
    guard var target = collector.officeDocument else { return "word/document.xml" }
    while target.hasPrefix("/") { target.removeFirst() }
    return zip.contains(target) ? target : "word/document.xml"
  }
}

/// The paragraphs of a WordprocessingML body.
private final class DocxBodyCollector: XMLCollector {
  var lines: [String] = []
  private var paragraph = ""
  private var runDepth = 0
  private var textDepth = 0
  private var skipDepth = 0

  override func start(_ name: String, attributes: [String: String]) {
    if skipDepth > 0 {
      skipDepth += 1
      return
    }
    switch name {
    case "Fallback": skipDepth = 1  // mc:Fallback repeats a text box's text
    case "r": runDepth += 1
    case "t": if runDepth > 0 { textDepth += 1 }
    case "tab": if runDepth > 0 { paragraph += "\t" }
    case "br", "cr": if runDepth > 0 { paragraph += "\n" }
    case "noBreakHyphen": if runDepth > 0 { paragraph += "\u{2011}" }
    default: break
    }
  }

  override func end(_ name: String) {
    if skipDepth > 0 {
      skipDepth -= 1
      return
    }
    switch name {
    case "p":
      lines.append(paragraph)
      paragraph = ""
    case "r": runDepth = max(0, runDepth - 1)
    case "t": textDepth = max(0, textDepth - 1)
    default: break
    }
  }

  override func characters(_ string: String) {
    if textDepth > 0 && skipDepth == 0 { paragraph += string }
  }
}

/// The paragraphs of an OpenDocument text body.
private final class OdtBodyCollector: XMLCollector {
  var lines: [String] = []
  private var paragraph = ""
  private var paragraphDepth = 0
  private var skipDepth = 0
  private var lastWasCollapsibleSpace = false
  private var inBody = false

  override func start(_ name: String, attributes: [String: String]) {
    if skipDepth > 0 {
      skipDepth += 1
      return
    }
    switch name {
    case "body": inBody = true
    case "note", "annotation", "tracked-changes", "annotation-end": skipDepth = 1
    case "p", "h": paragraphDepth += 1
    case "line-break": append("\n")
    case "tab": append("\t")
    case "s":
      let count = Int(attributes["text:c"] ?? attributes["c"] ?? "1") ?? 1
      append(String(repeating: " ", count: max(1, min(count, 10_000))))
    default: break
    }
  }

  override func end(_ name: String) {
    if skipDepth > 0 {
      skipDepth -= 1
      return
    }
    switch name {
    case "body": inBody = false
    case "p", "h":
      paragraphDepth = max(0, paragraphDepth - 1)
      if lastWasCollapsibleSpace { paragraph.removeLast() }
      lines.append(paragraph)
      paragraph = ""
      lastWasCollapsibleSpace = false
    default: break
    }
  }

  override func characters(_ string: String) {
    guard inBody, paragraphDepth > 0, skipDepth == 0 else { return }
    for character in string {
      if character == " " || character == "\t" || character == "\n" || character == "\r" || character == "\r\n" {
        if !paragraph.isEmpty && !lastWasCollapsibleSpace {
          paragraph.append(" ")
          lastWasCollapsibleSpace = true
        }
      } else {
        paragraph.append(character)
        lastWasCollapsibleSpace = false
      }
    }
  }

  private func append(_ literal: String) {
    guard inBody, paragraphDepth > 0 else { return }
    paragraph += literal
    lastWasCollapsibleSpace = false
  }
}

/// The document properties of `docProps/core.xml` or `meta.xml`.
private final class PropertyCollector: XMLCollector {
  private var values: [String: [String]] = [:]
  private var current: String?
  private var buffer = ""

  override func start(_ name: String, attributes: [String: String]) {
    current = name
    buffer = ""
  }

  override func end(_ name: String) {
    if name == current {
      let value = buffer.trimmingCharacters(in: .whitespacesAndNewlines)
      if !value.isEmpty { values[name, default: []].append(value) }
    }
    current = nil
    buffer = ""
  }

  override func characters(_ string: String) {
    if current != nil { buffer += string }
  }

  /// Typed fields: title, creator, created, subject, keywords, description.
  func metadata() -> [String: MetadataValue] {
    var fields: [String: MetadataValue] = [:]
    func first(_ names: String...) -> String? {
      for name in names { if let value = values[name]?.first { return value } }
      return nil
    }
    if let title = first("title") { fields["title"] = .text(title) }
    if let creator = first("initial-creator", "creator") { fields["creator"] = .text(creator) }
    if let subject = first("subject") { fields["subject"] = .text(subject) }
    if let description = first("description") { fields["description"] = .text(description) }
    let keywords = (values["keywords"] ?? []) + (values["keyword"] ?? [])
    if !keywords.isEmpty { fields["keywords"] = .text(keywords.joined(separator: ", ")) }
    if let created = first("created", "creation-date") {
      let day = String(created.prefix(10))
      if case .date = MetadataValue.parse(day) {
        fields["created"] = .date(day)
      } else {
        fields["created"] = .text(created)
      }
    }
    return fields
  }
}

/// The `officeDocument` target of `_rels/.rels`.
private final class RelationshipCollector: XMLCollector {
  var officeDocument: String?

  override func start(_ name: String, attributes: [String: String]) {
    guard name == "Relationship", officeDocument == nil,
      let type = attributes["Type"], type.hasSuffix("/officeDocument"), let target = attributes["Target"]
    else { return }
    officeDocument = target
  }
}
