//
// FrenchStemmer.swift
// Snowball 3 French stemmer (the rules of the Snowball project's `algorithms/french.sbl`
// as released in Snowball 3.x, e.g. PyPI `snowballstemmer` 3.1.1), written from the
// algorithm's description.
//
// Pipeline, in the algorithm's own order:
//   1. elisions       remove one leading `c' d' j' l' m' n' s' t' qu'` (not when nothing follows)
//   2. prelude        mark vowels that act as consonants (u/i between vowels → U/I, y next to
//                     a vowel → Y, qu → qU) and write ë/ï as He/Hi
//   3. mark_regions   RV (pV), R1 (p1), R2 (p2)
//   4. backwards      standard suffix, else i-verb suffix, else other verb suffix (then a final
//                     Y → i, ç → c), else the residual suffix; then undouble and unaccent
//   5. postlude       U/I/Y back to lowercase, He/Hi back to ë/ï, a lone H dropped
//
// Differences from Snowball 2.2 (Debian's libstemmer): elisions are removed first, `-oux`
// becomes `-ou` after b h j l n p, `-aise`/`-aises` join `-ais` as verb suffixes, which are kept
// after `auv` (mauvais), `épl` (déplais) and a word-initial `Xal` (palais, balais), and RV after
// a leading `ni` + vowel starts at 3 (nier, niais).
//
// Version pinned: Snowball 3.1.1. Snowball's development head (after 3.1.1) also treats `z'` as an
// elision; that is not part of any release, nor of the official vocabulary, and is left out here.
//
// The word is worked on as an array of Unicode scalar values (`UInt32`) in a scratch buffer;
// suffix tables are looked up with the last eight characters packed into one `UInt64`.

/// Snowball 3 French stemmer. Stateless apart from scratch buffers; not Sendable-shared across
/// threads.
///
/// Give each worker its own value: the type is `Sendable`, so a value can move to another task,
/// but one value must not be used by two threads at once (its scratch buffers are reused).
///
///     var stemmer = FrenchStemmer()
///     stemmer.stem("chevaux")        // "cheval"
///     stemmer.stem("continuellement") // "continuel"
///
/// The input is expected to be one lowercase, NFC word; any other input (empty, digits, other
/// scripts, uppercase) is handled exactly as Snowball would handle it and never traps.
public struct FrenchStemmer: Sendable {
  /// Scalars of the word being stemmed; at least `2 * bytes + 8` long before each use.
  private var scalars: [UInt32]
  /// UTF-8 scratch for `stem(_:)`.
  private var scratchBytes: [UInt8]

  /// Creates a stemmer with small scratch buffers, which grow on demand and are then reused.
  ///
  ///     var stemmer = FrenchStemmer()
  ///     stemmer.stem("nationalités") // "national"
  ///
  /// - Complexity: O(1); the suffix tables are built once per process.
  public init() {
    scalars = [UInt32](repeating: 0, count: 136)
    scratchBytes = []
    scratchBytes.reserveCapacity(64)
  }

  /// Stems one lowercase word (input is expected to be NFC, case-folded). Returns the stem.
  ///
  ///     stemmer.stem("chevaux")      // "cheval"
  ///     stemmer.stem("l'embrouille") // "embrouill"
  ///
  /// - Complexity: O(*n*) in the length of the word.
  public mutating func stem(_ word: String) -> String {
    var output = scratchBytes
    scratchBytes = []
    output.removeAll(keepingCapacity: true)
    var text = word
    text.withUTF8 { stem(utf8: $0, into: &output) }
    let result = String(decoding: output, as: UTF8.self)
    scratchBytes = output
    return result
  }

  /// Fast path: stems UTF-8 bytes of one lowercase NFC word, appending the stem's UTF-8 bytes to
  /// `output`.
  ///
  /// Ill-formed UTF-8 is first repaired the way `String(decoding:as:)` repairs it (U+FFFD), so
  /// both entry points always agree.
  ///
  ///     var out: [UInt8] = []
  ///     "généralement".utf8.withContiguousStorageIfAvailable {
  ///       stemmer.stem(utf8: $0, into: &out)
  ///     }
  ///     // out == Array("général".utf8)
  ///
  /// - Complexity: O(*n*) in the length of the word; no allocation once the scratch buffer and
  ///   `output` have grown to fit.
  public mutating func stem(utf8 word: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
    let count = word.count
    guard count > 0, let source = word.baseAddress else { return }
    // Layout: 8 padding scalars (so the last eight characters can always be read at once),
    // the word (it can grow to twice its length: ë → He), then as many bytes for the UTF-8
    // stem as the word region could ever need.
    let wordCapacity = 2 * count + 8
    let needed = 8 + 2 * wordCapacity
    if scalars.count < needed {
      scalars = [UInt32](repeating: 0, count: max(needed, 2 * scalars.count))
    }
    let wellFormed = scalars.withUnsafeMutableBufferPointer { buffer -> Bool in
      guard let base = buffer.baseAddress else { return false }
      let word = base + 8
      guard let length = frenchDecodeUTF8(source, count, into: word) else { return false }
      var state = FrenchStemState(word, length)
      state.run(frenchSuffixTables)
      let bytes = UnsafeMutableRawPointer(word + wordCapacity)
      let byteCount = state.encodeStem(into: bytes)
      output.append(contentsOf: UnsafeRawBufferPointer(start: bytes, count: byteCount))
      return true
    }
    if !wellFormed {
      var repaired = String(decoding: word, as: UTF8.self)
      repaired.withUTF8 { stem(utf8: $0, into: &output) }
    }
  }
}

