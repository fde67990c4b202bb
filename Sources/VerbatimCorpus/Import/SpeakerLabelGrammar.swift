import Foundation

/// The built-in grammar of speaker labels (see ``SpeakerTurnParser`` for the conventions and
/// the cases that stay text). Works on UTF-8 bytes; builds a `String` only for a candidate.
enum SpeakerLabelGrammar {
  /// Bytes of a line looked at for a label.
  static let maximumLabelBytes = 300

  /// Recognises a label starting exactly at `start` (a non-space byte).
  static func label(
    in bytes: UnsafeBufferPointer<UInt8>, start: Int, lineEnd: Int, names: SpeakerNameCache
  ) -> SpeakerTurnParser.Label? {
    if let (time, after) = timestamp(in: bytes, at: start, lineEnd: lineEnd) {
      var position = SpeakerTurnParser.skipHorizontalSpace(bytes, from: after, to: lineEnd)
      // An optional dash between the timestamp and the name: `00:12:03 - Élue :`.
      let dashWidth = dash(in: bytes, at: position, lineEnd: lineEnd)
      if dashWidth > 0 {
        position = SpeakerTurnParser.skipHorizontalSpace(bytes, from: position + dashWidth, to: lineEnd)
      }
      guard position < lineEnd, var label = nameLabel(in: bytes, start: position, lineEnd: lineEnd, names: names) else {
        return nil
      }
      label.start = start
      label.startTime = time
      return label
    }
    return nameLabel(in: bytes, start: start, lineEnd: lineEnd, names: names)
  }

  /// A label without a timestamp: markdown bold, `Q.`/`R.`, or `Name :`.
  static func nameLabel(
    in bytes: UnsafeBufferPointer<UInt8>, start: Int, lineEnd: Int, names: SpeakerNameCache
  ) -> SpeakerTurnParser.Label? {
    let limit = min(lineEnd, start + maximumLabelBytes)
    // **Name** : and **Name :**
    if start + 1 < limit, bytes[start] == 0x2A, bytes[start + 1] == 0x2A {
      var close = start + 2
      while close + 1 < limit, !(bytes[close] == 0x2A && bytes[close + 1] == 0x2A) { close += 1 }
      guard close + 1 < limit else { return nil }
      let inner = (start + 2)..<close
      let afterBold = close + 2
      let innerEnd = SpeakerTurnParser.trimmedEnd(bytes, from: inner.lowerBound, to: inner.upperBound)
      if innerEnd > inner.lowerBound, bytes[innerEnd - 1] == 0x3A {
        guard afterBold == lineEnd || spaceWidth(bytes, at: afterBold, end: lineEnd) > 0,
          let speaker = names.speakerName(bytes, inner.lowerBound..<(innerEnd - 1))
        else { return nil }
        return .init(start: start, end: afterBold, speaker: speaker)
      }
      let colon = SpeakerTurnParser.skipHorizontalSpace(bytes, from: afterBold, to: lineEnd)
      guard colon < lineEnd, bytes[colon] == 0x3A,
        colon + 1 == lineEnd || spaceWidth(bytes, at: colon + 1, end: lineEnd) > 0,
        let speaker = names.speakerName(bytes, inner)
      else { return nil }
      return .init(start: start, end: colon + 1, speaker: speaker)
    }
    // Q. and R.
    if start + 1 < lineEnd, bytes[start] == 0x51 || bytes[start] == 0x52, bytes[start + 1] == 0x2E,
      start + 2 == lineEnd || spaceWidth(bytes, at: start + 2, end: lineEnd) > 0
    {
      return .init(start: start, end: start + 2, speaker: bytes[start] == 0x51 ? "Q" : "R")
    }
    // Name : — the first colon followed by a space or the line end.
    var index = start
    while index < limit {
      switch bytes[index] {
      case 0x3A:
        if index + 1 == lineEnd || spaceWidth(bytes, at: index + 1, end: lineEnd) > 0 {
          guard let speaker = names.speakerName(bytes, start..<index) else { return nil }
          return .init(start: start, end: index + 1, speaker: speaker)
        }
      case 0x3F, 0x21, 0x3B, 0x22:  // ? ! ; "
        return nil
      default:
        break
      }
      index += 1
    }
    return nil
  }

