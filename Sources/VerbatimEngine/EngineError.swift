import VerbatimAnalysis

/// An error raised by the engine; every case names the file (and offset or line) involved and
/// never quotes transcript text.
public enum EngineError: Error, CustomStringConvertible {
  /// A file could not be read.
  case unreadable(path: String, reason: String)
  /// A file is not well-formed UTF-8.
  case invalidUTF8(path: String, offset: Int)
  /// The analysis chain failed.
  case analysis(path: String, AnalysisError)

  /// A one-line message for stderr.
  public var description: String {
    switch self {
    case let .unreadable(path, reason):
      "\(path): cannot read: \(reason)"
    case let .invalidUTF8(path, offset):
      "\(path): invalid UTF-8 at byte offset \(offset); convert the file to UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8)"
    case let .analysis(path, error):
      "\(path): \(error)"
    }
  }
}
