import Foundation
import VerbatimCorpus

/// A REFI-QDA project, neutral between Verbatim and the `.qdpx` file (Project.xsd 1.0).
///
/// Only what Verbatim exchanges is modelled: users (coders), the codebook (the shared
/// ``Codebook`` with GUIDs on codes and sets), variables, cases, plain-text sources, codings
/// of text selections, and notes (memos). Offsets here are UTF-8 byte offsets into
/// ``Source/text``, as everywhere in Verbatim; ``REFIProjectArchive`` converts them to and
/// from REFI's Unicode code-point positions.
///
///     var project = REFIProject(name: "Entretiens")
///     project.users = [.init(guid: REFIGUID.derived("user:AB"), name: "AB")]
///     project.sources = [.init(guid: "…", name: "Entretien 01", text: "Bonjour.")]
///     let data = try REFIProjectArchive.write(project)   // the .qdpx bytes
public struct REFIProject: Sendable, Hashable {
  /// The project's name (`Project@name`, required by the schema).
  public var name: String
  /// The writing program (`Project@origin`).
  public var origin: String?
  /// The user who created the project, by GUID.
  public var creatingUserGUID: String?
  /// When the project was created; nil keeps exports byte-identical across runs.
  public var creationDate: Date?
  /// A free description of the project.
  public var description: String?
  /// Coders.
  public var users: [User]
  /// The codebook; every code has a GUID once the project is written or read.
  public var codebook: Codebook
  /// Variables (typed attributes) that cases and sources give values to.
  public var variables: [Variable]
  /// Cases: groups of sources with variable values.
  public var cases: [Case]
  /// Plain-text sources.
  public var sources: [Source]
  /// Codings of text selections.
  public var codings: [TextCoding]
  /// Notes (memos), each attached to the project, a code, a source or a coding.
  public var notes: [Note]

  /// Creates a project.
  public init(
    name: String, origin: String? = nil, creatingUserGUID: String? = nil, creationDate: Date? = nil,
    description: String? = nil, users: [User] = [], codebook: Codebook? = nil, variables: [Variable] = [],
    cases: [Case] = [], sources: [Source] = [], codings: [TextCoding] = [], notes: [Note] = []
  ) {
    self.name = name
    self.origin = origin
    self.creatingUserGUID = creatingUserGUID
    self.creationDate = creationDate
    self.description = description
    self.users = users
    self.codebook = codebook ?? Codebook(name: name)
    self.variables = variables
    self.cases = cases
    self.sources = sources
    self.codings = codings
    self.notes = notes
  }

  /// A coder (`User`).
  public struct User: Sendable, Hashable {
    /// The user's GUID.
    public var guid: String
    /// The user's name (Verbatim's coder name).
    public var name: String?
    /// Another tool's own id for the user (`User@id`).
    public var id: String?

    /// Creates a user.
    public init(guid: String, name: String?, id: String? = nil) {
      self.guid = guid
      self.name = name
      self.id = id
    }

    /// The name Verbatim gives this user: its name, else its id, else its GUID.
    public var displayName: String { name.refiNonEmpty ?? id.refiNonEmpty ?? guid }
  }

  /// The REFI type of a variable (`typeOfVariable`).
  public enum VariableType: String, Sendable, Hashable, CaseIterable {
    case text = "Text", boolean = "Boolean", integer = "Integer", float = "Float", date = "Date"
    case dateTime = "DateTime"

    /// The element that carries a value of this type (`TextValue`, `IntegerValue`…).
    public var valueElement: String { rawValue + "Value" }
  }

  /// A variable: a typed attribute of cases or sources.
  public struct Variable: Sendable, Hashable {
    /// Its GUID.
    public var guid: String
    /// Its name (Verbatim's metadata field).
    public var name: String
    /// Its type.
    public var type: VariableType
    /// A free description.
    public var description: String?

    /// Creates a variable.
    public init(guid: String, name: String, type: VariableType, description: String? = nil) {
      self.guid = guid
      self.name = name
      self.type = type
      self.description = description
    }
  }

  /// A value of a variable, in its XML lexical form (`34`, `2023-02-14`, `true`).
  public struct VariableValue: Sendable, Hashable {
    /// The variable's GUID.
    public var variableGUID: String
    /// The value as written in the file.
    public var value: String

    /// Creates a value.
    public init(variableGUID: String, value: String) {
      self.variableGUID = variableGUID
      self.value = value
    }
  }

  /// A case: a group of sources (a person, a site) with variable values.
  public struct Case: Sendable, Hashable {
    /// Its GUID.
    public var guid: String
    /// Its name.
    public var name: String?
    /// A free description.
    public var description: String?
    /// Its variable values.
    public var values: [VariableValue]
    /// The GUIDs of its member sources.
    public var sourceGUIDs: [String]

    /// Creates a case.
    public init(
      guid: String, name: String?, description: String? = nil, values: [VariableValue] = [], sourceGUIDs: [String] = []
    ) {
      self.guid = guid
      self.name = name
      self.description = description
      self.values = values
      self.sourceGUIDs = sourceGUIDs
    }
  }

  /// A plain-text source (`TextSource`).
  public struct Source: Sendable, Hashable {
    /// Its GUID (also its file name inside the archive: `sources/<guid>.txt`).
    public var guid: String
    /// Its display name.
    public var name: String
    /// Its text; codings' ranges are UTF-8 offsets into it.
    public var text: String
    /// A free description.
    public var description: String?
    /// Variable values given to the source itself (not through a case).
    public var values: [VariableValue]
    /// The user who added it, by GUID.
    public var creatingUserGUID: String?
    /// When it was added.
    public var creationDate: Date?