// MARK: - Characters

/// The characters the algorithm names, as Unicode scalar values.
private enum Letter {
  static let apostrophe: UInt32 = 0x27
  static let upperH: UInt32 = 0x48
  static let upperI: UInt32 = 0x49
  static let upperU: UInt32 = 0x55
  static let upperY: UInt32 = 0x59
  static let a: UInt32 = 0x61
  static let b: UInt32 = 0x62
  static let c: UInt32 = 0x63
  static let e: UInt32 = 0x65
  static let g: UInt32 = 0x67
  static let i: UInt32 = 0x69
  static let l: UInt32 = 0x6C
  static let n: UInt32 = 0x6E
  static let o: UInt32 = 0x6F
  static let p: UInt32 = 0x70
  static let q: UInt32 = 0x71
  static let r: UInt32 = 0x72
  static let s: UInt32 = 0x73
  static let t: UInt32 = 0x74
  static let u: UInt32 = 0x75
  static let v: UInt32 = 0x76
  static let x: UInt32 = 0x78
  static let y: UInt32 = 0x79
  static let cCedilla: UInt32 = 0xE7  // ç
  static let eGrave: UInt32 = 0xE8  // è
  static let eAcute: UInt32 = 0xE9  // é
  static let eDiaeresis: UInt32 = 0xEB  // ë
  static let iDiaeresis: UInt32 = 0xEF  // ï
}

/// `v`: a e i o u y â à ë é ê è ï î ô û ù. Bit k of the low half is U+0060 + k, bit k of the
/// high half is U+00E0 + k.
@inline(__always)
private func frenchIsVowel(_ c: UInt32) -> Bool {
  let mask: UInt64 = 0x0A10_CF05_0220_8222
  let low = c &- 0x60
  if low < 32 { return (mask >> UInt64(low)) & 1 != 0 }
  let high = c &- 0xE0
  if high < 32 { return (mask >> UInt64(high + 32)) & 1 != 0 }
  return false
}

/// Membership in a set of lowercase ASCII letters given as a 26-bit mask (bit 0 = `a`).
@inline(__always)
private func frenchIsIn(_ c: UInt32, _ letters: UInt32) -> Bool {
  let k = c &- Letter.a
  return k < 26 && (letters >> k) & 1 != 0
}

/// `elision_char`: c d j l m n s t.
private let frenchElisionMask: UInt32 = 0x000C_3A0C  // c d j l m n s t
/// `oux_ending`: b h j l n p.
private let frenchOuxEndingMask: UInt32 = 0x0000_AA82  // b h j l n p

/// Decodes well-formed UTF-8 into scalars; `nil` at the first ill-formed sequence.
@inline(__always)
private func frenchDecodeUTF8(
  _ source: UnsafePointer<UInt8>, _ count: Int, into target: UnsafeMutablePointer<UInt32>
) -> Int? {
  var index = 0
  var length = 0
  while index < count {
    let lead = source[index]
    if lead < 0x80 {
      target[length] = UInt32(lead)
      length += 1
      index += 1
      continue
    }
    var size = 0
    var lower: UInt8 = 0x80
    var upper: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: size = 2
    case 0xE0: size = 3; lower = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: size = 3
    case 0xED: size = 3; upper = 0x9F
    case 0xF0: size = 4; lower = 0x90
    case 0xF1...0xF3: size = 4
    case 0xF4: size = 4; upper = 0x8F
    default: return nil
    }
    if index + size > count { return nil }
    let second = source[index + 1]
    if second < lower || second > upper { return nil }
    var value = UInt32(lead) & (0x7F >> UInt32(size))
    value = value << 6 | UInt32(second & 0x3F)
    var k = 2
    while k < size {
      let next = source[index + k]
      if next & 0xC0 != 0x80 { return nil }
      value = value << 6 | UInt32(next & 0x3F)
      k += 1
    }
    target[length] = value
    length += 1
    index += size
  }
  return length
}

// MARK: - Suffix tables

