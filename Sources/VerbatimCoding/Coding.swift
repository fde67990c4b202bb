import Foundation

/// One coding: a coder applied a code to a span of a document.
///
/// Human codings live in the project store; the automatic coder produces them too, with the
/// coder ``automaticCoder`` and the unit's span. Spans are UTF-8 byte offsets into the stored
/// document text, `start` inclusive and `end` exclusive, as everywhere in Verbatim.
public struct Coding: Sendable, Hashable {
  /// The coder name given to codings made by the automatic coder.
  public static let automaticCoder = "verbatim"

  /// Who coded (a person's name or initials, or ``automaticCoder``).
  public var coder: String
  /// The document id (as `verbatim corpus` lists it).
  public var document: Int64
  /// The UTF-8 byte range coded.
  public var range: Range<Int>
  /// The code's path (`Parent/Child`).
  public var code: String
  /// A note on this coding.
  public var memo: String?
  /// When it was made, if known.
  public var created: Date?

  /// Creates a coding.
  public init(coder: String, document: Int64, range: Range<Int>, code: String, memo: String? = nil, created: Date? = nil) {
    self.coder = coder
    self.document = document
    self.range = range
    self.code = code
    self.memo = memo
    self.created = created
  }
}
