import Foundation

/// REFI-QDA codebooks (`.qdc`, Codebook.xsd 1.0, namespace `urn:QDA-XML:codebook:1.0`).
///
/// What a `.qdc` keeps: code names, GUIDs, hierarchy, `isCodable`, colours, descriptions,
/// and sets. What it cannot keep, so a round trip through `.qdc` loses it: the codebook's
/// name (a `.qdc` has none; reading takes it from the file name), language and description,
/// and every code's rules and exclusions (queries have no place in REFI-QDA, and descriptions
/// are kept clean for the coders of other tools). ``lostInformation(_:)`` says what an export
/// drops, for converters to warn.
///
/// GUIDs: kept as read (lowercased, braces dropped); a code or set without one gets a
/// version-5 UUID derived from the codebook's name and the code's path
/// (``REFIGUID/derived(_:)``), so writing the same codebook always gives the same bytes.
///
///     let book = try REFICodebook.read(data, file: "Codebooks/démo.qdc")
///     let bytes = REFICodebook.write(book)   // valid against Codebook.xsd
public enum REFICodebook {
  /// The codebook namespace.
  public static let namespace = "urn:QDA-XML:codebook:1.0"
  /// The `origin` attribute Verbatim writes.
  public static let origin = "Verbatim"

  /// Reads a `.qdc` file's bytes.
  ///
  /// Tolerated: any namespace or none, a BOM, CRLF, UTF-16 with a BOM, `isCodable` absent
  /// (then true) or written `1`/`0`/`True`, codes without GUIDs (derived), uppercase or
  /// braced GUIDs, an empty `<Sets/>`, `MemberCode@targetGUID` (Project.xsd's spelling),
  /// colours `#rgb` (expanded) and a colour that is not one (dropped, with a warning).
  /// Sibling codes with the same name get ` (2)`, ` (3)` appended, and `/` in a name becomes
  /// `∕` (U+2215), since Verbatim identifies codes by path; both with a warning.
  ///
  /// - Parameters:
  ///   - file: the file's path, for messages and for the codebook's name (its base name).
  /// - Throws: ``REFIError/invalid(file:entry:line:element:reason:)`` naming the line and
  ///   element: not XML, a root other than `CodeBook`, a code without a name, a bad GUID or
  ///   `isCodable`, a GUID used twice.
  public static func read(_ data: Data, file: String) throws(REFIError) -> Codebook {
    try readWithWarnings(data, file: file).codebook
  }

  /// ``read(_:file:)``, also returning the warnings (one line each, naming the file and line).
  public static func readWithWarnings(_ data: Data, file: String) throws(REFIError) -> (
    codebook: Codebook, warnings: [String]
  ) {
    let root: REFIXMLNode
    do {
      root = try REFIXMLTree.parse(data)
    } catch {
      throw .invalid(file: file, entry: nil, line: error.line, element: nil, reason: error.reason)
    }
    guard root.name == "CodeBook" else {
      let hint = root.name == "Project" ? " (this is a REFI-QDA project, .qde; import it with import --qdpx)" : ""
      throw .invalid(
        file: file, entry: nil, line: root.line, element: root.name,
        reason: "the root element must be <CodeBook>\(hint)")
    }
    let name = codebookName(fromFile: file)
    var reader = REFICodeReader(file: file, entry: nil, codebookName: name)
    var codebook = Codebook(name: name)
    if let codes = root.child("Codes") {
      codebook.codes = try reader.codes(in: codes, prefix: "")
    } else {
      throw .invalid(file: file, entry: nil, line: root.line, element: "CodeBook", reason: "no <Codes> element")
    }
    if let sets = root.child("Sets") {
      codebook.sets = try reader.sets(in: sets)
    }
    return (assigningGUIDs(codebook), reader.warnings)
  }

  /// The codebook's name for a file: its base name without extension (`démo` for
  /// `Codebooks/démo.qdc`).
  public static func codebookName(fromFile file: String) -> String {
    let base = (file as NSString).lastPathComponent
    let stem = (base as NSString).deletingPathExtension
    return stem.isEmpty ? base : stem
  }

