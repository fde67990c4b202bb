import Foundation
import ZIPFoundation

/// REFI-QDA projects (`.qdpx`): a zip holding `project.qde` (Project.xsd 1.0, namespace
/// `urn:QDA-XML:project:1.0`) and `sources/<guid>.txt`, the plain-text sources in UTF-8.
///
/// Writing (``write(_:)``): users, the codebook (its sets as project `Sets`), variables,
/// cases, text sources with their selections and codings, notes; selections are
/// `PlainTextSelection`s whose positions count Unicode code points in the source's text
/// (`startPosition` inclusive, `endPosition` exclusive), converted exactly from the UTF-8
/// ranges. Codings of the same source and range share one selection. GUIDs missing in the
/// model are derived (``REFIProject/assigningGUIDs()``); zip entries carry a fixed date; so
/// the same project always gives the same bytes.
///
/// Reading (``read(_:file:counting:)``) tolerates the known variants: `sources/` or
/// `Sources/` (any case), a `.qde` not named `project.qde` (the only one at the root, or in
/// one top folder), BOMs in the XML and the texts, uppercase or braced GUIDs, an empty
/// `<Sets/>`, `isCodable` absent, texts given inline (`PlainTextContent`), and CRLF counted
/// as one or two positions (``REFISourceText/detectCounting(selections:)``). Sources other
/// than plain text (PDF, pictures, audio, video, rich text without a plain-text copy) are
/// skipped with a warning, and so are their codings. Texts come back as Verbatim stores them
/// (BOM dropped, line ends LF) with ranges converted to that text.
///
/// Refused, with a message naming the file, entry, line and element: unsafe archives (entry
/// names with `..` or absolute paths, links, more than 100,000 entries, a part above 512 MB
/// or 1 GB in all), XML with a DOCTYPE, a selection outside its text, a coding of an unknown
/// code, a source whose text is missing or not UTF-8.
public enum REFIProjectArchive {
  /// The project namespace.
  public static let namespace = "urn:QDA-XML:project:1.0"
  /// The name of the XML part Verbatim writes.
  public static let projectEntry = "project.qde"
  /// The folder of internal sources Verbatim writes.
  public static let sourcesFolder = "sources"
  /// The date stamped on every zip entry, so archives are byte-identical across runs.
  static let entryDate = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01T00:00:00Z
  /// The most entries accepted in an archive.
  static let maximumEntries = 100_000
  /// The largest part read.
  static let maximumEntryBytes: UInt64 = 512 * 1024 * 1024
  /// The most bytes read from one archive in all.
  static let maximumTotalBytes: UInt64 = 1024 * 1024 * 1024

  // MARK: - Writing

  /// The project as `.qdpx` bytes.
  ///
  /// - Throws: ``REFIError/cannotWrite(reason:)`` when a coding names an unknown source or
  ///   code, or a range outside its text or inside a character's bytes; a note names an
  ///   unknown target; the project has no name.
  public static func write(_ project: REFIProject) throws(REFIError) -> Data {
    let project = project.assigningGUIDs()
    let xml = try projectXML(project)
    do {
      let archive = try Archive(data: Data(), accessMode: .create)
      try add(xml, as: projectEntry, to: archive)
      for source in project.sources {
        try add(Data(source.text.utf8), as: "\(sourcesFolder)/\(source.guid).txt", to: archive)
      }
      guard let data = archive.data else { throw REFIError.cannotWrite(reason: "the zip archive could not be built") }
      return data
    } catch let error as REFIError {
      throw error
    } catch {
      throw .cannotWrite(reason: "the zip archive could not be built (\(error))")
    }
  }

