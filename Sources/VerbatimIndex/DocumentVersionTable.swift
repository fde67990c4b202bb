import Foundation

/// The manifest's document versions (document id as text → version) held flat: keys and
/// values as UTF-8 bytes one after the other, sorted by key bytes, each key once.
///
/// A dictionary of strings took about 150 bytes a document (398,198 documents at 4 GB: about
/// 60 MB in every `search` and `index`, twice that while the manifest was read); this takes
/// the bytes themselves and two offsets, about 60. The manifest writes the keys in this order,
/// so it reads and writes them without sorting or hashing.
public struct DocumentVersionTable: Sendable, Hashable {
  private var keyBytes: [UInt8] = []
  private var keyEnds: [UInt32] = []
  private var valueBytes: [UInt8] = []
  private var valueEnds: [UInt32] = []

  /// No version.
  public init() {}

  /// The versions of `dictionary`.
  public init(_ dictionary: [String: String]) {
    var builder = Builder()
    for (key, value) in dictionary {
      builder.append(key: key.utf8, value: value.utf8)
    }
    self = builder.finish()
  }

  /// The number of documents with a version.
  public var count: Int { keyEnds.count }

  /// Whether no document has a version.
  public var isEmpty: Bool { keyEnds.isEmpty }

  /// The versions as a dictionary (tests, tools).
  public var dictionary: [String: String] {
    var result: [String: String] = Dictionary(minimumCapacity: count)
    for index in 0..<count {
      result[String(decoding: keyBytes[keyRange(index)], as: UTF8.self)] =
        String(decoding: valueBytes[valueRange(index)], as: UTF8.self)
    }
    return result
  }

  private func keyRange(_ index: Int) -> Range<Int> {
    (index == 0 ? 0 : Int(keyEnds[index - 1]))..<Int(keyEnds[index])
  }

  private func valueRange(_ index: Int) -> Range<Int> {
    (index == 0 ? 0 : Int(valueEnds[index - 1]))..<Int(valueEnds[index])
  }

  /// Calls `body` with each key and value, in ascending key bytes.
  func forEach(_ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Void) {
    for index in 0..<count { body(keyBytes[keyRange(index)], valueBytes[valueRange(index)]) }
  }

  /// The index of `key`, by binary search over the sorted keys.
  private func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
    keyBytes.withUnsafeBufferPointer { keys in
      keyEnds.withUnsafeBufferPointer { ends in
        var low = 0
        var high = ends.count
        while low < high {
          let middle = (low + high) / 2
          let start = middle == 0 ? 0 : Int(ends[middle - 1])
          let candidate = UnsafeBufferPointer(rebasing: keys[start..<Int(ends[middle])])
          switch Self.compare(candidate, key) {
          case 0: return middle
          case ..<0: low = middle + 1
          default: high = middle
          }
        }
        return nil
      }
    }
  }

  /// Byte order of two keys (negative, zero, positive), the order of the manifest's keys.
  private static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let shared = min(a.count, b.count)
    if shared > 0 {
      let order = memcmp(a.baseAddress!, b.baseAddress!, shared)
      if order != 0 { return Int(order) }
    }
    return a.count - b.count
  }

  /// Calls `body` with the version recorded for document `id` as UTF-8 bytes, or `nil`.
  public func withVersion<Result>(of id: Int64, _ body: (UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
    // The id's decimal digits, as the manifest's key, in a buffer on the stack.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var length = 0
      var rest = id.magnitude
      repeat {
        digits[19 - length] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
        length += 1
      } while rest > 0
      if id < 0 {
        digits[19 - length] = UInt8(ascii: "-")
        length += 1
      }
      let key = UnsafeBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[(20 - length)...]))
      guard let found = index(of: key) else { return body(nil) }
      return valueBytes.withUnsafeBufferPointer { values in
        body(UnsafeBufferPointer(rebasing: values[valueRange(found)]))
      }
    }
  }

  /// The version recorded for document `id`.
  public func version(of id: Int64) -> String? {
    withVersion(of: id) { bytes in bytes.map { String(decoding: $0, as: UTF8.self) } }
  }

  /// Collects keys and values in any order; ``finish()`` sorts them (when they were not
  /// sorted already) and keeps the last value of a key given twice.
  struct Builder {
    private var table = DocumentVersionTable()
    private var sorted = true
    private var unique = true

    init(capacity: Int = 0) {
      table.keyEnds.reserveCapacity(capacity)
      table.valueEnds.reserveCapacity(capacity)
    }

    /// Reserves room for `bytes` bytes of keys and as many of values: an upper bound (the
    /// JSON left to read) reserves address space, of which only what is written becomes
    /// memory, and no copy is made as the table grows (a 4 GB manifest's versions grew by
    /// copying to 38 MB, beside the store's states read at the same time).
    mutating func reserveBytes(_ bytes: Int) {
      table.keyBytes.reserveCapacity(bytes)
      table.valueBytes.reserveCapacity(bytes)
    }

    mutating func append(key: some Collection<UInt8>, value: some Collection<UInt8>) {
      table.keyBytes.append(contentsOf: key)
      table.valueBytes.append(contentsOf: value)
      closeEntry()
    }

    /// Appends bytes to the key or value being built (``closeEntry()`` ends the pair).
    mutating func withPendingKey<R>(_ body: (inout [UInt8]) throws(ManifestJSON.Failure) -> R) throws(ManifestJSON.Failure) -> R {
      try body(&table.keyBytes)
    }

    mutating func withPendingValue<R>(_ body: (inout [UInt8]) throws(ManifestJSON.Failure) -> R) throws(ManifestJSON.Failure) -> R {
      try body(&table.valueBytes)
    }

    /// The key's and value's bytes appended since the previous entry make an entry.
    mutating func closeEntry() {
      table.keyEnds.append(UInt32(table.keyBytes.count))
      table.valueEnds.append(UInt32(table.valueBytes.count))
      let last = table.keyEnds.count - 1
      if last > 0 && (sorted || unique) {
        let order = table.keyBytes.withUnsafeBufferPointer { keys in
          DocumentVersionTable.compare(
            UnsafeBufferPointer(rebasing: keys[table.keyRange(last - 1)]),
            UnsafeBufferPointer(rebasing: keys[table.keyRange(last)]))
        }
        if order > 0 { sorted = false }
        if order == 0 { unique = false }
      }
    }

    /// The table: as appended when the keys came sorted and unique, else sorted (stable), the
    /// last of equal keys kept.
    consuming func finish() -> DocumentVersionTable {
      if sorted && unique { return table }
      let old = table
      var order = Array(0..<old.count)
      old.keyBytes.withUnsafeBufferPointer { keys in
        order.sort { a, b in
          let sign = DocumentVersionTable.compare(
            UnsafeBufferPointer(rebasing: keys[old.keyRange(a)]), UnsafeBufferPointer(rebasing: keys[old.keyRange(b)]))
          return sign != 0 ? sign < 0 : a < b
        }
      }
      var result = DocumentVersionTable()
      for (position, index) in order.enumerated() {
        // Of equal keys (adjacent now, in the order given), the last wins.
        if position + 1 < order.count && old.keyBytes[old.keyRange(order[position + 1])] == old.keyBytes[old.keyRange(index)] {
          continue
        }
        result.keyBytes.append(contentsOf: old.keyBytes[old.keyRange(index)])
        result.keyEnds.append(UInt32(result.keyBytes.count))
        result.valueBytes.append(contentsOf: old.valueBytes[old.valueRange(index)])
        result.valueEnds.append(UInt32(result.valueBytes.count))
      }
      return result
    }
  }
}

