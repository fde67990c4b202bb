import Foundation
import Testing
import VerbatimTestSupport
@testable import VerbatimIndex

/// The manifest's flat table of versions against a `Dictionary` fed the same pairs in the same
/// order (the model: a key given twice keeps its last value).
@Suite struct DocumentVersionTableTests {
  @Test(arguments: 0..<30 as Range<UInt64>) func agreesWithADictionary(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    var builder = DocumentVersionTable.Builder()
    var model: [String: String] = [:]
    let count = Int(random.next() % 300)
    let sortedInput = seed % 3 == 0
    var ids = (0..<count).map { _ in Int64(bitPattern: random.next()) >> Int64(random.next() % 64) }
    if sortedInput { ids = Array(Set(ids)).sorted { String($0).utf8.lexicographicallyPrecedes(String($1).utf8) } }
    for id in ids {
      // Numeric keys as the writer gives them, now and then another string, a repeat or an
      // empty version.
      let key = random.next() % 10 == 0 ? ManifestJSONTests.awkward[Int(random.next() % 11)] : String(id)
      let value = random.next() % 7 == 0 ? "" : "xxh64:\(String(random.next(), radix: 16))/é"
      builder.append(key: key.utf8, value: value.utf8)
      model[key] = value
      if !sortedInput && random.next() % 8 == 0 {
        let again = "v\(random.next() % 5)"
        builder.append(key: key.utf8, value: again.utf8)
        model[key] = again
      }
    }
    let table = builder.finish()
    #expect(table.count == model.count)
    #expect(table.dictionary == model)
    #expect(DocumentVersionTable(model) == table, "the same table whatever the order given")
    var keys: [[UInt8]] = []
    table.forEach { key, _ in keys.append(Array(key)) }
    #expect(keys == model.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
    for id in ids + [0, -1, Int64.min, Int64.max, 42] {
      #expect(table.version(of: id) == model[String(id)], "id \(id)")
    }
  }

  @Test func emptyTable() {
    let table = DocumentVersionTable.Builder().finish()
    #expect(table.isEmpty)
    #expect(table.version(of: 1) == nil)
    #expect(table == DocumentVersionTable())
  }
}
