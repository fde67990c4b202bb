import Testing
import VerbatimCoding

@Suite struct CodingCSVTests {
  @Test func readsQuotedFieldsWithCommasNewlinesAndQuotes() throws {
    let text = "\u{FEFF}a,\"b,c\",\"say \"\"oui\"\"\"\r\n\"multi\nline\",,\"\"\n"
    let records = try CSVReader.records(in: text)
    #expect(records == [
      CSVRecord(line: 1, fields: ["a", "b,c", "say \"oui\""]),
      CSVRecord(line: 2, fields: ["multi\nline", "", ""]),
    ])
  }

  @Test func countsLinesAcrossQuotedLineBreaksAndSkipsBlankLines() throws {
    let records = try CSVReader.records(in: "h\n\n\"x\r\ny\"\nz\n\n")
    #expect(records.map(\.line) == [1, 3, 5])
    #expect(records.map(\.fields) == [["h"], ["x\r\ny"], ["z"]])
  }

  @Test func keepsALastRecordWithoutLineEndAndTrailingEmptyField() throws {
    #expect(try CSVReader.records(in: "a,b\nc,") == [CSVRecord(line: 1, fields: ["a", "b"]), CSVRecord(line: 2, fields: ["c", ""])])
    #expect(try CSVReader.records(in: "\"\"") == [CSVRecord(line: 1, fields: [""])])
    #expect(try CSVReader.records(in: "") == [])
  }

  @Test func rejectsAnOpenQuoteAndTextAfterAClosingQuote() {
    #expect(throws: CSVReader.SyntaxError(line: 2, message: "a quoted field is never closed (a missing \")")) {
      try CSVReader.records(in: "a\n\"open,\nstill\n")
    }
    #expect(throws: CSVReader.SyntaxError.self) { try CSVReader.records(in: "\"a\"b,c\n") }
    #expect(throws: CSVReader.SyntaxError.self) { try CSVReader.records(in: "a\"b,c\n") }
  }

  @Test func parsesRowsInAnyColumnOrderWithOptionalMemo() {
    let (rows, problems) = CodingCSV.parse("code,end,start,document,coder\nÉquipement/Renouvellement,20,4,3,AB\n")
    #expect(problems.isEmpty)
    #expect(rows == [CodingRow(line: 2, coder: "AB", document: "3", range: 4..<20, code: "Équipement/Renouvellement", memo: nil)])
  }

  @Test func namesEachBadRowAndField() {
    let text = """
      coder,document,start,end,code,memo
      AB,1,10,5,A,
      ,1,0,3,,
      AB,1,x,-,A/,
      AB,1,0,2,A,ok
      AB,1,3,3,//,
      AB,1,0
      verbatim,1,0,1,A,

      """
    let (rows, problems) = CodingCSV.parse(text)
    #expect(rows.map(\.line) == [5])
    #expect(problems.map(\.line) == [2, 3, 3, 4, 4, 4, 6, 6, 7, 8])
    #expect(problems.map(\.field) == ["end", "coder", "code", "start", "end", "code", "end", "code", "", "coder"])
    #expect(problems[0].message == "5 is before start 10")
    #expect(problems[6].message == "equals start (3): the range is empty")
    #expect(problems[8].message == "has 3 fields, the header 6")
  }

  @Test func refusesABadHeader() {
    #expect(CodingCSV.parse("coder,document,start,end\n").problems.map(\.message)
      == ["missing column code; expected coder,document,start,end,code[,memo]"])
    #expect(CodingCSV.parse("coder,document,start,end,code,colour\n").problems.count == 1)
    #expect(CodingCSV.parse("").problems.count == 1)
    #expect(CodingCSV.parse("coder;document;start;end;code\nAB;1;0;4;X\n").problems.map(\.message)
      == ["the header uses semicolons; save the file as comma-separated CSV (header coder,document,start,end,code[,memo])"])
  }

  @Test func writesWhatItReads() throws {
    let codings = [
      Coding(coder: "AB", document: 1, range: 0..<5, code: "A, B", memo: "dit \"non\"\net part"),
      Coding(coder: "Zoé", document: 12, range: 7..<9, code: "Équipement/Renouvellement"),
    ]
    let text = CodingCSV.write(codings)
    #expect(text.hasPrefix("coder,document,start,end,code,memo\r\n"))
    let (rows, problems) = CodingCSV.parse(text)
    #expect(problems.isEmpty)
    #expect(rows.map { Coding(coder: $0.coder, document: Int64($0.document)!, range: $0.range, code: $0.code, memo: $0.memo) } == codings)
  }
}