  /// Writes the project to `url` atomically (a temporary file in the same folder, then a rename).
  public static func write(_ project: REFIProject, to url: URL) throws(REFIError) {
    let data = try write(project)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
      try data.write(to: temporary)
      // rename(2) replaces the destination atomically (FileManager.replaceItemAt does not
      // on Linux).
      guard rename(temporary.path, url.path) == 0 else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw .cannotWrite(reason: "\(url.path): \(error.localizedDescription)")
    }
  }

  private static func add(_ data: Data, as path: String, to archive: Archive) throws {
    try archive.addEntry(
      with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: entryDate,
      permissions: 0o644, compressionMethod: .deflate
    ) { position, size in
      data.subdata(in: Int(position)..<(Int(position) + size))
    }
  }

  /// The `project.qde` XML of a project whose GUIDs are assigned.
  public static func projectXML(_ input: REFIProject) throws(REFIError) -> Data {
    let project = input.assigningGUIDs()
    guard !project.name.isEmpty else { throw .cannotWrite(reason: "the project has no name") }
    let codebook = project.codebook
    let codeGUIDs = Set(codebook.flattened.compactMap(\.code.guid))
    let sourceIndex = Dictionary(project.sources.enumerated().map { ($1.guid, $0) }, uniquingKeysWith: { a, _ in a })
    guard sourceIndex.count == project.sources.count else {
      throw .cannotWrite(reason: "two sources have the same GUID")
    }
    // Code points of every coding's bounds, one pass per source that has codings.
    var boundsBySource: [Int: [Int]] = [:]
    for coding in project.codings {
      if let source = sourceIndex[coding.sourceGUID] {
        boundsBySource[source, default: []] += [coding.range.lowerBound, coding.range.upperBound]
      }
    }
    var codePoints: [Int: [Int: Int]] = [:]
    for (source, bounds) in boundsBySource {
      let converted = CodePointOffsets.codePoints(ofUTF8Offsets: bounds, in: project.sources[source].text)
      var map: [Int: Int] = [:]
      for (bound, point) in zip(bounds, converted) { if let point { map[bound] = point } }
      codePoints[source] = map
    }

    // Selections: codings grouped by source and range, in source order then by position.
    struct SelectionKey: Hashable {
      var source: Int
      var start: Int
      var end: Int
    }
    var selections: [SelectionKey: [REFIProject.TextCoding]] = [:]
    for coding in project.codings {
      guard let source = sourceIndex[coding.sourceGUID] else {
        throw .cannotWrite(reason: "a coding names the source \(coding.sourceGUID), which is not in the project")
      }
      guard codeGUIDs.contains(coding.codeGUID) else {
        throw .cannotWrite(reason: "a coding names the code \(coding.codeGUID), which is not in the codebook")
      }
      let name = project.sources[source].name
      guard let start = codePoints[source]?[coding.range.lowerBound],
        let end = codePoints[source]?[coding.range.upperBound]
      else {
        throw .cannotWrite(
          reason: "a coding of \(name) has the range \(coding.range.lowerBound)..<\(coding.range.upperBound), "
            + "outside the text (\(project.sources[source].text.utf8.count) bytes) or inside a character")
      }
      selections[SelectionKey(source: source, start: start, end: end), default: []].append(coding)
    }
    let codingGUIDs = Set(project.codings.compactMap(\.guid))
    var notesByTarget: [REFIProject.NoteTarget: [String]] = [:]
    for note in project.notes {
      switch note.target {
      case .project: break
      case let .code(guid) where !codeGUIDs.contains(guid):
        throw .cannotWrite(reason: "a note is attached to the code \(guid), which is not in the codebook")
      case let .source(guid) where sourceIndex[guid] == nil:
        throw .cannotWrite(reason: "a note is attached to the source \(guid), which is not in the project")
      case let .coding(guid) where !codingGUIDs.contains(guid):
        throw .cannotWrite(reason: "a note is attached to the coding \(guid), which is not in the project")
      default: break
      }
      notesByTarget[note.target, default: []].append(note.guid)
    }

    var writer = REFIXMLWriter()
    writer.start(
      "Project",
      [
        ("xmlns", namespace), ("name", project.name), ("origin", project.origin),
        ("creatingUserGUID", project.creatingUserGUID), ("creationDateTime", project.creationDate.map(REFIDate.format)),
      ])
    if !project.users.isEmpty {
      writer.start("Users")
      for user in project.users { writer.empty("User", [("guid", user.guid), ("name", user.name), ("id", user.id)]) }
      writer.end()
    }
    if !codebook.codes.isEmpty {
      writer.start("CodeBook")
      writer.start("Codes")
      for code in codebook.codes {
        REFICodebook.writeCode(code, to: &writer, noteGUIDs: { notesByTarget[.code($0)] ?? [] })
      }
      writer.end()
      writer.end()
    }
    let variableTypes = Dictionary(project.variables.map { ($0.guid, $0.type) }, uniquingKeysWith: { a, _ in a })
    if !project.variables.isEmpty {
      writer.start("Variables")
      for variable in project.variables {
        let attributes: [(String, String?)] = [
          ("guid", variable.guid), ("name", variable.name), ("typeOfVariable", variable.type.rawValue),
        ]
        if let description = variable.description.refiNonEmpty {
          writer.start("Variable", attributes)
          writer.element("Description", text: description)
          writer.end()
        } else {
          writer.empty("Variable", attributes)
        }
      }
      writer.end()
    }
    func writeValues(_ values: [REFIProject.VariableValue]) throws(REFIError) {
      for value in values {
        guard let type = variableTypes[value.variableGUID] else {
          throw .cannotWrite(reason: "a value names the variable \(value.variableGUID), which is not in the project")
        }
        writer.start("VariableValue")
        writer.empty("VariableRef", [("targetGUID", value.variableGUID)])
        writer.element(type.valueElement, text: value.value)
        writer.end()
      }
    }
    if !project.cases.isEmpty {
      writer.start("Cases")
      for item in project.cases {
        writer.start("Case", [("guid", item.guid), ("name", item.name)])
        if let description = item.description.refiNonEmpty { writer.element("Description", text: description) }
        try writeValues(item.values)
        for source in item.sourceGUIDs {
          guard sourceIndex[source] != nil else {
            throw .cannotWrite(reason: "a case names the source \(source), which is not in the project")
          }
          writer.empty("SourceRef", [("targetGUID", source)])
        }
        writer.end()
      }
      writer.end()
    }
    if !project.sources.isEmpty {
      let keysBySource = Dictionary(grouping: selections.keys, by: \.source)
      writer.start("Sources")
      for (index, source) in project.sources.enumerated() {
        writer.start(
          "TextSource",
          [
            ("guid", source.guid), ("name", source.name), ("plainTextPath", source.plainTextPath),
            ("creatingUser", source.creatingUserGUID), ("creationDateTime", source.creationDate.map(REFIDate.format)),
          ])
        if let description = source.description.refiNonEmpty { writer.element("Description", text: description) }
        let keys = (keysBySource[index] ?? []).sorted { ($0.start, $0.end) < ($1.start, $1.end) }
        for key in keys {
          let codings = selections[key] ?? []
          let first = codings[0]
          // The selection's creator and date: those of its codings when they all agree.
          let user = codings.allSatisfy { $0.creatingUserGUID == first.creatingUserGUID } ? first.creatingUserGUID : nil
          let date = codings.allSatisfy { $0.creationDate == first.creationDate } ? first.creationDate : nil
          writer.start(
            "PlainTextSelection",
            [
              ("guid", first.selectionGUID), ("startPosition", String(key.start)), ("endPosition", String(key.end)),
              ("creatingUser", user), ("creationDateTime", date.map(REFIDate.format)),
            ])
          for coding in codings {
            writer.start(
              "Coding",
              [
                ("guid", coding.guid), ("creatingUser", coding.creatingUserGUID),
                ("creationDateTime", coding.creationDate.map(REFIDate.format)),
              ])
            writer.empty("CodeRef", [("targetGUID", coding.codeGUID)])
            for note in notesByTarget[.coding(coding.guid ?? "")] ?? [] {
              writer.empty("NoteRef", [("targetGUID", note)])
            }
            writer.end()
          }
          writer.end()
        }
        for note in notesByTarget[.source(source.guid)] ?? [] { writer.empty("NoteRef", [("targetGUID", note)]) }
        try writeValues(source.values)
        writer.end()
      }
      writer.end()
    }
    if !project.notes.isEmpty {
      writer.start("Notes")
      for note in project.notes {
        writer.start(
          "Note",
          [
            ("guid", note.guid), ("name", note.name), ("creatingUser", note.creatingUserGUID),
            ("creationDateTime", note.creationDate.map(REFIDate.format)),
          ])
        writer.element("PlainTextContent", text: note.text)
        writer.end()
      }
      writer.end()
    }
    if !codebook.sets.isEmpty {
      writer.start("Sets")
      for set in codebook.sets {
        writer.start("Set", [("guid", set.guid), ("name", set.name)])
        if let description = set.description.refiNonEmpty { writer.element("Description", text: description) }
        for member in set.memberGUIDs { writer.empty("MemberCode", [("targetGUID", member)]) }
        writer.end()
      }
      writer.end()
    }
    if let description = project.description.refiNonEmpty { writer.element("Description", text: description) }
    for note in notesByTarget[.project] ?? [] { writer.empty("NoteRef", [("targetGUID", note)]) }
    writer.end()
    return Data(writer.text.utf8)
  }
}

