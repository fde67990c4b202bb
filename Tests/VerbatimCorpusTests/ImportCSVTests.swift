import Foundation
import Testing

@testable import VerbatimCorpus

/// `.csv` survey exports and `metadata.csv`.
@Suite struct ImportCSVTests {
  @Test func rowsBecomeDocumentsWithTypedMetadata() throws {
    let csv = """
      \u{FEFF}id,commune,population,date,text
      e01,Brest,139000,2023-02-14,"Enquêtrice : Vous avez renouvelé le parc ?
      Élue : Oui, ""beaucoup""."
      e02,Quimper,,2023-03-01,Pas de réponse détaillée.
      """
    let url = try ImportFixtures.write(csv, named: "enquete.csv")
    let documents = try Importers.importFile(at: url, relativePath: "data/enquete.csv", options: ImportOptions())
    #expect(documents.map(\.path) == ["data/enquete.csv#e01", "data/enquete.csv#e02"])
    #expect(documents[0].text == "Enquêtrice : Vous avez renouvelé le parc ?\nÉlue : Oui, \"beaucoup\".")
    #expect(documents[0].turns.map(\.speaker) == ["Enquêtrice", "Élue"])
    #expect(
      documents[0].metadata == [
        "id": .text("e01"), "commune": .text("Brest"), "population": .integer(139000), "date": .date("2023-02-14"),
      ])
    #expect(documents[1].metadata["population"] == nil)
    #expect(documents.allSatisfy { $0.format == "csv" })
  }

  @Test func semicolonsRowNumbersAndChosenColumn() throws {
    let csv = "Répondant;Réponse;Âge\r\nA;Le coût, surtout;45\r\nB;;30\r\nC;Rien à signaler;52\r\n"
    let url = try ImportFixtures.write(csv, named: "s.csv")
    let documents = try ImportFixtures.importFile(url, options: ImportOptions(csvTextColumn: "réponse"))
    #expect(documents.map(\.path) == ["s.csv#1", "s.csv#3"])
    #expect(documents.map(\.text) == ["Le coût, surtout", "Rien à signaler"])
    #expect(documents[0].metadata == ["Répondant": .text("A"), "Âge": .integer(45)])
    #expect(documents[0].warnings == ["rows with an empty Réponse column skipped: 2"])
    // Without a `text` column, the column with the most text is chosen.
    let automatic = try ImportFixtures.importFile(url)
    #expect(automatic.map(\.text) == ["Le coût, surtout", "Rien à signaler"])
  }

  @Test func missingColumnAndWrongFieldCountsNameTheLine() throws {
    let url = try ImportFixtures.write("id,text\n1,a\n", named: "c.csv")
    guard case let .malformed("c.csv", 1, reason)? = ImportFixtures.importError(url, options: ImportOptions(csvTextColumn: "verbatim"))
    else {
      Issue.record("expected malformed on line 1")
      return
    }
    #expect(reason.contains("id, text"))
    // The quoted field spans lines 2–3, so the bad row is on line 4.
    let bad = "id,text\n1,\"deux\nlignes\"\n2,trop,de,champs\n"
    #expect(
      ImportFixtures.importError(try ImportFixtures.write(bad, named: "bad.csv"))
        == .malformed(path: "bad.csv", line: 4, reason: "this row has 4 fields but the header has 2"))
    let unterminated = "id,text\n1,ok\n2,\"jamais fermé\n3,x\n"
    #expect(
      ImportFixtures.importError(try ImportFixtures.write(unterminated, named: "u.csv"))
        == .malformed(path: "u.csv", line: 3, reason: "a quoted field opened on this line is never closed"))
    let duplicate = "id,text\n7,a\n7,b\n"
    guard case .malformed("d.csv", 3, _)? = ImportFixtures.importError(try ImportFixtures.write(duplicate, named: "d.csv"))
    else {
      Issue.record("expected malformed duplicate id on line 3")
      return
    }
  }

  @Test func emptyAndWindows1252Files() throws {
    #expect(ImportFixtures.importError(try ImportFixtures.write("id,text\n", named: "h.csv")) == .empty(path: "h.csv"))
    #expect(ImportFixtures.importError(try ImportFixtures.write("id,text\n1,\n2, \n", named: "b.csv")) == .empty(path: "b.csv"))
    let latin = Data("text;commune\nTrès bien;Brest\n".data(using: .windowsCP1252) ?? Data())
    let documents = try ImportFixtures.importFile(try ImportFixtures.write(latin, named: "w.csv"))
    #expect(documents.first?.text == "Très bien")
    #expect(documents.first?.warnings.first?.contains("Windows-1252") == true)
  }

  @Test func csvTableParsing() throws {
    let table = try CSVTable("a,b,\"c\"\"d\"\n\n1,\"x,y\",\n", path: "t.csv")
    #expect(table.header == ["a", "b", "c\"d"])
    #expect(table.records.map(\.fields) == [["1", "x,y", ""]])
    #expect(table.records.map(\.line) == [3])
    let tabs = try CSVTable("a\tb\n1\t2", path: "t.tsv")
    #expect(tabs.records.map(\.fields) == [["1", "2"]])
    let renamed = try CSVTable("a,,a\n1,2,3", path: "r.csv")
    #expect(renamed.header == ["a", "column 2", "a_2"])
  }

  // MARK: - metadata.csv

  @Test func metadataCSVIsTyped() throws {
    let folder = try ImportFixtures.temporaryFolder()
    let url = folder.appendingPathComponent("metadata.csv")
    try "fichier;commune;population;date;note\n./maire.txt;Plouzané;2800;2023-02-14;\nsous-dossier\\elue.docx;Brest;139000;2023-03-01;à relire\n"
      .write(to: url, atomically: true, encoding: .utf8)
    let table = try MetadataCSV.load(at: url)
    #expect(
      table == [
        "maire.txt": ["commune": .text("Plouzané"), "population": .integer(2800), "date": .date("2023-02-14")],
        "sous-dossier/elue.docx": [
          "commune": .text("Brest"), "population": .integer(139000), "date": .date("2023-03-01"), "note": .text("à relire"),
        ],
      ])
    #expect(MetadataCSV.fields(for: "maire.txt", in: table)?["commune"] == .text("Plouzané"))
    #expect(MetadataCSV.fields(for: "./sous-dossier/elue.docx", in: table) != nil)
    #expect(MetadataCSV.fields(for: "autre.txt", in: table) == nil)
    #expect(MetadataCSV.fields(for: "20130118.txt", in: ["20130118": ["a": .integer(1)]]) == ["a": .integer(1)])
    #expect(MetadataCSV.fileName == "metadata.csv")
  }

  @Test func metadataCSVErrorsNameTheLine() throws {
    let folder = try ImportFixtures.temporaryFolder()
    let cases: [(String, Int, String)] = [
      ("fichier,commune\na.txt,Brest\nb.txt,Brest,en trop\n", 3, "this row has 3 fields but the header has 2"),
      ("fichier,commune\na.txt,Brest\n,Quimper\n", 3, "empty file name in the first column"),
      ("fichier,commune\na.txt,Brest\nb.txt,Rennes\na.txt,Quimper\n", 4, "this file is already listed on line 2"),
    ]
    for (index, (content, line, reason)) in cases.enumerated() {
      let url = folder.appendingPathComponent("metadata-\(index).csv")
      try content.write(to: url, atomically: true, encoding: .utf8)
      #expect(throws: ImportError.malformed(path: url.path, line: line, reason: reason)) {
        try MetadataCSV.load(at: url)
      }
    }
    let missing = folder.appendingPathComponent("absent.csv")
    #expect(throws: ImportError.unreadable(path: missing.path, reason: "no such file")) {
      try MetadataCSV.load(at: missing)
    }
  }
}
