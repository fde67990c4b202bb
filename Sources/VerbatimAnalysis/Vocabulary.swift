/// The terms and stems a pipeline has seen, each with a dense id in first-seen order.
///
/// Ids are local to one ``AnalysisPipeline``; an index merges vocabularies by their strings.
public final class Vocabulary {
  let terms = ByteInterner(initialCapacity: 1 << 14)
  let stems = ByteInterner(initialCapacity: 1 << 14)
  private(set) var stemOfTerm: [Int32] = []

  init() {}

  /// The number of distinct terms.
  public var termCount: Int { terms.count }
  /// The number of distinct stems.
  public var stemCount: Int { stems.count }
  /// The term with id `id`.
  public func term(_ id: Int32) -> String { terms.string(id) }
  /// The stem with id `id`.
  public func stem(_ id: Int32) -> String { stems.string(id) }
  /// The stem id of term `id`.
  public func stemID(ofTerm id: Int32) -> Int32 { stemOfTerm[Int(id)] }
  /// The UTF-8 bytes of term `id`, valid until the pipeline analyses more text.
  public func termBytes(_ id: Int32) -> UnsafeBufferPointer<UInt8> { terms.bytes(id) }
  /// The UTF-8 bytes of stem `id`, valid until the pipeline analyses more text.
  public func stemBytes(_ id: Int32) -> UnsafeBufferPointer<UInt8> { stems.bytes(id) }
  /// Approximate bytes held, for memory budgets.
  public var memoryFootprint: Int {
    terms.memoryFootprint + stems.memoryFootprint + stemOfTerm.capacity * 4
  }

  func appendStem(_ id: Int32) { stemOfTerm.append(id) }
}
