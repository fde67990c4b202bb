internal import CICUShim

/// How word boundaries are found: by ICU's break iterator over UTF-8 or UTF-16, or by ICU's
/// word rules replayed over the UTF-8 bytes.
///
/// All give the same spans at UTF-8 byte offsets (tested on every shared corpus and on seeded
/// random strings). The UTF-16 route converts each text once and maps the boundaries back while
/// it walks forward. The rules route (`Sources/CICUShim/WordRules.c`) reads each text once to
/// validate it and to check that every character has a word-break class the replay covers
/// (the Basic Multilingual Plane without Hebrew letters, kana, ideographs, Hangul, Thai-like
/// scripts, emoji joiners or regional indicators); a text with any other character goes to the
/// UTF-16 route whole. `Benchmarks/RESULTS.md` has the measurements that chose the default.
public enum BreakRoute: String, Sendable, Hashable, CaseIterable {
  /// ICU's UTF-8 `UText`, no conversion.
  case utf8
  /// A UTF-16 copy of each text (ICU's native form).
  case utf16
  /// ICU's word rules replayed over UTF-8 where they cover the text, else `utf16`.
  case rules
}

/// The class of a word-break span, from ICU's rule status.
enum SpanClass: UInt8 {
  case none = 0, number = 1, letter = 2, kana = 3, ideographic = 4
}

/// A stateful ICU break iterator over one UTF-8 text at a time. One per thread.
///
/// - Complexity: O(*n*) over the text, amortised over ``nextSpans(into:)`` calls.
final class ICUBreaker {
  enum Kind { case word, sentence }

  private let handle: OpaquePointer

  init(kind: Kind, locale: String = "fr", route: BreakRoute) throws(AnalysisError) {
    var status: Int32 = 0
    let opened = locale.withCString { localeName in
      vb_breaker_open(
        kind == .word ? Int32(VB_BREAK_WORD) : Int32(VB_BREAK_SENTENCE), localeName,
        Self.routeCode(route), &status)
    }
    guard let opened else { throw .icu(operation: "open break iterator", code: status) }
    handle = opened
  }

  deinit { vb_breaker_close(handle) }

  private static func routeCode(_ route: BreakRoute) -> Int32 {
    switch route {
    case .utf8: Int32(VB_ROUTE_UTF8)
    case .utf16: Int32(VB_ROUTE_UTF16)
    case .rules: Int32(VB_ROUTE_RULES)
    }
  }

  /// Whether the current text is broken by the replayed rules rather than ICU's iterator.
  var usesRules: Bool { vb_breaker_uses_rules(handle) != 0 }

  /// Sets the breaker on `text`, which must stay valid and unchanged until the next call.
  /// The UTF-16 and rules routes validate the text; the UTF-8 route does not.
  func setText(_ text: UnsafeBufferPointer<UInt8>) throws(AnalysisError) {
    let status = vb_breaker_set_text(handle, text.baseAddress, Int64(text.count))
    if status == Int32(VB_STATUS_INVALID_UTF8) {
      throw .invalidUTF8(offset: Int(vb_breaker_invalid_offset(handle)))
    }
    if status != 0 { throw .icu(operation: "set text", code: status) }
  }

  /// Writes the next spans' ends and classes; returns how many (0 at the end of the text).
  func nextSpans(
    ends: UnsafeMutablePointer<Int64>, classes: UnsafeMutablePointer<UInt8>, capacity: Int
  ) -> Int {
    Int(vb_breaker_next_spans(handle, ends, classes, Int32(capacity)))
  }
}

/// ICU services on single terms, through the C shim.
enum ICUText {
  /// The linked ICU version, e.g. "72.1".
  static var version: String { String(cString: vb_icu_version()) }

  /// Full case folding (if asked), NFC, and accent folding (if asked) of one UTF-8 term.
  static func normalize(
    _ bytes: UnsafeBufferPointer<UInt8>, foldCase: Bool, foldAccents: Bool, into output: inout [UInt8]
  ) -> Bool {
    let options = (foldCase ? Int32(VB_NORM_FOLD_CASE) : 0)
      | (foldAccents ? Int32(VB_NORM_FOLD_ACCENTS) : 0)
    var capacity = bytes.count * 3 + 16
    while true {
      output.removeAll(keepingCapacity: true)
      var needed: Int32 = 0
      output.append(contentsOf: repeatElement(0, count: capacity))
      output.withUnsafeMutableBufferPointer { buffer in
        needed = vb_normalize_term(
          bytes.baseAddress, Int32(bytes.count), options, buffer.baseAddress, Int32(capacity))
      }
      if needed < 0 { output.removeAll(keepingCapacity: true); return false }
      if Int(needed) <= capacity {
        output.removeLast(capacity - Int(needed))
        return true
      }
      capacity = Int(needed)
    }
  }

  /// Whether the text is certainly NFC (quick check).
  static func isNFCQuick(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    vb_utf8_is_nfc_quick(bytes.baseAddress, Int64(bytes.count)) != 0
  }

  /// Unicode class of a scalar: symbol, punctuation, separator/control, letter/mark, number.
  static func scalarClass(_ scalar: UInt32) -> ScalarClass {
    ScalarClass(rawValue: UInt8(vb_scalar_class(scalar))) ?? .separator
  }

  enum ScalarClass: UInt8 { case symbol = 1, punctuation = 2, separator = 3, letter = 4, number = 5 }
}

/// ICU sentence boundaries (French locale) over UTF-8 text, as byte ranges.
///
///     try SentenceBreaker().sentences(in: "Bonjour. Ça va ?")  // [0..<9, 9..<18]
///
/// Ranges tile the text (spaces after a sentence belong to it, as ICU returns them).
/// Not thread-safe: one per worker.
public final class SentenceBreaker {
  private let breaker: ICUBreaker
  private var ends = [Int64](repeating: 0, count: 1024)
  private var classes = [UInt8](repeating: 0, count: 1024)

  /// Opens a sentence breaker for `locale`.
  public init(locale: String = "fr") throws(AnalysisError) {
    breaker = try ICUBreaker(kind: .sentence, locale: locale, route: .utf16)
  }

  /// The sentence ranges of well-formed UTF-8 `text`.
  ///
  /// - Throws: ``AnalysisError/invalidUTF8(offset:)`` for ill-formed input.
  public func sentences(in text: UnsafeBufferPointer<UInt8>) throws(AnalysisError) -> [Range<Int>] {
    guard text.count > 0 else { return [] }
    try breaker.setText(text)
    var result: [Range<Int>] = []
    var start = 0
    while true {
      let produced = ends.withUnsafeMutableBufferPointer { endsBuffer in
        classes.withUnsafeMutableBufferPointer { classesBuffer in
          breaker.nextSpans(ends: endsBuffer.baseAddress!, classes: classesBuffer.baseAddress!, capacity: 1024)
        }
      }
      if produced == 0 { break }
      for index in 0..<produced {
        let end = Int(ends[index])
        result.append(start..<end)
        start = end
      }
    }
    return result
  }

  /// The sentence ranges of a string.
  public func sentences(in text: String) -> [Range<Int>] {
    var copy = text
    return copy.withUTF8 { (try? sentences(in: $0)) ?? [] }
  }
}
