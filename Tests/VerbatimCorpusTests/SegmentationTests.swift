import Foundation
import Testing
import VerbatimAnalysis
@testable import VerbatimCorpus

/// The texts of `ranges` in `text`.
private func pieces(_ text: String, _ ranges: [Range<Int>]) -> [String] {
  let bytes = Array(text.utf8)
  return ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
}

/// The sentences of `text` taken as one turn.
private func sentences(_ text: String) throws -> [String] {
  let segmenter = try Segmenter()
  return pieces(text, segmenter.sentenceRanges(in: text, turnRange: 0..<text.utf8.count))
}

@Suite struct SegmentationSentenceTests {
  @Test(arguments: [
    ("M. Dupont est venu. Il a dit non.", ["M. Dupont est venu.", "Il a dit non."]),
    ("MM. Durand et Martin sont là. Bien.", ["MM. Durand et Martin sont là.", "Bien."]),
    ("Mme. Martin arrive. Mme Durand aussi.", ["Mme. Martin arrive.", "Mme Durand aussi."]),
    ("Mlle. Leroy répond. Dr. House aussi.", ["Mlle. Leroy répond.", "Dr. House aussi."]),
    ("Voir p. 12 du rapport. Et cf. Annexe 2.", ["Voir p. 12 du rapport.", "Et cf. Annexe 2."]),
    ("Lire pp. 12-15. Puis le n°. 5 suit.", ["Lire pp. 12-15.", "Puis le n°. 5 suit."]),
    ("J.-P. Martin est là. Il parle.", ["J.-P. Martin est là.", "Il parle."]),
    ("Voir l'art. 3 du code. C'est de l'art. Puis rien.", ["Voir l'art. 3 du code.", "C'est de l'art.", "Puis rien."]),
  ])
  func abbreviationsDoNotEndSentences(text: String, expected: [String]) throws {
    #expect(try sentences(text) == expected)
  }

  @Test func etcEndsASentenceOnlyBeforeACapital() throws {
    #expect(
      try sentences("Des tablettes, des écrans, etc. Puis on verra.")
        == ["Des tablettes, des écrans, etc.", "Puis on verra."])
    #expect(try sentences("Des tablettes, etc. et puis voilà.") == ["Des tablettes, etc. et puis voilà."])
  }

  @Test func frenchPunctuation() throws {
    #expect(try sentences("Ça va ? Oui ! Bon… Alors on y va.") == ["Ça va ?", "Oui !", "Bon…", "Alors on y va."])
    #expect(try sentences("Bon… alors on y va.") == ["Bon… alors on y va."])
    #expect(try sentences("« Bonjour. » Puis il part.") == ["« Bonjour. »", "Puis il part."])
    #expect(try sentences("c'est bien ... Mais non.") == ["c'est bien ...", "Mais non."])
    #expect(try sentences("“Bon. En présentiel. “") == ["“Bon.", "En présentiel. “"])
    #expect(try sentences("(...) Puis [...]") == ["(...)", "Puis [...]"])
  }

  @Test func rangesAreTrimmedAndParagraphsEndSentences() throws {
    let text = "  Première ligne sans point\n\nDeuxième ligne.  \n"
    let segmenter = try Segmenter()
    let ranges = segmenter.sentenceRanges(in: text, turnRange: 0..<text.utf8.count)
    #expect(pieces(text, ranges) == ["Première ligne sans point", "Deuxième ligne."])
    #expect(ranges == [2..<28, 30..<46])  // "è" takes two bytes
    #expect(segmenter.sentenceRanges(in: " \n ", turnRange: 0..<3).isEmpty)
    #expect(segmenter.sentenceRanges(in: "", turnRange: 0..<0).isEmpty)
  }

  @Test func aSentenceNeverCrossesATurn() throws {
    // "M." at the end of a turn would join "Dupont…" if the turns were one text.
    let text = "Enquêtrice : Vous parlez de M.\nÉlu : Dupont est là. Oui."
    let bytes = Array(text.utf8)
    let firstLabel = 0..<13
    let first = 14..<31
    let secondStart = bytes.count - "Dupont est là. Oui.".utf8.count
    let turns = [
      Turn(speaker: "Enquêtrice", range: first, labelRange: firstLabel),
      Turn(speaker: "Élu", range: secondStart..<bytes.count, labelRange: 32..<(secondStart - 1)),
    ]
    let units = try Segmenter().units(of: text, turns: turns)
    #expect(pieces(text, units.sentences.map(\.range)) == ["Vous parlez de M.", "Dupont est là.", "Oui."])
    #expect(units.sentences.map(\.turn) == [0, 1, 1])
    #expect(units.sentences.map(\.tokenCount) == [4, 3, 1])
    #expect(pieces(text, units.segments.map(\.range)) == ["Vous parlez de M.", "Dupont est là. Oui."])
    #expect(units.segments.map(\.turn) == [0, 1])
    #expect(units.turnTokenCounts == [4, 4])
    #expect(units.tokenCount == 8)
  }
}

