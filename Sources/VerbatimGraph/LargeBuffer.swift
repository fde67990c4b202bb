#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Zeroed anonymous memory for the counters' large buffers (hundreds of MB), asked for in 2 MiB
/// pages where the kernel allows them (`madvise(MADV_HUGEPAGE)`, Linux's transparent huge
/// pages in "madvise" mode): 512 times fewer page faults and TLB misses while a buffer is
/// filled and radix-sorted. Pages are still touched lazily, so an unused tail costs nothing.
///
/// Measured on 100 MB of the shared pool (`cooc --scope window:4 --jobs 1`): see
/// `Benchmarks/RESULTS.md`, co-occurrence counting.
final class LargeBuffer<Element> {
  /// The first element, aligned to 2 MiB.
  let base: UnsafeMutablePointer<Element>
  /// Elements the buffer holds.
  let count: Int
  private let mapping: UnsafeMutableRawPointer
  private let mappedBytes: Int

  private static var hugePage: Int { 2 << 20 }

  /// Maps `count` zeroed elements; stops the program if the system has no memory left.
  init(count: Int) {
    self.count = max(count, 1)
    let bytes = self.count * MemoryLayout<Element>.stride
    mappedBytes = bytes + Self.hugePage
    guard let address = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
      address != MAP_FAILED
    else {
      preconditionFailure("cannot map \(mappedBytes) bytes for a counting buffer: out of memory")
    }
    mapping = address
    let aligned = (Int(bitPattern: address) + Self.hugePage - 1) & ~(Self.hugePage - 1)
    let start = UnsafeMutableRawPointer(bitPattern: aligned)!
    #if os(Linux)
      _ = madvise(start, bytes, 14)  // MADV_HUGEPAGE; a refusal only costs speed
    #endif
    base = start.bindMemory(to: Element.self, capacity: self.count)
  }

  deinit { munmap(mapping, mappedBytes) }
}
