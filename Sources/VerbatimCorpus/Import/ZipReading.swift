import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Reads entries of a zip archive (docx, odt) into memory, refusing unsafe archives.
///
/// Refused (``ImportError/unsafeArchive(path:reason:)``): an entry name that is absolute, has
/// a drive letter or a `..` component (zip slip), a symbolic link, more than 10,000 entries,
/// or more than 512 MB once uncompressed (declared sizes, and bytes actually read).
struct ZipReader {
  /// The largest total uncompressed size accepted.
  static let maximumUncompressedBytes: UInt64 = 512 * 1024 * 1024
  /// The most entries accepted.
  static let maximumEntries = 10_000

  private let archive: Archive
  private let path: String

  /// Opens and checks an archive.
  init(url: URL, path: String, kind: String) throws(ImportError) {
    self.path = path
    try TextDecoding.checkReadable(url, path: path)
    let head = Self.firstBytes(of: url, count: 8)
    if head.isEmpty { throw .empty(path: path) }
    if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
      throw .unsupported(
        path: path, reason: "an old binary Office file, not a \(kind) archive; save it as .\(kind)")
    }
    do {
      archive = try Archive(url: url, accessMode: .read)
    } catch {
      throw .malformed(
        path: path, line: nil,
        reason: "not a valid zip archive (truncated or corrupt: \(Self.describe(error))); a .\(kind) file is a zip archive")
    }
    try check()
  }

  /// The first bytes of a file (fewer when it is shorter or unreadable).
  private static func firstBytes(of url: URL, count: Int) -> [UInt8] {
    guard let handle = try? FileHandle(forReadingFrom: url) else { return [] }
    defer { try? handle.close() }
    return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
  }

  /// Rejects unsafe entry names, links and oversized archives.
  private func check() throws(ImportError) {
    var total: UInt64 = 0
    var count = 0
    for entry in archive {
      count += 1
      if count > Self.maximumEntries {
        throw .unsafeArchive(path: path, reason: "more than \(Self.maximumEntries) entries")
      }
      let name = entry.path
      if Self.isUnsafeName(name) {
        throw .unsafeArchive(path: path, reason: "entry name escapes the archive (absolute path or `..`)")
      }
      if entry.type == .symlink {
        throw .unsafeArchive(path: path, reason: "the archive holds a symbolic link")
      }
      total = total &+ entry.uncompressedSize
      if total > Self.maximumUncompressedBytes || entry.uncompressedSize > Self.maximumUncompressedBytes {
        throw .unsafeArchive(path: path, reason: "uncompressed size above 512 MB (a zip bomb?)")
      }
    }
    if count == 0 { throw .malformed(path: path, line: nil, reason: "the zip archive has no entries") }
  }

  /// Whether an entry name could write outside a folder it was extracted to.
  static func isUnsafeName(_ name: String) -> Bool {
    if name.hasPrefix("/") || name.hasPrefix("\\") { return true }
    let scalars = Array(name.unicodeScalars.prefix(2))
    if scalars.count == 2, scalars[1] == ":", scalars[0].properties.isAlphabetic { return true }
    return name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains { $0 == ".." }
  }

  /// Whether the archive has an entry.
  func contains(_ entryPath: String) -> Bool { archive[entryPath] != nil }

  /// The bytes of an entry, or nil when it is absent.
  func data(of entryPath: String) throws(ImportError) -> Data? {
    guard let entry = archive[entryPath] else { return nil }
    guard entry.type == .file else {
      throw .malformed(path: path, line: nil, reason: "\(entryPath) is not a file in the archive")
    }
    var data = Data()
    let limit = Int(Self.maximumUncompressedBytes)
    do {
      _ = try archive.extract(entry) { chunk in
        guard data.count + chunk.count <= limit else { throw SizeExceeded() }
        data.append(chunk)
      }
    } catch is SizeExceeded {
      throw .unsafeArchive(path: path, reason: "\(entryPath) inflates above 512 MB (a zip bomb?)")
    } catch {
      throw .malformed(path: path, line: nil, reason: "cannot inflate \(entryPath) (\(Self.describe(error)))")
    }
    return data
  }

  private struct SizeExceeded: Error {}

  /// A short name for a ZIPFoundation error.
  static func describe(_ error: any Error) -> String {
    if let archiveError = error as? Archive.ArchiveError { return "\(archiveError)" }
    return TextDecoding.shortReason(error)
  }
}

