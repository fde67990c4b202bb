/// One worker's stateful French analysis chain: an ICU word breaker, the French rules, a
/// surface-form cache, a ``Vocabulary`` and a Snowball stemmer.
///
/// Made by ``Analyzer/makePipeline()``. Not thread-safe: one per worker.
///
///     let pipeline = try Analyzer.french.makePipeline()
///     for token in pipeline.tokens(in: "jusqu’à aujourd’hui") { print(token.term) }
///     // jusqu, à, aujourd'hui
public final class AnalysisPipeline {
  /// The recipe this pipeline follows.
  public let analyzer: Analyzer
  /// The terms and stems seen so far; ``RawToken`` ids point into it.
  public let vocabulary = Vocabulary()

  private let breaker: ICUBreaker
  private var stemmer = FrenchStemmer()
  /// Surface bytes → (term id << 32 | stem id).
  private let surfaces: SurfaceCache

  // Spans from ICU: span i covers [start(i), ends[i]).
  private static let spanCapacity = 4096
  private static let lookahead = 14
  private static let lookbehind = 2
  private static let prefetchDistance = 12
  /// Keys hashed for prefetching, by span index modulo 16, reused by the lookup.
  private struct PrefetchedKey {
    var span: Int
    var low: UInt64
    var high: UInt64
    var hash: UInt64
  }
  private let prefetched: UnsafeMutablePointer<PrefetchedKey>
  /// Words of at most three bytes (`le`, `de`, `à`: a third of French words) found in the
  /// surface cache, direct-mapped by their bytes and length (0: empty; spans are never empty),
  /// with the cache's payload. They are not prefetched, and this look-up is a multiply where
  /// the cache's is a hash and a probe (measured: `run` 283.3 → 260.4 M instructions).
  private struct ShortWord {
    var key: UInt64
    var value: UInt64
  }
  private static let shortWordSlotBits = 12
  private let shortWords: UnsafeMutablePointer<ShortWord>
  /// `ends[-1]` holds the start of span 0, so `start(i)` is `ends[i - 1]` without a branch.
  private let ends: UnsafeMutablePointer<Int64>
  private let classes: UnsafeMutablePointer<UInt8>
  private var spanCount = 0
  private var isExhausted = true

  // Tokens are handed to the caller in batches.
  private static let tokenCapacity = 1024
  private let tokenBuffer: UnsafeMutablePointer<RawToken>
  private var tokenCount = 0
  private var sink: ((UnsafeBufferPointer<RawToken>) -> Void)?

  private var text: UnsafePointer<UInt8> = UnsafePointer(bitPattern: 1)!
  private var textCount = 0
  private var position: Int32 = 0
  private var scratch: [UInt8] = []
  private var normalized: [UInt8] = []
  private var stemScratch: [UInt8] = []
  /// ``FrenchRules/elidedForms``, packed; and their (term id << 32 | stem id), `.max` until seen.
  private let elidedForms: [UInt64] = FrenchRules.elidedForms.sorted().map(AnalysisPipeline.pack)
  private var elidedTerms = [UInt64](repeating: .max, count: FrenchRules.elidedForms.count)
  /// Elided forms that begin a fixed form (`c` of `c'est-à-dire`), packed.
  private let articlesStartingFixedForms: [UInt64] = FrenchRules.fixedForms.compactMap { form in
    guard let apostrophe = form.firstIndex(of: "'") else { return nil }
    let prefix = String(form[..<apostrophe])
    return FrenchRules.elidedForms.contains(prefix) ? AnalysisPipeline.pack(prefix) : nil
  }

  /// The length in bytes of the shortest ``FrenchRules/fixedForms``: `lowercased` never
  /// lengthens a surface, and no string canonically equivalent to these NFC forms of ASCII,
  /// Latin-1 and `œ` is shorter, so a shorter surface is none of them. This spares `c'est`,
  /// `c'était` (`c` begins `c'est-à-dire`) a String and a Set<String> look-up (measured:
  /// `splitElisions` inclusive 38.5 → 30.2 M instructions).
  private let shortestFixedForm = FrenchRules.fixedForms.map(\.utf8.count).min() ?? 0

  init(analyzer: Analyzer) throws(AnalysisError) {
    self.analyzer = analyzer
    surfaces = SurfaceCache(limit: max(analyzer.surfaceCacheLimit, 1024))
    breaker = try ICUBreaker(kind: .word, locale: analyzer.locale, route: analyzer.route)
    ends = UnsafeMutablePointer<Int64>.allocate(capacity: Self.spanCapacity + 1) + 1
    classes = .allocate(capacity: Self.spanCapacity)
    tokenBuffer = .allocate(capacity: Self.tokenCapacity)
    prefetched = .allocate(capacity: 16)
    shortWords = .allocate(capacity: 1 << Self.shortWordSlotBits)
    shortWords.initialize(repeating: ShortWord(key: 0, value: 0), count: 1 << Self.shortWordSlotBits)
    prefetched.initialize(repeating: PrefetchedKey(span: -1, low: 0, high: 0, hash: 0), count: 16)
    scratch.reserveCapacity(256)
    normalized.reserveCapacity(256)
    stemScratch.reserveCapacity(256)
  }

  deinit {
    (ends - 1).deallocate()
    classes.deallocate()
    tokenBuffer.deallocate()
    prefetched.deallocate()
    shortWords.deallocate()
  }

  // MARK: - Public entry points

