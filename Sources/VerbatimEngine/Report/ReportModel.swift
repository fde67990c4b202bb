import Foundation

/// Everything the HTML report shows, as plain values.
///
/// The model knows nothing of how its numbers were computed: `verbatim analyze` fills it from
/// the index, the coder and the graph module, a test fills it by hand. ``HTMLReport`` turns it
/// into one page; `JSONEncoder` (with `.sortedKeys`) dumps it as JSON. Offsets are UTF-8 byte
/// offsets into the stored document text, `start` inclusive and `end` exclusive, as everywhere
/// in Verbatim.
public struct ReportModel: Sendable, Hashable, Codable {
  /// When, with what and on what the report was made.
  public var generation: ReportGeneration
  /// The documents, their metadata, speakers and sizes, and their text for the appendix.
  public var corpus: ReportCorpus
  /// Every code of every codebook, depth first (a parent before its children).
  public var codes: [ReportCode]
  /// How often each code applies, in the order of ``codes`` (codes never applied may be absent).
  public var frequencies: [ReportCodeFrequency]
  /// Theme co-occurrence (codes × codes), or `nil` when not computed.
  public var cooccurrence: ReportCooccurrenceMatrix?
  /// Code × metadata tables, one per metadata field (the spirit of the seed report's Annexe 1).
  public var crosstabs: [ReportCrosstab]
  /// The coded passages of each code.
  public var verbatims: [ReportCodeVerbatims]
  /// Co-occurrence graphs around the corpus's key notions (for the shipped corpus, *numérique responsable*).
  public var graphs: [ReportGraph]
  /// The most specific terms of each group of each metadata field.
  public var specificTerms: [ReportSpecificTerms]
  /// Caps for large corpora.
  public var limits: ReportLimits

  /// Creates a model; every part but ``generation`` and ``corpus`` may be left empty.
  public init(
    generation: ReportGeneration, corpus: ReportCorpus, codes: [ReportCode] = [],
    frequencies: [ReportCodeFrequency] = [], cooccurrence: ReportCooccurrenceMatrix? = nil,
    crosstabs: [ReportCrosstab] = [], verbatims: [ReportCodeVerbatims] = [], graphs: [ReportGraph] = [],
    specificTerms: [ReportSpecificTerms] = [], limits: ReportLimits = ReportLimits()
  ) {
    self.generation = generation
    self.corpus = corpus
    self.codes = codes
    self.frequencies = frequencies
    self.cooccurrence = cooccurrence
    self.crosstabs = crosstabs
    self.verbatims = verbatims
    self.graphs = graphs
    self.specificTerms = specificTerms
    self.limits = limits
  }
}

/// When, with what and on what a report was made. The date is given, never read from the
/// clock by the renderer, so that the same model always gives the same page.
public struct ReportGeneration: Sendable, Hashable, Codable {
  /// The report's title (defaults to a title in the report's language when `nil`).
  public var title: String?
  /// When the analysis ran.
  public var date: Date
  /// Verbatim's version (`0.1.0`).
  public var verbatimVersion: String
  /// The corpus folder as the user named it.
  public var corpusPath: String
  /// The codebooks' names (or files).
  public var codebooks: [String]
  /// The coding unit (`segment`, `sentence`, `turn`).
  public var unit: String

  /// Creates generation info.
  public init(
    title: String? = nil, date: Date, verbatimVersion: String, corpusPath: String, codebooks: [String] = [],
    unit: String = "segment"
  ) {
    self.title = title
    self.date = date
    self.verbatimVersion = verbatimVersion
    self.corpusPath = corpusPath
    self.codebooks = codebooks
    self.unit = unit
  }
}

/// The corpus: documents and the metadata fields shown in tables.
public struct ReportCorpus: Sendable, Hashable, Codable {
  /// The documents, in id order.
  public var documents: [ReportDocument]
  /// The metadata fields to show as columns, in this order (fields absent here are not shown).
  public var fields: [String]
  /// The number of coding units (segments) in the whole corpus, the base of the code shares.
  public var unitCount: Int
  /// The language of the transcripts (BCP 47, `fr`): quoted text carries it as `lang` when the
  /// report is written in another language, so that screen readers pronounce it right.
  public var language: String