@Suite struct SegmentationRuleTests {
  let rule = SegmentationRule.iramuteq

  /// Weights for `count` tokens: spaces, with `marks[k]` after token k (1-based).
  func weights(_ count: Int, _ marks: [Int: Double] = [:]) -> [Double] {
    (1...count).map { marks[$0] ?? SegmentationRule.spaceWeight }
  }

  @Test func shortRemaindersAreOneSegment() {
    #expect(rule.cutLength(gapWeights: weights(55)) == 55)
    #expect(rule.cutLength(gapWeights: weights(3)) == 3)
    #expect(rule.cutLength(gapWeights: [Double]()) == 0)
  }

  @Test func spacesOnlyCutAtTheTarget() {
    #expect(rule.cutLength(gapWeights: weights(56)) == 40)
    #expect(rule.cutLength(gapWeights: weights(200)) == 40)
  }

  @Test func theBestWeightOverDistanceWins() {
    // 6 / (|40 − 38| + 1) = 2 beats 1 / (|40 − 41| + 1) = 0.5.
    #expect(rule.cutLength(gapWeights: weights(60, [38: 6, 41: 1])) == 38)
    // A point far away (6 / 21 ≈ 0.29) loses to a comma at 40 (1 / 1).
    #expect(rule.cutLength(gapWeights: weights(60, [20: 6, 40: 1])) == 40)
    // A point at 36 (6 / 5 = 1.2) beats a comma at 40 (1).
    #expect(rule.cutLength(gapWeights: weights(60, [36: 6, 40: 1])) == 36)
    // A point at 30 (6 / 11 ≈ 0.55) beats a colon at 51 (5 / 12 ≈ 0.42).
    #expect(rule.cutLength(gapWeights: weights(70, [30: 6, 51: 5])) == 30)
    // A semicolon at 44 (4 / 5 = 0.8) beats a colon at 33 (5 / 8 = 0.625).
    #expect(rule.cutLength(gapWeights: weights(70, [33: 5, 44: 4])) == 44)
    // Beyond the window (55), a point does not count.
    #expect(rule.cutLength(gapWeights: weights(70, [56: 6])) == 40)
  }

  @Test func tiesGoToTheLongerSegment() {
    // Commas at 39 and 41 both score 1 / 2: IRaMuTeQ keeps the first found scanning backwards.
    #expect(rule.cutLength(gapWeights: weights(60, [39: 1, 41: 1])) == 41)
  }

  @Test func noCutPointCutsAtTheWindow() {
    #expect(rule.cutLength(gapWeights: [Double](repeating: 0, count: 80)) == 55)
  }

  @Test(arguments: [
    (" ", 0.01), (", ", 1.0), (" ; ", 4.0), (" : ", 5.0), (" ? ", 6.0), ("! ", 6.0), ("… ", 6.0),
    ("... ", 6.0), (". ", 0.01), ("", 0.0), ("'", 0.0), ("-", 0.0), (".-", 0.0), (",", 1.0), (" , « ", 1.0),
  ])
  func gapWeights(gap: String, weight: Double) {
    #expect(SegmentationRule.gapWeight(hasSentenceBoundary: false, scalars: gap.unicodeScalars) == weight)
  }

  @Test func aSentenceBoundaryWeighsSix() {
    #expect(SegmentationRule.gapWeight(hasSentenceBoundary: true, scalars: " ".unicodeScalars) == 6)
  }
}

@Suite struct SegmentationSegmentTests {
  /// `count` words "mot", with `after[k]` written after word k (1-based) instead of a space.
  func words(_ count: Int, after: [Int: String] = [:]) -> String {
    var text = ""
    for index in 1...count {
      text += "mot"
      if index < count { text += after[index] ?? " " }
    }
    return text
  }

  func segments(_ text: String) throws -> [TextUnit] {
    try Segmenter().segments(in: text, turnRange: 0..<text.utf8.count)
  }