  /// Width of a horizontal space at `index`: space, tab, no-break, narrow no-break or thin space.
  static func spaceWidth(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, end: Int) -> Int {
    guard index < end else { return 0 }
    let byte = bytes[index]
    if byte == 0x20 || byte == 0x09 { return 1 }
    if byte == 0xC2, index + 1 < end, bytes[index + 1] == 0xA0 { return 2 }
    if byte == 0xE2, index + 2 < end, bytes[index + 1] == 0x80,
      bytes[index + 2] == 0xAF || bytes[index + 2] == 0x89
    {
      return 3
    }
    return 0
  }

  /// Width of `-`, `–` or `—` at `index`, else 0.
  private static func dash(in bytes: UnsafeBufferPointer<UInt8>, at index: Int, lineEnd: Int) -> Int {
    guard index < lineEnd else { return 0 }
    if bytes[index] == 0x2D { return 1 }
    if bytes[index] == 0xE2, index + 2 < lineEnd, bytes[index + 1] == 0x80,
      bytes[index + 2] == 0x93 || bytes[index + 2] == 0x94
    {
      return 3
    }
    return 0
  }

  /// A timestamp `[hh:mm:ss]`, `(hh:mm:ss)` or `hh:mm:ss` (also `mm:ss`, with `.5` or `,500`
  /// fractions), followed by a space (or, when bracketed, anything). Returns seconds and the
  /// offset after it.
  static func timestamp(in bytes: UnsafeBufferPointer<UInt8>, at start: Int, lineEnd: Int) -> (Double, Int)? {
    var index = start
    var closing: UInt8?
    if bytes[index] == 0x5B {
      closing = 0x5D
      index += 1
    } else if bytes[index] == 0x28 {
      closing = 0x29
      index += 1
    }
    func digits(maximum: Int) -> (value: Int, count: Int) {
      var value = 0
      var count = 0
      while index < lineEnd, count < maximum, bytes[index] >= 0x30, bytes[index] <= 0x39 {
        value = value * 10 + Int(bytes[index] - 0x30)
        count += 1
        index += 1
      }
      return (value, count)
    }
    var groups: [Int] = []
    let first = digits(maximum: 2)
    guard first.count > 0 else { return nil }
    groups.append(first.value)
    while groups.count < 3, index + 2 < lineEnd, bytes[index] == 0x3A {
      index += 1
      let group = digits(maximum: 2)
      guard group.count == 2, group.value < 60 else { return nil }
      groups.append(group.value)
    }
    guard groups.count >= 2 else { return nil }
    var seconds = Double(groups.reduce(0) { $0 * 60 + $1 })
    if index + 1 < lineEnd, bytes[index] == 0x2E || bytes[index] == 0x2C, bytes[index + 1] >= 0x30,
      bytes[index + 1] <= 0x39
    {
      index += 1
      let fraction = digits(maximum: 3)
      var scale = 1.0
      for _ in 0..<fraction.count { scale *= 10 }
      seconds += Double(fraction.value) / scale
    }
    if let closing {
      guard index < lineEnd, bytes[index] == closing else { return nil }
      return (seconds, index + 1)
    }
    guard spaceWidth(bytes, at: index, end: lineEnd) > 0 else { return nil }
    return (seconds, index)
  }