/// One suffix of an `among`: its last (up to) eight characters packed little-end-first.
private struct FrenchSuffix: Sendable {
  /// Character k from the end in byte k (Latin-1 values; all suffix characters are below 256).
  var key: UInt64
  /// Covers the packed characters.
  var mask: UInt64
  /// A ninth character from the end, or 0.
  var ninth: UInt32
  /// Length in characters.
  var length: Int
  /// What to do on a match (the among's action number).
  var action: UInt8
}

/// An `among` of suffixes, searched longest first in a bucket chosen by the word's last two
/// characters.
private struct FrenchSuffixList: Sendable {
  /// The buckets' entries, each bucket by decreasing length.
  let entries: [FrenchSuffix]
  /// A small class number for each Latin-1 character used in a suffix, 0 for all others.
  let classes: [UInt8]
  /// Bucket `classes[last] << 5 | classes[secondToLast]`: `start | end << 16` into `entries`.
  /// A bucket holds the suffixes ending with those two characters, then the one-character
  /// suffix (if any) ending with the last one.
  let buckets: [UInt32]

  init(_ groups: [(suffixes: [String], action: UInt8)]) {
    var list: [FrenchSuffix] = []
    var classes = [UInt8](repeating: 0, count: 256)
    var classCount = 1
    for group in groups {
      for text in group.suffixes {
        let chars = Array(text.unicodeScalars.map(\.value))
        precondition(chars.count <= 9 && chars.allSatisfy { $0 > 0 && $0 < 256 })
        var key: UInt64 = 0
        var mask: UInt64 = 0
        for k in 0..<min(8, chars.count) {
          key |= UInt64(chars[chars.count - 1 - k]) << UInt64(8 * k)
          mask |= 0xFF << UInt64(8 * k)
        }
        for char in chars where classes[Int(char)] == 0 {
          classes[Int(char)] = UInt8(classCount)
          classCount += 1
        }
        let ninth: UInt32 = chars.count > 8 ? chars[chars.count - 9] : 0
        list.append(
          FrenchSuffix(key: key, mask: mask, ninth: ninth, length: chars.count, action: group.action))
      }
    }
    precondition(classCount <= 32)
    let classOf = { (entry: FrenchSuffix, k: Int) -> Int in
      Int(classes[Int((entry.key >> UInt64(8 * k)) & 0xFF)])
    }
    var entries: [FrenchSuffix] = []
    var buckets = [UInt32](repeating: 0, count: 32 * 32)
    for last in 1..<classCount {
      let single = list.filter { $0.length == 1 && classOf($0, 0) == last }
      for second in 0..<32 {
        let longer = list.filter {
          $0.length >= 2 && classOf($0, 0) == last && classOf($0, 1) == second
        }
        let bucket = longer.sorted { $0.length > $1.length } + single
        guard !bucket.isEmpty else { continue }
        let start = UInt32(entries.count)
        buckets[last << 5 | second] = start | (start + UInt32(bucket.count)) << 16
        entries += bucket
      }
    }
    self.entries = entries
    self.classes = classes
    self.buckets = buckets
  }

  /// The longest suffix whose characters match `tail` (the packed end of the word, zero beyond
  /// the lower limit). Returns (length, action), or (0, 0) when none matches.
  @inline(__always)
  func longest(
    _ tail: UInt64, _ word: UnsafeMutablePointer<UInt32>, end: Int, limit: Int
  ) -> (length: Int, action: UInt8) {
    let bucket = Int(classes[Int(tail & 0xFF)]) << 5 | Int(classes[Int((tail >> 8) & 0xFF)])
    let range = buckets[bucket]
    var k = Int(range & 0xFFFF)
    let stop = Int(range >> 16)
    while k < stop {
      let entry = entries[k]
      if tail & entry.mask == entry.key {
        if entry.ninth == 0 { return (entry.length, entry.action) }
        let at = end - 9
        if at >= limit && word[at] == entry.ninth { return (entry.length, entry.action) }
      }
      k += 1
    }
    return (0, 0)
  }
}

/// The `among` lists of `french.sbl`, built once per process.
private let frenchSuffixTables = FrenchSuffixTables()

/// The `among` lists of `french.sbl`.
private final class FrenchSuffixTables: Sendable {
  /// Actions of `standard_suffix`.
  enum Standard {
    static let r2Delete: UInt8 = 1
    static let ateur: UInt8 = 2
    static let logie: UInt8 = 3
    static let usion: UInt8 = 4
    static let ence: UInt8 = 5
    static let ement: UInt8 = 6
    static let ite: UInt8 = 7
    static let ive: UInt8 = 8
    static let eaux: UInt8 = 9
    static let aux: UInt8 = 10
    static let oux: UInt8 = 11
    static let euse: UInt8 = 12
    static let issement: UInt8 = 13
    static let amment: UInt8 = 14
    static let emment: UInt8 = 15
    static let ment: UInt8 = 16
  }

