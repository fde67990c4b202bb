import Foundation
import Testing
import VerbatimAnalysis
import VerbatimCoding
import VerbatimIndex

@Suite struct DictionaryFormatsTests {
  static let fixtures = codingRepositoryRoot.appendingPathComponent("Tests/Fixtures/codebooks")
  static let shared = codingRepositoryRoot.appendingPathComponent("../shared/reference/quanteda-dictionaries")
    .standardizedFileURL

  @Test func globsMapToTheQueryLanguage() {
    #expect(DictionaryFormats.rule(forGlob: "chômage").rule == "=chômage")
    #expect(DictionaryFormats.rule(forGlob: "Chômage").rule == "=chômage")
    #expect(DictionaryFormats.rule(forGlob: "intérim*").rule == "intérim*")
    #expect(DictionaryFormats.rule(forGlob: "vie de famille").rule == "\"=vie =de =famille\"")
    #expect(DictionaryFormats.rule(forGlob: "contrat* court*").rule == "\"contrat* court*\"")
    #expect(DictionaryFormats.rule(forGlob: "l'école").rule == "=l'école")
    let widened = DictionaryFormats.rule(forGlob: "conjoint?")
    #expect(widened.rule == "conjoint*")
    #expect(widened.note == "the wildcard inside \"conjoint?\" is widened to the prefix conjoint*")
    #expect(DictionaryFormats.rule(forGlob: "*parental").rule == nil)
    #expect(
      DictionaryFormats.rule(forGlob: "*parental").note
        == "a value starting with a wildcard has no prefix to search; dropped")
  }

  /// The glob rules match what quanteda's glob matching would on single tokens: the exact
  /// term, or any term starting with the prefix (including the prefix itself).
  @Test func globRulesMatchLikeQuanteda() throws {
    let parser = QueryParser()
    func matches(_ glob: String, _ text: String) throws -> Bool {
      let rule = try #require(DictionaryFormats.rule(forGlob: glob).rule)
      let unit = AnalyzedUnit(tokens: try Analyzer.frenchPipeline().tokens(in: text))
      return QueryMatcher(try parser.parse(rule)).matches(unit) != nil
    }
    #expect(try matches("chômage", "Le CHÔMAGE baisse"))
    #expect(try !matches("chômage", "les chômeurs"))  // a glob without wildcard is not a stem
    #expect(try matches("intérim*", "en intérim"))  // * may match nothing
    #expect(try matches("intérim*", "les intérimaires"))
    #expect(try matches("vie de famille", "une vie de famille"))
    #expect(try !matches("vie de famille", "une vie en famille"))
    #expect(try matches("école", "à l'école"))  // elision: quanteda's token l'école, our l + école
  }

  @Test func readsTheQuantedaFixture() throws {
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent("themes.yml"), encoding: .utf8)
    let imported = try DictionaryFormats.readQuantedaYAML(text, file: "themes.yml", name: "themes")
    let book = imported.codebook
    #expect(
      book.allPaths == [
        "travail", "travail/precarite", "travail/reconnaissance", "famille", "numerique", "numerique/outils",
      ])
    #expect(book.codes[0].codes[0].rules == ["intérim*", "\"contrat* court*\"", "=chômage"])
    #expect(book.codes[1].rules == ["enfant*", "\"=vie =de =famille\"", "conjoint*"])
    #expect(book.codes[2].rules == ["=numérique"])
    #expect(book.codes[2].codes[0].rules == ["ordinateur*"])
    #expect(
      imported.notes == [
        "themes.yml:14: famille: the wildcard inside \"conjoint?\" is widened to the prefix conjoint*",
        "themes.yml:15: famille: a value starting with a wildcard has no prefix to search; dropped",
      ])
    _ = try CompiledCodebook(book, file: "themes.yml")
  }

  @Test func quantedaRoundTrip() throws {
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent("themes.yml"), encoding: .utf8)
    let book = try DictionaryFormats.readQuantedaYAML(text, file: "themes.yml", name: "themes").codebook
    let written = DictionaryFormats.writeQuantedaYAML(book)
    #expect(written.notes.isEmpty)
    #expect(written.text.contains("'numerique':\n  __:\n    - 'numérique'\n  'outils':\n"))
    let again = try DictionaryFormats.readQuantedaYAML(written.text, file: "out.yml", name: "themes")
    #expect(again.codebook == book)
  }

  @Test func quantedaOutputNotesWhatItCannotHold() {
    let book = Codebook(
      name: "T",
      codes: [
        Code(name: "A", rules: ["numérique", "a NEAR/3 b", "=x OR y*"], exclude: ["z"])
      ])
    let written = DictionaryFormats.writeQuantedaYAML(book)
    #expect(written.text == "'A':\n  - 'numer*'\n  - 'x'\n  - 'y*'\n")
    #expect(
      written.notes == [
        "A: the stem in numérique is written as a prefix glob, a wider match",
        "A: the rule a NEAR/3 b has no quanteda glob form (AND, NEAR, NOT or a filter); left out",
        "A: quanteda dictionaries have no exclusions; 1 left out",
      ])
  }

  @Test func readsTheLIWCFixture() throws {
    let text = try String(contentsOf: Self.fixtures.appendingPathComponent("themes.dic"), encoding: .utf8)
    let imported = try DictionaryFormats.readLIWC(text, file: "themes.dic", name: "themes")
    let book = imported.codebook
    #expect(book.allPaths == ["travail", "famille", "famille/enfance"])
    #expect(book.codes[0].rules == ["intérim*", "=chômage", "familial*", "=like"])
    #expect(book.codes[1].rules == ["enfant*", "familial*", "conjoint*"])
    #expect(book.codes[1].codes[0].rules == ["enfant*"])
    #expect(
      imported.notes == [
        "themes.dic:11: a parenthetical expression is stripped (as quanteda does)",
        "themes.dic:12: a line with <of> is dropped (as quanteda does)",
        "themes.dic:13: category id 9 is not declared; ignored",
      ])
  }

  @Test func liwcErrorsNameTheLine() {
    #expect(
      throws: CodebookError(
        file: "d.dic", line: 1, path: "",
        problem: "a LIWC dictionary starts with a line holding only %, then the categories")
    ) {
      try DictionaryFormats.readLIWC("1\ta\n", file: "d.dic", name: "d")
    }
    #expect(
      throws: CodebookError(
        file: "d.dic", line: 3, path: "", problem: "the category list is not closed by a line holding only %")
    ) {
      try DictionaryFormats.readLIWC("%\n1\ta\n", file: "d.dic", name: "d")
    }
    #expect(
      throws: CodebookError(
        file: "d.dic", line: 2, path: "", problem: "a category line is an id, a tab and a name (e.g. 1<TAB>travail)")
    ) {
      try DictionaryFormats.readLIWC("%\nseul\n%\n", file: "d.dic", name: "d")
    }
    #expect(
      throws: CodebookError(
        file: "d.dic", line: 4, path: "", problem: "an entry is a word, a tab and one or more category ids")
    ) {
      try DictionaryFormats.readLIWC("%\n1\ta\n%\nmot\n", file: "d.dic", name: "d")
    }
  }

  /// The reference examples of `../shared/reference/quanteda-dictionaries`, read as the
  /// README's Python emulation of quanteda's parsers says they read.
  @Test func readsTheSharedReferenceExamples() throws {
    let yml = Self.shared.appendingPathComponent("themes.yml")
    guard FileManager.default.fileExists(atPath: yml.path) else {
      print("skipped: \(Self.shared.path) is absent")
      return
    }
    let quanteda = try DictionaryFormats.readQuantedaYAML(
      String(contentsOf: yml, encoding: .utf8), file: "themes.yml", name: "themes")
    #expect(quanteda.codebook.allPaths == ["travail", "travail/precarite", "travail/reconnaissance", "famille"])
    #expect(quanteda.codebook.codes[0].codes[1].rules == ["reconnu*", "valoris*"])
    #expect(quanteda.codebook.codes[1].rules == ["enfant*", "\"=vie =de =famille\"", "conjoint*"])
    // README: LIWC → {"travail": ["intérim*", "chômage", "familial*"], "famille": ["enfant*", "conjoint*", "familial*"]}
    let liwc = try DictionaryFormats.readLIWC(
      String(contentsOf: Self.shared.appendingPathComponent("themes.dic"), encoding: .utf8), file: "themes.dic",
      name: "themes")
    #expect(liwc.codebook.allPaths == ["travail", "famille"])
    #expect(liwc.codebook.codes[0].rules == ["intérim*", "=chômage", "familial*"])
    #expect(Set(liwc.codebook.codes[1].rules) == ["enfant*", "conjoint*", "familial*"])
    #expect(liwc.notes.isEmpty)
  }
}

extension Analyzer {
  static func frenchPipeline() throws -> AnalysisPipeline { try Analyzer.french.makePipeline() }
}
