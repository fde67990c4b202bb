import Foundation
import Testing

@testable import VerbatimCorpus

/// `.srt` and `.vtt`: cues become turns with their times.
@Suite struct ImportSubtitleTests {
  func importOne(_ text: String, named name: String) throws -> ImportedDocument {
    let documents = try ImportFixtures.importFile(try ImportFixtures.write(text, named: name))
    try #require(documents.count == 1)
    return documents[0]
  }

  func texts(_ document: ImportedDocument) -> [String] {
    document.turns.map { ImportFixtures.slice(document.text, $0.range) }
  }

  @Test func srtCuesSpeakersAndMarkup() throws {
    let srt = """
      1\r
      00:00:01,000 --> 00:00:04,500\r
      Enquêtrice : Vous avez <i>renouvelé</i>\r
      le parc ?\r
      \r
      2\r
      00:00:05,000 --> 00:00:07,250\r
      {\\an8}Élue : Oui, en 2022.\r
      \r
      3\r
      00:00:07,300 --> 00:00:09,000\r
      Et les tablettes aussi.\r
      \r
      """
    let document = try importOne(srt, named: "entretien.srt")
    #expect(document.format == "srt")
    #expect(document.text == "Enquêtrice : Vous avez renouvelé\nle parc ?\n\nÉlue : Oui, en 2022.\n\nEt les tablettes aussi.")
    #expect(document.turns.map(\.speaker) == ["Enquêtrice", "Élue", "Élue"])
    #expect(texts(document) == ["Vous avez renouvelé\nle parc ?", "Oui, en 2022.", "Et les tablettes aussi."])
    #expect(document.turns.map(\.startTime) == [1.0, 5.0, 7.3])
    #expect(document.turns.map(\.endTime) == [4.5, 7.25, 9.0])
    #expect(document.turns[0].labelRange.map { ImportFixtures.slice(document.text, $0) } == "Enquêtrice :")
    #expect(document.turns[2].labelRange == nil)
    expectCoverage(document.text, document.turns)
  }

  @Test func srtWithoutSpeakers() throws {
    let document = try importOne("1\n00:00:01,000 --> 00:00:02,000\nBonjour.\n\n2\n00:00:02,000 --> 00:00:03,000\nAu revoir.\n", named: "a.srt")
    #expect(document.turns.map(\.speaker) == [nil, nil])
    #expect(texts(document) == ["Bonjour.", "Au revoir."])
  }

  @Test func vttVoicesNotesAndEntities() throws {
    let vtt = """
      WEBVTT - entretien 3
      Kind: captions

      NOTE Ceci est une note
      sur deux lignes.

      STYLE
      ::cue { color: yellow }

      intro
      00:01.000 --> 00:04.000 align:start position:10%
      <v Enquêtrice>Vous avez <b>renouvelé</b> le parc ?</v>

      00:00:04.500 --> 00:00:06.000
      <v.loud Élue>Oui &amp; non.
      <v Enquêtrice>Pourquoi ?

      00:00:06.000 --> 00:00:08.000
      <c.yellow>Parce que</c> <00:00:07.000>le budget.

      00:00:08.000 --> 00:00:09.000
      Maire : Exactement.
      """
    let document = try importOne(vtt, named: "entretien.vtt")
    #expect(document.format == "vtt")
    #expect(
      document.text
        == "Vous avez renouvelé le parc ?\n\nOui & non.\nPourquoi ?\n\nParce que le budget.\n\nMaire : Exactement.")
    #expect(document.turns.map(\.speaker) == ["Enquêtrice", "Élue", "Enquêtrice", "Enquêtrice", "Maire"])
    #expect(texts(document) == ["Vous avez renouvelé le parc ?", "Oui & non.", "Pourquoi ?", "Parce que le budget.", "Exactement."])
    #expect(document.turns.map(\.startTime) == [1.0, 4.5, 4.5, 6.0, 8.0])
    #expect(document.turns.map(\.endTime) == [4.0, 6.0, 6.0, 8.0, 9.0])
    #expect(document.turns[0].labelRange == nil)
    expectCoverage(document.text, document.turns)
  }

  @Test func badTimestampsNameTheLine() throws {
    let srt = "1\n00:00:01,000 --> 00:00:02,000\nBonjour.\n\n2\n00:00:61,000 --> 00:00:62,000\nSuite.\n"
    #expect(
      ImportFixtures.importError(try ImportFixtures.write(srt, named: "bad.srt"))
        == .malformed(path: "bad.srt", line: 6, reason: "bad timestamp: expected hh:mm:ss,mmm or hh:mm:ss.mmm"))
    let backwards = "1\n00:00:05,000 --> 00:00:02,000\nBonjour.\n"
    guard case .malformed("back.srt", 2, _)? = ImportFixtures.importError(try ImportFixtures.write(backwards, named: "back.srt"))
    else {
      Issue.record("expected malformed on line 2")
      return
    }
    let noTiming = "1\n00:00:01,000 --> 00:00:02,000\nBonjour.\n\nSuite sans minutage.\nEncore.\n"
    guard case .malformed("no.srt", 5, _)? = ImportFixtures.importError(try ImportFixtures.write(noTiming, named: "no.srt"))
    else {
      Issue.record("expected malformed on line 5")
      return
    }
    let vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nBonjour.\n\n00:02.0000 --> 00:03.000\nSuite.\n"
    guard case .malformed("bad.vtt", 6, _)? = ImportFixtures.importError(try ImportFixtures.write(vtt, named: "bad.vtt"))
    else {
      Issue.record("expected malformed on line 6")
      return
    }
    let header = "00:01.000 --> 00:02.000\nBonjour.\n"
    #expect(
      ImportFixtures.importError(try ImportFixtures.write(header, named: "h.vtt"))
        == .malformed(path: "h.vtt", line: 1, reason: "a WebVTT file must start with `WEBVTT`"))
  }

  @Test func emptySubtitles() throws {
    #expect(ImportFixtures.importError(try ImportFixtures.write("WEBVTT\n\n", named: "e.vtt")) == .empty(path: "e.vtt"))
    #expect(
      ImportFixtures.importError(try ImportFixtures.write("1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n", named: "e.srt"))
        == .empty(path: "e.srt"))
  }

  @Test(arguments: [
    ("00:00:01,000", 1.0), ("00:00:01.5", 1.5), ("01:02:03,004", 3723.004), ("02:03.250", 123.25), ("100:00:00.000", 360_000.0),
  ])
  func timestamps(field: String, seconds: Double) {
    #expect(SubtitleImporter.seconds(field) == seconds)
  }

  @Test(arguments: ["00:00:60,000", "0:0:1", "1:02:03:04", "aa:bb:cc,ddd", "00:00:01,0000", "00:60:00.000", ""])
  func badTimestamps(field: String) {
    #expect(SubtitleImporter.seconds(field) == nil)
  }
}
