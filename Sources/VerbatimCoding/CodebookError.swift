import VerbatimIndex

/// An error in a codebook file: it names the file, the line when known, the path of the bad
/// element (`codes[2].codes[0].rules[1]`) and what is wrong; never transcript text.
///
///     CodebookError(file: "a.yml", line: 7, path: "codes[0].rules[1]",
///                   problem: "query, column 5: expected a word, a phrase or \"(\", found end of query")
///     // "a.yml:7: codes[0].rules[1]: query, column 5: expected …"
public struct CodebookError: Error, Equatable, CustomStringConvertible {
  /// The codebook file as the user named it.
  public var file: String
  /// The 1-based line of the element in the file, when the format has lines.
  public var line: Int?
  /// Where in the codebook: `codes[2].codes[0].rules[1]`, `verbatim-codebook`, or empty for the whole file.
  public var path: String
  /// What is wrong, and what to do.
  public var problem: String
  /// For a rule that does not parse: the 1-based column (in characters of the rule) of the query error.
  public var queryColumn: Int?

  /// Creates an error.
  public init(file: String, line: Int? = nil, path: String, problem: String, queryColumn: Int? = nil) {
    self.file = file
    self.line = line
    self.path = path
    self.problem = problem
    self.queryColumn = queryColumn
  }

  /// One line for stderr: `FILE[:LINE]: [PATH: ]PROBLEM`.
  public var description: String {
    var text = file
    if let line { text += ":\(line)" }
    text += ": "
    if !path.isEmpty { text += path + ": " }
    return text + problem
  }
}