  /// The speaker named by a label body, or nil.
  ///
  ///     "Interlocuteur 1"                          → "Interlocuteur 1"
  ///     "M. Erwann Binet, rapporteur de la commission des lois" → "M. Erwann Binet"
  ///     "Il a dit"                                 → nil
  static func speakerName(forLabelBody rawBody: String) -> String? {
    var body = Substring(rawBody)
    // Trailing spaces and extra colons (`Name ::`).
    while let last = body.last, last.isWhitespace || last == ":" { body.removeLast() }
    while let first = body.first, first.isWhitespace { body.removeFirst() }
    guard !body.isEmpty, body.count <= 250 else { return nil }
    if body.unicodeScalars.contains(where: { forbiddenScalars.contains($0) }) { return nil }
    let name: Substring
    if let comma = body.firstIndex(of: ",") {
      name = trimmed(body[..<comma])
      var description = trimmed(body[body.index(after: comma)...])
      while let last = description.last, last == "." || last == "…" || last == "," || last.isWhitespace {
        description.removeLast()
      }
      let descriptionWords = words(description)
      guard words(name).count <= 6, descriptionWords.count <= 30, !description.contains("…"),
        wordsAreLabelLike(descriptionWords), dotsAreAbbreviations(description)
      else { return nil }
    } else {
      name = body
      guard words(name).count <= 11, name.count < 120 else { return nil }
    }
    guard !name.isEmpty, !name.contains("…"), isValidName(name) else { return nil }
    return String(name)
  }

  /// Whether the part before the first comma can be a speaker's name.
  static func isValidName(_ name: Substring) -> Bool {
    let nameWords = words(name)
    guard let first = nameWords.first else { return false }
    if nameWords.count == 1, isIdentifier(first) { return true }
    let lowerFirst = bare(first)
    // A one-word abbreviation is a label too: `Enq. :`, `Int. :`.
    let dotsAreFine =
      dotsAreAbbreviations(name) || (nameWords.count == 1 && name.hasSuffix(".") && dotsAreAbbreviations(name.dropLast()))
    guard wordsAreLabelLike(nameWords.dropFirst()), dotsAreFine else { return false }
    if nameWords.prefix(2).contains(where: { isHeadingNoun(bare($0)) }) { return false }
    // Elided first word: `L'enquêtrice`, `D'autres députés`; `C'est`, `J'ai`, `Qu'il` are sentences.
    if let (elision, rest) = splitElision(lowerFirst) {
      guard elision == "l" || elision == "d" else { return false }
      return isRole(rest) || hasRole(nameWords.dropFirst())
    }
    if determiners.contains(lowerFirst) || (lowerFirst.hasSuffix("ième") && lowerFirst.count > 5) {
      return hasRole(nameWords.dropFirst())
    }
    if blockedFirstWords.contains(lowerFirst) || isImperativeOrAdverb(first, next: nameWords.dropFirst().first) {
      return false
    }
    guard let scalar = first.unicodeScalars.first else { return false }
    return scalar.properties.isUppercase || scalar.properties.generalCategory == .titlecaseLetter
  }

  /// `Disons-le`, `Souvenez-vous` (a clitic after a hyphen), `Soyons clairs`, `Faites le
  /// calcul` (`-ons`, `-ez`, `-tes` before a lowercase word), `Premièrement` (an adverb alone).
  private static func isImperativeOrAdverb(_ first: Substring, next: Substring?) -> Bool {
    let lower = first.lowercased()
    if let hyphen = lower.lastIndex(of: "-"),
      ["le", "la", "les", "moi", "toi", "nous", "vous", "lui", "leur", "en", "y", "là", "ci", "même"]
        .contains(String(lower[lower.index(after: hyphen)...]))
    {
      return true
    }
    if let next, next.first?.isLowercase == true {
      if lower.hasSuffix("ons") || lower.hasSuffix("ez") || lower.hasSuffix("ites") { return true }
      // `Christophe haussa les épaules`, `Jeanne restait`, `Midi sonna`: a finite verb right
      // after a one-word name (past simple or imperfect endings).
      let verb = next.lowercased()
      if verb.count >= 4,
        ["a", "ait", "aient", "it", "ut", "int", "èrent", "irent", "urent"].contains(where: { verb.hasSuffix($0) }),
        !verbLikeLabelWords.contains(verb)
      {
        return true
      }
    }
    return next == nil && lower.count >= 8 && lower.hasSuffix("ment")
  }

