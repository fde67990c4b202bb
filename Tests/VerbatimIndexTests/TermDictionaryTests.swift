import Testing
import VerbatimTestSupport
@testable import VerbatimIndex

@Suite struct TermDictionaryTests {
  /// Keys sorted by UTF-8 bytes, with their entries laid out contiguously.
  static func model(_ strings: [String]) -> [(key: [UInt8], info: TermInfo)] {
    let keys = Set(strings.map { Array($0.utf8) }).sorted { $0.lexicographicallyPrecedes($1) }
    var offset: UInt64 = 0
    return keys.enumerated().map { index, key in
      let length = UInt64(index % 7 + 1)
      defer { offset += length }
      let documents = UInt32(index % 13 + 1)
      return (key, TermInfo(postingsOffset: offset, postingsLength: length, documentFrequency: documents,
                            totalFrequency: UInt64(documents) + UInt64(index % 5)))
    }
  }

  static func build(_ model: [(key: [UInt8], info: TermInfo)]) throws -> TermDictionary {
    var writer = TermDictionaryWriter()
    for (key, info) in model { writer.append(key, info) }
    return try TermDictionary(bytes: writer.finish())
  }

  static let french = [
    "entretien", "entreprise", "entreprises", "entre", "entrer", "entrée", "entrées", "été", "étudiant",
    "étudiante", "étudiantes", "élu", "élue", "élus", "école", "écoles", "à", "a", "aujourd'hui",
    "ça", "cœur", "œuvre", "œuvres", "naïf", "noël", "où", "ou", "qu", "l", "travail", "travaill",
    "travailler", "travaux", "20000", "3,5", "€", "%", "zzz", "z",
  ]

  static func longPrefixKeys() -> [String] {
    let stem = String(repeating: "anticonstitutionnellement", count: 4)
    return (0..<100).map { stem + String($0, radix: 3) } + [stem, String(stem.dropLast())]
  }

  static func check(_ strings: [String], probes: [String]) throws {
    let model = Self.model(strings)
    let dictionary = try Self.build(model)
    #expect(dictionary.count == model.count)
    var iterated: [[UInt8]] = []
    var infos: [TermInfo] = []
    try dictionary.forEach { key, info in
      iterated.append(key)
      infos.append(info)
      return true
    }
    #expect(iterated == model.map(\.key))
    #expect(infos == model.map(\.info))
    for probe in probes + strings {
      let key = Array(probe.utf8)
      #expect(try dictionary.lookup(key) == model.first { $0.key == key }?.info, "lookup \(probe)")
      let expected = model.filter { $0.key.starts(with: key) }.map(\.key)
      #expect(try dictionary.entries(withPrefix: key).map(\.key) == expected, "prefix \(probe)")
    }
  }

  @Test func frenchKeysAgainstBruteForce() throws {
    try Self.check(Self.french, probes: ["", "e", "entr", "entre", "é", "ét", "œ", "trav", "travai", "b", "zzzz", "0", "\u{10FFFF}", "\u{0}"])
  }

  @Test func longSharedPrefixes() throws {
    let keys = Self.longPrefixKeys()
    try Self.check(keys, probes: ["anti", keys[0] + "x", String(keys[0].dropLast(2)), "b"])
  }

  @Test func emptyAndTinyDictionaries() throws {
    try Self.check([], probes: ["", "a"])
    try Self.check(["seul"], probes: ["", "s", "seul", "seuls", "a", "z"])
    try Self.check((0..<16).map { "k\($0)" }, probes: ["k", "k1", "k15", "k16"])
    try Self.check((0..<17).map { "k\($0)" }, probes: ["k", "k1", "k16", "k17"])
  }