  /// Writes a codebook as `.qdc` XML (UTF-8, no BOM, LF line ends, two-space indentation).
  ///
  /// Codes and sets without a GUID get a derived one (``assigningGUIDs(_:)``). A codebook
  /// without codes writes an empty `<Codes/>`, which Codebook.xsd rejects (it asks for at
  /// least one code): callers refuse to export one (``lostInformation(_:)`` says so).
  public static func write(_ codebook: Codebook) -> Data {
    let book = assigningGUIDs(codebook)
    var writer = REFIXMLWriter()
    writer.start("CodeBook", [("xmlns", namespace), ("origin", origin)])
    if book.codes.isEmpty {
      writer.empty("Codes")
    } else {
      writer.start("Codes")
      for code in book.codes { writeCode(code, to: &writer, noteGUIDs: { _ in [] }) }
      writer.end()
    }
    if !book.sets.isEmpty {
      writer.start("Sets")
      for set in book.sets {
        let attributes: [(String, String?)] = [("guid", set.guid), ("name", set.name)]
        if set.description.refiNonEmpty == nil && set.memberGUIDs.isEmpty {
          writer.empty("Set", attributes)
          continue
        }
        writer.start("Set", attributes)
        if let description = set.description.refiNonEmpty { writer.element("Description", text: description) }
        for member in set.memberGUIDs { writer.empty("MemberCode", [("guid", member)]) }
        writer.end()
      }
      writer.end()
    }
    writer.end()
    return Data(writer.text.utf8)
  }

  /// Writes one code and its children (shared with the project writer, whose codes may
  /// carry note references).
  static func writeCode(_ code: Code, to writer: inout REFIXMLWriter, noteGUIDs: (String) -> [String]) {
    let guid = code.guid ?? ""
    let attributes: [(String, String?)] = [
      ("guid", guid), ("name", code.name), ("isCodable", code.isCodable ? "true" : "false"),
      ("color", code.color.flatMap(normalizedColor)),
    ]
    let notes = noteGUIDs(guid)
    if code.description.refiNonEmpty == nil && code.codes.isEmpty && notes.isEmpty {
      writer.empty("Code", attributes)
      return
    }
    writer.start("Code", attributes)
    if let description = code.description.refiNonEmpty { writer.element("Description", text: description) }
    for note in notes { writer.empty("NoteRef", [("targetGUID", note)]) }
    for child in code.codes { writeCode(child, to: &writer, noteGUIDs: noteGUIDs) }
    writer.end()
  }

  /// The codebook with every code and set given a GUID: kept when it has one (normalised to
  /// lowercase), else the version-5 UUID of `code:<codebook name>\n<code path>` (sets:
  /// `set:<codebook name>\n<set name>`); a code GUID that is not one is replaced the same
  /// way, and set members that are not GUIDs are dropped. Deterministic.
  public static func assigningGUIDs(_ codebook: Codebook) -> Codebook {
    var book = codebook
    func assign(_ codes: inout [Code], prefix: String) {
      for index in codes.indices {
        let path = prefix.isEmpty ? codes[index].name : prefix + Code.pathSeparator + codes[index].name
        codes[index].guid =
          codes[index].guid.flatMap(REFIGUID.normalized) ?? REFIGUID.derived("code:\(codebook.name)\n\(path)")
        assign(&codes[index].codes, prefix: path)
      }
    }
    assign(&book.codes, prefix: "")
    for index in book.sets.indices {
      book.sets[index].guid =
        book.sets[index].guid.flatMap(REFIGUID.normalized)
        ?? REFIGUID.derived("set:\(codebook.name)\n\(book.sets[index].name)")
      book.sets[index].memberGUIDs = book.sets[index].memberGUIDs.compactMap(REFIGUID.normalized)
    }
    return book
  }

  /// What writing `codebook` as `.qdc` drops, one line each (empty when nothing is lost):
  /// rules and exclusions, the language and description, and an empty codebook.
  public static func lostInformation(_ codebook: Codebook) -> [String] {
    var lost: [String] = []
    let withRules = codebook.flattened.filter { !$0.code.rules.isEmpty || !$0.code.exclude.isEmpty }
    if !withRules.isEmpty {
      lost.append(
        "the rules of \(withRules.count) code(s) are not written (REFI-QDA has no place for queries), "
          + "e.g. \(withRules[0].path)")
    }
    if codebook.language != nil { lost.append("the codebook's language is not written (REFI-QDA has no field for it)") }
    if codebook.description.refiNonEmpty != nil {
      lost.append("the codebook's description is not written (a .qdc has no codebook description)")
    }
    if codebook.codes.isEmpty { lost.append("the codebook has no codes; REFI-QDA requires at least one") }
    return lost
  }

  /// `#rrggbb` in lowercase from `#rgb` or `#rrggbb` (any case), else nil.
  public static func normalizedColor(_ text: String) -> String? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard trimmed.hasPrefix("#") else { return nil }
    let digits = trimmed.dropFirst()
    guard digits.allSatisfy(\.isHexDigit), digits.unicodeScalars.allSatisfy(\.isASCII) else { return nil }
    switch digits.count {
    case 6: return "#" + digits.lowercased()
    case 3: return "#" + digits.lowercased().map { "\($0)\($0)" }.joined()
    default: return nil
    }
  }
}