  /// Label words with verb-like endings (`Maire adjoint`, `Responsable produit`).
  private static let verbLikeLabelWords: Set<String> = [
    "adjoint", "conjoint", "joint", "produit", "inscrit", "droit", "circuit", "crédit", "extrait", "portrait",
    "adroit", "conflit", "district", "gratuit", "petit", "substitut", "institut", "statut", "début", "salut",
    "quota", "agenda", "delta", "extra", "villa",
  ]

  /// A role noun within the next three words.
  private static func hasRole(_ rest: ArraySlice<Substring>) -> Bool {
    rest.prefix(3).contains { word in
      let lower = bare(word)
      if let (elision, noun) = splitElision(lower), elision == "l" || elision == "d" { return isRole(noun) }
      return isRole(lower)
    }
  }

  /// A one-word identifier: `L1`, `SPEAKER_00`, `non_native`, `spk2`, `0`.
  static func isIdentifier(_ word: Substring) -> Bool {
    guard word.utf8.count <= 32, let first = word.unicodeScalars.first else { return false }
    let scalars = word.unicodeScalars
    guard
      scalars.allSatisfy({ $0 == "_" || $0 == "-" || $0.properties.isAlphabetic || ("0"..."9").contains($0) })
    else { return false }
    let hasDigit = scalars.contains { ("0"..."9").contains($0) }
    let hasUnderscore = scalars.contains("_")
    if scalars.allSatisfy({ ("0"..."9").contains($0) }) { return scalars.count <= 3 }
    if first.properties.isUppercase { return hasDigit || hasUnderscore }
    if first.properties.isLowercase {
      // Lowercase codes need an underscore (`non_native`) or letters then digits (`spk2`).
      if hasUnderscore { return true }
      let letters = scalars.prefix { $0.properties.isAlphabetic }
      let rest = scalars.dropFirst(letters.count)
      return (1...3).contains(letters.count) && !rest.isEmpty && rest.allSatisfy { ("0"..."9").contains($0) }
    }
    return ("0"..."9").contains(first) && hasDigit
  }

  /// No sentence words (pronouns, common verbs, conjunctions) and no elided pronouns.
  private static func wordsAreLabelLike<C: Collection>(_ words: C) -> Bool where C.Element == Substring {
    for word in words {
      let hasApostrophe = word.utf8.contains(0x27) || word.contains("’")
      guard hasApostrophe || word.first?.isLowercase == true else { continue }
      let lower = bare(word)
      if hasApostrophe, let (elision, rest) = splitElision(lower) {
        if elision != "l" && elision != "d" { return false }
        if sentenceWords.contains(rest) || narrationVerbs.contains(rest) { return false }
      }
      // Only lowercase words: `A` can be a speaker, `a` is a verb.
      if word.first?.isLowercase == true, sentenceWords.contains(lower) || narrationVerbs.contains(lower) {
        return false
      }
    }
    return true
  }

  /// Every `.` is inside a word (`Élu.e`, `J.-P.`) or ends an abbreviation or an initial.
  static func dotsAreAbbreviations(_ text: Substring) -> Bool {
    var index = text.startIndex
    while let dot = text[index...].firstIndex(of: ".") {
      let next = text.index(after: dot)
      if next < text.endIndex, text[next].isLetter || text[next] == "-" {
        index = next
        continue
      }
      var wordStart = dot
      while wordStart > text.startIndex, text[text.index(before: wordStart)].isLetter {
        wordStart = text.index(before: wordStart)
      }
      let word = text[wordStart..<dot].lowercased()
      guard word.count == 1 || abbreviations.contains(word) else { return false }
      index = next
    }
    return true
  }

