import Dispatch

/// `body(0)`, …, `body(count − 1)` on `threads` threads (thread t takes t, t + threads, …),
/// the results in index order; when some fail, the error of the first index that failed,
/// whatever the order the threads finished in. For work that only reads shared, immutable
/// state (segments being opened, a snapshot's postings).
func concurrentMap<T>(
  count: Int, threads: Int, _ body: @Sendable (Int) throws(IndexError) -> T
) throws(IndexError) -> [T] {
  guard count > 0 else { return [] }
  let slots = ResultSlots<T>(count: count)
  let threads = max(1, min(threads, count))
  DispatchQueue.concurrentPerform(iterations: threads) { thread in
    for index in stride(from: thread, to: count, by: threads) {
      slots.slots[index] = Result { () throws(IndexError) -> T in try body(index) }
    }
  }
  return try slots.slots.map { slot throws(IndexError) in try slot!.get() }
}

/// One result per index, each written by the one thread that computes it.
private final class ResultSlots<T>: @unchecked Sendable {
  let slots: UnsafeMutableBufferPointer<Result<T, IndexError>?>
  init(count: Int) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: nil)
  }
  deinit {
    slots.deinitialize()
    slots.deallocate()
  }
}