  /// Actions of `verb_suffix`.
  enum Verb {
    static let ions: UInt8 = 1
    static let delete: UInt8 = 2
    static let aSuffix: UInt8 = 3
    static let ais: UInt8 = 4
    static let eais: UInt8 = 5
  }

  /// Actions of `residual_suffix`.
  enum Residual {
    static let ion: UInt8 = 1
    static let ier: UInt8 = 2
    static let e: UInt8 = 3
  }

  let standard: FrenchSuffixList
  let iVerb: FrenchSuffixList
  let verb: FrenchSuffixList
  let residual: FrenchSuffixList

  init() {
    standard = FrenchSuffixList([
      (
        ["ance", "iqUe", "isme", "able", "iste", "eux", "ances", "iqUes", "ismes", "ables", "istes"],
        Standard.r2Delete
      ),
      (["atrice", "ateur", "ation", "atrices", "ateurs", "ations"], Standard.ateur),
      (["logie", "logies"], Standard.logie),
      (["usion", "ution", "usions", "utions"], Standard.usion),
      (["ence", "ences"], Standard.ence),
      (["ement", "ements"], Standard.ement),
      (["it\u{E9}", "it\u{E9}s"], Standard.ite),
      (["if", "ive", "ifs", "ives"], Standard.ive),
      (["eaux"], Standard.eaux),
      (["aux"], Standard.aux),
      (["oux"], Standard.oux),
      (["euse", "euses"], Standard.euse),
      (["issement", "issements"], Standard.issement),
      (["amment"], Standard.amment),
      (["emment"], Standard.emment),
      (["ment", "ments"], Standard.ment),
    ])
    iVerb = FrenchSuffixList([
      (
        [
          "\u{EE}mes", "\u{EE}t", "\u{EE}tes", "i", "ie", "ies", "ir", "ira", "irai",
          "iraIent", "irais", "irait", "iras", "irent", "irez", "iriez",
          "irions", "irons", "iront", "is", "issaIent", "issais", "issait",
          "issant", "issante", "issantes", "issants", "isse", "issent", "isses",
          "issez", "issiez", "issions", "issons", "it",
        ],
        1
      )
    ])
    verb = FrenchSuffixList([
      (["ions"], Verb.ions),
      (
        [
          "\u{E9}", "\u{E9}e", "\u{E9}es", "\u{E9}s", "\u{E8}rent", "er", "era", "erai",
          "eraIent", "erais", "erait", "eras", "erez", "eriez", "erions",
          "erons", "eront", "ez", "iez",
        ],
        Verb.delete
      ),
      (
        [
          "\u{E2}mes", "\u{E2}t", "\u{E2}tes", "a", "ai", "aIent", "ait", "ant",
          "ante", "antes", "ants", "as", "asse", "assent", "asses", "assiez",
          "assions",
        ],
        Verb.aSuffix
      ),
      (["ais", "aise", "aises"], Verb.ais),
      (["eais"], Verb.eais),
    ])
    residual = FrenchSuffixList([
      (["ion"], Residual.ion),
      (["ier", "i\u{E8}re", "Ier", "I\u{E8}re"], Residual.ier),
      (["e"], Residual.e),
    ])
  }
}

// MARK: - The algorithm

/// One word being stemmed: its scalars, their count, and the region starts.
private struct FrenchStemState {
  /// The word; writable up to twice its decoded length plus 8, readable 8 scalars before it.
  let p: UnsafeMutablePointer<UInt32>
  /// Current length (the cursor of the backward steps is always at the end).
  var n: Int
  /// Start of RV.
  var pV = 0
  /// Start of R1.
  var p1 = 0
  /// Start of R2.
  var p2 = 0

  @inline(__always)
  init(_ p: UnsafeMutablePointer<UInt32>, _ n: Int) {
    self.p = p
    self.n = n
  }

  /// Packs the characters of `[limit, end)` (at most the last eight) into a `UInt64`, last one in
  /// the low byte; characters at or above U+0100 become 0, which matches no suffix.
  @inline(__always)
  func packedEnd(_ end: Int, limit: Int) -> UInt64 {
    let q = p + (end - 8)
    let low = byte(q[7]) | byte(q[6]) << 8 | byte(q[5]) << 16 | byte(q[4]) << 24
    let high = byte(q[3]) << 32 | byte(q[2]) << 40 | byte(q[1]) << 48 | byte(q[0]) << 56
    return limited(low | high, end - limit)
  }

  /// A character as one packed byte: Latin-1 stays, anything above becomes 0.
  @inline(__always)
  func byte(_ c: UInt32) -> UInt64 {
    UInt64(c < 256 ? c : 0)
  }

  /// Keeps only the last `available` characters of a packed end.
  @inline(__always)
  func limited(_ packed: UInt64, _ available: Int) -> UInt64 {
    if available >= 8 { return packed }
    if available <= 0 { return 0 }
    return packed & ((1 << UInt64(8 * available)) - 1)
  }

