/// The French rules of the analysis chain, as data: elision, fixed forms, inclusive writing,
/// euphonic `-t-`. See `../shared/design/BRIEF.md` ("French analysis rules").
enum FrenchRules {
  /// Elided articles and pronouns (Lucene's `FrenchAnalyzer.DEFAULT_ARTICLES`), matched
  /// case-insensitively before `'` or `’`.
  static let elidedForms: Set<String> = [
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
  ]

  /// Words with an apostrophe that stay whole although they start like an elision, or that
  /// are lexicalised (`aujourd'hui`): checked on the lowercased word, apostrophe written `'`.
  static let fixedForms: Set<String> = [
    "aujourd'hui", "quelqu'un", "quelqu'une", "quelqu'uns", "quelqu'unes", "prud'homme",
    "prud'hommes", "prud'homal", "prud'homale", "prud'homaux", "presqu'île", "presqu'îles",
    "entr'acte", "entr'actes", "grand'mère", "grand'mères", "grand'rue", "main-d'œuvre",
    "c'est-à-dire",
  ]

  /// Suffixes that follow a base word in inclusive writing with points (`élu.e.s`,
  /// `agent·e·s`, `citoyen.ne.s`, `directeur.rice.s`), lowercased, joined by `.`.
  static let pointSuffixes: Set<String> = {
    var set: Set<String> = []
    let singles = [
      "e", "es", "ne", "nes", "le", "les", "se", "ses", "sse", "sses", "te", "tes", "rice",
      "rices", "trice", "trices", "ice", "ices", "euse", "euses", "eure", "eures", "ère", "ères",
      "ve", "ves", "ive", "ives", "fe", "fes", "ale", "ales", "ée", "ées", "x", "elle", "elles",
      "lle", "lles", "ienne", "iennes", "enne", "ennes", "oise", "oises", "ante", "antes",
    ]
    for suffix in singles {
      set.insert(suffix)
      if !suffix.hasSuffix("s") && !suffix.hasSuffix("x") { set.insert(suffix + ".s") }
    }
    return set
  }()

  /// Suffixes after a hyphen or a slash (`étudiant-e-s`, `interlocuteur/trices`): as
  /// ``pointSuffixes`` but without the clitic pronouns `le`, `les`, `se`, `te`, `elle`,
  /// `elles`, which follow verbs (`prends-le`, `dit-elle`).
  static let separatorSuffixes: Set<String> = {
    var set: Set<String> = []
    for suffix in pointSuffixes {
      let parts = suffix.split(separator: ".")
      let first = String(parts[0])
      if ["le", "les", "se", "te", "elle", "elles", "ses", "tes"].contains(first) { continue }
      set.insert(parts.joined(separator: "-"))
      set.insert(parts.joined(separator: "."))
    }
    return set
  }()

  /// Subject pronouns after a euphonic `-t-`: `va-t-il`, `a-t-on`, `aime-t-elle`.
  static let euphonicSubjects: Set<String> = ["il", "elle", "on", "ils", "elles", "iel", "iels"]
}
