import Foundation
import ZIPFoundation

/// What reading a `.qdpx` gives: the project (texts as Verbatim stores them, ranges in UTF-8
/// bytes of those texts), the warnings, and how each source's CRLF were counted.
public struct REFIImport: Sendable {
  /// The project read.
  public var project: REFIProject
  /// Non-fatal remarks, one line each, naming the file, entry and line.
  public var warnings: [String]
  /// For each source GUID whose text had a CR, how its positions counted CRLF.
  public var lineEndCountings: [String: REFILineEndCounting]
  /// The name of the XML part read (`project.qde`, or another `.qde`).
  public var projectEntry: String
}

extension REFIProjectArchive {
  /// Reads a `.qdpx` file.
  ///
  /// - Parameters:
  ///   - file: the path for messages.
  ///   - counting: how CRLF count in positions; ``REFILineEndCounting/automatic`` decides
  ///     per source.
  public static func read(contentsOf url: URL, file: String, counting: REFILineEndCounting = .automatic)
    throws(REFIError) -> REFIImport
  {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw .unreadable(file: file, reason: (error as NSError).localizedDescription)
    }
    return try read(data, file: file, counting: counting)
  }

  /// Reads `.qdpx` bytes (see the type's documentation for what is tolerated and refused).
  public static func read(_ data: Data, file: String, counting: REFILineEndCounting = .automatic) throws(REFIError)
    -> REFIImport
  {
    if data.isEmpty { throw .unreadable(file: file, reason: "empty file") }
    if data.starts(with: Array("<?xml".utf8)) || data.starts(with: [0xEF, 0xBB, 0xBF]) {
      throw .invalid(
        file: file, entry: nil, line: nil, element: nil,
        reason: "this is XML, not a zip archive: a .qdpx is a zip holding project.qde (a bare .qde cannot carry sources)")
    }
    let zip = try REFIZip(data: data, file: file)
    let qde = try zip.projectEntry()
    guard let xml = try zip.data(of: qde) else {
      throw .invalid(file: file, entry: qde, line: nil, element: nil, reason: "cannot read the entry")
    }
    let root: REFIXMLNode
    do {
      root = try REFIXMLTree.parse(xml)
    } catch {
      throw .invalid(file: file, entry: qde, line: error.line, element: nil, reason: error.reason)
    }
    var reader = ProjectReader(file: file, entry: qde, zip: zip, counting: counting)
    let project = try reader.project(from: root)
    return REFIImport(
      project: project, warnings: reader.warnings, lineEndCountings: reader.countings, projectEntry: qde)
  }
}

// MARK: - The zip

/// A `.qdpx` zip read in memory, checked for safety first.
struct REFIZip {
  let file: String
  private let archive: Archive
  /// Entry paths by their lowercased path.
  private let pathsByLowercase: [String: String]
  /// Every file entry's path.
  let paths: [String]
  private let totalRead = ByteCounter()

  init(data: Data, file: String) throws(REFIError) {
    self.file = file
    do {
      archive = try Archive(data: data, accessMode: .read)
    } catch {
      throw .invalid(
        file: file, entry: nil, line: nil, element: nil,
        reason: "not a valid zip archive (truncated or corrupt); a .qdpx is a zip archive")
    }
    var paths: [String] = []
    var count = 0
    var declared: UInt64 = 0
    for entry in archive {
      count += 1
      if count > REFIProjectArchive.maximumEntries {
        throw .unsafeArchive(file: file, reason: "more than \(REFIProjectArchive.maximumEntries) entries")
      }
      let name = entry.path
      if Self.isUnsafeName(name) {
        throw .unsafeArchive(file: file, reason: "the entry name \(name) escapes the archive (absolute path or ..)")
      }
      if entry.type == .symlink { throw .unsafeArchive(file: file, reason: "the entry \(name) is a symbolic link") }
      if entry.type == .file {
        paths.append(name)
        declared = declared &+ entry.uncompressedSize
        if entry.uncompressedSize > REFIProjectArchive.maximumEntryBytes {
          throw .unsafeArchive(file: file, reason: "the entry \(name) is above 512 MB once uncompressed")
        }
      }
    }
    if count == 0 { throw .invalid(file: file, entry: nil, line: nil, element: nil, reason: "the zip archive is empty") }
    self.paths = paths
    // Keys: lowercased, with `\` (written by some Windows zippers) read as `/`.
    var byLowercase: [String: String] = [:]
    for path in paths {
      let key = Self.key(path)
      if byLowercase[key] == nil { byLowercase[key] = path }
    }
    pathsByLowercase = byLowercase
  }