  @Test func cutsAtTheSentenceEndNearestTheTarget() throws {
    // A sentence ends after word 38 (". M": the capital makes ICU end it), a comma follows word 42.
    var text = words(38) + ". " + "Mot " + words(31, after: [3: ", "])
    text += "."
    let units = try segments(text)
    #expect(units.map(\.tokenCount) == [38, 32])
    let firstEnd = 38 * 4 - 1 + 1  // 38 words and 37 spaces, then the point
    #expect(units[0].range == 0..<firstEnd)
    #expect(units[1].range == (firstEnd + 1)..<text.utf8.count)
    #expect(pieces(text, [units[1].range])[0].hasPrefix("Mot mot mot mot, mot"))
  }

  @Test func anAbbreviationPointIsNotACutPoint() throws {
    // "M." after word 38 does not end a sentence, so it weighs as a space; the comma at 41 wins.
    let text = words(37) + " M. " + words(35, after: [3: ", "])
    let units = try segments(text)
    #expect(units.map(\.tokenCount) == [41, 32])
    #expect(pieces(text, [units[0].range])[0].hasSuffix("M. mot mot mot,"))
  }

  @Test func longTurnsWithoutPunctuationCutEvery40Tokens() throws {
    let units = try segments(words(200))
    #expect(units.map(\.tokenCount) == [40, 40, 40, 40, 40])
    #expect(units[0].range == 0..<(40 * 4 - 1))
    #expect(units[1].range.lowerBound == 40 * 4)
  }

  @Test func anOpeningMarkStartsTheNextSegment() throws {
    let text = words(40, after: [40: ""]) + ", « " + words(30) + " »"
    let units = try segments(text)
    #expect(units.map(\.tokenCount) == [40, 30])
    let parts = pieces(text, units.map(\.range))
    #expect(parts[0].hasSuffix("mot,"))
    #expect(parts[1].hasPrefix("« mot"))
    #expect(parts[1].hasSuffix("mot »"))
  }

  @Test func turnsWithoutTokensAreOneSegment() throws {
    let units = try segments("  … !  ")
    #expect(units.map(\.range) == [2..<7])
    #expect(units.map(\.tokenCount) == [0])
    #expect(try segments("   ").isEmpty)
  }

  @Test func aSegmentNeverCrossesATurn() throws {
    let first = words(30)
    let second = words(30)
    let text = first + "\n" + second
    let count = first.utf8.count
    let turns = [Turn(speaker: "A", range: 0..<count), Turn(speaker: "B", range: (count + 1)..<text.utf8.count)]
    let units = try Segmenter().units(of: text, turns: turns)
    #expect(units.segments.map(\.tokenCount) == [30, 30])
    #expect(units.segments.map(\.turn) == [0, 1])
    #expect(units.segments.map(\.range) == turns.map(\.range))
  }

  /// Real turns from the shipped corpus (one per line after the front matter): units are
  /// trimmed, ordered, inside their turn, and token counts add up.
  @Test func invariantsOnTheShippedCorpus() throws {
    let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Corpus")
    let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".txt") }
    #expect(files.count == 10)
    let segmenter = try Segmenter()
    for file in files {
      let text = try String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)
      var turns: [Turn] = []
      var offset = 0
      var inFrontMatter = false
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let length = line.utf8.count
        if line == "---" { inFrontMatter.toggle() } else if !inFrontMatter && !line.isEmpty {
          turns.append(Turn(speaker: nil, range: offset..<(offset + length)))
        }
        offset += length + 1
      }
      let units = try segmenter.units(of: text, turns: turns)
      let bytes = Array(text.utf8)
      for list in [units.sentences, units.segments] {
        var previousEnd = 0
        for unit in list {
          #expect(unit.range.lowerBound >= previousEnd, "\(file)")
          #expect(turns[unit.turn].range.contains(unit.range.lowerBound), "\(file)")
          #expect(unit.range.upperBound <= turns[unit.turn].range.upperBound, "\(file)")
          #expect(bytes[unit.range.lowerBound] != 0x20 && bytes[unit.range.upperBound - 1] != 0x20, "\(file)")
          previousEnd = unit.range.upperBound
        }
        #expect(list.map(\.tokenCount).reduce(0, +) == units.tokenCount, "\(file)")
      }
      #expect(units.segments.allSatisfy { $0.tokenCount <= 55 }, "\(file)")
    }
  }
}