  /// Analyses UTF-8 `text`, handing tokens to `body` in batches, in text order.
  ///
  /// Offsets are byte offsets into `text`. The batch buffer is reused: copy what you keep.
  ///
  /// - Parameters:
  ///   - validating: check that `text` is well-formed UTF-8 first (pass `false` only for
  ///     bytes already validated, such as a Swift `String`'s).
  /// - Throws: ``AnalysisError/invalidUTF8(offset:)`` naming the first bad byte, or an ICU error.
  /// - Complexity: O(*n*) in the length of the text.
  public func analyze(
    _ text: UnsafeBufferPointer<UInt8>, validating: Bool = true,
    _ body: (UnsafeBufferPointer<RawToken>) -> Void
  ) throws(AnalysisError) {
    // The UTF-16 route validates while converting (one pass); the UTF-8 route needs a scan.
    if validating && analyzer.route == .utf8, let offset = UTF8Validation.firstInvalidOffset(text) {
      throw .invalidUTF8(offset: offset)
    }
    if text.count > Int(Int32.max) / 2 {
      throw .textTooLarge(bytes: text.count, limit: Int(Int32.max) / 2)
    }
    guard let base = text.baseAddress, text.count > 0 else { return }
    try breaker.setText(text)
    self.text = base
    textCount = text.count
    spanCount = 0
    ends[-1] = 0
    isExhausted = false
    for slot in 0..<16 { prefetched[slot].span = -1 }
    position = 0
    tokenCount = 0
    withoutActuallyEscaping(body) { escapable in
      sink = escapable
      run()
      flush()
      sink = nil
    }
  }

  /// Analyses a string and returns its tokens with their strings (the convenient, slower form).
  ///
  ///     tokens(in: "L’entretien").map(\.term)  // ["l", "entretien"]
  public func tokens(in string: String) -> [Token] {
    var copy = string
    return copy.withUTF8 { buffer in
      (try? tokens(inUTF8: buffer, validating: false)) ?? []
    }
  }

  /// Analyses UTF-8 bytes and returns tokens with their strings.
  ///
  /// - Throws: ``AnalysisError/invalidUTF8(offset:)`` when `text` is not UTF-8.
  public func tokens(inUTF8 text: UnsafeBufferPointer<UInt8>, validating: Bool = true) throws(AnalysisError) -> [Token] {
    var result: [Token] = []
    var raw: [RawToken] = []
    try analyze(text, validating: validating) { batch in raw.append(contentsOf: batch) }
    result.reserveCapacity(raw.count)
    for token in raw {
      let surface = String(decoding: UnsafeBufferPointer(rebasing: text[token.start..<token.end]), as: UTF8.self)
      result.append(
        Token(
          position: Int(token.position), surface: surface, term: vocabulary.term(token.termID),
          stem: vocabulary.stem(token.stemID), utf8Range: token.start..<token.end, kind: token.kind,
          flags: token.flags))
    }
    return result
  }

  /// The Snowball 3 French stem of one already-normalised word (for query terms and `verbatim stem`).
  public func stem(_ word: String) -> String { stemmer.stem(word) }

  // MARK: - Spans

  // Wrapping arithmetic where it cannot overflow (span indices are at least 0, token counts below
  // 1024, positions below the text's length, which is below Int32.max / 2) spares the hot paths
  // their overflow checks (measured: `run`, `word`, `splitElisions`, `wordPiece`, `symbol`
  // 397.1 → 372.7 M instructions).
  @inline(__always) private func start(_ i: Int) -> Int { Int(ends[i &- 1]) }
  @inline(__always) private func end(_ i: Int) -> Int { Int(ends[i]) }
  @inline(__always) private func exists(_ i: Int) -> Bool { i >= 0 && i < spanCount }
  @inline(__always) private func isLetterSpan(_ i: Int) -> Bool { exists(i) && classes[i] >= 2 }
  @inline(__always) private func length(_ i: Int) -> Int { end(i) - start(i) }

