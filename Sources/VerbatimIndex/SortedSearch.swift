/// Binary search over sorted arrays, shared by the searcher, the writer and the jobs.
extension Collection where Element: Comparable, Index == Int {
  /// The first index whose element satisfies `predicate`, for a predicate that is false then
  /// true along the collection (binary search).
  public func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
    var low = startIndex
    var high = endIndex
    while low < high {
      let middle = low + (high - low) / 2
      if predicate(self[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }

  /// Whether a sorted collection contains `value` (binary search).
  public func containsSorted(_ value: Element) -> Bool {
    let index = partitioningIndex { $0 >= value }
    return index < endIndex && self[index] == value
  }
}
