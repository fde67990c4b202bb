import Foundation
import Testing
import VerbatimTestSupport

@testable import VerbatimCorpus

/// The turns of a text as (speaker, label text, turn text) triples.
private func described(_ text: String, parser: SpeakerTurnParser? = nil) throws -> [(String?, String?, String)] {
  let parser = try parser ?? SpeakerTurnParser()
  let turns = parser.turns(in: text)
  expectCoverage(text, turns)
  return turns.map { turn in
    (turn.speaker, turn.labelRange.map { ImportFixtures.slice(text, $0) }, ImportFixtures.slice(text, turn.range))
  }
}

/// Turns are ordered and disjoint, and every non-whitespace byte lies in a turn or a label.
func expectCoverage(_ text: String, _ turns: [Turn], sourceLocation: SourceLocation = #_sourceLocation) {
  let bytes = Array(text.utf8)
  var covered = [Bool](repeating: false, count: bytes.count)
  var previousEnd = 0
  for turn in turns {
    let start = turn.labelRange?.lowerBound ?? turn.range.lowerBound
    #expect(start >= previousEnd, "turns overlap or are out of order", sourceLocation: sourceLocation)
    #expect(turn.range.upperBound <= bytes.count, sourceLocation: sourceLocation)
    if let label = turn.labelRange {
      #expect(label.upperBound <= turn.range.lowerBound, sourceLocation: sourceLocation)
      for index in label { covered[index] = true }
    }
    for index in turn.range { covered[index] = true }
    previousEnd = turn.range.upperBound
  }
  let text = String(decoding: bytes, as: UTF8.self)
  var offset = 0
  for scalar in text.unicodeScalars {
    let width = UTF8.width(scalar)
    if !scalar.properties.isWhitespace && !covered[offset] {
      Issue.record("byte \(offset) is in no turn", sourceLocation: sourceLocation)
      return
    }
    offset += width
  }
}

@Suite struct SpeakerTurnTests {
  @Test func colonWithAndWithoutSpace() throws {
    let text = "Enquêtrice : Bonjour, merci.\nInterlocuteur 1: Bonjour.\n"
    let turns = try described(text)
    #expect(turns.map(\.0) == ["Enquêtrice", "Interlocuteur 1"])
    #expect(turns.map(\.1) == ["Enquêtrice :", "Interlocuteur 1:"])
    #expect(turns.map(\.2) == ["Bonjour, merci.", "Bonjour."])
    // Exact offsets: the range starts after the label and its space, and ends before the LF.
    let parsed = try SpeakerTurnParser().turns(in: text)
    #expect(parsed[0].labelRange == 0..<13)
    #expect(parsed[0].range == 14..<29)
    #expect(parsed[1].range == 47..<55)
  }

  /// The example of ``SpeakerTurnParser/turns(in:)``'s documentation.
  @Test func documentationExample() throws {
    let turns = try SpeakerTurnParser().turns(in: "Enquêtrice : Bonjour.\nÉlue : Oui.\nEt puis…")
    #expect(turns.map(\.speaker) == ["Enquêtrice", "Élue"])
    #expect(turns.map(\.range) == [14..<22, 31..<46])
    #expect(turns.map(\.labelRange) == [0..<13, 23..<30])
  }

  @Test func unlabelledLinesContinueTheTurnAndTextBeforeTheFirstLabelHasNoSpeaker() throws {
    let text = """
      Entretien du 12 mars, enregistré à la mairie.

      Enquêtrice : Première question.
      Elle continue ici.

      Et dans un autre paragraphe.
      Élue : Réponse.


      """
    let turns = try described(text)
    #expect(turns.map(\.0) == [nil, "Enquêtrice", "Élue"])
    #expect(turns[0].2 == "Entretien du 12 mars, enregistré à la mairie.")
    #expect(turns[1].2 == "Première question.\nElle continue ici.\n\nEt dans un autre paragraphe.")
    #expect(turns[2].2 == "Réponse.")
  }

  @Test func eachLabelStartsATurnEvenForTheSameSpeaker() throws {
    let turns = try described("Élue : Un.\nÉlue : Deux.")
    #expect(turns.map(\.2) == ["Un.", "Deux."])
  }