/// Reads `<Code>` trees and `<Set>`s, shared by the `.qdc` and `.qde` readers.
struct REFICodeReader {
  let file: String
  let entry: String?
  let codebookName: String
  var warnings: [String] = []
  /// GUID → line of the code that has it.
  private(set) var seenGUIDs: [String: Int] = [:]
  /// Every code's GUID → its path.
  private(set) var pathsByGUID: [String: String] = [:]
  /// Note references found on codes: (code GUID, note GUID).
  private(set) var codeNoteRefs: [(code: String, note: String)] = []

  init(file: String, entry: String?, codebookName: String) {
    self.file = file
    self.entry = entry
    self.codebookName = codebookName
  }

  private func failure(_ node: REFIXMLNode, _ reason: String) -> REFIError {
    .invalid(file: file, entry: entry, line: node.line, element: node.name, reason: reason)
  }

  private mutating func warn(_ node: REFIXMLNode, _ message: String) {
    warnings.append("\(file)\(entry.map { " (\($0))" } ?? ""):\(node.line): <\(node.name)>: \(message)")
  }

  /// The codes under a `<Codes>` or `<Code>` element.
  mutating func codes(in parent: REFIXMLNode, prefix: String) throws(REFIError) -> [Code] {
    var result: [Code] = []
    var siblingNames: Set<String> = []
    for node in parent.children("Code") {
      guard var name = node.attribute("name"), !name.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw failure(node, "a code has no name (attribute name is required)")
      }
      if name.contains(Code.pathSeparator) {
        let replaced = name.replacingOccurrences(of: Code.pathSeparator, with: "\u{2215}")
        warn(node, "\"/\" in a code name became \"∕\" (Verbatim separates code paths with /)")
        name = replaced
      }
      if siblingNames.contains(name) {
        var suffix = 2
        while siblingNames.contains("\(name) (\(suffix))") { suffix += 1 }
        warn(node, "a sibling code has the same name; this one is renamed with \" (\(suffix))\"")
        name = "\(name) (\(suffix))"
      }
      siblingNames.insert(name)
      let path = prefix.isEmpty ? name : prefix + Code.pathSeparator + name
      let guid: String
      if let raw = node.attribute("guid"), !raw.trimmingCharacters(in: .whitespaces).isEmpty {
        guard let normalized = REFIGUID.normalized(raw) else {
          throw failure(node, "guid is not a GUID (8-4-4-4-12 hexadecimal digits)")
        }
        guid = normalized
      } else {
        guid = REFIGUID.derived("code:\(codebookName)\n\(path)")
      }
      if let first = seenGUIDs[guid] {
        throw failure(node, "guid \(guid) is already used by the code on line \(first)")
      }
      seenGUIDs[guid] = node.line
      pathsByGUID[guid] = path
      var isCodable = true
      if let raw = node.attribute("isCodable") {
        switch raw.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1": isCodable = true
        case "false", "0": isCodable = false
        default: throw failure(node, "isCodable must be true or false")
        }
      }
      var color: String?
      if let raw = node.attribute("color"), !raw.trimmingCharacters(in: .whitespaces).isEmpty {
        color = REFICodebook.normalizedColor(raw)
        if color == nil { warn(node, "color is not #rgb or #rrggbb; dropped") }
      }
      let description = node.descriptionText
      for reference in node.children("NoteRef") {
        if let target = reference.attribute("targetGUID").flatMap(REFIGUID.normalized) {
          codeNoteRefs.append((guid, target))
        }
      }
      let children = try codes(in: node, prefix: path)
      result.append(
        Code(name: name, guid: guid, description: description, color: color, isCodable: isCodable, codes: children))
    }
    return result
  }

  /// The sets under a `<Sets>` element (empty `<Sets/>` gives none).
  mutating func sets(in parent: REFIXMLNode) throws(REFIError) -> [CodeSet] {
    var result: [CodeSet] = []
    for node in parent.children("Set") {
      guard let name = node.attribute("name") else { throw failure(node, "a set has no name") }
      var guid: String?
      if let raw = node.attribute("guid"), !raw.trimmingCharacters(in: .whitespaces).isEmpty {
        guard let normalized = REFIGUID.normalized(raw) else { throw failure(node, "guid is not a GUID") }
        guid = normalized
      }
      var members: [String] = []
      for member in node.children("MemberCode") {
        guard let raw = member.attribute("guid") ?? member.attribute("targetGUID"),
          let target = REFIGUID.normalized(raw)
        else { throw failure(member, "a member code has no valid guid") }
        if pathsByGUID[target] == nil {
          warn(member, "the member code \(target) is not in the codebook; dropped")
          continue
        }
        members.append(target)
      }
      let description = node.descriptionText
      result.append(CodeSet(name: name, guid: guid, description: description, memberGUIDs: members))
    }
    return result
  }
}
