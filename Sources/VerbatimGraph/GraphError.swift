import VerbatimAnalysis
import VerbatimCorpus

/// An error of the graph and statistics module; every case names the file, option or field
/// involved and never quotes transcript text.
public enum GraphError: Error, CustomStringConvertible {
  /// The project store could not be read (or there is no project).
  case project(ProjectStoreError)
  /// A file or folder could not be read.
  case unreadable(path: String, reason: String)
  /// A document is not well-formed UTF-8.
  case invalidUTF8(path: String, offset: Int)
  /// The analysis chain failed on a document.
  case analysis(path: String, AnalysisError)
  /// No document is left after the `--where` filters (or the project is empty).
  case noDocuments(filters: [String])
  /// A `--where` filter is not `FIELD=VALUE`.
  case badFilter(String)
  /// An option value is out of range or inconsistent.
  case badOption(option: String, reason: String)
  /// The scope needs units that a folder of plain files does not have.
  case scopeUnavailable(scope: String, reason: String)
  /// A reference or group named on the command line does not exist.
  case noGroup(field: String, value: String, known: [String])

  /// One line for stderr.
  public var description: String {
    switch self {
    case let .project(error): error.description
    case let .unreadable(path, reason): "\(path): cannot read: \(reason)"
    case let .invalidUTF8(path, offset):
      "\(path): invalid UTF-8 at byte offset \(offset); convert the file to UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8)"
    case let .analysis(path, error): "\(path): \(error)"
    case let .noDocuments(filters):
      filters.isEmpty
        ? "the project has no documents; run `verbatim import CORPUS` first"
        : "no document matches \(filters.map { "--where \($0)" }.joined(separator: " ")); `verbatim corpus` lists the metadata fields and values"
    case let .badFilter(text):
      "--where \(text): expected FIELD=VALUE (e.g. --where authority_type=commune or --where speaker=Maire)"
    case let .badOption(option, reason): "\(option): \(reason)"
    case let .scopeUnavailable(scope, reason): "--scope \(scope): \(reason)"
    case let .noGroup(field, value, known):
      "no group \(field)=\(value); known values: \(known.prefix(8).joined(separator: ", "))\(known.count > 8 ? ", …" : "")"
    }
  }
}
