import Dispatch
import Foundation
import VerbatimAnalysis

/// Counts of an analysis run, for `verbatim tokens --count`.
public struct TokenCount: Sendable, Hashable {
  /// Files analysed.
  public var files: Int
  /// Bytes analysed.
  public var bytes: Int
  /// Tokens produced.
  public var tokens: Int
  /// Seconds spent analysing (files already in memory), excluding reading.
  public var seconds: Double
}

/// A text to analyse: its bytes and the name used in messages.
public struct NamedText: Sendable {
  /// The name shown in messages (a path, or `<text>`).
  public var name: String
  /// The UTF-8 bytes.
  public var bytes: [UInt8]

  /// Creates a named text.
  public init(name: String, bytes: [UInt8]) {
    self.name = name
    self.bytes = bytes
  }
}

/// The analysis-chain jobs behind `verbatim tokens` and `verbatim stem`.
public enum TokenJobs {
  /// Reads files whole, in the given order.
  ///
  /// - Throws: ``EngineError/unreadable(path:reason:)`` naming the first unreadable file.
  public static func read(paths: [String]) throws(EngineError) -> [NamedText] {
    var result: [NamedText] = []
    for path in paths {
      guard let data = FileManager.default.contents(atPath: path) else {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        throw .unreadable(
          path: path, reason: !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "permission denied")
      }
      result.append(NamedText(name: path, bytes: [UInt8](data)))
    }
    return result
  }

