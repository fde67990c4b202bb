import Foundation

/// An immutable recipe for the French analysis chain; each worker makes its own pipeline.
///
/// The chain: ICU word break (`fr`) → French rules (elision, inclusive writing, hyphenated
/// compounds and euphonic `-t-`, numbers) → NFC and full case folding → optional accent
/// folding → Snowball 3 French stem.
///
///     let pipeline = try Analyzer.french.makePipeline()
///     pipeline.tokens(in: "L’élu.e.s a-t-il 20 000 €").map(\.term)
///     // ["l", "élu", "a", "il", "20000", "€"]
///
/// `Analyzer` is `Sendable`; ``AnalysisPipeline`` is not (ICU break iterators and the
/// stemmer are stateful), so a worker calls ``makePipeline()`` once and keeps it.
public struct Analyzer: Sendable, Hashable {
  /// The ICU locale of the word breaker.
  public var locale: String
  /// Whether terms lose their accents (`élu` → `elu`) before stemming.
  public var foldsAccents: Bool
  /// How word boundaries are found (ICU over UTF-16 or UTF-8, or its rules replayed); all give the same tokens.
  public var route: BreakRoute
  /// Surface forms the per-pipeline cache holds (32 bytes each, at half load: 4 MiB by default).
  public var surfaceCacheLimit: Int

  /// Creates a recipe.
  public init(
    locale: String = "fr", foldsAccents: Bool = false, route: BreakRoute = .rules,
    surfaceCacheLimit: Int = 65536
  ) {
    self.locale = locale
    self.foldsAccents = foldsAccents
    self.route = route
    self.surfaceCacheLimit = surfaceCacheLimit
  }

  /// The default French chain: accents kept.
  public static let french = Analyzer()

  /// Makes a stateful pipeline for one worker.
  ///
  /// - Throws: ``AnalysisError/icu(operation:code:)`` when ICU cannot open a break iterator.
  public func makePipeline() throws(AnalysisError) -> AnalysisPipeline {
    try AnalysisPipeline(analyzer: self)
  }
}

extension Analyzer {
  /// Normalises one word as the chain normalises terms: NFC, full case folding, `’` and `ʼ`
  /// written `'`, accents dropped when ``foldsAccents``. For query words and `stem --normalize`.
  ///
  ///     Analyzer.french.normalize("Aujourd’HUI")  // "aujourd'hui"
  public func normalize(_ word: String) -> String {
    var copy = word
    var output: [UInt8] = []
    let succeeded = copy.withUTF8 { bytes in
      ICUText.normalize(bytes, foldCase: true, foldAccents: foldsAccents, into: &output)
    }
    guard succeeded else { return word }
    let text = String(decoding: output, as: UTF8.self)
    return text.replacingOccurrences(of: "\u{2019}", with: "'").replacingOccurrences(of: "\u{02BC}", with: "'")
  }
}