  /// Does the word end, at `end`, with the two characters `a b`?
  @inline(__always)
  func ends(_ end: Int, _ a: UInt32, _ b: UInt32) -> Bool {
    end >= 2 && p[end - 2] == a && p[end - 1] == b
  }

  /// Does the word end, at `end`, with the three characters `a b c`?
  @inline(__always)
  func ends(_ end: Int, _ a: UInt32, _ b: UInt32, _ c: UInt32) -> Bool {
    end >= 3 && p[end - 3] == a && p[end - 2] == b && p[end - 1] == c
  }

  /// Overwrites one character at `at` and ends the word after it.
  @inline(__always)
  mutating func replace(at: Int, _ a: UInt32) {
    p[at] = a
    n = at + 1
  }

  /// Overwrites two characters from `at` and ends the word after them.
  @inline(__always)
  mutating func replace(at: Int, _ a: UInt32, _ b: UInt32) {
    p[at] = a
    p[at + 1] = b
    n = at + 2
  }

  /// Overwrites three characters from `at` and ends the word after them.
  @inline(__always)
  mutating func replace(at: Int, _ a: UInt32, _ b: UInt32, _ c: UInt32) {
    p[at] = a
    p[at + 1] = b
    p[at + 2] = c
    n = at + 3
  }

  /// Runs every step except the postlude (done while encoding).
  @inline(__always)
  mutating func run(_ tables: FrenchSuffixTables) {
    removeElision()
    let vowels = prelude()
    if n <= 64 {
      markRegions(vowels: vowels)
    } else {
      markRegions()
    }
    let original = n
    let packed = packedEnd(n, limit: 0)
    var changed = standardSuffix(tables, packed)
    if !changed && n >= pV {
      // -amment, -emment and -ment may have changed the word while failing.
      let now = n == original ? packed : packedEnd(n, limit: 0)
      let inRV = limited(now, n - pV)
      changed = iVerbSuffix(tables, inRV) || verbSuffix(tables, inRV)
    }
    if changed {
      if n > 0 {
        if p[n - 1] == Letter.upperY {
          p[n - 1] = Letter.i
        } else if p[n - 1] == Letter.cCedilla {
          p[n - 1] = Letter.c
        }
      }
    } else {
      residualSuffix(tables)
    }
    unDouble()
    unAccent()
  }

  /// `elisions`: drop a leading `c' d' j' l' m' n' s' t'` or `qu'` when something follows.
  @inline(__always)
  mutating func removeElision() {
    guard n >= 3 else { return }
    var cut = 0
    if p[1] == Letter.apostrophe && frenchIsIn(p[0], frenchElisionMask) {
      cut = 2
    } else if n >= 4 && p[2] == Letter.apostrophe && p[0] == Letter.q && p[1] == Letter.u {
      cut = 3
    }
    guard cut > 0 else { return }
    var k = cut
    while k < n {
      p[k - cut] = p[k]
      k += 1
    }
    n -= cut
  }

  /// `prelude`: left to right, re-testing a position after each change (Snowball's `repeat goto`).
  /// Its alternatives, in order: a vowel followed by u or i before a vowel (→ U, I) or by y
  /// (→ Y); ë → He, ï → Hi; y before a vowel → Y; qu → qU. Only the last starts with a non-vowel.
  /// Returns the vowel positions of the result (bit k: character k is in `v`), for the first
  /// 64 characters.
  @inline(__always)
  mutating func prelude() -> UInt64 {
    var vowels: UInt64 = 0
    var k = 0
    while k < n {
      let c = p[k]
      if frenchIsVowel(c) {
        if k + 1 < n {
          let next = p[k + 1]
          if next == Letter.u {
            if k + 2 < n && frenchIsVowel(p[k + 2]) {
              p[k + 1] = Letter.upperU
              continue
            }
          } else if next == Letter.i {
            if k + 2 < n && frenchIsVowel(p[k + 2]) {
              p[k + 1] = Letter.upperI
              continue
            }
          } else if next == Letter.y {
            p[k + 1] = Letter.upperY
            continue
          }
        }
        if c == Letter.eDiaeresis || c == Letter.iDiaeresis {
          // ë → He, ï → Hi: one character more.
          var m = n
          while m > k + 1 {
            p[m] = p[m - 1]
            m -= 1
          }
          p[k] = Letter.upperH
          p[k + 1] = c == Letter.eDiaeresis ? Letter.e : Letter.i
          n += 1
          continue
        }
        if c == Letter.y && k + 1 < n && frenchIsVowel(p[k + 1]) {
          p[k] = Letter.upperY
          continue
        }
        // Character k is final once the scan moves past it.
        vowels |= 1 &<< UInt64(truncatingIfNeeded: k)
      } else if c == Letter.q && k + 1 < n && p[k + 1] == Letter.u {
        p[k + 1] = Letter.upperU
        continue
      }
      k += 1
    }
    return vowels
  }