  /// Writes every token of every text as a table (`position surface term stem start end kind`).
  ///
  /// With several texts and tsv/csv, a `file` column comes first; jsonl objects always carry
  /// `file` and `flags`.
  ///
  /// - Throws: ``EngineError/invalidUTF8(path:offset:)`` before writing anything of that file.
  public static func writeTokens(
    of texts: [NamedText], analyzer: Analyzer, format: TableFormat, to sink: OutputSink
  ) throws(EngineError) {
    let pipeline: AnalysisPipeline
    do { pipeline = try analyzer.makePipeline() } catch { throw .analysis(path: "<analyzer>", error) }
    // Validate every text first, so a bad file yields an error and no partial table.
    for text in texts {
      if let offset = text.bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset($0) }) {
        throw .invalidUTF8(path: text.name, offset: offset)
      }
    }
    let withFile = texts.count > 1 || format == .jsonl
    var columns = ["position", "surface", "term", "stem", "start", "end", "kind"]
    if withFile { columns.insert("file", at: 0) }
    if format == .jsonl { columns.append("flags") }
    let writer = TableWriter(format: format, columns: columns, sink: sink)
    for text in texts {
      let tokens: [Token]
      do {
        tokens = try text.bytes.withUnsafeBufferPointer { buffer throws(AnalysisError) in
          try pipeline.tokens(inUTF8: buffer)
        }
      } catch {
        if case let .invalidUTF8(offset) = error { throw .invalidUTF8(path: text.name, offset: offset) }
        throw .analysis(path: text.name, error)
      }
      for token in tokens {
        var row: [TableValue] = [
          .integer(token.position), .text(token.surface), .text(token.term), .text(token.stem),
          .integer(token.utf8Range.lowerBound), .integer(token.utf8Range.upperBound),
          .text(token.kind.description),
        ]
        if withFile { row.insert(.text(text.name), at: 0) }
        if format == .jsonl { row.append(.list(token.flags.names)) }
        writer.write(row)
      }
    }
  }

  /// Analyses the texts on `jobs` workers (each with its own pipeline) and counts tokens.
  ///
  /// Texts are dealt round-robin; counts do not depend on `jobs`.
  ///
  /// - Throws: the first error in text order.
  public static func count(_ texts: [NamedText], analyzer: Analyzer, jobs: Int) throws(EngineError) -> TokenCount {
    let jobs = max(1, min(jobs, max(texts.count, 1)))
    let results = WorkerSlots<Result<Int, EngineError>>(count: texts.count, initial: .success(0))
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: jobs) { worker in
      let pipeline: AnalysisPipeline
      switch Result(catching: { () throws(AnalysisError) in try analyzer.makePipeline() }) {
      case let .success(made): pipeline = made
      case let .failure(error):
        for index in stride(from: worker, to: texts.count, by: jobs) {
          results[index] = .failure(.analysis(path: texts[index].name, error))
        }
        return
      }
      for index in stride(from: worker, to: texts.count, by: jobs) {
        var tokens = 0
        let outcome = Result { () throws(AnalysisError) in
          try texts[index].bytes.withUnsafeBufferPointer { buffer throws(AnalysisError) in
            try pipeline.analyze(buffer) { batch in tokens += batch.count }
          }
        }
        switch outcome {
        case .success:
          results[index] = .success(tokens)
        case let .failure(error):
          if case let .invalidUTF8(offset) = error {
            results[index] = .failure(.invalidUTF8(path: texts[index].name, offset: offset))
          } else {
            results[index] = .failure(.analysis(path: texts[index].name, error))
          }
        }
      }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var total = TokenCount(files: texts.count, bytes: 0, tokens: 0, seconds: seconds)
    for (index, text) in texts.enumerated() {
      switch results[index] {
      case let .success(tokens):
        total.tokens += tokens
        total.bytes += text.bytes.count
      case let .failure(error): throw error
      }
    }
    return total
  }

  /// Stems words, one per line, streaming from `input` to `sink`.
  ///
  /// Words are stemmed as given (like the Snowball reference); with `normalizing`, each word
  /// first gets the chain's NFC and case folding. Empty lines give empty lines.
  public static func stemLines(
    from input: FileHandle, normalizing: Bool, analyzer: Analyzer, to sink: OutputSink
  ) throws(EngineError) {
    var stemmer = FrenchStemmer()
    var pending: [UInt8] = []
    var output: [UInt8] = []
    while true {
      let chunk = input.readData(ofLength: 1 << 16)
      if chunk.isEmpty { break }
      pending.append(contentsOf: chunk)
      var lineStart = 0
      pending.withUnsafeBufferPointer { buffer in
        for index in 0..<buffer.count where buffer[index] == 0x0A {
          var lineEnd = index
          if lineEnd > lineStart && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
          stemLine(UnsafeBufferPointer(rebasing: buffer[lineStart..<lineEnd]), &stemmer, normalizing, &output, sink)
          lineStart = index + 1
        }
      }
      pending.removeFirst(lineStart)
    }
    if !pending.isEmpty {
      pending.withUnsafeBufferPointer { stemLine($0, &stemmer, normalizing, &output, sink) }
    }
  }

  /// Stems every line of a file held in memory, one stemmer, and times only the stemming
  /// (the scope of `../shared/bench/c/stem_c.c`, for side-by-side runs).
  public static func timeStemming(wordsIn path: String) throws(EngineError) -> (words: Int, stemBytes: Int, seconds: Double) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path: path, reason: "no such file")
    }
    let bytes = [UInt8](data)
    var lines: [Range<Int>] = []
    var lineStart = 0
    for index in bytes.indices where bytes[index] == 0x0A {
      if index > lineStart { lines.append(lineStart..<index) }
      lineStart = index + 1
    }
    if bytes.count > lineStart { lines.append(lineStart..<bytes.count) }
    var stemmer = FrenchStemmer()
    var output: [UInt8] = []
    output.reserveCapacity(256)
    var stemBytes = 0
    let start = DispatchTime.now().uptimeNanoseconds
    bytes.withUnsafeBufferPointer { buffer in
      for line in lines {
        output.removeAll(keepingCapacity: true)
        stemmer.stem(utf8: UnsafeBufferPointer(rebasing: buffer[line]), into: &output)
        stemBytes += output.count
      }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return (lines.count, stemBytes, seconds)
  }

  /// Stems words given as arguments, one stem per line.
  public static func stem(words: [String], normalizing: Bool, to sink: OutputSink) {
    var stemmer = FrenchStemmer()
    var output: [UInt8] = []
    for word in words {
      var copy = word
      copy.withUTF8 { stemLine($0, &stemmer, normalizing, &output, sink) }
    }
  }

  private static func stemLine(
    _ word: UnsafeBufferPointer<UInt8>, _ stemmer: inout FrenchStemmer, _ normalizing: Bool,
    _ output: inout [UInt8], _ sink: OutputSink
  ) {
    output.removeAll(keepingCapacity: true)
    if normalizing {
      var copy = Analyzer.french.normalize(String(decoding: word, as: UTF8.self))
      copy.withUTF8 { stemmer.stem(utf8: $0, into: &output) }
    } else {
      stemmer.stem(utf8: word, into: &output)
    }
    sink.write(bytes: output)
    sink.write(byte: 0x0A)
  }
}

/// Result slots written by concurrent workers, each slot by exactly one worker.
final class WorkerSlots<Value>: @unchecked Sendable {
  private var storage: [Value]
  private let lock = NSLock()

  init(count: Int, initial: Value) { storage = Array(repeating: initial, count: count) }

  subscript(index: Int) -> Value {
    get { lock.lock(); defer { lock.unlock() }; return storage[index] }
    set { lock.lock(); storage[index] = newValue; lock.unlock() }
  }
}