  /// Creates a corpus summary.
  public init(documents: [ReportDocument], fields: [String], unitCount: Int, language: String = "fr") {
    self.documents = documents
    self.fields = fields
    self.unitCount = unitCount
    self.language = language
  }
}

/// One document: where it comes from, its metadata, its sizes and (for the appendix) its text.
public struct ReportDocument: Sendable, Hashable, Codable {
  /// The document id (as `verbatim corpus` lists it).
  public var id: Int64
  /// Its path relative to the corpus folder.
  public var path: String
  /// A human title (front matter `title`), if any.
  public var title: String?
  /// Metadata values as written in tables (lists joined with `, `).
  public var metadata: [String: String]
  /// Named speakers, in order of first appearance.
  public var speakers: [String]
  /// Number of speaker turns.
  public var turnCount: Int
  /// Number of segments (coding units).
  public var segmentCount: Int
  /// Number of tokens.
  public var tokenCount: Int
  /// The document's segments in text order, for the appendix (may be fewer than ``segmentCount``).
  public var segments: [ReportSegment]

  /// Creates a document summary.
  public init(
    id: Int64, path: String, title: String? = nil, metadata: [String: String] = [:], speakers: [String] = [],
    turnCount: Int, segmentCount: Int, tokenCount: Int, segments: [ReportSegment] = []
  ) {
    self.id = id
    self.path = path
    self.title = title
    self.metadata = metadata
    self.speakers = speakers
    self.turnCount = turnCount
    self.segmentCount = segmentCount
    self.tokenCount = tokenCount
    self.segments = segments
  }
}

/// One segment of a document, shown in the appendix with an anchor (`#d3-s12`).
public struct ReportSegment: Sendable, Hashable, Codable {
  /// The segment's ordinal in its document, as stored (the project store counts from 1).
  public var ordinal: Int
  /// The ordinal of its speaker turn; consecutive segments of one turn form one paragraph.
  public var turn: Int
  /// The turn's speaker, if named.
  public var speaker: String?
  /// Start of the segment in the document text (UTF-8 bytes).
  public var start: Int
  /// End of the segment (exclusive).
  public var end: Int
  /// The segment's text.
  public var text: String

  /// Creates a segment.
  public init(ordinal: Int, turn: Int, speaker: String?, start: Int, end: Int, text: String) {
    self.ordinal = ordinal
    self.turn = turn
    self.speaker = speaker
    self.start = start
    self.end = end
    self.text = text
  }
}

/// One code of the codebook tree.
public struct ReportCode: Sendable, Hashable, Codable {
  /// The codebook it belongs to.
  public var codebook: String
  /// Its path (`Équipement/Renouvellement`), unique in the report.
  public var path: String
  /// Its own name (the last part of the path).
  public var name: String
  /// What it means.
  public var description: String?
  /// Its colour, `#rrggbb` (anything else is replaced by a palette colour).
  public var color: String?
  /// 0 for a top-level code, 1 for its children, …
  public var depth: Int

  /// Creates a code entry.
  public init(codebook: String, path: String, name: String, description: String? = nil, color: String? = nil, depth: Int) {
    self.codebook = codebook
    self.path = path
    self.name = name
    self.description = description
    self.color = color
    self.depth = depth
  }
}

/// How often a code applies.
public struct ReportCodeFrequency: Sendable, Hashable, Codable {
  /// The code's path.
  public var code: String
  /// Units (segments) coded with it.
  public var units: Int
  /// Documents with at least one such unit.
  public var documents: Int
  /// ``units`` over all the corpus's units, in 0…1.
  public var share: Double

  /// Creates a frequency row.
  public init(code: String, units: Int, documents: Int, share: Double) {
    self.code = code
    self.units = units
    self.documents = documents
    self.share = share
  }
}

/// Theme co-occurrence: for each pair of codes, the units coded with both.
public struct ReportCooccurrenceMatrix: Sendable, Hashable, Codable {
  /// Row and column codes, by path.
  public var codes: [String]
  /// `counts[i][j]`: units coded with both `codes[i]` and `codes[j]`; the diagonal holds each code's units.
  public var counts: [[Int]]
  /// The measure's name (`jaccard`).
  public var measure: String
  /// `values[i][j]`: the measure for the pair, in 0…1 (it sets the cell's shade).
  public var values: [[Double]]

