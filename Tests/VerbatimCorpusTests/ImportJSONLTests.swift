import Foundation
import Testing

@testable import VerbatimCorpus

/// `.jsonl`: one document per line.
@Suite struct ImportJSONLTests {
  @Test func benchmarkCorpusFormat() throws {
    // The form written by ../shared/tools/build_bench_corpus.py: {"id", "source", "text"}.
    let jsonl = """
      {"id": "eltec-FRA00101-p0", "source": "eltec-fra", "text": "Il était une fois.\\nUne autre ligne."}
      {"id": "cv-an-17", "source": "commonvoice-an", "text": "Monsieur le président : la parole."}

      """
    let url = try ImportFixtures.write(jsonl, named: "bench-00000.jsonl")
    let documents = try Importers.importFile(at: url, relativePath: "bench/bench-00000.jsonl", options: ImportOptions())
    #expect(documents.map(\.path) == ["bench/bench-00000.jsonl#eltec-FRA00101-p0", "bench/bench-00000.jsonl#cv-an-17"])
    #expect(documents[0].text == "Il était une fois.\nUne autre ligne.")
    #expect(documents[0].metadata == ["id": .text("eltec-FRA00101-p0"), "source": .text("eltec-fra")])
    #expect(documents[0].turns.map(\.speaker) == [nil])
    #expect(documents.allSatisfy { $0.format == "jsonl" })
  }

  @Test func fieldsAreTypedAndNamedByOptions() throws {
    let jsonl = """
      {"numero": 12, "reponse": "Enquêtrice : Et alors ?\\r\\nÉlue : Oui.", "age": 45, "score": 3.5, "elue": true, \
      "commune": "Brest", "date": "2023-02-14", "vide": null, "roles": ["élue", "adjointe"], "lieu": {"dep": 29, "region": "Bretagne"}, \
      "objets": [{"a": 1}]}
      """
    let url = try ImportFixtures.write(jsonl, named: "r.jsonl")
    let documents = try ImportFixtures.importFile(url, options: ImportOptions(jsonlTextField: "reponse", jsonlIDField: "numero"))
    let document = try #require(documents.first)
    #expect(document.path == "r.jsonl#12")
    #expect(document.text == "Enquêtrice : Et alors ?\nÉlue : Oui.")
    #expect(document.turns.map(\.speaker) == ["Enquêtrice", "Élue"])
    #expect(
      document.metadata == [
        "numero": .integer(12), "age": .integer(45), "score": .text("3.5"), "elue": .text("true"),
        "commune": .text("Brest"), "date": .date("2023-02-14"), "roles": .text("élue, adjointe"),
        "lieu.dep": .integer(29), "lieu.region": .text("Bretagne"),
      ])
  }

  @Test func recordNumbersAndDocID() throws {
    let url = try ImportFixtures.write("\n{\"text\": \"un\"}\n\n{\"text\": \"deux\"}\n", named: "n.jsonl")
    #expect(try ImportFixtures.importFile(url).map(\.path) == ["n.jsonl#1", "n.jsonl#2"])
    let docID = try ImportFixtures.write("{\"doc_id\": \"20130118\", \"text\": \"un\"}\n", named: "d.jsonl")
    #expect(try ImportFixtures.importFile(docID).map(\.path) == ["d.jsonl#20130118"])
  }

  @Test func turnListsBecomeLabelledLines() throws {
    let jsonl = """
      {"doc_id": "s1", "speakers": ["L1", "L2"], "turns": [{"speaker": "L1", "text": "bon alors"}, {"speaker": "L2", "text": "oui"}], "meta": {"genre": "conversation"}}
      """
    let document = try #require(try ImportFixtures.importFile(try ImportFixtures.write(jsonl, named: "c.jsonl")).first)
    #expect(document.path == "c.jsonl#s1")
    #expect(document.text == "L1: bon alors\nL2: oui")
    #expect(document.turns.map(\.speaker) == ["L1", "L2"])
    #expect(document.turns.map { ImportFixtures.slice(document.text, $0.range) } == ["bon alors", "oui"])
    #expect(document.turns.map { $0.labelRange.map { ImportFixtures.slice(document.text, $0) } } == ["L1:", "L2:"])
    #expect(document.metadata == ["doc_id": .text("s1"), "speakers": .text("L1, L2"), "meta.genre": .text("conversation")])
  }

  @Test func badLinesNameTheLine() throws {
    let cases: [(String, Int, String)] = [
      ("{\"text\": \"un\"}\n\n{\"text\": \"deux\"\n", 3, "invalid JSON"),
      ("{\"text\": \"un\"}\n[1, 2]\n", 2, "not a JSON object"),
      ("{\"text\": \"un\"}\n{\"texte\": \"deux\"}\n", 2, "no \"text\" field"),
      ("{\"text\": 12}\n", 1, "the \"text\" field is not a string"),
      ("{\"id\": 1, \"text\": \"a\"}\n{\"id\": 1, \"text\": \"b\"}\n", 2, "the id of this line was already used on line 1"),
      ("{\"id\": true, \"text\": \"a\"}\n", 1, "the \"id\" field is not a string or a number"),
    ]
    for (index, (content, line, reason)) in cases.enumerated() {
      let name = "bad-\(index).jsonl"
      #expect(
        ImportFixtures.importError(try ImportFixtures.write(content, named: name))
          == .malformed(path: name, line: line, reason: reason))
    }
    let url = try ImportFixtures.write("{\"text\": \"a\"}\n", named: "o.jsonl")
    #expect(
      ImportFixtures.importError(url, options: ImportOptions(jsonlIDField: "cle"))
        == .malformed(path: "o.jsonl", line: 1, reason: "no \"cle\" field for the document id"))
  }

  @Test func emptyBlankAndBinaryFiles() throws {
    #expect(ImportFixtures.importError(try ImportFixtures.write("", named: "e.jsonl")) == .empty(path: "e.jsonl"))
    #expect(ImportFixtures.importError(try ImportFixtures.write("\n \n", named: "b.jsonl")) == .empty(path: "b.jsonl"))
    let someBlank = try ImportFixtures.importFile(
      try ImportFixtures.write("{\"text\": \" \"}\n{\"text\": \"oui\"}\n", named: "s.jsonl"))
    #expect(someBlank.map(\.path) == ["s.jsonl#2"])
    #expect(someBlank.first?.warnings == ["lines with an empty text skipped: 1"])
    guard case .undecodable("z.jsonl", _)? = ImportFixtures.importError(try ImportFixtures.write(Data([0x7B, 0x00, 0x7D]), named: "z.jsonl"))
    else {
      Issue.record("expected undecodable")
      return
    }
  }
}