  /// The lookup key of an entry path: lowercased, `\` as `/`.
  static func key(_ path: String) -> String {
    path.replacingOccurrences(of: "\\", with: "/").lowercased()
  }

  /// Whether an entry name could write outside a folder it was extracted to.
  static func isUnsafeName(_ name: String) -> Bool {
    if name.hasPrefix("/") || name.hasPrefix("\\") { return true }
    let scalars = Array(name.unicodeScalars.prefix(2))
    if scalars.count == 2, scalars[1] == ":", scalars[0].properties.isAlphabetic { return true }
    return name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains { $0 == ".." }
  }

  /// The project XML: `project.qde` at the root (any case), else the only `.qde` at the root,
  /// else the only `.qde` one folder down.
  func projectEntry() throws(REFIError) -> String {
    if let exact = pathsByLowercase[REFIProjectArchive.projectEntry] { return exact }
    let qdes = paths.filter { Self.key($0).hasSuffix(".qde") }
    let atRoot = qdes.filter { !Self.key($0).contains("/") }
    if atRoot.count == 1 { return atRoot[0] }
    if atRoot.count > 1 {
      throw .invalid(
        file: file, entry: nil, line: nil, element: nil,
        reason: "several .qde files at the root (\(atRoot.sorted().joined(separator: ", "))) and none named project.qde")
    }
    let nested = qdes.filter { Self.key($0).split(separator: "/").count == 2 }
    if nested.count == 1 { return nested[0] }
    throw .invalid(
      file: file, entry: nil, line: nil, element: nil,
      reason: "no project.qde (nor any .qde) in the archive: not a REFI-QDA project")
  }

  /// The folder holding the project XML (`""` at the root, `name/` one level down).
  func base(of qde: String) -> String {
    let key = Self.key(qde)
    guard let slash = key.lastIndex(of: "/") else { return "" }
    return String(key[...slash])
  }

  /// The entry for an internal source file: `sources/<name>` next to the `.qde`, matched
  /// ignoring case (`Sources/`, uppercase GUIDs), or the name alone at that level.
  func internalPath(_ name: String, qde: String) -> String? {
    let base = base(of: qde)
    for candidate in [base + "sources/" + name, base + name] {
      if let path = pathsByLowercase[Self.key(candidate)] { return path }
    }
    return nil
  }

  /// An entry's bytes, or nil when absent; reads stop past the per-entry and total limits.
  func data(of path: String) throws(REFIError) -> Data? {
    guard let entry = archive[path] else { return nil }
    var data = Data()
    let entryLimit = Int(REFIProjectArchive.maximumEntryBytes)
    do {
      _ = try archive.extract(entry) { chunk in
        guard data.count + chunk.count <= entryLimit, totalRead.add(chunk.count) else { throw SizeExceeded() }
        data.append(chunk)
      }
    } catch is SizeExceeded {
      throw .unsafeArchive(file: file, reason: "\(path) inflates above the size limits (512 MB a part, 1 GB in all)")
    } catch {
      throw .invalid(file: file, entry: path, line: nil, element: nil, reason: "cannot inflate the entry (corrupt zip)")
    }
    return data
  }

  private struct SizeExceeded: Error {}

  /// Counts bytes read from the archive in all.
  final class ByteCounter: @unchecked Sendable {
    private var total: UInt64 = 0
    /// Adds `count`; false when the total limit is passed.
    func add(_ count: Int) -> Bool {
      total += UInt64(count)
      return total <= REFIProjectArchive.maximumTotalBytes
    }
  }
}

// MARK: - The XML