  @Test func labelAloneOnItsLineAndEmptyTurns() throws {
    let turns = try described("Enquêtrice :\nBonjour.\n\nÉlue :\nOui.\nMaire :\nÉlu : Non.")
    #expect(turns.map(\.0) == ["Enquêtrice", "Élue", "Maire", "Élu"])
    #expect(turns.map(\.2) == ["Bonjour.", "Oui.", "", "Non."])
    let parsed = try SpeakerTurnParser().turns(in: "Maire :\nÉlu : Non.")
    #expect(parsed[0].range == 7..<7)
  }

  @Test(arguments: [
    ("[00:12:03] Élue : Alors.", "Élue", 723.0),
    ("(00:12:03) Élue : Alors.", "Élue", 723.0),
    ("00:12:03 Élue : Alors.", "Élue", 723.0),
    ("00:12:03 - Élue : Alors.", "Élue", 723.0),
    ("[12:03] Interlocuteur 2: Alors.", "Interlocuteur 2", 723.0),
    ("[01:00:00.5] Maire : Alors.", "Maire", 3600.5),
    ("[00:00:07,250] **Maire** : Alors.", "Maire", 7.25),
  ])
  func timestampedLabels(line: String, speaker: String, seconds: Double) throws {
    let parsed = try SpeakerTurnParser().turns(in: line)
    #expect(parsed.count == 1)
    #expect(parsed.first?.speaker == speaker)
    #expect(parsed.first?.startTime == seconds)
    #expect(parsed.first?.labelRange?.lowerBound == 0)
    #expect(parsed.first.map { ImportFixtures.slice(line, $0.range) } == "Alors.")
  }

  @Test func aTimestampWithoutANameIsText() throws {
    let turns = try described("Élue : Oui.\n[00:12:03] on reprend après la coupure.")
    #expect(turns.count == 1)
    #expect(turns[0].2 == "Oui.\n[00:12:03] on reprend après la coupure.")
  }

  @Test(arguments: [
    ("**Enquêtrice** : Bonjour.", "Enquêtrice", "**Enquêtrice** :"),
    ("**Enquêtrice :** Bonjour.", "Enquêtrice", "**Enquêtrice :**"),
    ("**Enquêtrice:** Bonjour.", "Enquêtrice", "**Enquêtrice:**"),
    ("**Interlocuteur 1**: Bonjour.", "Interlocuteur 1", "**Interlocuteur 1**:"),
  ])
  func markdownBoldLabels(line: String, speaker: String, label: String) throws {
    let turns = try described(line)
    #expect(turns.count == 1)
    #expect(turns.first?.0 == speaker)
    #expect(turns.first?.1 == label)
    #expect(turns.first?.2 == "Bonjour.")
  }

  @Test func boldTextThatIsNotALabel() throws {
    #expect(try described("**Important** : relire.").first?.0 == nil)
    #expect(try described("**Il a dit** : oui.").first?.0 == nil)
  }

  @Test func questionAndAnswer() throws {
    let turns = try described("Q : Vous êtes élue depuis quand ?\nR : Depuis 2020.\nQ. Et avant ?\nR. Rien.\nQ: Merci.")
    #expect(turns.map(\.0) == ["Q", "R", "Q", "R", "Q"])
    #expect(turns.map(\.2) == ["Vous êtes élue depuis quand ?", "Depuis 2020.", "Et avant ?", "Rien.", "Merci."])
  }