  /// `mark_regions` for words of at most 64 characters, from the bit set of their vowels.
  @inline(__always)
  mutating func markRegions(vowels: UInt64) {
    pV = n
    p1 = n
    p2 = n
    if n >= 3 && vowels & 3 == 3 {
      pV = 3
    } else if n >= 3
      && ((p[0] == Letter.p && p[1] == Letter.a && p[2] == Letter.r)  // par
        || (p[0] == Letter.c && p[1] == Letter.o && p[2] == Letter.l)  // col
        || (p[0] == Letter.t && p[1] == Letter.a && p[2] == Letter.p)  // tap
        || (p[0] == Letter.n && p[1] == Letter.i && vowels & 4 != 0))  // ni + vowel
    {
      pV = 3
    } else if vowels & ~1 != 0 {
      pV = (vowels & ~1).trailingZeroBitCount + 1
    }
    // R1 and R2: after the first non-vowel that follows a vowel, twice.
    let consonants = ~vowels & (n == 64 ? ~0 : (1 &<< UInt64(n)) &- 1)
    guard vowels != 0 else { return }
    let firstVowel = vowels.trailingZeroBitCount
    let afterFirst = consonants & (~0 &<< UInt64(firstVowel))
    guard afterFirst != 0 else { return }
    let firstEnd = afterFirst.trailingZeroBitCount + 1
    p1 = firstEnd
    guard firstEnd < 64 else { return }
    let secondVowels = vowels & (~0 &<< UInt64(firstEnd))
    guard secondVowels != 0 else { return }
    let afterSecond = consonants & (~0 &<< UInt64(secondVowels.trailingZeroBitCount))
    guard afterSecond != 0 else { return }
    p2 = afterSecond.trailingZeroBitCount + 1
  }

  /// `mark_regions`: RV, R1 and R2.
  @inline(__always)
  mutating func markRegions() {
    pV = n
    p1 = n
    p2 = n
    if n >= 3 && frenchIsVowel(p[0]) && frenchIsVowel(p[1]) {
      pV = 3
    } else if n >= 3
      && ((p[0] == Letter.p && p[1] == Letter.a && p[2] == Letter.r)  // par
        || (p[0] == Letter.c && p[1] == Letter.o && p[2] == Letter.l)  // col
        || (p[0] == Letter.t && p[1] == Letter.a && p[2] == Letter.p))  // tap
    {
      pV = 3
    } else if n >= 3 && p[0] == Letter.n && p[1] == Letter.i && frenchIsVowel(p[2]) {
      pV = 3  // ni + vowel
    } else {
      var k = 1
      while k < n {
        if frenchIsVowel(p[k]) {
          pV = k + 1
          break
        }
        k += 1
      }
    }
    // R1 and R2: after the first non-vowel that follows a vowel, twice.
    var k = 0
    while k < n && !frenchIsVowel(p[k]) { k += 1 }
    while k < n && frenchIsVowel(p[k]) { k += 1 }
    guard k < n else { return }
    p1 = k + 1
    k += 1
    while k < n && !frenchIsVowel(p[k]) { k += 1 }
    while k < n && frenchIsVowel(p[k]) { k += 1 }
    guard k < n else { return }
    p2 = k + 1
  }