/// The versions given with a writer's uncommitted additions, as a log in the order given: an
/// entry per added document (one added without a version has none), the last entry of an id
/// deciding. Flat, like ``DocumentVersionTable``: a fresh
/// build of 398,198 documents held them in two dictionaries of strings (about 80 MB).
struct PendingVersionLog {
  private var ids: [Int64] = []
  /// The end of each entry's bytes in `bytes` (an entry without version has none: it ends
  /// where it starts), with ``noVersion`` set for an entry without version.
  private var ends: [UInt32] = []
  private var bytes: [UInt8] = []

  /// Records that `id`'s latest version is `version` (`nil`: none).
  mutating func record(_ id: Int64, version: String?) {
    ids.append(id)
    if let version { bytes.append(contentsOf: version.utf8) }
    precondition(bytes.count < Int(Self.noVersion), "pending versions over 2 GiB")
    ends.append(UInt32(bytes.count) | (version == nil ? Self.noVersion : 0))
  }

  /// The flag of an entry without version in ``ends``.
  private static let noVersion: UInt32 = 1 << 31

  /// Forgets every entry.
  mutating func removeAll() {
    ids = []
    ends = []
    bytes = []
  }

  /// The entries' last versions, for look-ups by id.
  func resolved() -> Resolved { Resolved(log: self) }

  /// The last entry of each id, sorted by id: found by binary search.
  struct Resolved {
    private let log: PendingVersionLog
    /// Entry indices, one per id (its last), in ascending id order.
    private let order: [Int32]

    fileprivate init(log: PendingVersionLog) {
      self.log = log
      precondition(log.ids.count < Int(Int32.max), "too many pending versions")
      let sorted = (0..<Int32(log.ids.count)).sorted { a, b in
        let (x, y) = (log.ids[Int(a)], log.ids[Int(b)])
        return x != y ? x < y : a < b
      }
      var last: [Int32] = []
      last.reserveCapacity(sorted.count)
      for (position, entry) in sorted.enumerated()
      where position + 1 == sorted.count || log.ids[Int(sorted[position + 1])] != log.ids[Int(entry)] {
        last.append(entry)
      }
      order = last
    }

    /// Calls `body` with the UTF-8 bytes of the last version recorded for `id`, or `nil`
    /// when its last entry has none or it has no entry.
    func withVersion<Result>(of id: Int64, _ body: (UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
      let low = order.partitioningIndex { log.ids[Int($0)] >= id }
      guard low < order.count, log.ids[Int(order[low])] == id else { return body(nil) }
      let entry = Int(order[low])
      let end = log.ends[entry]
      guard end & PendingVersionLog.noVersion == 0 else { return body(nil) }
      let start = entry == 0 ? 0 : Int(log.ends[entry - 1] & ~PendingVersionLog.noVersion)
      return log.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<Int(end)])) }
    }
  }
}