  /// Splits `l'école` into (`l`, `école`) for both apostrophes.
  static func splitElision(_ lower: String) -> (String, String)? {
    guard let apostrophe = lower.firstIndex(where: { $0 == "'" || $0 == "’" }) else { return nil }
    let prefix = String(lower[..<apostrophe])
    guard ["l", "d", "j", "c", "qu", "n", "s", "m", "t", "jusqu", "lorsqu", "puisqu", "quoiqu"].contains(prefix) else {
      return nil
    }
    return (prefix, String(lower[lower.index(after: apostrophe)...]))
  }

  /// A word lowercased, without surrounding brackets and punctuation.
  static func bare(_ word: Substring) -> String {
    var scalars = word.unicodeScalars[...]
    while let first = scalars.first, bareTrimmed.contains(first) { scalars.removeFirst() }
    while let last = scalars.last, bareTrimmed.contains(last) { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars)).lowercased()
  }

  private static let bareTrimmed: Set<Unicode.Scalar> = ["(", ")", "[", "]", ",", ".", " ", "\t", "\u{00A0}", "\u{202F}"]

  /// Words split on spaces, tabs and no-break spaces.
  static func words(_ text: Substring) -> [Substring] {
    var result: [Substring] = []
    var wordStart: String.Index?
    let scalars = text.unicodeScalars
    var index = scalars.startIndex
    while index < scalars.endIndex {
      let scalar = scalars[index]
      if scalar == " " || scalar == "\t" || scalar == "\u{00A0}" || scalar == "\u{202F}" || scalar == "\u{2009}" {
        if let start = wordStart {
          result.append(text[start..<index])
          wordStart = nil
        }
      } else if wordStart == nil {
        wordStart = index
      }
      index = scalars.index(after: index)
    }
    if let start = wordStart { result.append(text[start..<text.endIndex]) }
    return result
  }

  private static func trimmed(_ text: Substring) -> Substring {
    var text = text
    while let first = text.first, first.isWhitespace { text.removeFirst() }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return text
  }

  /// Whether a lowercase word is a role noun (singular or plural, masculine or feminine).
  static func isRole(_ lower: String) -> Bool {
    if roleNouns.contains(lower) { return true }
    for suffix in ["s", "x", "e", "es", ".e", ".es", ".e.s", "·e", "·es", "·e·s", "(e)", "(e)s"]
    where lower.hasSuffix(suffix) {
      if roleNouns.contains(String(lower.dropLast(suffix.count))) { return true }
    }
    return false
  }

  /// Whether a lowercase word is a heading noun (`Note`, `Exemple`, `Problème`…).
  private static func isHeadingNoun(_ lower: String) -> Bool {
    headingNouns.contains(lower) || (lower.hasSuffix("s") && headingNouns.contains(String(lower.dropLast())))
  }

  /// Characters that never appear in a label.
  private static let forbiddenScalars: Set<Unicode.Scalar> = [
    "?", "!", ";", "\"", "«", "»", "“", "”", "„", "<", ">", "{", "}", "[", "]", "=", "#", "@", "|",
    "\\", "~", "^", "$", "*", ":", "\u{0A}",
  ]

  /// Abbreviations that end with a dot inside a label (`M. Dupont`, `Mme. Le Gall`, `Dr. X`).
  private static let abbreviations: Set<String> = [
    "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "mgr", "st", "ste", "prof", "mr", "mrs", "ms",
    "jr", "sr", "cdt", "gal", "col", "cne", "lt", "adj", "dir", "resp", "dép", "vice-pdt", "pdt", "n", "no",
  ]

  /// First words that need a role noun after them to make a label (`Le maire`, `Un élu`,
  /// `Plusieurs députés`, `Ma mère`), since `Le problème`, `Un jour`, `Mon avis` start sentences.
  private static let determiners: Set<String> = [
    "le", "la", "les", "un", "une", "des", "de", "du", "mon", "ma", "mes", "ton", "ta", "tes", "son", "sa",
    "ses", "notre", "nos", "votre", "vos", "leur", "leurs", "ce", "cet", "cette", "ces", "plusieurs",
    "certains", "certaines", "quelques", "nombreux", "nombreuses", "tous", "toutes", "tout", "autre",
    "autres", "deux", "trois", "quatre", "cinq", "premier", "première", "deuxième", "second", "seconde",
    "troisième", "dernier", "dernière", "chaque", "aucun", "aucune", "prochain", "prochaine", "nouveau",
    "nouvelle", "article",
  ]

  /// Capitalised first words that start sentences, not labels.
  private static let blockedFirstWords: Set<String> = [
    // pronouns
    "je", "tu", "il", "ils", "elle", "elles", "on", "nous", "vous", "ça", "cela", "ceci", "celui", "celle",
    "ceux", "celles", "celui-ci", "celle-ci", "celui-là", "celle-là", "ceux-ci", "moi", "toi", "lui", "eux", "qui", "que", "quoi", "quel", "quelle", "quels", "quelles",
    "lequel", "laquelle", "dont", "où", "voici", "voilà",
    // discourse words and conjunctions
    "alors", "donc", "mais", "et", "ou", "or", "ni", "car", "puis", "ensuite", "enfin", "bref", "bon", "ben",
    "bah", "beh", "euh", "heu", "hein", "ah", "oh", "eh", "ha", "ho", "hum", "hm", "mmh", "ok", "okay",
    "oui", "ouais", "non", "si", "après", "avant", "pourtant", "cependant", "sinon", "ainsi", "aussi",
    "également", "finalement", "évidemment", "déjà", "maintenant", "aujourd'hui", "aujourd’hui", "hier",
    "demain", "ici", "là", "justement", "effectivement", "exactement", "vraiment", "voire", "surtout",
    "notamment", "comme", "parce", "puisque", "quand", "lorsque", "pourquoi", "comment", "combien",
    "bien", "mal", "merci", "bonjour", "bonsoir", "salut", "attends", "écoute", "écoutez", "regarde",
    "regardez", "dis", "dites", "disons", "voyons", "bref", "ensuite", "sauf", "même", "peut-être",
    // prepositions that open a sentence (`Selon lui :`, `Pour résumer :`)
    "selon", "pour", "par", "en", "dans", "sur", "sous", "avec", "sans", "chez", "vers", "entre", "contre",
    "depuis", "pendant", "malgré", "à", "au", "aux",
    // adverbs and exclamations (`Pire :`, `Peu importe :`, `Tant mieux :`)
    "pire", "peu", "tant", "pas", "plus", "moins", "très", "trop", "assez", "top", "signé", "avis", "reste",
    "restent", "restait", "juste", "soudain", "devant", "derrière", "fin", "quoique", "bravo", "hélas",
    "tiens", "allez", "voyez", "vite", "certes", "naturellement", "sûrement",
    // days and months (`Lundi 12 mars :`)
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier", "février", "mars",
    "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    // e-mail headers
    "re", "tr", "fw", "fwd", "cc", "cci", "bcc", "objet",
  ]

  /// Nouns of headings and lists (`Note :`, `Petite parenthèse :`, `Avantages :`); a name
  /// whose first or second word is one of them is not a label.
  private static let headingNouns: Set<String> = [
    "note", "nota", "nb", "n.b", "remarque", "exemple", "ex", "attention", "important", "rappel", "source",
    "voir", "cf", "ps", "p.s", "résumé", "conclusion", "objet", "objectif", "titre", "sujet", "thème",
    "date", "lieu", "durée", "heure", "horaire", "adresse", "tél", "téléphone", "email", "e-mail", "mail",
    "courriel", "site", "url", "lien", "référence", "problème", "solution", "résultat", "bilan", "avantage",
    "inconvénient", "conséquence", "définition", "idée", "conseil", "astuce", "raison", "cause", "contexte",
    "légende", "total", "parenthèse", "précision", "chose", "point", "étape", "partie", "chapitre", "section",
    "annexe", "tableau", "figure", "transcription", "entretien", "enregistrement", "fichier", "version",
    "mots-clés", "mot-clé", "question-réponse", "programme", "ordre", "sommaire", "introduction", "synthèse",
  ]

  /// Words that make a sentence rather than a label (checked on lowercase words only).
  private static let sentenceWords: Set<String> = [
    "je", "tu", "il", "ils", "elle", "elles", "on", "nous", "vous", "ça", "cela", "ceci", "qui", "que",
    "quoi", "dont", "est", "sont", "était", "étaient", "été", "être", "ai", "as", "a", "avons", "avez",
    "ont", "avait", "avaient", "aura", "suis", "es", "sommes", "êtes", "sera", "serait", "ne", "pas", "dit",
    "dis", "disait", "fait", "fais", "faisait", "faut", "faudrait", "peut", "peux", "veut", "veux", "va",
    "vais", "vont", "voilà", "voici", "y", "comme", "mais", "car", "donc", "parce", "pourquoi", "comment",
    "quand", "lorsque", "puisque", "si", "moi", "toi", "euh", "ben", "bah", "se", "lui", "me", "te", "sait",
    "sais", "savent", "dire", "faire",
  ]

  /// Verbs that introduce speech in narration (`Jeanne répondit :`, `Duroy demanda :`,
  /// `Le maire explique :`): past simple, imperfect and present third person.
  static let narrationVerbs: Set<String> = {
    let firstGroupStems = [
      "demand", "murmur", "balbuti", "ajout", "répét", "répliqu", "continu", "soupir", "affirm", "déclar",
      "expliqu", "lanc", "lanç", "hurl", "souffl", "observ", "object", "remarqu", "insist", "protest", "avou",
      "annonc", "annonç", "profér", "appel", "cri", "chuchot", "bredouill", "grogn", "rican", "exclam", "pens",
      "song", "ordonn", "rétorqu", "rappel", "précis", "commenc", "commenç", "termin", "concéd", "marmonn",
      "pleur", "tonn", "sanglot", "raill", "interrog", "questionn", "suppli", "implor", "frissonn", "trembl",
      "hésit", "bégay", "racont", "soulign", "confi", "estim", "témoign", "indiqu", "résum", "enchaîn",
      "conseill", "avertiss", "approuv", "nuanc", "insinu", "rassur", "jur", "rectifi", "complét", "expos",
      "interpell", "invectiv", "accus", "proclam", "récit", "grond", "tranch", "ironis", "plaisant",
      "chantonn", "fredonn", "gémiss", "soupç", "s'écri", "écri", "lev", "leva", "regard", "tourn", "retourn",
      "approch", "pench", "arrêt", "calm", "parl", "écout", "hoch",
    ]
    var verbs: Set<String> = []
    for stem in firstGroupStems {
      // Present forms (`-e`, `-ent`) are listed below only for verbs that are not also nouns
      // or adjectives (`formation continue`, `le calme`).
      for ending in ["a", "ait", "aient", "èrent", "ât"] { verbs.insert(stem + ending) }
    }
    verbs.formUnion([
      "dit", "disait", "dirent", "fit", "faisait", "firent", "reprit", "reprenait", "reprend", "répondit",
      "répondait", "répond", "sourit", "souriait", "gémit", "gémissait", "poursuivit", "poursuivait",
      "poursuit", "interrompit", "interrompait", "conclut", "concluait", "admit", "admet", "écrivit",
      "écrivait", "écrit", "lut", "lisait", "lit", "rugit", "glapit", "vit", "voyait", "entendit", "entendait",
      "sentit", "sentait", "sortit", "partit", "revint", "vint", "prit", "prenait", "mit", "mettait", "fut",
      "eut", "dut", "put", "voulut", "sut", "savait", "pouvait", "voulait", "devait", "finit", "finissait",
      "saisit", "rougit", "pâlit", "réfléchit", "réfléchissait", "consentit", "distingua", "répéta",
      "répétait", "répète", "rétorqua", "balbutiait", "appelle", "rappelle", "jette", "jeta", "promit",
      "surprit", "comprit", "apprit", "ouvrit", "offrit", "souffrit", "tint", "retint", "obtint", "soutint",
      "soutenait", "maintint", "maintenait", "convint", "parvint", "devint", "crut", "croyait", "croit",
      "affirme", "précise", "explique", "raconte", "souligne", "insiste", "confie", "estime", "témoigne",
      "vient", "venait", "semblait", "sembla", "passait", "portait", "lève", "soupire", "rit", "pense",
      "examina", "prononçait", "déblatère", "arrive", "recevait", "marchait",
    ])
    return verbs
  }()

  /// Nouns naming who speaks, base forms (plural and feminine endings are also accepted).
  private static let roleNouns: Set<String> = [
    "président", "vice-président", "rapporteur", "rapporteuse", "ministre", "maire", "adjoint", "élu",
    "enquêteur", "enquêtrice", "enquêté", "interviewer", "intervieweur", "intervieweuse", "interviewé",
    "journaliste", "animateur", "animatrice", "modérateur", "modératrice", "présentateur", "présentatrice",
    "secrétaire", "greffier", "greffière", "témoin", "juge", "avocat", "procureur", "médecin", "docteur",
    "infirmier", "infirmière", "patient", "participant", "interlocuteur", "interlocutrice", "intervenant",
    "agent", "directeur", "directrice", "professeur", "enseignant", "instituteur", "institutrice", "élève",
    "étudiant", "parent", "mère", "père", "fils", "fille", "frère", "sœur", "mari", "époux", "épouse",
    "femme", "homme", "garçon", "enfant", "public", "auditeur", "auditrice", "spectateur", "spectatrice",
    "chercheur", "chercheuse", "sociologue", "député", "sénateur", "sénatrice", "conseiller", "conseillère",
    "habitant", "voix", "orateur", "oratrice", "invité", "narrateur", "narratrice", "locuteur", "locutrice",
    "responsable", "chef", "délégué", "technicien", "technicienne", "salarié", "représentant", "membre",
    "monde", "groupe", "collègue", "voisin", "ami", "traducteur", "traductrice", "interprète", "commissaire",
    "questeur", "opérateur", "opératrice", "client", "usager", "usagère", "citoyen", "citoyenne", "militant",
    "syndicaliste", "bénévole", "gérant", "employé", "ouvrier", "ouvrière", "agriculteur", "agricultrice",
    "auteur", "autrice", "lecteur", "lectrice", "chargé", "gouvernement", "grand-mère", "grand-père",
    "interviewée", "enquêtée", "administrateur", "administratrice", "dirigeant", "directeur", "coordinateur",
    "coordinatrice", "référent", "formateur", "formatrice", "stagiaire", "apprenti", "policier", "gendarme",
    "pompier", "inconnu", "personne", "assistant", "médiateur", "médiatrice", "doyen", "doyenne",
  ]
}

/// Speaker names already decided for label bodies, so that a label repeated through a
/// transcript is checked once.
final class SpeakerNameCache {
  private var names: [String: String?] = [:]

  /// The speaker named by the label body `range` (bytes before the colon), or nil.
  func speakerName(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
    let body = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    if let known = names[body] { return known }
    let name = SpeakerLabelGrammar.speakerName(forLabelBody: body)
    if names.count < 10_000 { names[body] = name }
    return name
  }
}