/// Reads a `<Project>` element into a ``REFIProject``.
private struct ProjectReader {
  let file: String
  let entry: String
  let zip: REFIZip
  let counting: REFILineEndCounting
  var warnings: [String] = []
  var countings: [String: REFILineEndCounting] = [:]

  init(file: String, entry: String, zip: REFIZip, counting: REFILineEndCounting) {
    self.file = file
    self.entry = entry
    self.zip = zip
    self.counting = counting
  }

  private func failure(_ node: REFIXMLNode, _ reason: String) -> REFIError {
    .invalid(file: file, entry: entry, line: node.line, element: node.name, reason: reason)
  }

  private mutating func warn(_ node: REFIXMLNode, _ message: String) {
    warnings.append("\(file) (\(entry)):\(node.line): <\(node.name)>: \(message)")
  }

  private func guid(_ node: REFIXMLNode, _ attribute: String = "guid", required: Bool = true) throws(REFIError) -> String? {
    guard let raw = node.attribute(attribute), !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
      if required { throw failure(node, "\(attribute) is missing") }
      return nil
    }
    guard let value = REFIGUID.normalized(raw) else {
      throw failure(node, "\(attribute) is not a GUID (8-4-4-4-12 hexadecimal digits)")
    }
    return value
  }

  private func integer(_ node: REFIXMLNode, _ attribute: String) throws(REFIError) -> Int {
    guard let raw = node.attribute(attribute) else { throw failure(node, "\(attribute) is missing") }
    guard let value = Int(raw.trimmingCharacters(in: .whitespaces)) else {
      throw failure(node, "\(attribute) is not an integer")
    }
    return value
  }

  private mutating func date(_ node: REFIXMLNode, _ attribute: String = "creationDateTime") -> Date? {
    guard let raw = node.attribute(attribute), !raw.isEmpty else { return nil }
    guard let date = REFIDate.parse(raw) else {
      warn(node, "\(attribute) is not a date and time; ignored")
      return nil
    }
    return date
  }

  mutating func project(from root: REFIXMLNode) throws(REFIError) -> REFIProject {
    guard root.name == "Project" else {
      let hint = root.name == "CodeBook" ? " (this is a codebook; read it as .qdc)" : ""
      throw failure(root, "the root element must be <Project>\(hint)")
    }
    let name = root.attribute("name").refiNonEmpty ?? REFICodebook.codebookName(fromFile: file)
    var project = REFIProject(name: name, origin: root.attribute("origin"))
    project.creatingUserGUID = try guid(root, "creatingUserGUID", required: false)
    project.creationDate = date(root)
    project.description = root.descriptionText

    // Users.
    var userGUIDs: Set<String> = []
    for node in root.child("Users")?.children("User") ?? [] {
      guard let guid = try guid(node) else { continue }
      if userGUIDs.insert(guid).inserted {
        project.users.append(REFIProject.User(guid: guid, name: node.attribute("name"), id: node.attribute("id")))
      }
    }

    // Codebook and sets.
    var codeReader = REFICodeReader(file: file, entry: entry, codebookName: name)
    var codebook = Codebook(name: name)
    if let codes = root.child("CodeBook")?.child("Codes") {
      codebook.codes = try codeReader.codes(in: codes, prefix: "")
    }
    if let sets = root.child("Sets") {
      let codeSets = sets.children("Set").filter {
        !$0.children("MemberCode").isEmpty || ($0.children("MemberSource").isEmpty && $0.children("MemberNote").isEmpty)
      }
      let skipped = sets.children("Set").count - codeSets.count
      if skipped > 0 { warn(sets, "\(skipped) set(s) of sources or notes skipped (Verbatim keeps sets of codes)") }
      let filtered = REFIXMLNodeList(children: codeSets)
      codebook.sets = try codeReader.sets(in: filtered.node(named: "Sets", line: sets.line))
    }
    warnings += codeReader.warnings
    project.codebook = REFICodebook.assigningGUIDs(codebook)
    let codePaths = codeReader.pathsByGUID
    var noteTargets: [String: REFIProject.NoteTarget] = [:]
    for (code, note) in codeReader.codeNoteRefs where noteTargets[note] == nil { noteTargets[note] = .code(code) }

    // Variables.
    var variableTypes: [String: REFIProject.VariableType] = [:]
    for node in root.child("Variables")?.children("Variable") ?? [] {
      guard let guid = try guid(node) else { continue }
      guard let variableName = node.attribute("name"), !variableName.isEmpty else {
        throw failure(node, "a variable has no name")
      }
      let raw = node.attribute("typeOfVariable") ?? "Text"
      var type = REFIProject.VariableType.allCases.first { $0.rawValue.lowercased() == raw.lowercased() }
      if type == nil {
        warn(node, "typeOfVariable \(raw) is not one of Text, Boolean, Integer, Float, Date, DateTime; read as Text")
        type = .text
      }
      variableTypes[guid] = type
      project.variables.append(
        REFIProject.Variable(
          guid: guid, name: variableName, type: type ?? .text,
          description: node.descriptionText))
    }

    // Cases.
    for node in root.child("Cases")?.children("Case") ?? [] {
      guard let guid = try guid(node) else { continue }
      var item = REFIProject.Case(
        guid: guid, name: node.attribute("name"),
        description: node.descriptionText)
      item.values = try values(in: node, types: variableTypes)
      for reference in node.children("SourceRef") {
        if let target = try self.guid(reference, "targetGUID") { item.sourceGUIDs.append(target) }
      }
      project.cases.append(item)
    }

    // Sources.
    var skippedKinds: [String: Int] = [:]
    var sourceGUIDs: Set<String> = []
    for node in root.child("Sources")?.children ?? [] {
      guard node.name == "TextSource" else {
        skippedKinds[node.name, default: 0] += 1
        continue
      }
      guard let guid = try guid(node) else { continue }
      guard sourceGUIDs.insert(guid).inserted else { throw failure(node, "the source GUID \(guid) is used twice") }
      guard let original = try text(of: node) else { continue }
      try readSource(
        node, guid: guid, original: original, codePaths: codePaths, into: &project, noteTargets: &noteTargets,
        variableTypes: variableTypes)
    }
    for (kind, count) in skippedKinds.sorted(by: { $0.key < $1.key }) {
      warnings.append(
        "\(file) (\(entry)): \(count) <\(kind)> skipped with their codings (Verbatim imports plain-text sources)")
    }
    project.cases = project.cases.map { item in
      var item = item
      item.sourceGUIDs = item.sourceGUIDs.filter { sourceGUIDs.contains($0) }
      return item
    }

    // Notes.
    for reference in root.children("NoteRef") {
      if let target = try guid(reference, "targetGUID"), noteTargets[target] == nil { noteTargets[target] = .project }
    }
    for node in root.child("Notes")?.children("Note") ?? [] {
      guard let guid = try guid(node) else { continue }
      let content: String
      if let inline = node.child("PlainTextContent") {
        content = inline.text
      } else if let text = try text(of: node) {
        content = REFISourceText(text).stored
      } else {
        continue
      }
      project.notes.append(
        REFIProject.Note(
          guid: guid, name: node.attribute("name"), text: content, target: noteTargets[guid] ?? .project,
          creatingUserGUID: try self.guid(node, "creatingUser", required: false), creationDate: date(node)))
    }
    return project
  }

  /// A text source's or note's text, from `PlainTextContent` or `plainTextPath`; nil (with a
  /// warning) when it has none Verbatim can read.
  private mutating func text(of node: REFIXMLNode) throws(REFIError) -> String? {
    if let inline = node.child("PlainTextContent") { return inline.text }
    guard let path = node.attribute("plainTextPath"), !path.isEmpty else {
      if node.attribute("richTextPath") != nil {
        warn(node, "a rich-text source without a plain-text copy (plainTextPath) is skipped with its codings")
      } else if node.name == "TextSource" {
        warn(node, "a text source without plainTextPath or PlainTextContent is skipped")
      }
      return nil
    }
    let lowered = path.lowercased()
    guard lowered.hasPrefix("internal://") else {
      warn(node, "\(path) is outside the archive; the source is skipped (only internal:// sources are read)")
      return nil
    }
    let name = String(path.dropFirst("internal://".count))
    if REFIZip.isUnsafeName(name) || name.contains("/") || name.contains("\\") {
      throw failure(node, "plainTextPath \(path) does not name a file of the sources folder")
    }
    guard let entryPath = zip.internalPath(name, qde: entry) else {
      throw failure(node, "plainTextPath \(path): no such file in the archive's sources folder")
    }
    guard let data = try zip.data(of: entryPath) else {
      throw failure(node, "plainTextPath \(path): no such file in the archive's sources folder")
    }
    if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
      guard let text = String(data: data, encoding: .utf16) else {
        throw .invalid(file: file, entry: entryPath, line: nil, element: nil, reason: "invalid UTF-16 text")
      }
      return text
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw .invalid(
        file: file, entry: entryPath, line: nil, element: nil,
        reason: "not UTF-8 text (REFI-QDA plain-text sources are UTF-8)")
    }
    return text
  }

  /// The variable values under an element.
  private mutating func values(in node: REFIXMLNode, types: [String: REFIProject.VariableType]) throws(REFIError)
    -> [REFIProject.VariableValue]
  {
    var result: [REFIProject.VariableValue] = []
    for valueNode in node.children("VariableValue") {
      guard let reference = valueNode.child("VariableRef") else { throw failure(valueNode, "no <VariableRef>") }
      guard let variable = try guid(reference, "targetGUID") else { continue }
      guard types[variable] != nil else {
        warn(reference, "the variable \(variable) is not declared in <Variables>; its value is skipped")
        continue
      }
      guard let value = valueNode.children.first(where: { $0.name != "VariableRef" }) else { continue }
      result.append(REFIProject.VariableValue(variableGUID: variable, value: value.text))
    }
    return result
  }

  private mutating func readSource(
    _ node: REFIXMLNode, guid: String, original: String, codePaths: [String: String], into project: inout REFIProject,
    noteTargets: inout [String: REFIProject.NoteTarget], variableTypes: [String: REFIProject.VariableType]
  ) throws(REFIError) {
    let text = REFISourceText(original)
    let selectionNodes = node.children("PlainTextSelection")
    var selections: [REFISourceText.Selection] = []
    for selection in selectionNodes {
      selections.append(
        REFISourceText.Selection(
          start: try integer(selection, "startPosition"), end: try integer(selection, "endPosition"),
          name: selection.attribute("name")))
    }
    let chosen = counting == .automatic ? text.detectCounting(selections: selections) : counting
    if text.hasCarriageReturns {
      countings[guid] = chosen
      if chosen == .onePosition {
        warn(node, "positions count each CRLF as one character (not two, as the standard says); read accordingly")
      }
    }
    let count = text.positionCount(counting: chosen)
    let sourceName = node.attribute("name").refiNonEmpty ?? guid
    var source = REFIProject.Source(
      guid: guid, name: sourceName, text: text.stored,
      description: node.descriptionText,
      creatingUserGUID: try self.guid(node, "creatingUser", required: false), creationDate: date(node))
    source.values = try values(in: node, types: variableTypes)

    func coding(_ codingNode: REFIXMLNode, range: Range<Int>, selectionGUID: String?, user: String?, date: Date?)
      throws(REFIError) -> REFIProject.TextCoding
    {
      guard let reference = codingNode.child("CodeRef") else { throw failure(codingNode, "no <CodeRef>") }
      guard let code = try self.guid(reference, "targetGUID") else { throw failure(reference, "no targetGUID") }
      guard codePaths[code] != nil else {
        throw failure(reference, "targetGUID \(code) names no code of the codebook")
      }
      return REFIProject.TextCoding(
        guid: try self.guid(codingNode, required: false), selectionGUID: selectionGUID, sourceGUID: guid,
        codeGUID: code, range: range, creatingUserGUID: try self.guid(codingNode, "creatingUser", required: false) ?? user,
        creationDate: self.date(codingNode) ?? date)
    }

    // Every selection bound converted in one pass over the text.
    let bounds = Array(Set(selections.flatMap { [$0.start, $0.end, min($0.end, count)] }))
    let offsets = Dictionary(
      uniqueKeysWithValues: Swift.zip(bounds, text.utf8Offsets(ofPositions: bounds, counting: chosen)).compactMap { bound, offset in
        offset.map { (bound, $0) }
      })
    for (index, selectionNode) in selectionNodes.enumerated() {
      var (start, end) = (selections[index].start, selections[index].end)
      guard start >= 0, start <= end else {
        throw failure(selectionNode, "startPosition \(start) and endPosition \(end) do not make a selection")
      }
      if end == count + 1 && start < count {
        warn(selectionNode, "endPosition is one past the text's end (an inclusive end?); read up to the end")
        end = count
      }
      guard end <= count else {
        throw failure(
          selectionNode,
          "endPosition \(end) is past the end of the source \(sourceName) (\(count) characters); "
            + "the file's positions do not match its text")
      }
      if start == end {
        warn(selectionNode, "an empty selection (startPosition = endPosition) is skipped")
        continue
      }
      guard let lower = offsets[start], let upper = offsets[end] else {
        throw failure(selectionNode, "positions outside the text")
      }
      let selectionGUID = try self.guid(selectionNode, required: false)
      let user = try self.guid(selectionNode, "creatingUser", required: false) ?? project.creatingUserGUID
      let created = date(selectionNode)
      var codingGUIDs: [String] = []
      for codingNode in selectionNode.children("Coding") {
        var item = try coding(codingNode, range: lower..<upper, selectionGUID: selectionGUID, user: user, date: created)
        if item.guid == nil {
          item = REFIProject.withGUIDs(item)
        }
        codingGUIDs.append(item.guid ?? "")
        for reference in codingNode.children("NoteRef") {
          if let note = try self.guid(reference, "targetGUID"), noteTargets[note] == nil {
            noteTargets[note] = .coding(item.guid ?? "")
          }
        }
        project.codings.append(item)
      }
      // Notes on the selection itself (and MAXQDA's memo in its Description) go to its first
      // coding, or to the source when it has none.
      let target: REFIProject.NoteTarget = codingGUIDs.first.map { .coding($0) } ?? .source(guid)
      for reference in selectionNode.children("NoteRef") {
        if let note = try self.guid(reference, "targetGUID"), noteTargets[note] == nil { noteTargets[note] = target }
      }
      if let description = selectionNode.descriptionText {
        let noteGUID = REFIGUID.derived("selection-description:\(selectionGUID ?? "\(guid)\n\(start)\n\(end)")")
        project.notes.append(
          REFIProject.Note(
            guid: noteGUID, name: selectionNode.attribute("name"), text: description, target: target,
            creatingUserGUID: user, creationDate: created))
      }
    }
    // Codings of the whole source.
    for codingNode in node.children("Coding") {
      var item = try coding(
        codingNode, range: 0..<text.stored.utf8.count, selectionGUID: nil, user: source.creatingUserGUID,
        date: nil)
      if item.guid == nil { item = REFIProject.withGUIDs(item) }
      project.codings.append(item)
    }
    for reference in node.children("NoteRef") {
      if let note = try self.guid(reference, "targetGUID"), noteTargets[note] == nil { noteTargets[note] = .source(guid) }
    }
    project.sources.append(source)
  }
}

extension REFIProject {
  /// One coding with its GUIDs derived as ``assigningGUIDs()`` does for a first occurrence.
  fileprivate static func withGUIDs(_ coding: TextCoding) -> TextCoding {
    var project = REFIProject(name: "")
    project.codings = [coding]
    return project.assigningGUIDs().codings[0]
  }
}

/// A stand-in parent for a filtered list of children.
private struct REFIXMLNodeList {
  var children: [REFIXMLNode]

  func node(named name: String, line: Int) -> REFIXMLNode {
    let node = REFIXMLNode(name: name, attributes: [:], line: line)
    node.appendChildren(children)
    return node
  }
}

extension REFIXMLNode {
  /// Adds children (for filtered stand-in parents).
  func appendChildren(_ nodes: [REFIXMLNode]) { children.append(contentsOf: nodes) }
}
