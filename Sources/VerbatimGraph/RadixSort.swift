/// LSD radix sort of 64-bit keys (and, when given, their 32-bit values) on their low bits, at
/// most 12 bits a pass: a histogram of at most 4,096 entries (32 KB) stays in cache and so does
/// the scatter's set of write positions. Every digit's histogram is taken in one read of the
/// input before the first scatter, so each pass after it is a single read and write. Used by the
/// pair counter's flushes and by the merge of workers' pairs.
enum RadixSort {
  /// Sorts `count` keys on their `bits` low bits (stable), ping-ponging with the scratch space
  /// (as large as the input); returns where the sorted keys are: `keys` or `scratchKeys` (and
  /// the values, when given, in the matching buffer).
  @discardableResult
  static func sortByLowBits(
    keys: UnsafeMutablePointer<UInt64>, values: UnsafeMutablePointer<UInt32>?, count: Int, bits: Int,
    scratchKeys: UnsafeMutablePointer<UInt64>, scratchValues: UnsafeMutablePointer<UInt32>?
  ) -> UnsafeMutablePointer<UInt64> {
    guard count > 1, bits > 0 else { return keys }
    // As few passes as digits of at most 12 bits allow (a 32 KB histogram each), split evenly.
    let passes = (bits + 11) / 12
    let digitBits = (bits + passes - 1) / passes
    let radix = 1 << digitBits
    let digitMask: UInt64 = UInt64(radix) - 1
    var sourceKeys = keys
    var sourceValues = values
    var targetKeys = scratchKeys
    var targetValues = scratchValues
    withUnsafeTemporaryAllocation(of: Int.self, capacity: passes * radix) { histograms in
      histograms.initialize(repeating: 0)
      let base = histograms.baseAddress!
      for index in 0..<count {
        let key = keys[index]
        var pass = 0
        while pass < passes {
          base[pass &* radix &+ Int((key &>> UInt64(pass &* digitBits)) & digitMask)] &+= 1
          pass &+= 1
        }
      }
      for pass in 0..<passes {
        let counts = base + pass * radix
        // A digit every key shares moves nothing: skip its pass.
        if counts[Int((keys[0] &>> UInt64(pass * digitBits)) & digitMask)] == count { continue }
        var running = 0
        for index in 0..<radix {
          let value = counts[index]
          counts[index] = running
          running += value
        }
        let digitShift = UInt64(pass * digitBits)
        if let from = sourceValues, let to = targetValues {
          for index in 0..<count {
            let key = sourceKeys[index]
            let digit = Int((key &>> digitShift) & digitMask)
            targetKeys[counts[digit]] = key
            to[counts[digit]] = from[index]
            counts[digit] &+= 1
          }
        } else {
          for index in 0..<count {
            let key = sourceKeys[index]
            let digit = Int((key &>> digitShift) & digitMask)
            targetKeys[counts[digit]] = key
            counts[digit] &+= 1
          }
        }
        swap(&sourceKeys, &targetKeys)
        swap(&sourceValues, &targetValues)
      }
    }
    return sourceKeys
  }
}