  /// Whether span i is exactly one of the given one- to three-byte sequences.
  @inline(__always) private func spanIs(_ i: Int, _ a: UInt8) -> Bool {
    exists(i) && classes[i] == 0 && length(i) == 1 && text[start(i)] == a
  }
  @inline(__always) private func spanIs(_ i: Int, _ a: UInt8, _ b: UInt8) -> Bool {
    guard exists(i), classes[i] == 0, length(i) == 2 else { return false }
    let s = start(i)
    return text[s] == a && text[s + 1] == b
  }
  @inline(__always) private func spanIs(_ i: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> Bool {
    guard exists(i), classes[i] == 0, length(i) == 3 else { return false }
    let s = start(i)
    return text[s] == a && text[s + 1] == b && text[s + 2] == c
  }
  /// `-`, U+2010 hyphen, U+2011 non-breaking hyphen.
  private func isHyphen(_ i: Int) -> Bool {
    spanIs(i, 0x2D) || spanIs(i, 0xE2, 0x80, 0x90) || spanIs(i, 0xE2, 0x80, 0x91)
  }
  /// Separators of inclusive writing between spans: hyphens, `/`, `•`, `·`.
  private func isInclusiveSeparator(_ i: Int) -> Bool {
    isHyphen(i) || spanIs(i, 0x2F) || spanIs(i, 0xE2, 0x80, 0xA2) || spanIs(i, 0xC2, 0xB7)
  }
  /// No-break space, narrow no-break space, thin space: thousands separators in French.
  private func isThousandsSpace(_ i: Int) -> Bool {
    spanIs(i, 0xC2, 0xA0) || spanIs(i, 0xE2, 0x80, 0xAF) || spanIs(i, 0xE2, 0x80, 0x89)
  }

  /// Drops consumed spans (keeping a little look-behind) and reads more from ICU.
  private func refill(keepingFrom index: Int) -> Int {
    let base = max(0, index - Self.lookbehind)
    for slot in 0..<16 { prefetched[slot].span = -1 }
    if base > 0 {
      ends[-1] = ends[base - 1]
      let kept = spanCount - base
      ends.update(from: ends + base, count: kept)
      classes.update(from: classes + base, count: kept)
      spanCount = kept
    }
    while !isExhausted && spanCount - (index - base) <= Self.lookahead {
      let room = Self.spanCapacity - spanCount
      let produced = breaker.nextSpans(ends: ends + spanCount, classes: classes + spanCount, capacity: room)
      if produced == 0 { isExhausted = true }
      spanCount += produced
    }
    return index - base
  }

  private func run() {
    var i = 0
    // Spans are refilled once fewer than `lookahead` remain after i (or never once ICU is
    // exhausted); `refillAt` is the first index where that holds, so that each span tests one
    // local rather than `isExhausted` and `spanCount` (measured: `run` 334.2 → 306.1 M instructions).
    var refillAt = 0
    while true {
      if i >= refillAt {
        if !isExhausted { i = refill(keepingFrom: i) }
        if i >= spanCount { break }
        refillAt = isExhausted ? spanCount : spanCount - Self.lookahead
      }
      // Bring the cache bucket of a word a few spans ahead closer: a lookup of a rare word
      // otherwise stalls on memory (measured: most of the chain's own time on novels).
      let ahead = i &+ Self.prefetchDistance
      if ahead < spanCount && classes[ahead] >= 2 {
        let s = start(ahead)
        let count = end(ahead) - s
        // Words of up to 3 bytes (le, de, et, à) are so frequent that their buckets stay cached.
        if count > 3 && count <= SurfaceCache.maximumKeyLength {
          let (low, high) = SurfaceCache.load(text + s, count, readable: textCount - s)
          let hash = SurfaceCache.hash(low, high, count)
          surfaces.prefetch(hash: hash)
          prefetched[ahead & 15] = PrefetchedKey(span: ahead, low: low, high: high, hash: hash)
        }
      }
      switch classes[i] {
      case 0:
        let lead = text[start(i)]
        i = lead == 0x20 || lead == 0x0A || lead == 0x2C || lead == 0x2E ? i + 1 : symbol(i)
      case 1: i = number(i)
      default: i = cachedPlainWord(i) ? i + 1 : word(i)
      }
    }
  }

  // MARK: - Emission

  @inline(__always) private func append(_ token: RawToken) {
    tokenBuffer[tokenCount] = token
    tokenCount &+= 1
    position &+= 1
    if tokenCount == Self.tokenCapacity { flush() }
  }

  private func flush() {
    if tokenCount > 0, let sink {
      sink(UnsafeBufferPointer(start: tokenBuffer, count: tokenCount))
    }
    tokenCount = 0
  }

  /// Emits the bytes [s, e) as one token, through the surface cache.
  @inline(__always) private func emitCached(_ s: Int, _ e: Int, kind: TokenKind, flags: TokenFlags) {
    let pointer = text + s
    let count = e - s
    let packed: UInt64
    if count <= SurfaceCache.maximumKeyLength {
      let (low, high) = SurfaceCache.load(pointer, count, readable: textCount - s)
      let hash = SurfaceCache.hash(low, high, count)
      var slot = 0
      if let found = surfaces.find(low, high, count, hash: hash, slot: &slot) {
        packed = found
      } else {
        packed = termAndStem(UnsafeBufferPointer(start: pointer, count: count), kind: kind)
        surfaces.insert(low, high, count, hash: hash, slot: slot, value: packed)
      }
    } else {
      packed = termAndStem(UnsafeBufferPointer(start: pointer, count: count), kind: kind)
    }
    appendPacked(s, e, packed, kind: kind, flags: flags)
  }

  @inline(__always) private func appendPacked(_ s: Int, _ e: Int, _ packed: UInt64, kind: TokenKind, flags: TokenFlags) {
    append(
      RawToken(
        start: s, end: e, position: position, termID: Int32(truncatingIfNeeded: packed >> 32),
        stemID: Int32(truncatingIfNeeded: packed), kind: kind, flags: flags))
  }

  /// The term id and stem id of a surface, packed as term << 32 | stem.
  private func termAndStem(_ surface: UnsafeBufferPointer<UInt8>, kind: TokenKind) -> UInt64 {
    let termID = internTerm(normalizing: surface, kind: kind)
    return UInt64(UInt32(bitPattern: termID)) << 32 | UInt64(UInt32(bitPattern: vocabulary.stemID(ofTerm: termID)))
  }

  /// Emits a token for [s, e) whose term is the normalisation of `termBytes` (not cached).
  private func emitNormalizing(
    _ s: Int, _ e: Int, termBytes: UnsafeBufferPointer<UInt8>, kind: TokenKind, flags: TokenFlags
  ) {
    let termID = internTerm(normalizing: termBytes, kind: kind)
    append(
      RawToken(
        start: s, end: e, position: position, termID: termID,
        stemID: vocabulary.stemOfTerm[Int(termID)], kind: kind, flags: flags))
  }

  /// Normalises a surface into a term (NFC, case folding, `’` → `'`, accents if asked) and
  /// interns it, stemming new words.
  private func internTerm(normalizing bytes: UnsafeBufferPointer<UInt8>, kind: TokenKind) -> Int32 {
    normalized.removeAll(keepingCapacity: true)
    // Text of ASCII and two-byte Latin-1 characters (`C3 xx`) but `ß` is NFC, and ICU's case
    // folding sets bit 5 of its letters `A`…`Z` and `À`…`Þ` but `×`. Folding such words here
    // spares the accented words that miss the surface cache ICU's four conversions and two
    // allocations (measured: `run` inclusive 979.2 → 941.4 M instructions).
    var isLatin1 = true
    var hasNonASCII = false
    var k = 0
    while k < bytes.count {
      let byte = bytes[k]
      if byte < 0x80 {
        k += 1
      } else if byte == 0xC3 && k + 1 < bytes.count && bytes[k + 1] & 0xC0 == 0x80 && bytes[k + 1] != 0x9F {
        hasNonASCII = true
        k += 2
      } else {
        isLatin1 = false
        break
      }
    }
    if isLatin1 && !(hasNonASCII && analyzer.foldsAccents) {
      normalized.append(contentsOf: bytes)
      normalized.withUnsafeMutableBufferPointer { folded in
        var k = 0
        while k < folded.count {
          let byte = folded[k]
          if byte == 0xC3 {
            let second = folded[k + 1]
            if second &- 0x80 < 0x1F && second != 0x97 { folded[k + 1] = second | 0x20 }
            k += 2
          } else {
            if byte &- 0x41 < 26 { folded[k] = byte | 0x20 }
            k += 1
          }
        }
      }
    } else {
      if !ICUText.normalize(bytes, foldCase: true, foldAccents: analyzer.foldsAccents, into: &normalized) {
        normalized.removeAll(keepingCapacity: true)
        normalized.append(contentsOf: bytes)
      }
      Self.replaceApostrophes(&normalized)
    }
    return normalized.withUnsafeBufferPointer { internTerm($0, kind: kind) }
  }

  /// Writes `’` (U+2019) and `ʼ` (U+02BC) as `'`.
  private static func replaceApostrophes(_ bytes: inout [UInt8]) {
    var read = 0
    var write = 0
    let count = bytes.count
    while read < count {
      let byte = bytes[read]
      if byte == 0xE2 && read + 2 < count && bytes[read + 1] == 0x80 && bytes[read + 2] == 0x99 {
        bytes[write] = 0x27
        read += 3
      } else if byte == 0xCA && read + 1 < count && bytes[read + 1] == 0xBC {
        bytes[write] = 0x27
        read += 2
      } else {
        bytes[write] = byte
        read += 1
      }
      write += 1
    }
    bytes.removeLast(count - write)
  }

  /// Interns an already-normalised term; a new word gets its stem computed once.
  private func internTerm(_ term: UnsafeBufferPointer<UInt8>, kind: TokenKind) -> Int32 {
    var isNew = false
    let termID: Int32
    if let base = term.baseAddress, term.count > 0 {
      termID = vocabulary.terms.intern(base, term.count, hash: hashBytes(base, term.count), isNew: &isNew)
    } else {
      termID = vocabulary.terms.intern(term)
      isNew = termID == Int32(vocabulary.stemOfTerm.count)
    }
    if isNew {
      let stemID: Int32
      if kind == .word {
        stemScratch.removeAll(keepingCapacity: true)
        stemmer.stem(utf8: term, into: &stemScratch)
        stemID = stemScratch.withUnsafeBufferPointer { vocabulary.stems.intern($0) }
      } else {
        stemID = vocabulary.stems.intern(term)
      }
      vocabulary.appendStem(stemID)
    }
    return termID
  }

  // MARK: - Symbols

  /// ASCII symbols that become tokens: Unicode S* plus `%`, `&`, `@`, `#` (bit set over 0..<128).
  private static let asciiSymbolBits: (UInt64, UInt64) = {
    var low: UInt64 = 0
    var high: UInt64 = 0
    for byte in "$+<=>^`|~%&@#".utf8 {
      if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
    }
    return (low, high)
  }()
  private let asciiSymbolLow = AnalysisPipeline.asciiSymbolBits.0
  private let asciiSymbolHigh = AnalysisPipeline.asciiSymbolBits.1

  private func symbol(_ i: Int) -> Int {
    let s = start(i)
    let e = end(i)
    let lead = text[s]
    if lead < 0x80 {
      let isSymbol = lead < 64 ? asciiSymbolLow >> UInt64(lead) & 1 != 0 : asciiSymbolHigh >> UInt64(lead - 64) & 1 != 0
      if isSymbol { emitCached(s, e, kind: .symbol, flags: []) }
      return i + 1
    }
    var iterator = UnsafeBufferPointer(start: text + s, count: e - s).makeIterator()
    var decoder = UTF8()
    guard case let .scalarValue(scalar) = decoder.decode(&iterator) else { return i + 1 }
    if scalar == "§" {
      emitCached(s, e, kind: .symbol, flags: [])
      return i + 1
    }
    switch ICUText.scalarClass(scalar.value) {
    case .symbol: emitCached(s, e, kind: .symbol, flags: [])
    // Characters ICU leaves outside words, such as `²` of `km²` or `₂` of `CO₂`, stay searchable.
    case .number: emitCached(s, e, kind: .number, flags: [])
    case .letter where scalar.properties.isAlphabetic: emitCached(s, e, kind: .word, flags: [])
    default: break
    }
    return i + 1
  }

  // MARK: - Numbers

  @inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

  /// Whether span i starts with a group of exactly three digits (then its end or a decimal mark).
  private func isThousandsGroup(_ i: Int) -> Bool {
    guard exists(i), classes[i] == 1 else { return false }
    let s = start(i)
    let n = length(i)
    guard n >= 3, isDigit(text[s]), isDigit(text[s + 1]), isDigit(text[s + 2]) else { return false }
    return n == 3 || text[s + 3] == 0x2C || text[s + 3] == 0x2E
  }

  /// The length of the run of digits that ends span i.
  private func trailingDigits(_ i: Int) -> Int {
    var k = end(i)
    let s = start(i)
    while k > s && isDigit(text[k - 1]) { k -= 1 }
    return end(i) - k
  }

  /// Trims trailing narrow no-break spaces (ICU joins them to a preceding word or number).
  @inline(__always) private func trimmedEnd(_ s: Int, _ e: Int) -> Int {
    var e = e
    while e - s >= 3 && text[e - 3] == 0xE2 && text[e - 2] == 0x80 && text[e - 1] == 0xAF { e -= 3 }
    return e
  }

  /// Whether [s, e) holds a letter (anything but digits, `,`, `.` and narrow no-break spaces).
  private func hasLetters(_ s: Int, _ e: Int) -> Bool {
    var k = s
    while k < e {
      let byte = text[k]
      if byte < 0x80 {
        if (byte | 0x20) &- 0x61 < 26 || byte == 0x5F { return true }
        k += 1
      } else if byte == 0xE2 && k + 2 < e && text[k + 1] == 0x80 && text[k + 2] == 0xAF {
        k += 3
      } else {
        return true
      }
    }
    return false
  }

  private func number(_ i: Int) -> Int {
    let s = start(i)
    // The breaker classes digit-initial spans as numbers; `3e` or `2e` are words.
    if hasLetters(s, end(i)) { return word(i) }
    var last = i
    while isThousandsSpace(last + 1) && isThousandsGroup(last + 2) {
      let digits = trailingDigits(last)
      if digits < 1 || digits > 3 { break }
      last += 2
    }
    let e = trimmedEnd(s, end(last))
    var hasInnerSpace = false
    var k = s
    while k + 2 < e {
      if text[k] == 0xE2 && text[k + 1] == 0x80 && text[k + 2] == 0xAF { hasInnerSpace = true; break }
      k += 1
    }
    if last == i && !hasInnerSpace {
      emitCached(s, e, kind: .number, flags: [])
      return i + 1
    }
    if last == i {
      // `1 000 000` joined by ICU, or `Interlocuteur 1` (letters): split at the spaces.
      slowWord(i, s, e, flags: [], runLast: nil)
      return i + 1
    }
    emitNumberJoiningThousands(s, e)
    return last + 1
  }

  /// Emits [s, e) as a number whose term drops no-break, narrow and thin spaces.
  private func emitNumberJoiningThousands(_ s: Int, _ e: Int) {
    scratch.removeAll(keepingCapacity: true)
    var k = s
    while k < e {
      let byte = text[k]
      if byte == 0xC2 && k + 1 < e && text[k + 1] == 0xA0 { k += 2; continue }
      if byte == 0xE2 && k + 2 < e && text[k + 1] == 0x80 && (text[k + 2] == 0xAF || text[k + 2] == 0x89) {
        k += 3
        continue
      }
      scratch.append(byte)
      k += 1
    }
    let copy = scratch
    copy.withUnsafeBufferPointer { emitNormalizing(s, e, termBytes: $0, kind: .number, flags: .thousandsJoined) }
  }

  // MARK: - Words

  /// ASCII and Latin-1 lowercase of a short span, as a String, for rule look-ups.
  private func lowercased(_ s: Int, _ e: Int) -> String {
    scratch.removeAll(keepingCapacity: true)
    var k = s
    while k < e {
      let byte = text[k]
      if byte &- 0x41 < 26 {
        scratch.append(byte | 0x20)
      } else if byte == 0xC3 && k + 1 < e && text[k + 1] &- 0x80 < 0x1F && text[k + 1] != 0x97 {
        scratch.append(byte)
        scratch.append(text[k + 1] | 0x20)
        k += 1
      } else if byte == 0xE2 && k + 2 < e && text[k + 1] == 0x80 && text[k + 2] == 0x99 {
        scratch.append(0x27)
        k += 2
      } else if byte == 0xC2 && k + 1 < e && text[k + 1] == 0xB7 {
        scratch.append(0x2E)
        k += 1
      } else {
        scratch.append(byte)
      }
      k += 1
    }
    return String(decoding: scratch, as: UTF8.self)
  }

  /// Inclusive writing across spans after span i: `étudiant-e-s`, `interlocuteur/trices`,
  /// `élu(e)s`, `agent•e•s`. Returns the index of the last span it covers, or nil.
  private func inclusiveRun(after i: Int) -> Int? {
    let j = i + 1
    guard exists(j), classes[j] == 0 else { return nil }
    if isInclusiveSeparator(j) && isLetterSpan(j + 1) && length(j + 1) <= 7 {
      if isInclusiveSeparator(j + 2) && isLetterSpan(j + 3) && length(j + 3) <= 7
        && isSeparatorSuffix(start(j + 1), end(j + 1), then: start(j + 3), end(j + 3))
      {
        return j + 3
      }
      return lowercase(start(j + 1), end(j + 1), isIn: FrenchRules.separatorSuffixes, keys: separatorSuffixKeys)
        ? j + 1 : nil
    }
    if spanIs(j, 0x28) && isLetterSpan(j + 1) && length(j + 1) <= 7 && spanIs(j + 2, 0x29) {
      guard lowercase(start(j + 1), end(j + 1), isIn: FrenchRules.pointSuffixes, keys: pointSuffixKeys)
      else { return nil }
      if spanIs(j + 3, 0x28) && isLetterSpan(j + 4) && spanIs(j + 5, 0x29)
        && lowercased(start(j + 4), end(j + 4)) == "s"
      {
        return j + 5
      }
      if isLetterSpan(j + 3) && lowercased(start(j + 3), end(j + 3)) == "s" { return j + 3 }
      return j + 2
    }
    return nil
  }

  /// The common case of ``word(_:)``, inlined in ``run()``: a word of at most 16 bytes, in the
  /// surface cache, with no hyphen, `/`, `(` or lead byte of `‐`, `•`, `·`, U+00A0 around it,
  /// and not a lone `t` (the euphonic `t` of `va-t-il`). Emits it and returns true; false leaves
  /// everything to ``word(_:)``, which checks it all again. The split keeps the 9 in 10 words
  /// of French that take this path out of `word`'s call and register spills (measured: `run`
  /// and `word` 408.9 → 369.9 M instructions on 9.6 MB of French).
  @inline(__always) private func cachedPlainWord(_ i: Int) -> Bool {
    let s = start(i)
    let e = end(i)
    let count = e &- s
    guard count <= SurfaceCache.maximumKeyLength, count != 1 || text[s] | 0x20 != 0x74 else { return false }
    let before: UInt8 = s > 0 ? text[s - 1] : 0x20
    let after: UInt8 = e < textCount ? text[e] : 0x20
    guard before != 0x2D && before < 0x90 && after != 0x2D && after != 0x2F && after != 0x28 && after < 0xC2
    else { return false }
    if count <= 3 {
      let (low, _) = SurfaceCache.load(text + s, count, readable: textCount &- s)
      let shortKey = low | UInt64(count) << 56
      let short = shortWords + Int(truncatingIfNeeded: (shortKey &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - Self.shortWordSlotBits))
      if short.pointee.key == shortKey {
        appendPacked(s, e, short.pointee.value, kind: .word, flags: [])
        return true
      }
      var slot = 0
      let hash = SurfaceCache.hash(low, 0, count)
      guard let packed = surfaces.find(low, 0, count, hash: hash, slot: &slot) else { return false }
      short.pointee = ShortWord(key: shortKey, value: packed)
      appendPacked(s, e, packed, kind: .word, flags: [])
      return true
    }
    let (low, high, hash) = surfaceKey(i, s, count)
    var slot = 0
    guard let packed = surfaces.find(low, high, count, hash: hash, slot: &slot) else { return false }
    appendPacked(s, e, packed, kind: .word, flags: [])
    return true
  }

  /// The surface-cache key of span `i` (its `count` bytes from `s`): the one `run()` hashed
  /// when it prefetched the span, else computed here.
  @inline(__always) private func surfaceKey(_ i: Int, _ s: Int, _ count: Int) -> (UInt64, UInt64, UInt64) {
    let key = prefetched[i & 15]
    if key.span == i { return (key.low, key.high, key.hash) }
    let (low, high) = SurfaceCache.load(text + s, count, readable: textCount - s)
    return (low, high, SurfaceCache.hash(low, high, count))
  }

  private func word(_ i: Int) -> Int {
    let s = start(i)
    let e = end(i)
    // Euphonic -t-: `va-t-il` keeps `va` and `il`, drops `t`.
    if e - s == 1 && text[s] | 0x20 == 0x74 && isHyphen(i - 1) && isHyphen(i + 1) && isLetterSpan(i + 2)
      && length(i + 2) <= 5 && FrenchRules.euphonicSubjects.contains(lowercased(start(i + 2), end(i + 2)))
    {
      return i + 1
    }
    var flags: TokenFlags = []
    // Cheap byte tests first: most words touch no hyphen.
    let before: UInt8 = s > 0 ? text[s - 1] : 0x20
    let after: UInt8 = e < textCount ? text[e] : 0x20
    if (before == 0x2D || before >= 0x90) && isHyphen(i - 1) && isLetterSpan(i - 2)
      || (after == 0x2D || after == 0xE2) && isHyphen(i + 1) && isLetterSpan(i + 2)
    {
      flags.insert(.compoundPart)
    }
    var runLast: Int? = nil
    if after == 0x2D || after == 0x2F || after == 0x28 || after == 0xE2 || after == 0xC2 {
      runLast = inclusiveRun(after: i)
    }
    if runLast == nil {
      // The surface cache holds only plain surfaces, so a hit needs no byte scan. This is
      // `emitCached` specialised for whole spans (reusing the key hashed for prefetching, and
      // scanning for special bytes only on a miss); folding the two into one function was
      // measured at +2 % instructions for the chain, as the call is then not inlined.
      let count = e - s
      if count <= SurfaceCache.maximumKeyLength {
        let (low, high, hash) = surfaceKey(i, s, count)
        var slot = 0
        if let packed = surfaces.find(low, high, count, hash: hash, slot: &slot) {
          appendPacked(s, e, packed, kind: .word, flags: flags)
          return i + 1
        }
        if !hasSpecialBytes(s, e) {
          let packed = termAndStem(UnsafeBufferPointer(start: text + s, count: count), kind: .word)
          surfaces.insert(low, high, count, hash: hash, slot: slot, value: packed)
          appendPacked(s, e, packed, kind: .word, flags: flags)
          return i + 1
        }
      } else if !hasSpecialBytes(s, e) {
        emitCached(s, e, kind: .word, flags: flags)
        return i + 1
      }
    }
    slowWord(i, s, e, flags: flags, runLast: runLast)
    return (runLast ?? i) + 1
  }

  /// Whether [s, e) has a byte that needs the French rules' slow path: `'`, `.`, or a lead
  /// byte of `’`, `ʼ`, `·` or a narrow no-break space.
  @inline(__always) private func hasSpecialBytes(_ s: Int, _ e: Int) -> Bool {
    var k = s
    while k < e {
      let byte = text[k]
      if byte == 0x27 || byte == 0x2E || byte == 0xC2 || byte == 0xE2 || byte == 0xCA { return true }
      k += 1
    }
    return false
  }

  /// Words with apostrophes, points, or narrow no-break spaces inside, or inclusive runs.
  private func slowWord(_ i: Int, _ s: Int, _ e: Int, flags: TokenFlags, runLast: Int?) {
    var hasNarrowSpace = false
    var scan = s
    while scan + 2 < e {
      if text[scan] == 0xE2 && text[scan + 1] == 0x80 && text[scan + 2] == 0xAF { hasNarrowSpace = true; break }
      scan += 1
    }
    if !hasNarrowSpace && !isNumeral(s, e) {
      wordPiece(i, s, e, isFirst: true, isLast: true, flags: flags, runLast: runLast)
      return
    }
    // Split at narrow no-break spaces (ICU's ExtendNumLet joins them into words).
    var pieces: [(Int, Int)] = []
    var pieceStart = s
    var k = s
    while k < e {
      if text[k] == 0xE2 && k + 2 < e && text[k + 1] == 0x80 && text[k + 2] == 0xAF {
        if k > pieceStart { pieces.append((pieceStart, k)) }
        k += 3
        pieceStart = k
      } else {
        k += 1
      }
    }
    if e > pieceStart { pieces.append((pieceStart, e)) }
    var index = 0
    while index < pieces.count {
      let (ps, pe) = pieces[index]
      let isLast = index == pieces.count - 1
      // Digit groups split by narrow no-break spaces: `1 000 000`.
      if isNumeral(ps, pe) {
        var last = index
        while last + 1 < pieces.count && isAllDigits(pieces[last].0, pieces[last].1)
          && (last > index || pieces[last].1 - pieces[last].0 <= 3)
          && startsWithThousandsGroup(pieces[last + 1].0, pieces[last + 1].1)
        {
          last += 1
        }
        if last > index {
          emitNumberJoiningThousands(ps, pieces[last].1)
        } else {
          emitCached(ps, pe, kind: .number, flags: [])
        }
        index = last + 1
        continue
      }
      wordPiece(i, ps, pe, isFirst: ps == s, isLast: isLast, flags: flags, runLast: runLast)
      index += 1
    }
  }

  /// One piece of a word: elisions split off, then inclusive writing or a plain word.
  private func wordPiece(_ i: Int, _ ps: Int, _ pe: Int, isFirst: Bool, isLast: Bool, flags: TokenFlags, runLast: Int?) {
    // Elision: `l’`, `qu'`, `jusqu’` split off, unless the word is a fixed form.
    let ps = splitElisions(ps, pe, atSpanStart: isFirst, spanIndex: i)
    if ps >= pe { return }
    let runEnd = isLast && runLast != nil ? end(runLast!) : pe
    if let baseEnd = inclusiveBaseEnd(ps, pe) {
      emitNormalizing(
        ps, runEnd, termBytes: UnsafeBufferPointer(start: text + ps, count: baseEnd - ps), kind: .word,
        flags: flags.subtracting(.compoundPart).union(.inclusive))
    } else if isLast && runLast != nil {
      emitNormalizing(
        ps, runEnd, termBytes: UnsafeBufferPointer(start: text + ps, count: pe - ps), kind: .word,
        flags: flags.subtracting(.compoundPart).union(.inclusive))
    } else {
      emitCached(ps, pe, kind: .word, flags: flags)
    }
  }

  /// Digits, optionally with one decimal part: `12`, `3,5`, `000,50`.
  private func isNumeral(_ s: Int, _ e: Int) -> Bool {
    guard e > s, isDigit(text[s]) else { return false }
    var k = s
    while k < e && isDigit(text[k]) { k += 1 }
    if k == e { return true }
    guard text[k] == 0x2C || text[k] == 0x2E, k + 1 < e else { return false }
    return isAllDigits(k + 1, e)
  }

  /// Exactly three digits, then the end or a decimal part: `000`, `000,50`.
  private func startsWithThousandsGroup(_ s: Int, _ e: Int) -> Bool {
    guard e - s >= 3, isDigit(text[s]), isDigit(text[s + 1]), isDigit(text[s + 2]) else { return false }
    return e - s == 3 || (isNumeral(s, e) && (text[s + 3] == 0x2C || text[s + 3] == 0x2E))
  }

  private func isAllDigits(_ s: Int, _ e: Int) -> Bool {
    guard e > s else { return false }
    for k in s..<e where !isDigit(text[k]) { return false }
    return true
  }

  /// Splits leading elided forms off [ps, pe) and returns where the rest starts.
  private func splitElisions(_ ps: Int, _ pe: Int, atSpanStart: Bool, spanIndex: Int) -> Int {
    var ps = ps
    while true {
      // Find the first apostrophe.
      var k = ps
      var apostropheLength = 0
      while k < pe {
        let byte = text[k]
        if byte == 0x27 { apostropheLength = 1; break }
        if byte == 0xE2 && k + 2 < pe && text[k + 1] == 0x80 && text[k + 2] == 0x99 { apostropheLength = 3; break }
        if byte == 0xCA && k + 1 < pe && text[k + 1] == 0xBC { apostropheLength = 2; break }
        k += 1
      }
      guard apostropheLength > 0, k > ps, k - ps <= 6, k + apostropheLength < pe,
        let packed = packedLowercaseASCII(ps, k), let form = elidedForms.firstIndex(of: packed)
      else { return ps }
      if articlesStartingFixedForms.contains(packed) && pe - ps <= 24 && pe - ps >= shortestFixedForm
        && FrenchRules.fixedForms.contains(lowercased(ps, pe))
      {
        return ps
      }
      let restStart = k + apostropheLength
      if packed == 0x74 && atSpanStart && ps == start(spanIndex) && isHyphen(spanIndex - 1) {
        // `va-t’il`: a euphonic t written with an apostrophe.
        return restStart
      }
      if elidedTerms[form] == .max {
        var bytes = packed
        let termID = withUnsafeBytes(of: &bytes) { raw in
          internTerm(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: k - ps), kind: .word)
        }
        elidedTerms[form] = UInt64(UInt32(bitPattern: termID)) << 32 | UInt64(UInt32(bitPattern: vocabulary.stemID(ofTerm: termID)))
      }
      appendPacked(ps, restStart, elidedTerms[form], kind: .word, flags: .elided)
      ps = restStart
    }
  }

