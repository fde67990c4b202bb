import Foundation
import VerbatimCoding

/// The automatic coder's codings of a project with a codebook file, as the shared `Coding`
/// values (coder `verbatim`, the unit's span) that `themes` and `agree` count beside human ones.
public enum AutomaticCodings {
  /// An error reading the codebook or coding the project.
  public enum Failure: Error, CustomStringConvertible {
    case codebook(CodebookFileError)
    case coding(AutoCodingError)

    /// One line for stderr.
    public var description: String {
      switch self {
      case let .codebook(error): error.description
      case let .coding(error): error.description
      }
    }
  }

  /// Reads and validates the codebook at `path`, then codes every unit of the project's
  /// documents (`unit`: segment, sentence, paragraph or turn) on `jobs` workers.
  ///
  /// - Returns: the codings and the codebook's notes (what a format could not express).
  /// - Throws: ``Failure``.
  public static func load(codebookAt path: String, project: URL, unit: AgreementUnit, jobs: Int)
    throws(Failure) -> (codings: [Coding], notes: [String])
  {
    let read: (codebook: CompiledCodebook, notes: [String])
    do {
      read = try CodebookFiles.read(path: path)
    } catch {
      throw .codebook(error)
    }
    let scope = CodingScope(rawValue: unit.rawValue) ?? .segment
    do {
      let rows = try AutoCodingJob.run(project: project, codebook: read.codebook, scope: scope, jobs: jobs)
      return (rows.map(\.coding), read.notes)
    } catch {
      throw .coding(error)
    }
  }
}