  /// `standard_suffix`. Returns whether it succeeded; some of its failing branches still
  /// change the word (`-amment`, `-emment`, `-ment`), as in Snowball.
  @inline(__always)
  mutating func standardSuffix(_ tables: FrenchSuffixTables, _ packed: UInt64) -> Bool {
    let found = tables.standard.longest(packed, p, end: n, limit: 0)
    guard found.length > 0 else { return false }
    let start = n - found.length
    switch found.action {
    case FrenchSuffixTables.Standard.r2Delete:
      guard p2 <= start else { return false }
      n = start
    case FrenchSuffixTables.Standard.ateur:
      guard p2 <= start else { return false }
      n = start
      if ends(n, Letter.i, Letter.c) {
        if p2 <= n - 2 {
          n -= 2
        } else {
          replace(at: n - 2, Letter.i, Letter.q, Letter.upperU)
        }
      }
    case FrenchSuffixTables.Standard.logie:
      guard p2 <= start else { return false }
      replace(at: start, Letter.l, Letter.o, Letter.g)  // log
    case FrenchSuffixTables.Standard.usion:
      guard p2 <= start else { return false }
      replace(at: start, Letter.u)
    case FrenchSuffixTables.Standard.ence:
      guard p2 <= start else { return false }
      replace(at: start, Letter.e, Letter.n, Letter.t)
    case FrenchSuffixTables.Standard.ement:
      guard pV <= start else { return false }
      n = start
      afterEment()
    case FrenchSuffixTables.Standard.ite:
      guard p2 <= start else { return false }
      n = start
      afterIte()
    case FrenchSuffixTables.Standard.ive:
      guard p2 <= start else { return false }
      n = start
      if ends(n, Letter.a, Letter.t) && p2 <= n - 2 {
        n -= 2
        if ends(n, Letter.i, Letter.c) {
          if p2 <= n - 2 {
            n -= 2
          } else {
            replace(at: n - 2, Letter.i, Letter.q, Letter.upperU)
          }
        }
      }
    case FrenchSuffixTables.Standard.eaux:
      n -= 1
    case FrenchSuffixTables.Standard.aux:
      guard p1 <= start else { return false }
      replace(at: start, Letter.a, Letter.l)
    case FrenchSuffixTables.Standard.oux:
      guard start > 0 && frenchIsIn(p[start - 1], frenchOuxEndingMask) else { return false }
      n -= 1
    case FrenchSuffixTables.Standard.euse:
      if p2 <= start {
        n = start
      } else if p1 <= start {
        replace(at: start, Letter.e, Letter.u, Letter.x)
      } else {
        return false
      }
    case FrenchSuffixTables.Standard.issement:
      guard p1 <= start && start > 0 && !frenchIsVowel(p[start - 1]) else { return false }
      n = start
    case FrenchSuffixTables.Standard.amment:
      if pV <= start { replace(at: start, Letter.a, Letter.n, Letter.t) }
      return false
    case FrenchSuffixTables.Standard.emment:
      if pV <= start { replace(at: start, Letter.e, Letter.n, Letter.t) }
      return false
    default:  // Standard.ment
      if start > 0 && frenchIsVowel(p[start - 1]) && pV <= start - 1 { n = start }
      return false
    }
    return true
  }

  /// The optional step after removing `-ement(s)`.
  @inline(__always)
  mutating func afterEment() {
    if ends(n, Letter.i, Letter.v) {
      guard p2 <= n - 2 else { return }
      n -= 2
      if ends(n, Letter.a, Letter.t) && p2 <= n - 2 { n -= 2 }
    } else if ends(n, Letter.e, Letter.u, Letter.s) {
      if p2 <= n - 3 {
        n -= 3
      } else if p1 <= n - 3 {
        p[n - 1] = Letter.x
      }
    } else if ends(n, Letter.a, Letter.b, Letter.l) || ends(n, Letter.i, Letter.q, Letter.upperU) {
      if p2 <= n - 3 { n -= 3 }
    } else if ends(n, Letter.i, Letter.eGrave, Letter.r)
      || ends(n, Letter.upperI, Letter.eGrave, Letter.r)
    {
      // ièr, Ièr → i
      if pV <= n - 3 { replace(at: n - 3, Letter.i) }
    }
  }

  /// The optional step after removing `-ité(s)`.
  @inline(__always)
  mutating func afterIte() {
    if n >= 4 && p[n - 4] == Letter.a && p[n - 3] == Letter.b && p[n - 2] == Letter.i
      && p[n - 1] == Letter.l
    {
      if p2 <= n - 4 {
        n -= 4
      } else {
        replace(at: n - 4, Letter.a, Letter.b, Letter.l)
      }
    } else if ends(n, Letter.i, Letter.c) {
      if p2 <= n - 2 {
        n -= 2
      } else {
        replace(at: n - 2, Letter.i, Letter.q, Letter.upperU)
      }
    } else if ends(n, Letter.i, Letter.v) {
      if p2 <= n - 2 { n -= 2 }
    }
  }

  /// `i_verb_suffix`: within RV, after a non-vowel other than H. `inRV` is the packed end of
  /// the word limited to RV (the caller checks that the word reaches RV).
  @inline(__always)
  mutating func iVerbSuffix(_ tables: FrenchSuffixTables, _ inRV: UInt64) -> Bool {
    let found = tables.iVerb.longest(inRV, p, end: n, limit: pV)
    guard found.length > 0 else { return false }
    let start = n - found.length
    guard start > pV else { return false }
    let before = p[start - 1]
    guard before != Letter.upperH && !frenchIsVowel(before) else { return false }
    n = start
    return true
  }

  /// `verb_suffix`: the suffix lies in RV; its conditions look outside it.
  @inline(__always)
  mutating func verbSuffix(_ tables: FrenchSuffixTables, _ inRV: UInt64) -> Bool {
    let found = tables.verb.longest(inRV, p, end: n, limit: pV)
    guard found.length > 0 else { return false }
    let start = n - found.length
    switch found.action {
    case FrenchSuffixTables.Verb.ions:
      guard p2 <= start else { return false }
      n = start
    case FrenchSuffixTables.Verb.aSuffix:
      if start > 0 && p[start - 1] == Letter.e && pV <= start - 1 {
        n = start - 1
      } else {
        n = start
      }
    case FrenchSuffixTables.Verb.ais:
      // Keep -ais/-aise/-aises after `auv` (mauvais), `épl` (déplais) and a word-initial
      // `Xal` (palais, balais).
      if ends(start, Letter.a, Letter.u, Letter.v) || ends(start, Letter.eAcute, Letter.p, Letter.l)
        || (start == 3 && p[1] == Letter.a && p[2] == Letter.l)
      {
        return false
      }
      n = start
    default:  // Verb.delete, Verb.eais
      n = start
    }
    return true
  }

