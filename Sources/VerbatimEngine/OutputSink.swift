import Foundation

/// A buffered byte writer to a file descriptor (stdout by default).
///
/// Results go to stdout through one of these; diagnostics go to stderr unbuffered.
public final class OutputSink {
  private var buffer: [UInt8] = []
  private let descriptor: Int32
  private let capacity: Int

  /// Creates a sink writing to `descriptor`, flushing every `capacity` bytes.
  public init(descriptor: Int32 = 1, capacity: Int = 1 << 16) {
    self.descriptor = descriptor
    self.capacity = capacity
    buffer.reserveCapacity(capacity + 4096)
  }

  deinit { flush() }

  /// Appends raw bytes.
  @inline(__always)
  public func write<S: Sequence>(bytes: S) where S.Element == UInt8 {
    buffer.append(contentsOf: bytes)
    if buffer.count >= capacity { flush() }
  }

  /// Appends one byte.
  @inline(__always)
  public func write(byte: UInt8) {
    buffer.append(byte)
  }

  /// Appends a string's UTF-8.
  public func write(_ string: String) {
    var copy = string
    copy.withUTF8 { buffer.append(contentsOf: $0) }
    if buffer.count >= capacity { flush() }
  }

  /// Appends a decimal integer.
  public func write(_ value: Int) {
    write(String(value))
  }

  /// Writes out what is buffered.
  public func flush() {
    var offset = 0
    buffer.withUnsafeBytes { raw in
      while offset < raw.count {
        let written = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
        if written <= 0 {
          if written < 0 && errno == EINTR { continue }
          break  // a closed pipe: stop writing, as `head` expects
        }
        offset += written
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }
}
