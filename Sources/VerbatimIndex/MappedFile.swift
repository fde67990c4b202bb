#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bytes that stay valid, unchanged, for as long as the object lives: a mapped file or an
/// owned copy. Readers keep a reference to their storage next to the raw pointer they read.
public protocol ByteStorage: AnyObject, Sendable {
  /// The bytes; valid and immutable for the object's lifetime.
  var bytes: UnsafeRawBufferPointer { get }

  /// Tells the system that `region` (a part of ``bytes``) will not be read again soon: a
  /// mapped file drops those pages from the process's resident memory (they stay in the page
  /// cache, and reading them again maps them again); a copy in memory ignores it.
  func releaseResidentPages(of region: UnsafeRawBufferPointer)
}

extension ByteStorage {
  /// Does nothing: the bytes are not a mapping.
  public func releaseResidentPages(of region: UnsafeRawBufferPointer) {}
}

/// A read-only memory mapping of a whole file, unmapped on deinit.
///
/// The file descriptor is closed as soon as the mapping exists (the mapping keeps the file
/// alive). `@unchecked Sendable` is sound because every stored property is a `let` set in
/// `init`, the pages are mapped `PROT_READ` and `MAP_PRIVATE`, and nothing writes through
/// the pointer: many threads may read the same mapping at once. Segment files are immutable
/// once renamed into place, so no other process rewrites them either.
public final class MappedFile: ByteStorage, @unchecked Sendable {
  /// The path the file was opened at (for error messages).
  public let path: String
  /// The mapped bytes (empty for an empty file).
  public let bytes: UnsafeRawBufferPointer
  private let base: UnsafeMutableRawPointer?

  /// Maps the file at `path` read-only.
  ///
  /// - Throws: ``IndexError/io(path:reason:)`` when the file cannot be opened, measured or
  ///   mapped.
  public init(path: String) throws(IndexError) {
    self.path = path
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw .io(path: path, reason: "cannot open: \(Self.lastError())") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw .io(path: path, reason: "cannot stat: \(Self.lastError())")
    }
    let size = Int(status.st_size)
    guard size > 0 else {
      base = nil
      bytes = UnsafeRawBufferPointer(start: nil, count: 0)
      return
    }
    guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
      throw .io(path: path, reason: "cannot map \(size) bytes: \(Self.lastError())")
    }
    base = address
    bytes = UnsafeRawBufferPointer(start: address, count: size)
  }

  deinit {
    if let base { munmap(base, bytes.count) }
  }

  /// Drops the pages read so far from this process's resident memory (`MADV_DONTNEED`); they
  /// stay in the page cache, and a later read maps them again. The mapping is read-only and
  /// the file is never rewritten in place, so the contents seen do not change.
  public func releaseResidentPages() {
    if let base { _ = madvise(base, bytes.count, Int32(MADV_DONTNEED)) }
  }

  /// The same for the whole pages inside `range` of the file (partial pages at the ends stay).
  public func releaseResidentPages(in range: Range<Int>) {
    guard let base else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = (range.lowerBound + page - 1) / page * page
    let end = min(range.upperBound, bytes.count) / page * page
    if end > start { _ = madvise(base + start, end - start, Int32(MADV_DONTNEED)) }
  }

  /// The same for the whole pages inside `region`, a part of ``bytes``.
  public func releaseResidentPages(of region: UnsafeRawBufferPointer) {
    guard let start = region.baseAddress, let base = bytes.baseAddress else { return }
    let offset = start - base
    guard offset >= 0, offset + region.count <= bytes.count else { return }
    releaseResidentPages(in: offset..<offset + region.count)
  }

  private static func lastError() -> String {
    String(cString: strerror(errno))
  }
}

/// A private copy of some bytes, for readers built from memory (tests, small sections).
public final class OwnedBytes: ByteStorage, @unchecked Sendable {
  /// The copied bytes; never written after `init`, freed on deinit.
  public let bytes: UnsafeRawBufferPointer
  private let allocation: UnsafeMutableRawPointer

  /// Copies `source`.
  public init(_ source: [UInt8]) {
    let allocation = UnsafeMutableRawPointer.allocate(byteCount: max(source.count, 1), alignment: 16)
    source.withUnsafeBytes { source in
      if let from = source.baseAddress { allocation.copyMemory(from: from, byteCount: source.count) }
    }
    self.allocation = allocation
    bytes = UnsafeRawBufferPointer(start: allocation, count: source.count)
  }

  deinit {
    allocation.deallocate()
  }
}