  @Test func labelsWithLongDescriptions() throws {
    let text = """
      M. Erwann Binet, rapporteur de la commission des lois : Monsieur le président, chers collègues.
      Dominique Bertinotti, ministre déléguée chargée de la famille.: Merci.
      Jean-Marc Ayrault, Premier ministre. ...: Oui.
      Marie-Françoise Clergeau,, rapporteure pour avis.: Non.
      Jean-Yves Le Bouillonnec,.: Bien.
      Axelle Lemaire, rapporteure pour avis de la commission des lois constitutionnelles, de la législation et de l'administration générale de la République: Texte.
      """
    let turns = try described(text)
    #expect(
      turns.map(\.0) == [
        "M. Erwann Binet", "Dominique Bertinotti", "Jean-Marc Ayrault", "Marie-Françoise Clergeau",
        "Jean-Yves Le Bouillonnec", "Axelle Lemaire",
      ])
    #expect(turns[0].1 == "M. Erwann Binet, rapporteur de la commission des lois :")
    #expect(turns[0].2 == "Monsieur le président, chers collègues.")
    #expect(turns[5].2 == "Texte.")
  }

  @Test(arguments: [
    ("L1: bon alors", "L1"), ("SPEAKER_00: bon alors", "SPEAKER_00"), ("0: bon alors", "0"),
    ("non_native: bon alors", "non_native"), ("spk2: bon alors", "spk2"), ("S1 : bon alors", "S1"),
  ])
  func identifierLabels(line: String, speaker: String) throws {
    #expect(try described(line).map(\.0) == [speaker])
  }

  @Test(arguments: [
    ("le président : La séance est ouverte.", "le président"),
    ("la présidente : La parole est à M. Mariton.", "la présidente"),
    ("le président M le président: Bien.", "le président M le président"),
    ("Le maire : Oui.", "Le maire"), ("Un élu : Oui.", "Un élu"), ("Une participante : Oui.", "Une participante"),
    ("L'enquêtrice : Oui.", "L'enquêtrice"), ("Plusieurs députés du groupe SRC : Très bien !", "Plusieurs députés du groupe SRC"),
    ("De nombreux députés des groupes UMP et UDI: Bravo !", "De nombreux députés des groupes UMP et UDI"),
    ("Ma mère : Oui.", "Ma mère"), ("Tout le monde : (rires)", "Tout le monde"),
  ])
  func articleAndRoleLabels(line: String, speaker: String) throws {
    #expect(try described(line).map(\.0) == [speaker])
  }

  @Test(arguments: [
    "Élu.e : Ah, si on est piraté, on rend les armes.", "Agent.e de DSI : La tendance.",
    "Interlocuteur (commune entre 2000 et 3500 habitants) : ça a pris du temps",
    "Interlocuteur (EPCI environ 50\u{202F}000 habitants) : oui", "Élu en charge du numérique : de faire",
    "Mme Le Gall : oui", "Dr. Martin : oui", "J.-P. Durand : oui", "Enquêtrice\u{00A0}: oui", "Enquêtrice\u{202F}: oui",
    "Enquêtrice\t: oui", "  Élue : indentée", "Enq. : Bonjour", "Int. : oui", "Intervenant·e 2 : oui",
    "Maire adjoint : oui", "Conseillère déléguée : oui", "Chargée de mission numérique : oui",
    "Responsable produit : oui", "Jean, retraité : oui", "Sophie, 45 ans, infirmière : oui",
  ])
  func labelsOfTheShippedCorpusAndFrenchTypography(line: String) throws {
    let turns = try described(line)
    #expect(turns.count == 1)
    #expect(turns.first?.0 != nil, "\(line)")
  }

  /// Colons that are not labels: the whole line stays text (one turn without a speaker).
  @Test(arguments: [
    "Il a dit : oui", "Note : voir plus loin", "Exemple : les tablettes", "Remarque : à vérifier",
    "Alors voilà : on a renouvelé", "Mais les Français ne sont pas dupes : non", "Le problème : le budget",
    "Les avantages : rapide", "C'est simple : on paie", "Je pense : non", "Elle m'a dit : « venez »",
    "Pourquoi ? : parce que", "Il est 14:30 : on commence", "http://example.org : lien", "Voilà : c'est tout",
    "Pour résumer : rien", "Bonjour à tous, je suis élue : oui", "Jeanne répondit : oui", "Duroy demanda : quoi ?",
    "Christophe haussa les épaules : bon", "Soyons clairs : non", "Disons-le : non", "Souvenez-vous : hier",
    "Premièrement : le parc", "Petite parenthèse : hors sujet", "Date : 12 mars 2023", "Lieu : mairie",
    "Maire:texte collé", "10:30 réunion", "Pire : rien", "Prochaine séance, demain, à neuf heures trente : ordre du jour",
    "Un jour : il pleuvait", "Deux choses : le coût et le temps", "on a dit : non", "euh : non",
    "Un, deux, trois, quatre, cinq, six, sept, huit, neuf, dix, onze, douze et treize : non",
    "Interlocuteur un deux trois quatre cinq six sept huit neuf dix onze douze : trop long",
    "Marie, qui travaille à la mairie, explique : non", "Madame, vous dites : oui", "“Citation” : non",
    "Lundi 12 mars : réunion", "Bien. : non", "Fin. Début : non",
  ])
  func sentencesWithAColonAreNotLabels(line: String) throws {
    let turns = try described(line)
    #expect(turns.count == 1)
    #expect(turns.first?.0 == nil, "\(line)")
    #expect(turns.first?.2 == line)
  }

  @Test func aSentenceWithAColonContinuesTheCurrentTurn() throws {
    let turns = try described("Élue : On a renouvelé le parc.\nLe problème : le budget.\nNote : voir plus loin.")
    #expect(turns.count == 1)
    #expect(turns[0].2 == "On a renouvelé le parc.\nLe problème : le budget.\nNote : voir plus loin.")
  }

  @Test func aColonInsideASentenceIsNeverALabel() throws {
    let turns = try described("Élue : Il y a deux choses : le coût, et le temps : voilà.")
    #expect(turns.map(\.0) == ["Élue"])
    #expect(turns[0].2 == "Il y a deux choses : le coût, et le temps : voilà.")
  }

  @Test func doubledColonKeepsTheWholeLabel() throws {
    let text = "Plusieurs députés du groupe SRC :: Oui !"
    let turns = try described(text)
    #expect(turns.first?.0 == "Plusieurs députés du groupe SRC")
    #expect(turns.first?.1 == "Plusieurs députés du groupe SRC ::")
    #expect(turns.first?.2 == "Oui !")
  }

  @Test func extraPatternIsTriedFirst() throws {
    let parser = try SpeakerTurnParser(extraPattern: #"^([A-Z]{2,3}) > "#)
    let turns = try described("ENQ > Bonjour.\nINT > Oui.\nÉlue : Aussi.", parser: parser)
    #expect(turns.map(\.0) == ["ENQ", "INT", "Élue"])
    #expect(turns.map(\.1) == ["ENQ >", "INT >", "Élue :"])
    #expect(turns.map(\.2) == ["Bonjour.", "Oui.", "Aussi."])
  }

  @Test func extraPatternErrors() {
    #expect(throws: ImportError.self) { try SpeakerTurnParser(extraPattern: "([A-Z") }
    #expect(throws: ImportError.self) { try SpeakerTurnParser(extraPattern: "[A-Z]+ >") }
    #expect((try? SpeakerTurnParser(extraPattern: "")) != nil)
  }

  @Test func emptyAndBlankTexts() throws {
    #expect(try SpeakerTurnParser().turns(in: "").isEmpty)
    #expect(try SpeakerTurnParser().turns(in: " \n\n\t\n").isEmpty)
  }

  /// Seeded random mixes of labels, sentences and blank lines never break the invariants.
  @Test func randomTranscriptsAreCovered() throws {
    var random = SplitMix64(seed: 3)
    let pieces = [
      "Enquêtrice : Bonjour.", "Élue :", "Il a dit : oui.", "", "  ", "[00:01:02] Maire : Oui.", "**Q** : Et ?",
      "R. Non.", "Note : voir.", "texte libre", "L1: euh", "M. Binet, rapporteur : bien", "\u{00A0}", ":", " : ",
      "**", "[00:0", "Élue\u{202F}:", "é", "Q.", "***", "(12:00)", "le président :", "a : b : c",
    ]
    let parser = try SpeakerTurnParser()
    for _ in 0..<300 {
      let count = Int(random.next() % 12)
      let text = (0..<count).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }
        .joined(separator: random.next() % 2 == 0 ? "\n" : "\n\n")
      expectCoverage(text, parser.turns(in: text))
    }
  }

  /// On novels and parliamentary sentences (no speaker labels at all), at most one line in a
  /// thousand is taken for a label.
  @Test(
    .enabled(
      if: FileManager.default.fileExists(atPath: ImportFixtures.shared.appendingPathComponent("corpora/bench-pool").path),
      "../shared/corpora/bench-pool not found: skipped"))
  func fewFalseLabelsInProse() throws {
    let root = ImportFixtures.shared.appendingPathComponent("corpora/bench-pool")
    let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
      .filter { $0.pathExtension == "txt" }
    #expect(files.count > 100)
    let parser = try SpeakerTurnParser()
    var lines = 0
    var labels = 0
    for file in files {
      let text = try String(contentsOf: file, encoding: .utf8)
      lines += text.split(separator: "\n").count
      labels += parser.turns(in: text).count { $0.labelRange != nil }
    }
    #expect(lines > 100_000)
    #expect(labels * 1_000 < lines, "\(labels) labels in \(lines) lines")
  }
}

