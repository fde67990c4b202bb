// Code points ↔ UTF-8 offsets, checked against a brute force over Swift's unicodeScalars
// (the prefix's UTF-8 length), and the CRLF countings of .qdpx sources.
import Foundation
import Testing
import VerbatimCoding
import VerbatimTestSupport

@Suite struct REFIOffsetsTests {
  @Test func documentedExample() {
    let offsets = CodePointOffsets("Été 😀!")
    #expect(offsets.codePointCount == 6)
    #expect(offsets.utf8Offset(ofCodePoint: 4) == 6)
    #expect(offsets.codePoint(ofUTF8Offset: 10) == 5)
    #expect(offsets.codePoint(ofUTF8Offset: 7) == nil)
    #expect(offsets.utf8Offset(ofCodePoint: 7) == nil)
    #expect(offsets.codePoint(ofUTF8Offset: 11) == 6)
  }

  @Test func decomposedAccentsAreTwoCodePoints() {
    let text = "e\u{301}t\u{E9}"  // "ét" with a combining accent, then a precomposed "é"
    let offsets = CodePointOffsets(text)
    #expect(offsets.codePointCount == 4)
    #expect(offsets.utf8Offset(ofCodePoint: 2) == 3)
    #expect(offsets.utf8Offset(ofCodePoint: 3) == 4)
  }

  @Test func randomTextsAgreeWithBruteForce() {
    let alphabet: [Unicode.Scalar] = ["a", "é", "\u{301}", "😀", "\r", "\n", " ", "œ", "\u{202F}", "’", "漢"]
    var generator = SplitMix64(seed: 7)
    for _ in 0..<200 {
      let length = Int(generator.next() % 40)
      var scalars = String.UnicodeScalarView()
      for _ in 0..<length { scalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
      let text = String(scalars)
      let offsets = CodePointOffsets(text)
      let all = Array(text.unicodeScalars)
      #expect(offsets.codePointCount == all.count)
      for position in 0...all.count {
        let expected = String(String.UnicodeScalarView(all[0..<position])).utf8.count
        #expect(offsets.utf8Offset(ofCodePoint: position) == expected)
        #expect(offsets.codePoint(ofUTF8Offset: expected) == position)
      }
    }
  }

  @Test func crlfCountsTwoOrOne() {
    let source = REFISourceText("a\r\nbé")
    #expect(source.stored == "a\nbé")
    #expect(source.hasCarriageReturns)
    #expect(source.positionCount(counting: .twoPositions) == 5)
    #expect(source.positionCount(counting: .onePosition) == 4)
    #expect(source.utf8Offset(ofPosition: 4, counting: .twoPositions) == 3)
    #expect(source.utf8Offset(ofPosition: 3, counting: .onePosition) == 3)
    #expect(source.utf8Offset(ofPosition: 2, counting: .twoPositions) == 1)  // between CR and LF
    #expect(source.utf8Offset(ofPosition: 5, counting: .twoPositions) == 5)
  }

  @Test func bomIsDroppedAndLoneCRBecomesLF() {
    let source = REFISourceText("\u{FEFF}x\ry")
    #expect(source.stored == "x\ny")
    #expect(source.positionCount(counting: .twoPositions) == 3)
    #expect(source.positionCount(counting: .onePosition) == 3)
  }

  @Test func detectionUsesNamesBoundariesAndBounds() {
    let text = REFISourceText("Ligne un.\r\nLigne deux, bien plus longue.\r\nFin.")
    // No CR: always the standard.
    #expect(REFISourceText("abc").detectCounting(selections: []) == .twoPositions)
    // "Ligne deux" starts at 11 counting two, 10 counting one.
    #expect(text.detectCounting(selections: [.init(start: 11, end: 21, name: "Ligne deux")]) == .twoPositions)
    #expect(text.detectCounting(selections: [.init(start: 10, end: 20, name: "Ligne deux")]) == .onePosition)
    // Without names, a boundary between CR and LF betrays one-position counting.
    #expect(text.detectCounting(selections: [.init(start: 10, end: 12, name: nil)]) == .onePosition)
    // Ties go to the standard.
    #expect(text.detectCounting(selections: [.init(start: 0, end: 5, name: nil)]) == .twoPositions)
    // An end past the text counted one way leaves the other.
    let count = text.positionCount(counting: .twoPositions)
    #expect(text.detectCounting(selections: [.init(start: 0, end: count, name: nil)]) == .twoPositions)
  }

  /// The reference: a table of stored offsets per position, built scalar by scalar.
  private func referenceTable(_ text: String, onePosition: Bool) -> (stored: String, offsets: [Int]) {
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    var stored = String.UnicodeScalarView()
    var offsets: [Int] = []
    var offset = 0
    var index = 0
    while index < scalars.count {
      if scalars[index] == "\r" {
        offsets.append(offset)
        if index + 1 < scalars.count && scalars[index + 1] == "\n" {
          if !onePosition { offsets.append(offset) }
          index += 1
        }
        stored.append("\n")
        offset += 1
      } else {
        offsets.append(offset)
        stored.append(scalars[index])
        offset += String(scalars[index]).utf8.count
      }
      index += 1
    }
    offsets.append(offset)
    return (String(stored), offsets)
  }

  @Test func batchConversionsAgreeWithReferenceTables() {
    let alphabet: [Unicode.Scalar] = ["a", "é", "\u{301}", "😀", "\r", "\n", " ", "\u{FEFF}", "漢"]
    var generator = SplitMix64(seed: 11)
    for round in 0..<300 {
      let length = Int(generator.next() % 30)
      var scalars = String.UnicodeScalarView()
      if round % 3 == 0 { scalars.append("\u{FEFF}") }
      for _ in 0..<length { scalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
      let text = String(scalars)
      let source = REFISourceText(text)
      for onePosition in [false, true] {
        let counting: REFILineEndCounting = onePosition ? .onePosition : .twoPositions
        let (stored, table) = referenceTable(text, onePosition: onePosition)
        #expect(source.stored == stored)
        #expect(source.positionCount(counting: counting) == table.count - 1)
        let positions = Array(-1...(table.count + 1)).shuffled(using: &generator)
        let got = source.utf8Offsets(ofPositions: positions, counting: counting)
        for (position, offset) in zip(positions, got) {
          #expect(offset == (position >= 0 && position < table.count ? table[position] : nil), "\(round) \(position)")
        }
      }
      // UTF-8 offsets → code points, in one pass, against the table-based CodePointOffsets.
      let offsets = CodePointOffsets(text)
      let bytes = Array(-1...(text.utf8.count + 1)).shuffled(using: &generator)
      let points = CodePointOffsets.codePoints(ofUTF8Offsets: bytes, in: text)
      for (byte, point) in zip(bytes, points) {
        #expect(point == offsets.codePoint(ofUTF8Offset: byte), "\(round) \(byte)")
      }
    }
  }
}