  /// `residual_suffix`.
  @inline(__always)
  mutating func residualSuffix(_ tables: FrenchSuffixTables) {
    if n > 0 && p[n - 1] == Letter.s {
      let at = n - 1
      if at > 0 {
        let before = p[at - 1]
        // keep_with_s: a i o u è s
        let keep =
          before == Letter.a || before == Letter.i || before == Letter.o || before == Letter.u
          || before == Letter.eGrave || before == Letter.s
        if !keep || (at >= 2 && p[at - 2] == Letter.upperH && before == Letter.i) {
          n = at
        }
      }
    }
    guard n >= pV else { return }
    let found = tables.residual.longest(packedEnd(n, limit: pV), p, end: n, limit: pV)
    guard found.length > 0 else { return }
    let start = n - found.length
    switch found.action {
    case FrenchSuffixTables.Residual.ion:
      if p2 <= start && start > pV && (p[start - 1] == Letter.s || p[start - 1] == Letter.t) {
        n = start
      }
    case FrenchSuffixTables.Residual.ier:
      replace(at: start, Letter.i)
    default:  // Residual.e
      n = start
    }
  }

  /// `un_double`: -enn -onn -ett -ell -eill lose their last letter.
  @inline(__always)
  mutating func unDouble() {
    guard n >= 3 else { return }
    let last = p[n - 1]
    let before = p[n - 2]
    let third = p[n - 3]
    if last == Letter.n && before == Letter.n {
      if third == Letter.e || third == Letter.o { n -= 1 }
    } else if last == Letter.t && before == Letter.t {
      if third == Letter.e { n -= 1 }
    } else if last == Letter.l && before == Letter.l {
      if third == Letter.e || (third == Letter.i && n >= 4 && p[n - 4] == Letter.e) { n -= 1 }
    }
  }

  /// `un_accent`: é or è before the final run of non-vowels becomes e.
  @inline(__always)
  mutating func unAccent() {
    var k = n
    while k > 0 && !frenchIsVowel(p[k - 1]) { k -= 1 }
    guard k < n && k > 0 else { return }
    if p[k - 1] == Letter.eAcute || p[k - 1] == Letter.eGrave { p[k - 1] = Letter.e }
  }

  /// `postlude` fused with UTF-8 encoding: writes the stem to `bytes` (room for four bytes per
  /// character) and returns the number of bytes written.
  @inline(__always)
  func encodeStem(into bytes: UnsafeMutableRawPointer) -> Int {
    var k = 0
    var out = 0
    while k < n {
      var c = p[k]
      k += 1
      if c < 0x80 {
        if c <= Letter.upperY {
          switch c {
          case Letter.upperI: c = Letter.i
          case Letter.upperU: c = Letter.u
          case Letter.upperY: c = Letter.y
          case Letter.upperH:
            if k < n && p[k] == Letter.e {
              c = Letter.eDiaeresis
              k += 1
            } else if k < n && p[k] == Letter.i {
              c = Letter.iDiaeresis
              k += 1
            } else {
              continue  // a lone H is dropped
            }
          default: break
          }
        }
      }
      if c < 0x80 {
        bytes.storeBytes(of: UInt8(truncatingIfNeeded: c), toByteOffset: out, as: UInt8.self)
        out += 1
      } else if c < 0x800 {
        put(bytes, out, 0xC0 | c >> 6)
        put(bytes, out + 1, 0x80 | c & 0x3F)
        out += 2
      } else if c < 0x1_0000 {
        put(bytes, out, 0xE0 | c >> 12)
        put(bytes, out + 1, 0x80 | (c >> 6) & 0x3F)
        put(bytes, out + 2, 0x80 | c & 0x3F)
        out += 3
      } else {
        put(bytes, out, 0xF0 | c >> 18)
        put(bytes, out + 1, 0x80 | (c >> 12) & 0x3F)
        put(bytes, out + 2, 0x80 | (c >> 6) & 0x3F)
        put(bytes, out + 3, 0x80 | c & 0x3F)
        out += 4
      }
    }
    return out
  }

  /// Stores the low byte of `value` at `offset`.
  @inline(__always)
  func put(_ bytes: UnsafeMutableRawPointer, _ offset: Int, _ value: UInt32) {
    bytes.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: offset, as: UInt8.self)
  }
}
