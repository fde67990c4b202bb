import Foundation

/// The language of the report's own words (the corpus text is shown as it is).
public enum ReportLanguage: String, Sendable, Hashable, Codable, CaseIterable {
  /// French, the default.
  case fr
  /// English.
  case en
}

/// Every word the report writes itself, in French and English: one table, one key per label.
enum ReportLabel: CaseIterable {
  case defaultTitle, generatedOn, verbatimVersion, corpusFolder, codebooks, codingUnit, contents
  case corpusSection, corpusIntro, documentsCaption, document, path, speakers, turns, segments, tokens, total
  case fieldsCaption, field, values
  case codesSection, codebookCaption, code, description, colour, codebook, frequenciesHeading, barChartTitle
  case frequenciesCaption, units, documents, share, noCodes
  case cooccurrenceSection, cooccurrenceIntro, cooccurrenceCaption, noCooccurrence
  case crosstabSection, crosstabIntro, crosstabCaption, noCrosstab, noValue
  case verbatimsSection, verbatimsIntro, noVerbatims, seeInContext, rule, moreVerbatims, passages, humanCoding
  case graphsSection, graphsIntro, edgesCaption, source, target, count, measure, noGraphs, noDrawing, moreEdges
  case specificitiesSection, specificitiesIntro, specificitiesCaption, term, score, noSpecificities
  case appendixSection, appendixIntro, appendixExcerpt, moreSegments, unnamedSpeaker, backToTop, notInAppendix
  case groupSize, diagonalNote
}

extension ReportLabel {
  /// The label in a language.
  func text(_ language: ReportLanguage) -> String {
    let (french, english) = pair
    return language == .fr ? french : english
  }