/// Parses XML from an archive with DTDs and entities refused, so no external entity is ever
/// resolved (XXE) and no entity expansion can explode (billion laughs).
enum SafeXML {
  /// Rejects any DOCTYPE or ENTITY declaration, then parses, handing elements to `collector`.
  ///
  /// - Throws: ``ImportError/unsafeArchive(path:reason:)`` for a declaration,
  ///   ``ImportError/malformed(path:line:reason:)`` for invalid XML.
  static func parse(_ data: Data, entry: String, path: String, collector: XMLCollector) throws(ImportError) {
    if declaresDocumentType(data) {
      throw .unsafeArchive(
        path: path, reason: "\(entry) declares a DOCTYPE or entities (possible XML entity attack); refused")
    }
    let guardian = DeclarationGuard(collector: collector)
    let parser = XMLParser(data: data)
    parser.shouldResolveExternalEntities = false
    parser.shouldProcessNamespaces = true
    parser.shouldReportNamespacePrefixes = false
    parser.delegate = guardian
    let succeeded = parser.parse()
    if guardian.sawDeclaration {
      throw .unsafeArchive(
        path: path, reason: "\(entry) declares a DOCTYPE or entities (possible XML entity attack); refused")
    }
    // swift-corelibs-foundation may return true despite an error: check the error and that
    // every element was closed.
    if !succeeded || parser.parserError != nil || guardian.sawError || guardian.depth != 0 || !guardian.sawElement {
      throw .malformed(
        path: path, line: nil, reason: "\(entry): invalid XML near line \(parser.lineNumber)")
    }
  }

  /// Whether the bytes contain `<!DOCTYPE` or `<!ENTITY` (any case), in UTF-8 or UTF-16.
  static func declaresDocumentType(_ data: Data) -> Bool {
    let bytes = [UInt8](data)
    let looksUTF16 =
      bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0x00, 0x3C])
      || bytes.starts(with: [0x3C, 0x00])
    let scanned: [UInt8]
    if looksUTF16 {
      let bigEndian = bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0x00, 0x3C])
      let text = String(data: data, encoding: bigEndian ? .utf16BigEndian : .utf16LittleEndian) ?? ""
      scanned = Array(text.utf8)
    } else {
      scanned = bytes
    }
    return contains(scanned, "<!DOCTYPE") || contains(scanned, "<!ENTITY")
  }

  /// Case-insensitive search of an ASCII needle.
  private static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
    let pattern = Array(needle.utf8)
    guard haystack.count >= pattern.count else { return false }
    var index = 0
    let last = haystack.count - pattern.count
    while index <= last {
      guard let lessThan = haystack[index...last].firstIndex(of: 0x3C) else { return false }
      var matched = true
      for offset in 1..<pattern.count {
        let byte = haystack[lessThan + offset]
        let lower = byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
        if lower != pattern[offset] {
          matched = false
          break
        }
      }
      if matched { return true }
      index = lessThan + 1
    }
    return false
  }

  /// Forwards parsing events, and stops at any declaration the byte scan could have missed.
  private final class DeclarationGuard: NSObject, XMLParserDelegate {
    let collector: XMLCollector
    var sawDeclaration = false
    var sawError = false
    var sawElement = false
    var depth = 0

    init(collector: XMLCollector) { self.collector = collector }

    private func refuse(_ parser: XMLParser) {
      sawDeclaration = true
      parser.abortParsing()
    }

    func parser(
      _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
      qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
      depth += 1
      sawElement = true
      collector.start(localName(elementName), attributes: attributeDict)
    }

    func parser(
      _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
    ) {
      depth -= 1
      collector.end(localName(elementName))
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
      sawError = true
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
      collector.characters(string)
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
      collector.characters(String(decoding: CDATABlock, as: UTF8.self))
    }

    /// The local part of an element name, whether or not namespaces were processed.
    private func localName(_ name: String) -> String {
      guard let colon = name.lastIndex(of: ":") else { return name }
      return String(name[name.index(after: colon)...])
    }

    func parser(_ parser: XMLParser, foundElementDeclarationWithName elementName: String, model: String) {
      refuse(parser)
    }

    func parser(
      _ parser: XMLParser, foundAttributeDeclarationWithName attributeName: String, forElement elementName: String,
      type: String?, defaultValue: String?
    ) {
      refuse(parser)
    }

    func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
      refuse(parser)
    }

    func parser(
      _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?,
      systemID: String?
    ) {
      refuse(parser)
    }

    func parser(_ parser: XMLParser, foundNotationDeclarationWithName name: String, publicID: String?, systemID: String?) {
      refuse(parser)
    }

    func parser(
      _ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?,
      systemID: String?, notationName: String?
    ) {
      refuse(parser)
    }

    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
      refuse(parser)
      return nil
    }
  }
}

/// Receives the elements of an XML part (local names, namespaces ignored); subclasses collect.
class XMLCollector {
  /// An element starts.
  func start(_ name: String, attributes: [String: String]) {}
  /// An element ends.
  func end(_ name: String) {}
  /// Character data.
  func characters(_ string: String) {}
}