extension REFIProject {
  /// The project with every GUID the writer needs: the codebook's (``REFICodebook/assigningGUIDs(_:)``),
  /// and each coding's selection and coding GUID, derived when missing from the source, the
  /// UTF-8 range, the code and the coder (a repeated identical coding gets `#2`, `#3`…).
  /// GUIDs given are lowercased. Deterministic, so notes can name codings before writing.
  public func assigningGUIDs() -> REFIProject {
    var project = self
    project.codebook = REFICodebook.assigningGUIDs(codebook)
    var used: Set<String> = []
    for index in project.codings.indices {
      var coding = project.codings[index]
      let range = "\(coding.range.lowerBound)\n\(coding.range.upperBound)"
      coding.selectionGUID =
        coding.selectionGUID.flatMap(REFIGUID.normalized) ?? REFIGUID.derived("selection:\(coding.sourceGUID)\n\(range)")
      if let given = coding.guid.flatMap(REFIGUID.normalized), !used.contains(given) {
        coding.guid = given
      } else {
        let base = "coding:\(coding.sourceGUID)\n\(range)\n\(coding.codeGUID)\n\(coding.creatingUserGUID ?? "")"
        var candidate = REFIGUID.derived(base)
        var occurrence = 2
        while used.contains(candidate) {
          candidate = REFIGUID.derived(base + "\n#\(occurrence)")
          occurrence += 1
        }
        coding.guid = candidate
      }
      used.insert(coding.guid ?? "")
      project.codings[index] = coding
    }
    return project
  }
}