  /// Creates a matrix; `counts` and `values` are square, of the size of `codes`.
  public init(codes: [String], counts: [[Int]], measure: String, values: [[Double]]) {
    self.codes = codes
    self.counts = counts
    self.measure = measure
    self.values = values
  }
}

/// Code × metadata: units coded per group of one metadata field.
public struct ReportCrosstab: Sendable, Hashable, Codable {
  /// The metadata field (`authority_type`).
  public var field: String
  /// The field's values (groups), as columns.
  public var groups: [ReportGroup]
  /// One row per code.
  public var rows: [ReportCrosstabRow]

  /// Creates a crosstab.
  public init(field: String, groups: [ReportGroup], rows: [ReportCrosstabRow]) {
    self.field = field
    self.groups = groups
    self.rows = rows
  }
}

/// One group of a metadata field: its value and its size.
public struct ReportGroup: Sendable, Hashable, Codable {
  /// The value (`commune`); documents without the field form a group whose value is empty.
  public var value: String
  /// Documents in the group.
  public var documents: Int
  /// Units (segments) in the group, the base of the percentages.
  public var units: Int

  /// Creates a group.
  public init(value: String, documents: Int, units: Int) {
    self.value = value
    self.documents = documents
    self.units = units
  }
}

/// One row of a crosstab.
public struct ReportCrosstabRow: Sendable, Hashable, Codable {
  /// The code's path.
  public var code: String
  /// Units coded in each group (same order as the groups).
  public var counts: [Int]
  /// `counts[i]` over the group's units, in 0…1.
  public var shares: [Double]

  /// Creates a row.
  public init(code: String, counts: [Int], shares: [Double]) {
    self.code = code
    self.counts = counts
    self.shares = shares
  }
}

/// The coded passages of one code.
public struct ReportCodeVerbatims: Sendable, Hashable, Codable {
  /// The code's path.
  public var code: String
  /// The passages, in document then text order (the producer may already have cut the list).
  public var verbatims: [ReportVerbatim]
  /// How many passages the code has in all (≥ `verbatims.count`); the excess is reported as "N more".
  public var totalCount: Int

  /// Creates the list; `totalCount` defaults to the passages given.
  public init(code: String, verbatims: [ReportVerbatim], totalCount: Int? = nil) {
    self.code = code
    self.verbatims = verbatims
    self.totalCount = max(totalCount ?? verbatims.count, verbatims.count)
  }
}

/// A byte span inside a verbatim's passage text (UTF-8, `start` inclusive, `end` exclusive).
public struct ReportSpan: Sendable, Hashable, Codable {
  /// Start, in bytes from the passage's first byte.
  public var start: Int
  /// End (exclusive).
  public var end: Int

  /// Creates a span.
  public init(start: Int, end: Int) {
    self.start = start
    self.end = end
  }
}

/// One coded passage.
public struct ReportVerbatim: Sendable, Hashable, Codable {
  /// The document id.
  public var documentID: Int64
  /// The document's path.
  public var documentPath: String
  /// The segment holding the passage's start, for the link to the appendix (`#d3-s12`).
  public var segment: Int?
  /// Who speaks, if named.
  public var speaker: String?
  /// Start of the passage in the document text (UTF-8 bytes).
  public var start: Int
  /// End of the passage (exclusive).
  public var end: Int
  /// The passage's text (the document's bytes `start..<end`).
  public var text: String
  /// The words that matched, relative to ``text``'s first byte; they are shown in `<mark>`.
  public var highlights: [ReportSpan]
  /// The rule that coded it (a query), or `nil` for a human coding.
  public var rule: String?

  /// Creates a verbatim.
  public init(
    documentID: Int64, documentPath: String, segment: Int? = nil, speaker: String? = nil, start: Int, end: Int,
    text: String, highlights: [ReportSpan] = [], rule: String? = nil
  ) {
    self.documentID = documentID
    self.documentPath = documentPath
    self.segment = segment
    self.speaker = speaker
    self.start = start
    self.end = end
    self.text = text
    self.highlights = highlights
    self.rule = rule
  }
}