  /// Up to eight ASCII letters, lowercased and packed little-endian; nil for anything else.
  @inline(__always) private func packedLowercaseASCII(_ s: Int, _ e: Int) -> UInt64? {
    guard e - s <= 8 else { return nil }
    var packed: UInt64 = 0
    var k = e
    while k > s {
      k -= 1
      let byte = text[k] | 0x20
      guard byte &- 0x61 < 26 else { return nil }
      packed = packed << 8 | UInt64(byte)
    }
    return packed
  }

  /// Packs an ASCII string as ``packedLowercaseASCII(_:_:)`` does.
  private static func pack(_ string: String) -> UInt64 {
    string.utf8.reversed().reduce(0) { $0 << 8 | UInt64($1) }
  }

  /// For inclusive writing with points inside one word (`élu.e.s`, `agent·e·s`), the end of
  /// the base word; nil when [ps, pe) is not inclusive writing.
  private func inclusiveBaseEnd(_ ps: Int, _ pe: Int) -> Int? {
    var k = ps
    var firstPoint = -1
    while k < pe {
      if text[k] == 0x2E || (text[k] == 0xC2 && k + 1 < pe && text[k + 1] == 0xB7) {
        firstPoint = k
        break
      }
      k += 1
    }
    guard firstPoint >= ps + 2, pe - firstPoint <= 16 else { return nil }
    let pointLength = text[firstPoint] == 0x2E ? 1 : 2
    let isSuffix = lowercase(firstPoint + pointLength, pe, isIn: FrenchRules.pointSuffixes, keys: pointSuffixKeys)
    return isSuffix ? firstPoint : nil
  }

