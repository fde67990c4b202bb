import Foundation

/// The French stop list shipped with Verbatim (`Resources/french_stop.txt`, with its provenance).
///
/// Used only by views that ask for it (frequencies, co-occurrence), never by the index, so
/// positions stay exact and negation (`ne`, `pas`) stays searchable.
///
///     FrenchStopWords.default.contains("les")   // true
///     FrenchStopWords.default.contains("élu")   // false
public enum FrenchStopWords {
  /// The shipped list, as normalised terms.
  public static let `default`: Set<String> = {
    guard let url = Bundle.module.url(forResource: "french_stop", withExtension: "txt"),
      let text = try? String(contentsOf: url, encoding: .utf8)
    else {
      // The list is part of the package: a missing resource is a packaging bug.
      preconditionFailure("Verbatim's bundled french_stop.txt is missing from the package resources")
    }
    return parse(text)
  }()

  /// The shipped list plus `Resources/french_spoken_stop.txt`: spoken-French fillers, light
  /// verbs and vague words, for the views that look for theme words (the report's graphs and
  /// specific terms).
  public static let spoken: Set<String> = {
    guard let url = Bundle.module.url(forResource: "french_spoken_stop", withExtension: "txt"),
      let text = try? String(contentsOf: url, encoding: .utf8)
    else {
      preconditionFailure("Verbatim's bundled french_spoken_stop.txt is missing from the package resources")
    }
    return `default`.union(parse(text))
  }()

  /// Parses a stop list: one term per line, `#` starts a comment, blank lines ignored.
  public static func parse(_ text: String) -> Set<String> {
    var result: Set<String> = []
    for line in text.split(whereSeparator: \.isNewline) {
      let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
      let word = content.trimmingCharacters(in: .whitespaces)
      if !word.isEmpty { result.insert(word.precomposedStringWithCanonicalMapping) }
    }
    return result
  }
}
