#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// XXH64 (seed 0) computed over bytes given in any number of pieces: the same value as
/// `ContentHash.xxh64` of their concatenation.
///
///     var hasher = StreamingXXH64()
///     hasher.update(first); hasher.update(second)
///     let checksum = hasher.digest()
public struct StreamingXXH64: Sendable {
  private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
  private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
  private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
  private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

  private var v1: UInt64 = 0 &+ prime1 &+ prime2
  private var v2: UInt64 = prime2
  private var v3: UInt64 = 0
  private var v4: UInt64 = 0 &- prime1
  /// Bytes not yet consumed by a 32-byte stripe.
  private var pending: [UInt8] = []
  private var total: UInt64 = 0

  /// A hasher with seed 0.
  public init() { pending.reserveCapacity(32) }

  @inline(__always) private static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

  @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
    rotl(acc &+ input &* prime2, 31) &* prime1
  }

  @inline(__always) private static func mergeRound(_ acc: UInt64, _ value: UInt64) -> UInt64 {
    (acc ^ round(0, value)) &* prime1 &+ prime4
  }

  @inline(__always) private static func load64(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
    UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  private mutating func stripe(_ base: UnsafeRawPointer, _ offset: Int) {
    v1 = Self.round(v1, Self.load64(base, offset))
    v2 = Self.round(v2, Self.load64(base, offset + 8))
    v3 = Self.round(v3, Self.load64(base, offset + 16))
    v4 = Self.round(v4, Self.load64(base, offset + 24))
  }

  /// Hashes `bytes` after everything given before.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
    total &+= UInt64(bytes.count)
    var offset = 0
    if !pending.isEmpty {
      let take = min(32 - pending.count, bytes.count)
      pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
      offset = take
      guard pending.count == 32 else { return }
      let full = pending
      pending.removeAll(keepingCapacity: true)
      full.withUnsafeBytes { stripe($0.baseAddress!, 0) }
    }
    while bytes.count - offset >= 32 {
      stripe(base, offset)
      offset += 32
    }
    if offset < bytes.count {
      pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
    }
  }

  /// Hashes `bytes` after everything given before.
  public mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The hash of everything given so far.
  public func digest() -> UInt64 {
    var hash: UInt64
    if total >= 32 {
      hash = Self.rotl(v1, 1) &+ Self.rotl(v2, 7) &+ Self.rotl(v3, 12) &+ Self.rotl(v4, 18)
      hash = Self.mergeRound(hash, v1)
      hash = Self.mergeRound(hash, v2)
      hash = Self.mergeRound(hash, v3)
      hash = Self.mergeRound(hash, v4)
    } else {
      hash = v3 &+ Self.prime5
    }
    hash &+= total
    pending.withUnsafeBytes { tail in
      var offset = 0
      while tail.count - offset >= 8 {
        hash ^= Self.round(0, Self.load64(tail.baseAddress!, offset))
        hash = Self.rotl(hash, 27) &* Self.prime1 &+ Self.prime4
        offset += 8
      }
      if tail.count - offset >= 4 {
        let word = UInt64(UInt32(littleEndian: tail.baseAddress!.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        hash ^= word &* Self.prime1
        hash = Self.rotl(hash, 23) &* Self.prime2 &+ Self.prime3
        offset += 4
      }
      while offset < tail.count {
        hash ^= UInt64(tail[offset]) &* Self.prime5
        hash = Self.rotl(hash, 11) &* Self.prime1
        offset += 1
      }
    }
    hash ^= hash >> 33
    hash &*= Self.prime2
    hash ^= hash >> 29
    hash &*= Self.prime3
    hash ^= hash >> 32
    return hash
  }
}

/// A file written front to back through a 1 MiB buffer, optionally hashed as it goes, that
/// can read back what it has written; for segments built on disk (``SegmentMerger``).
///
/// Made under a temporary name; ``commit(to:)`` syncs it and renames it into place
/// (then syncs the folder), ``discard()`` deletes it. Not thread-safe: `@unchecked Sendable`
/// only so that one thread at a time can be handed it (``SegmentMerger`` gives each merge
/// thread its own file, and reads them after the threads have joined).
final class SegmentFileWriter: SegmentSink, @unchecked Sendable {
  /// The temporary file's path.
  let temporaryPath: String
  private var descriptor: Int32
  private var buffer: [UInt8] = []
  private let hashing: Bool
  private(set) var hasher = StreamingXXH64()
  /// Bytes appended so far.
  private(set) var count: UInt64 = 0
  /// XXH64 of the hashed appends.
  var checksum: UInt64 { hasher.digest() }
  private var failure: IndexError?
  private static let bufferSize = 1 << 20

  /// Creates (truncating) `temporaryPath`.
  ///
  /// - Throws: ``IndexError/io(path:reason:)``.
  init(temporaryPath: String, hashing: Bool) throws(IndexError) {
    self.temporaryPath = temporaryPath
    self.hashing = hashing
    descriptor = open(temporaryPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .io(path: temporaryPath, reason: "cannot create: \(Self.lastError())") }
    buffer.reserveCapacity(Self.bufferSize)
  }

  deinit { if descriptor >= 0 { close(descriptor) } }

  private static func lastError() -> String { String(cString: strerror(errno)) }

  /// Appends `bytes` (a write error is reported by the next ``flush()``, ``read(offset:length:)``
  /// or ``commit(to:)``).
  func append(_ bytes: UnsafeRawBufferPointer, hashed: Bool = true) {
    if hashing && hashed { hasher.update(bytes) }
    count += UInt64(bytes.count)
    if buffer.count + bytes.count > Self.bufferSize {
      flushBuffer()
      if bytes.count >= Self.bufferSize {
        writeAll(bytes)
        return
      }
    }
    buffer.append(contentsOf: bytes)
  }

  /// Appends `bytes`.
  func append(_ bytes: [UInt8], hashed: Bool) { bytes.withUnsafeBytes { append($0, hashed: hashed) } }

  private func flushBuffer() {
    guard !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { writeAll($0) }
    buffer.removeAll(keepingCapacity: true)
  }

  private func writeAll(_ bytes: UnsafeRawBufferPointer) {
    guard failure == nil, let base = bytes.baseAddress else { return }
    var written = 0
    while written < bytes.count {
      let result = write(descriptor, base + written, bytes.count - written)
      if result < 0 {
        if errno == EINTR { continue }
        failure = .io(path: temporaryPath, reason: "cannot write: \(Self.lastError())")
        return
      }
      written += result
    }
  }

  /// Writes out the buffer.
  ///
  /// - Throws: the first write error.
  func flush() throws(IndexError) {
    flushBuffer()
    if let failure { throw failure }
  }

  /// `length` bytes written at `offset`.
  ///
  /// - Throws: ``IndexError/io(path:reason:)``.
  func read(offset: UInt64, length: Int) throws(IndexError) -> [UInt8] {
    try flush()
    var result = [UInt8](repeating: 0, count: length)
    var done = 0
    var readError: Int32 = 0
    result.withUnsafeMutableBytes { target in
      while done < length {
        let got = pread(descriptor, target.baseAddress! + done, length - done, off_t(offset) + off_t(done))
        if got < 0 && errno == EINTR { continue }
        if got <= 0 {
          readError = got < 0 ? errno : EIO
          return
        }
        done += got
      }
    }
    guard readError == 0 else {
      throw .io(path: temporaryPath, reason: "cannot read back: \(String(cString: strerror(readError)))")
    }
    return result
  }

  /// Syncs, closes and renames the file to `path`, then syncs the folder.
  ///
  /// - Throws: ``IndexError/io(path:reason:)``; the temporary file is then deleted.
  func commit(to path: String) throws(IndexError) {
    do throws(IndexError) {
      try flush()
      guard fsync(descriptor) == 0 else { throw IndexError.io(path: temporaryPath, reason: "cannot sync: \(Self.lastError())") }
      let result = close(descriptor)
      descriptor = -1
      guard result == 0 else { throw IndexError.io(path: temporaryPath, reason: "cannot close: \(Self.lastError())") }
      guard rename(temporaryPath, path) == 0 else {
        throw IndexError.io(path: path, reason: "cannot rename the temporary file into place: \(Self.lastError())")
      }
    } catch {
      discard()
      throw error
    }
    SegmentFormat.syncFolder(of: path)
  }

  /// Closes and deletes the temporary file.
  func discard() {
    if descriptor >= 0 {
      close(descriptor)
      descriptor = -1
    }
    unlink(temporaryPath)
  }
}

/// Where a segment is written front to back: a file (``SegmentFileWriter``) or memory.
protocol SegmentSink: AnyObject {
  /// Bytes appended so far.
  var count: UInt64 { get }
  /// XXH64 (seed 0) of the bytes appended with `hashed: true`.
  var checksum: UInt64 { get }
  /// Appends `bytes`.
  func append(_ bytes: [UInt8], hashed: Bool)
  /// `length` bytes appended earlier, at `offset`.
  func read(offset: UInt64, length: Int) throws(IndexError) -> [UInt8]
}

extension SegmentSink {
  /// Appends `bytes`, hashed.
  func append(_ bytes: [UInt8]) { append(bytes, hashed: true) }
}

/// A segment built in memory (``SegmentBuilder/serialized()``).
final class MemorySegmentSink: SegmentSink {
  private(set) var bytes: [UInt8] = []
  private var hasher = StreamingXXH64()
  var count: UInt64 { UInt64(bytes.count) }
  var checksum: UInt64 { hasher.digest() }

  func append(_ bytes: [UInt8], hashed: Bool) {
    if hashed { hasher.update(bytes) }
    self.bytes.append(contentsOf: bytes)
  }

  func read(offset: UInt64, length: Int) throws(IndexError) -> [UInt8] {
    Array(bytes[Int(offset)..<(Int(offset) + length)])
  }
}
