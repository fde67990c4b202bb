import Foundation
import Testing
import VerbatimCorpus

/// `verbatim search` and `verbatim kwic` on the shipped corpus (imported and indexed once).
@Suite("verbatim search and kwic")
struct SearchCommandTests {
  /// A project holding the shipped corpus, indexed.
  static func indexedProject(_ directory: URL) throws -> String {
    let project = directory.appendingPathComponent("p").path
    let corpus = repositoryRoot.appendingPathComponent("Corpus").path
    let run = try runVerbatim(["index", corpus, "--project", project])
    #expect(run.status == 0, "\(run.stderr)")
    return project
  }

  static func rows(_ tsv: String) -> [[String]] {
    tsv.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
  }

  @Test func phraseRowsSpanTheirWordsAndQuoteTheStoredText() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.indexedProject(directory)
    let run = try runVerbatim(["search", "\"numérique responsable\"", "--project", project])
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("document\tsegment\tspeaker\tstart\tend\ttext\n"))
    let rows = Self.rows(run.stdout)
    #expect(rows.count >= 10)
    for row in rows {
      #expect(row.count == 6)
      #expect(row[5].lowercased() == "numérique responsable", "\(row)")
      #expect(Int(row[4])! - Int(row[3])! == "numérique responsable".utf8.count)
    }
    // Document order, then offsets.
    let keys = rows.map { [Int($0[0])!, Int($0[3])!] }
    #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
    // The offsets point into the stored text, as `verbatim show` prints it.
    let first = rows[0]
    let show = try runVerbatim(["show", first[0], "--project", project, "--format", "jsonl"])
    #expect(show.status == 0)
    #expect(show.stdout.lowercased().contains("numérique responsable"))
  }

  @Test func filtersUnitsLimitsAndFormats() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.indexedProject(directory)
    let all = Self.rows(try runVerbatim(["search", "élu*", "--project", project]).stdout)
    let communes = Self.rows(try runVerbatim(["search", "élu*", "--where", "authority_type=commune", "--project", project]).stdout)
    let inline = Self.rows(try runVerbatim(["search", "élu* AND authority_type:commune", "--project", project]).stdout)
    #expect(!communes.isEmpty && communes.count < all.count)
    #expect(communes == inline)
    let limited = Self.rows(try runVerbatim(["search", "élu*", "--limit", "2", "--project", project]).stdout)
    #expect(limited == Array(all.prefix(2)))
    let turns = try runVerbatim(["search", "NOT numérique", "--unit", "turn", "--format", "jsonl", "--project", project])
    #expect(turns.status == 0)
    let firstLine = turns.stdout.split(separator: "\n").first.map(String.init) ?? ""
    let object = try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any]
    #expect(object?["segment"] as? Int == 1)
    #expect((object?["text"] as? String)?.isEmpty == false)
  }

  /// Each row names the stored unit (turn, sentence or segment) that holds the hit's first
  /// byte, and the speaker of that unit's turn: checked against the store read directly.
  @Test func rowsNameTheStoredUnitHoldingTheHit() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.indexedProject(directory)
    let store = try ProjectStore(directory: URL(fileURLWithPath: project), creating: false)
    for unit in ["turn", "sentence", "segment"] {
      let run = try runVerbatim(["search", "numérique OR élu*", "--unit", unit, "--project", project])
      #expect(run.status == 0, "\(run.stderr)")
      let rows = Self.rows(run.stdout)
      #expect(rows.count > 20)
      for row in rows {
        let id = Int64(row[0])!
        let start = Int(row[3])!
        let document = try #require(try store.document(id: id))
        let units: [(ordinal: Int, turn: Int, range: Range<Int>)] =
          unit == "turn"
          ? document.turns.map { ($0.ordinal, $0.ordinal, $0.turn.range) }
          : try store.units(documentID: id, kind: unit == "sentence" ? .sentence : .segment).map {
            ($0.ordinal, $0.turn, $0.range)
          }
        let holder = try #require(units.first { $0.range.contains(start) }, "\(unit) \(row)")
        #expect(Int(row[1]) == holder.ordinal, "\(unit) \(row)")
        #expect(row[2] == (document.turns.first { $0.ordinal == holder.turn }?.turn.speaker ?? ""), "\(unit) \(row)")
      }
    }
  }

  /// The benchmark mode counts exactly the rows `search` prints for each query (all of them, or
  /// the first page with `--limit`), per kind.
  @Test func timedQueriesCountWhatSearchPrints() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.indexedProject(directory)
    let queries = [
      ("word", "numérique"), ("word", "élu"), ("word", "absentmotquinexistepas"), ("phrase", "\"numérique responsable\""),
      ("phrase", "\"de la\""), ("and", "élu* AND NOT numérique"),
    ]
    let file = directory.appendingPathComponent("queries.tsv")
    try queries.map { "\($0.0)\t\($0.1)" }.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    var rows: [String: [Int]] = [:]
    for (kind, query) in queries {
      let run = try runVerbatim(["search", query, "--project", project])
      #expect(run.status == 0, "\(run.stderr)")
      rows[kind, default: []].append(Self.rows(run.stdout).count)
    }
    #expect(rows["word"]![0] > 3 && rows["phrase"]![1] > 3, "the queries should find several rows")
    for limit in [nil, 3] {
      let run = try runVerbatim(
        ["search", "--time-queries", file.path, "--project", project, "x"] + (limit.map { ["--limit", "\($0)"] } ?? []))
      #expect(run.status == 0, "\(run.stderr)")
      var seen: Set<String> = []
      for line in run.stdout.split(separator: "\n") {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let kind = try #require(object["kind"] as? String)
        let counts = rows[kind]!.map { min($0, limit ?? .max) }
        #expect(object["queries"] as? Int == counts.count)
        #expect(object["hits"] as? Int == counts.reduce(0, +), "\(kind), limit \(String(describing: limit))")
        let sorted = counts.sorted()
        let median = sorted.count % 2 == 1
          ? Double(sorted[sorted.count / 2]) : Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        #expect((object["median_hits"] as? NSNumber)?.doubleValue == median)
        #expect(((object["median_ms"] as? NSNumber)?.doubleValue ?? -1) >= 0)
        seen.insert(kind)
      }
      #expect(seen == ["word", "phrase", "and"])
    }
  }

  @Test func kwicAlignsContextsInsideTheTurn() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.indexedProject(directory)
    let tsv = try runVerbatim(["kwic", "responsable", "--width", "20", "--project", project])
    #expect(tsv.status == 0, "\(tsv.stderr)")
    #expect(tsv.stdout.hasPrefix("document\tsegment\tspeaker\tleft\tmatch\tright\n"))
    let rows = Self.rows(tsv.stdout)
    #expect(!rows.isEmpty)
    for row in rows {
      #expect(row[3].count <= 20 && row[5].count <= 20)
      #expect(row[4].lowercased().hasPrefix("responsable"))
      #expect(!row[3].contains("\n") && !row[5].contains("\n"))
    }
    let text = try runVerbatim(["kwic", "responsable", "--width", "20", "--format", "text", "--project", project])
    let columns = text.stdout.split(separator: "\n").map { line in line.distance(from: line.startIndex, to: line.firstIndex(of: "[")!) }
    #expect(Set(columns).count == 1, "matches line up in one column")
  }

  /// `--jobs` changes the threads that visit documents, never the rows.
  @Test func rowsDoNotDependOnJobs() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.indexedProject(directory)
    for command in ["search", "kwic"] {
      let one = try runVerbatim([command, "numérique OR élu* OR NOT responsable", "--jobs", "1", "--project", project])
      #expect(one.status == 0, "\(one.stderr)")
      #expect(Set(Self.rows(one.stdout).map { $0[0] }).count == 10, "hits in every document of the corpus")
      for jobs in ["2", "3"] {
        let many = try runVerbatim([command, "numérique OR élu* OR NOT responsable", "--jobs", jobs, "--project", project])
        #expect(many.stdout == one.stdout, "\(command) --jobs \(jobs)")
      }
    }
    let none = try runVerbatim(["search", "élu", "--jobs", "0", "--project", project])
    #expect(none.status != 0 && none.stderr.contains("--jobs"), "\(none.stderr)")
  }

  @Test func badQueriesAndFiltersAreDataErrorsWithTheColumn() throws {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let project = try Self.indexedProject(directory)
    let bad = try runVerbatim(["search", "numérique AND (", "--project", project])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("column 16"), "\(bad.stderr)")
    let filter = try runVerbatim(["search", "élu", "--where", "commune", "--project", project])
    #expect(filter.status == 1)
    #expect(filter.stderr.contains("FIELD=VALUE"))
    let noIndex = try runVerbatim(["search", "élu", "--project", directory.appendingPathComponent("none").path])
    #expect(noIndex.status == 1)
  }
}