/// A co-occurrence graph around one key notion, drawn by the graph module.
public struct ReportGraph: Sendable, Hashable, Codable {
  /// The notion (`numérique responsable`).
  public var notion: String
  /// The drawing: one `<svg>` element (no script, no external reference), or empty.
  public var svg: String
  /// The figure's caption (how it was computed).
  public var caption: String
  /// What the picture shows, in words (alt text).
  public var altText: String
  /// The association measure's name (`jaccard`, `cooc`, …).
  public var measure: String
  /// The graph's edges, also shown as a table.
  public var edges: [ReportGraphEdge]

  /// Creates a graph entry.
  public init(notion: String, svg: String, caption: String, altText: String, measure: String, edges: [ReportGraphEdge]) {
    self.notion = notion
    self.svg = svg
    self.caption = caption
    self.altText = altText
    self.measure = measure
    self.edges = edges
  }
}

/// One edge of a co-occurrence graph.
public struct ReportGraphEdge: Sendable, Hashable, Codable {
  /// One end (a term).
  public var source: String
  /// The other end.
  public var target: String
  /// Units where both occur.
  public var count: Int
  /// The association measure's value.
  public var measure: Double

  /// Creates an edge.
  public init(source: String, target: String, count: Int, measure: Double) {
    self.source = source
    self.target = target
    self.count = count
    self.measure = measure
  }
}

/// The most specific terms of each group of one metadata field.
public struct ReportSpecificTerms: Sendable, Hashable, Codable {
  /// The metadata field.
  public var field: String
  /// The measure's name (`specificity`: Lafon's hypergeometric score, signed log10).
  public var measure: String
  /// One list per group.
  public var groups: [ReportTermGroup]

  /// Creates the lists of one field.
  public init(field: String, measure: String, groups: [ReportTermGroup]) {
    self.field = field
    self.measure = measure
    self.groups = groups
  }
}

/// The most specific terms of one group, best first.
public struct ReportTermGroup: Sendable, Hashable, Codable {
  /// The group's value.
  public var value: String
  /// Its terms.
  public var terms: [ReportSpecificTerm]

  /// Creates a group's list.
  public init(value: String, terms: [ReportSpecificTerm]) {
    self.value = value
    self.terms = terms
  }
}

/// One specific term.
public struct ReportSpecificTerm: Sendable, Hashable, Codable {
  /// The term.
  public var term: String
  /// Its occurrences in the group.
  public var count: Int
  /// Its specificity score.
  public var score: Double

  /// Creates a term row.
  public init(term: String, count: Int, score: Double) {
    self.term = term
    self.count = count
    self.score = score
  }
}

/// Caps that keep the page readable on large corpora; what is cut is announced ("N more").
public struct ReportLimits: Sendable, Hashable, Codable {
  /// Passages shown per code.
  public var verbatimsPerCode: Int
  /// Segments shown per document in the appendix.
  public var appendixSegmentsPerDocument: Int
  /// Beyond this many appendix segments in all, the appendix shows only the quoted passages
  /// and their neighbours.
  public var appendixTotalSegments: Int
  /// Neighbours kept on each side of a quoted passage when the appendix is cut.
  public var appendixContext: Int
  /// Terms shown per metadata group.
  public var termsPerGroup: Int
  /// Edges shown in each graph's table.
  public var edgesPerGraph: Int

  /// Creates caps (defaults: 20 passages per code, 400 appendix segments per document and
  /// 20,000 in all, 2 neighbours, 15 terms, 40 edges).
  public init(
    verbatimsPerCode: Int = 20, appendixSegmentsPerDocument: Int = 400, appendixTotalSegments: Int = 20_000,
    appendixContext: Int = 2, termsPerGroup: Int = 15, edgesPerGraph: Int = 40
  ) {
    self.verbatimsPerCode = verbatimsPerCode
    self.appendixSegmentsPerDocument = appendixSegmentsPerDocument
    self.appendixTotalSegments = appendixTotalSegments
    self.appendixContext = appendixContext
    self.termsPerGroup = termsPerGroup
    self.edgesPerGraph = edgesPerGraph
  }
}