  @Test func seededRandomKeys() throws {
    var random = SplitMix64(seed: 2026)
    let alphabet = Array("aeéèioucçœnrst'-").map(String.init)
    for round in 0..<20 {
      let count = Int.random(in: 0...500, using: &random)
      let keys = (0..<count).map { _ in
        (0..<Int.random(in: 1...9, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" }.joined()
      }
      let probes = (0..<50).map { _ in
        (0..<Int.random(in: 0...4, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" }.joined()
      }
      try Self.check(keys, probes: probes)
      _ = round
    }
  }

  @Test func entriesMayPointBackAtEarlierLists() throws {
    var random = SplitMix64(seed: 31)
    let keys = Self.model((0..<300).map { "clé\($0)" }).map(\.key)
    var model: [(key: [UInt8], info: TermInfo)] = []
    var end: UInt64 = 1_000
    for key in keys {
      let length = UInt64.random(in: 1...40, using: &random)
      let offset: UInt64
      if random.next() % 3 == 0 {
        offset = UInt64.random(in: 0...900, using: &random)  // shared: an earlier list
      } else {
        offset = end
        end += length
      }
      model.append((key, TermInfo(postingsOffset: offset, postingsLength: length, documentFrequency: 1, totalFrequency: 2)))
    }
    let dictionary = try Self.build(model)
    var infos: [TermInfo] = []
    try dictionary.forEach { _, info in
      infos.append(info)
      return true
    }
    #expect(infos == model.map(\.info))
    for entry in model { #expect(try dictionary.lookup(entry.key) == entry.info) }
  }

  @Test func stringLookupUsesUTF8Bytes() throws {
    let dictionary = try Self.build(Self.model(["élu", "e\u{301}lu"]))
    #expect(try dictionary.lookup("élu") != nil)
    #expect(try dictionary.lookup("e\u{301}lu") != nil)
    #expect(try dictionary.lookup("élu") != dictionary.lookup("e\u{301}lu"), "NFC and NFD are different keys")
    #expect(try dictionary.entries(withPrefix: "é").map(\.string) == ["élu"])
  }

  @Test func damagedHeaderIsCorrupt() {
    #expect(throws: IndexError.self) { try TermDictionary(bytes: [1, 2, 3]) }
    var writer = TermDictionaryWriter()
    for (key, info) in Self.model(Self.french) { writer.append(key, info) }
    var bytes = writer.finish()
    bytes[4] = 99  // block count
    #expect(throws: IndexError.self) { try TermDictionary(bytes: bytes) }
  }

  /// A copy in memory that records every region it is told to release.
  final class RecordingStorage: ByteStorage, @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    private let allocation: UnsafeMutableRawBufferPointer
    var released: [Range<Int>] = []

    init(_ source: [UInt8]) {
      let allocation = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 16)
      source.withUnsafeBytes { allocation.copyMemory(from: $0) }
      self.allocation = allocation
      bytes = UnsafeRawBufferPointer(allocation)
    }

    deinit { allocation.deallocate() }

    func releaseResidentPages(of region: UnsafeRawBufferPointer) {
      let start = region.baseAddress! - bytes.baseAddress!
      released.append(start..<start + region.count)
    }
  }

  static func recorded(_ keys: [String]) throws -> (TermDictionary, RecordingStorage) {
    var writer = TermDictionaryWriter()
    for (key, info) in Self.model(keys) { writer.append(key, info) }
    let storage = RecordingStorage(writer.finish())
    return (try TermDictionary(storage: storage, bytes: storage.bytes, file: "test"), storage)
  }

  @Test func aDictionaryReleasesItsOwnBytes() throws {
    let (dictionary, storage) = try Self.recorded(Self.french)
    dictionary.releaseResidentPages()
    #expect(storage.released == [0..<storage.bytes.count])
    #expect(try dictionary.lookup("entretien") != nil, "still readable")
  }

  /// The distinct-key count over many dictionaries, against a set of all their keys: one
  /// group, a group and one more, and several groups with overlapping, seeded keys. Every
  /// dictionary is released once it has been merged.
  @Test(arguments: [0, 1, 2, 16, 17, 40])
  func distinctKeysOfManyDictionariesAgainstASet(dictionaryCount: Int) throws {
    var random = SplitMix64(seed: UInt64(dictionaryCount) &+ 7)
    var all = Set<String>()
    var dictionaries: [TermDictionary] = []
    var storages: [RecordingStorage] = []
    for index in 0..<dictionaryCount {
      // Some dictionaries empty, most sharing many keys with the others.
      let keys = index % 9 == 4 ? [] : (0..<Int(random.next() % 300)).map { _ in "k\(random.next() % 2_000)" }
      all.formUnion(keys)
      let (dictionary, storage) = try Self.recorded(keys)
      dictionaries.append(dictionary)
      storages.append(storage)
    }
    #expect(try IndexSnapshot.distinctKeys(dictionaries) == all.count)
    if dictionaryCount > 1 {
      #expect(storages.allSatisfy { $0.released == [0..<$0.bytes.count] })
    }
  }
}