  // MARK: - Suffix look-ups without Strings

  // A `lowercased` String and a Set<String> look-up cost about 1,000 instructions; inclusive
  // writing is checked after every hyphen, and most words there (`peut-être`, `dit-il`) are no
  // suffix. Suffixes are short ASCII and Latin-1 letters, so they are compared as packed bytes
  // (measured: `run` inclusive 1,000.7 → 979.2 M instructions).

  /// ``FrenchRules/separatorSuffixes`` and ``FrenchRules/pointSuffixes`` as
  /// ``packedLowercase(_:_:)`` keys; nil if one does not fit, and the Strings decide.
  private let separatorSuffixKeys = AnalysisPipeline.packedKeys(FrenchRules.separatorSuffixes)
  private let pointSuffixKeys = AnalysisPipeline.packedKeys(FrenchRules.pointSuffixes)

  private static func packedKeys(_ strings: Set<String>) -> Set<UInt64>? {
    var keys: Set<UInt64> = []
    for string in strings {
      var key: UInt64 = 0
      var count = 0
      var bytes = string.utf8.makeIterator()
      while let byte = bytes.next() {
        if byte == 0xC3, let second = bytes.next(), second & 0xC0 == 0x80, count <= 6 {
          key |= 0xC3 << UInt64(8 * count) | UInt64(second) << UInt64(8 * count + 8)
          count += 2
        } else if byte != 0 && byte < 0x80 && count < 8 {
          key |= UInt64(byte) << UInt64(8 * count)
          count += 1
        } else {
          return nil
        }
      }
      keys.insert(key)
    }
    return keys
  }