    /// Creates a source.
    public init(
      guid: String, name: String, text: String, description: String? = nil, values: [VariableValue] = [],
      creatingUserGUID: String? = nil, creationDate: Date? = nil
    ) {
      self.guid = guid
      self.name = name
      self.text = text
      self.description = description
      self.values = values
      self.creatingUserGUID = creatingUserGUID
      self.creationDate = creationDate
    }

    /// Where the text is stored inside the archive (`internal://<guid>.txt`).
    public var plainTextPath: String { "internal://\(guid).txt" }
  }

  /// One code applied by one user to a span of a source (REFI `Coding` inside a
  /// `PlainTextSelection`).
  public struct TextCoding: Sendable, Hashable {
    /// The coding's GUID; nil lets the writer derive one.
    public var guid: String?
    /// The selection's GUID; nil lets the writer derive one. Codings of the same source and
    /// range share one selection.
    public var selectionGUID: String?
    /// The source's GUID.
    public var sourceGUID: String
    /// The code's GUID.
    public var codeGUID: String
    /// UTF-8 byte range into the source's text, end exclusive.
    public var range: Range<Int>
    /// The coder, by GUID (a ``User``).
    public var creatingUserGUID: String?
    /// When the coding was made.
    public var creationDate: Date?

    /// Creates a coding.
    public init(
      guid: String? = nil, selectionGUID: String? = nil, sourceGUID: String, codeGUID: String, range: Range<Int>,
      creatingUserGUID: String?, creationDate: Date? = nil
    ) {
      self.guid = guid
      self.selectionGUID = selectionGUID
      self.sourceGUID = sourceGUID
      self.codeGUID = codeGUID
      self.range = range
      self.creatingUserGUID = creatingUserGUID
      self.creationDate = creationDate
    }
  }

  /// What a note is attached to.
  public enum NoteTarget: Sendable, Hashable {
    /// The project as a whole.
    case project
    /// A code, by GUID.
    case code(String)
    /// A source, by GUID.
    case source(String)
    /// A coding, by GUID.
    case coding(String)
  }

  /// A note (memo): a short text attached to something.
  public struct Note: Sendable, Hashable {
    /// Its GUID.
    public var guid: String
    /// Its title.
    public var name: String?
    /// Its text.
    public var text: String
    /// What it is attached to.
    public var target: NoteTarget
    /// Its author, by GUID.
    public var creatingUserGUID: String?
    /// When it was written.
    public var creationDate: Date?

    /// Creates a note.
    public init(
      guid: String, name: String?, text: String, target: NoteTarget, creatingUserGUID: String? = nil,
      creationDate: Date? = nil
    ) {
      self.guid = guid
      self.name = name
      self.text = text
      self.target = target
      self.creatingUserGUID = creatingUserGUID
      self.creationDate = creationDate
    }
  }
}

/// An error reading or writing a REFI-QDA file: each case names the file (and the entry
/// inside a `.qdpx`, the XML line and element when known) and never quotes transcript text.
public enum REFIError: Error, Equatable, CustomStringConvertible {
  /// The file could not be read at all.
  case unreadable(file: String, reason: String)
  /// The content is not what the standard (or a tolerated variant of it) allows.
  case invalid(file: String, entry: String?, line: Int?, element: String?, reason: String)
  /// The archive was refused for safety (zip slip, links, zip bombs).
  case unsafeArchive(file: String, reason: String)
  /// What was asked to be written cannot be (a coding outside its source, an unknown code).
  case cannotWrite(reason: String)

  /// One line for stderr: `file[ (entry)][:line]: [<Element>: ]reason`.
  public var description: String {
    switch self {
    case let .unreadable(file, reason):
      "\(file): cannot read: \(reason)"
    case let .invalid(file, entry, line, element, reason):
      "\(file)\(entry.map { " (\($0))" } ?? "")\(line.map { ":\($0)" } ?? ""): "
        + "\(element.map { "<\($0)>: " } ?? "")\(reason)"
    case let .unsafeArchive(file, reason):
      "\(file): rejected archive: \(reason)"
    case let .cannotWrite(reason):
      "cannot write REFI-QDA: \(reason)"
    }
  }
}

extension Optional where Wrapped == String {
  /// The string when it is not empty.
  var refiNonEmpty: String? {
    guard let self, !self.isEmpty else { return nil }
    return self
  }
}

/// Dates as `xsd:dateTime`.
enum REFIDate {
  /// `2025-01-15T10:00:00Z` (UTC, whole seconds).
  static func format(_ date: Date) -> String { UTCTimestamp.string(date) }

  /// Parses `xsd:dateTime`, with or without fractional seconds and time zone (none means UTC,
  /// as some exporters write local times without a zone); nil when it is not one.
  static func parse(_ text: String) -> Date? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let date = UTCTimestamp.date(trimmed) { return date }  // the common form, without a formatter
    let plain = ISO8601DateFormatter()
    plain.formatOptions = [.withInternetDateTime]
    if let date = plain.date(from: trimmed) { return date }
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = fractional.date(from: trimmed) { return date }
    let hasZone = trimmed.hasSuffix("Z") || trimmed.dropFirst(19).contains("+") || trimmed.dropFirst(19).contains("-")
    if !hasZone, trimmed.count >= 19 {
      let zoneless = String(trimmed.prefix(19)) + "Z"
      return plain.date(from: zoneless)
    }
    return nil
  }
}