  private var pair: (String, String) {
    switch self {
    case .defaultTitle: ("Rapport d’analyse qualitative", "Qualitative analysis report")
    case .generatedOn: ("Généré le", "Generated on")
    case .verbatimVersion: ("Version de Verbatim", "Verbatim version")
    case .corpusFolder: ("Corpus", "Corpus")
    case .codebooks: ("Grilles de codage", "Codebooks")
    case .codingUnit: ("Unité de codage", "Coding unit")
    case .contents: ("Sommaire", "Contents")
    case .corpusSection: ("Le corpus", "The corpus")
    case .corpusIntro: ("Documents, locuteurs et métadonnées.", "Documents, speakers and metadata.")
    case .documentsCaption: ("Documents du corpus", "Documents of the corpus")
    case .document: ("Document", "Document")
    case .path: ("Fichier", "File")
    case .speakers: ("Locuteurs", "Speakers")
    case .turns: ("Tours de parole", "Turns")
    case .segments: ("Segments", "Segments")
    case .tokens: ("Mots", "Tokens")
    case .total: ("Total", "Total")
    case .fieldsCaption: ("Métadonnées : valeurs et nombre de documents", "Metadata: values and number of documents")
    case .field: ("Champ", "Field")
    case .values: ("Valeurs (documents)", "Values (documents)")
    case .codesSection: ("Les codes", "The codes")
    case .codebookCaption: ("Grille de codage", "Codebook")
    case .code: ("Code", "Code")
    case .description: ("Description", "Description")
    case .colour: ("Couleur", "Colour")
    case .codebook: ("Grille", "Codebook")
    case .frequenciesHeading: ("Fréquence des codes", "Code frequencies")
    case .barChartTitle: ("Segments codés par code", "Segments coded per code")
    case .frequenciesCaption: ("Fréquence des codes", "Code frequencies")
    case .units: ("Segments codés", "Coded segments")
    case .documents: ("Documents", "Documents")
    case .share: ("Part des segments", "Share of segments")
    case .noCodes: ("Aucun code n’a été appliqué.", "No code was applied.")
    case .cooccurrenceSection: ("Co-occurrence des thèmes", "Theme co-occurrence")
    case .cooccurrenceIntro:
      ("Nombre de segments codés à la fois par deux codes ; plus la case est foncée, plus l’association est forte.",
       "Segments coded with both codes; the darker the cell, the stronger the association.")
    case .cooccurrenceCaption: ("Co-occurrence des codes (segments)", "Code co-occurrence (segments)")
    case .noCooccurrence: ("Pas de co-occurrence calculée.", "No co-occurrence was computed.")
    case .crosstabSection: ("Codes par métadonnée", "Codes by metadata")
    case .crosstabIntro:
      ("Pour chaque groupe de documents, les segments codés et leur part dans les segments du groupe (à la manière du tableau de l’annexe 1).",
       "For each group of documents, the coded segments and their share of the group’s segments (in the manner of the Annexe 1 table).")
    case .crosstabCaption: ("Codes selon", "Codes by")
    case .noCrosstab: ("Aucun tableau croisé.", "No crosstab.")
    case .noValue: ("(non renseigné)", "(not given)")
    case .verbatimsSection: ("Verbatims par code", "Verbatims per code")
    case .verbatimsIntro:
      ("Passages codés, avec leur document et leur locuteur ; les mots qui ont déclenché le code sont surlignés.",
       "Coded passages with their document and speaker; the words that triggered the code are highlighted.")
    case .noVerbatims: ("Aucun passage pour ce code.", "No passage for this code.")
    case .seeInContext: ("voir dans le document", "see in context")
    case .rule: ("règle", "rule")
    case .moreVerbatims: ("autres passages non affichés", "more passages not shown")
    case .passages: ("passages", "passages")
    case .humanCoding: ("codage manuel", "human coding")
    case .graphsSection: ("Graphe de co-occurrence", "Co-occurrence graph")
    case .graphsIntro:
      ("Termes associés aux notions clés du corpus.", "Terms associated with the corpus’s key notions.")
    case .edgesCaption: ("Liens du graphe", "Edges of the graph")
    case .source: ("Terme", "Term")
    case .target: ("Terme associé", "Associated term")
    case .count: ("Effectif", "Count")
    case .measure: ("Mesure", "Measure")
    case .noGraphs: ("Aucun graphe.", "No graph.")
    case .noDrawing: ("Pas de dessin pour ce graphe ; voir le tableau.", "No drawing for this graph; see the table.")
    case .moreEdges: ("autres liens non affichés", "more edges not shown")
    case .specificitiesSection: ("Termes spécifiques", "Specific terms")
    case .specificitiesIntro:
      ("Les termes sur-représentés dans chaque groupe de documents.", "Terms over-represented in each group of documents.")
    case .specificitiesCaption: ("Termes les plus spécifiques de", "Most specific terms of")
    case .term: ("Terme", "Term")
    case .score: ("Score", "Score")
    case .noSpecificities: ("Aucun terme spécifique.", "No specific term.")
    case .appendixSection: ("Annexe : texte des documents", "Appendix: text of the documents")
    case .appendixIntro:
      ("Le texte de chaque document, tour par tour ; les liens des verbatims mènent ici.",
       "Each document’s text, turn by turn; the verbatims’ links lead here.")
    case .appendixExcerpt:
      ("Corpus volumineux : seuls les passages cités et leur contexte sont reproduits ; […] marque une coupure.",
       "Large corpus: only the quoted passages and their context are shown; […] marks a cut.")
    case .moreSegments: ("autres segments non affichés", "more segments not shown")
    case .unnamedSpeaker: ("(locuteur non nommé)", "(unnamed speaker)")
    case .backToTop: ("retour au sommaire", "back to contents")
    case .notInAppendix: ("hors annexe", "not in the appendix")
    case .groupSize: ("doc.", "doc.")
    case .diagonalNote:
      ("Diagonale : segments codés par le code lui-même.", "Diagonal: segments coded with the code itself.")
    }
  }
}