  /// ``lowercased(_:_:)`` of [s, e) packed little-endian with its length in bytes, when it is
  /// at most 8 bytes of ASCII (but NUL) and two-byte Latin-1 characters; nil otherwise. Such
  /// strings are NFC, so two of them are equal Strings (canonically equivalent) exactly when
  /// their bytes are, and zero padding tells lengths apart.
  private func packedLowercase(_ s: Int, _ e: Int) -> (key: UInt64, count: Int)? {
    var key: UInt64 = 0
    var count = 0
    var k = s
    while k < e {
      var byte = text[k]
      if byte == 0xC3 && k + 1 < e && text[k + 1] & 0xC0 == 0x80 {
        guard count <= 6 else { return nil }
        let second = text[k + 1]
        let lower = second &- 0x80 < 0x1F && second != 0x97 ? second | 0x20 : second
        key |= 0xC3 << UInt64(8 * count) | UInt64(lower) << UInt64(8 * count + 8)
        count += 2
        k += 2
        continue
      }
      if byte == 0xE2 && k + 2 < e && text[k + 1] == 0x80 && text[k + 2] == 0x99 {
        byte = 0x27
        k += 2
      } else if byte == 0xC2 && k + 1 < e && text[k + 1] == 0xB7 {
        byte = 0x2E
        k += 1
      } else if byte == 0 || byte >= 0x80 {
        return nil
      } else if byte &- 0x41 < 26 {
        byte |= 0x20
      }
      guard count < 8 else { return nil }
      key |= UInt64(byte) << UInt64(8 * count)
      count += 1
      k += 1
    }
    return (key, count)
  }

  /// `strings.contains(lowercased(s, e))`, through `keys` when both sides pack.
  private func lowercase(_ s: Int, _ e: Int, isIn strings: Set<String>, keys: Set<UInt64>?) -> Bool {
    if let keys, let packed = packedLowercase(s, e) { return keys.contains(packed.key) }
    return strings.contains(lowercased(s, e))
  }

  /// Whether the lowercase of [s, e), `-`, and the lowercase of [s2, e2) is a separator suffix.
  private func isSeparatorSuffix(_ s: Int, _ e: Int, then s2: Int, _ e2: Int) -> Bool {
    if let keys = separatorSuffixKeys, let first = packedLowercase(s, e), let second = packedLowercase(s2, e2) {
      // No key is longer than 8 bytes.
      guard first.count + 1 + second.count <= 8 else { return false }
      return keys.contains(
        first.key | 0x2D << UInt64(8 * first.count) | second.key << UInt64(8 * (first.count + 1)))
    }
    return FrenchRules.separatorSuffixes.contains(lowercased(s, e) + "-" + lowercased(s2, e2))
  }
}
