/// A codebook: a tree of codes (themes), each with its rules in the query language.
///
/// This is the model every codebook format reads into and writes from: Verbatim's own YAML
/// (`verbatim-codebook: 1`), REFI-QDA `.qdc`, quanteda YAML dictionaries and LIWC `.dic`.
/// A code is identified by its path, the names from the root joined by `/`
/// (`Équipement/Renouvellement`); names are unique among siblings.
///
///     let book = Codebook(name: "Démo", codes: [
///       Code(name: "Équipement", rules: ["tablette* OR ordinateur*"],
///            codes: [Code(name: "Renouvellement", rules: ["renouvel*"])])])
///     book.allPaths  // ["Équipement", "Équipement/Renouvellement"]
public struct Codebook: Sendable, Hashable {
  /// The codebook's title.
  public var name: String
  /// The language of its rules (`fr`), if given.
  public var language: String?
  /// A free description.
  public var description: String?
  /// The top-level codes, in the file's order.
  public var codes: [Code]
  /// REFI-QDA sets: named groups of codes, kept across `.qdc` round trips.
  public var sets: [CodeSet]

  /// Creates a codebook.
  public init(
    name: String, language: String? = nil, description: String? = nil, codes: [Code] = [], sets: [CodeSet] = []
  ) {
    self.name = name
    self.language = language
    self.description = description
    self.codes = codes
    self.sets = sets
  }

  /// Every code with its path, depth first in file order (a parent before its children).
  public var flattened: [(path: String, code: Code)] {
    var result: [(path: String, code: Code)] = []
    func visit(_ codes: [Code], prefix: String) {
      for code in codes {
        let path = prefix.isEmpty ? code.name : prefix + Code.pathSeparator + code.name
        result.append((path, code))
        visit(code.codes, prefix: path)
      }
    }
    visit(codes, prefix: "")
    return result
  }

  /// Every code path, depth first in file order.
  public var allPaths: [String] { flattened.map(\.path) }
}

/// One code (theme) of a ``Codebook``.
public struct Code: Sendable, Hashable {
  /// The separator of code paths (`Parent/Child`).
  public static let pathSeparator = "/"

  /// The code's name, unique among its siblings.
  public var name: String
  /// A stable identifier (lowercase RFC 4122 UUID) kept across REFI-QDA round trips; `nil`
  /// until a format that needs one assigns it.
  public var guid: String?
  /// What the code means, for coders.
  public var description: String?
  /// A display colour, `#rrggbb`.
  public var color: String?
  /// Whether passages may be coded with it (REFI-QDA `isCodable`; a pure grouping code is not).
  public var isCodable: Bool
  /// Queries in the query language; any rule matching a unit codes it.
  public var rules: [String]
  /// Queries that veto the code for a unit they match.
  public var exclude: [String]
  /// Child codes.
  public var codes: [Code]

  /// Creates a code.
  public init(
    name: String, guid: String? = nil, description: String? = nil, color: String? = nil, isCodable: Bool = true,
    rules: [String] = [], exclude: [String] = [], codes: [Code] = []
  ) {
    self.name = name
    self.guid = guid
    self.description = description
    self.color = color
    self.isCodable = isCodable
    self.rules = rules
    self.exclude = exclude
    self.codes = codes
  }
}

/// A REFI-QDA set: a named group of codes, by GUID.
public struct CodeSet: Sendable, Hashable {
  /// The set's name.
  public var name: String
  /// Its stable identifier (lowercase UUID).
  public var guid: String?
  /// A free description.
  public var description: String?
  /// The GUIDs of its member codes.
  public var memberGUIDs: [String]

  /// Creates a set.
  public init(name: String, guid: String? = nil, description: String? = nil, memberGUIDs: [String] = []) {
    self.name = name
    self.guid = guid
    self.description = description
    self.memberGUIDs = memberGUIDs
  }
}
