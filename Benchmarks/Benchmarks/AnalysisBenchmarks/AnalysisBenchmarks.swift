// Corpus model: the shipped Corpus/ (the seed report's interview passages, about 25 kB) for
// a small, always-present input, and the first 8 MB of ../shared/corpora/bench-pool (novels
// and parliamentary sentences) when ../shared is present.
// Run with: cd Benchmarks && swift package --disable-sandbox benchmark --target AnalysisBenchmarks
import Benchmark
import Foundation
import VerbatimAnalysis

/// Files of a folder (recursive, `.txt`), sorted, read whole, up to `limit` bytes.
func loadTexts(under folder: URL, limit: Int) -> [[UInt8]] {
  guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
    return []
  }
  let files = enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "txt" }.sorted { $0.path < $1.path }
  var texts: [[UInt8]] = []
  var total = 0
  for file in files where total < limit {
    guard let data = FileManager.default.contents(atPath: file.path) else { continue }
    texts.append([UInt8](data))
    total += data.count
  }
  return texts
}

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()
let shippedCorpus = loadTexts(under: repository.appendingPathComponent("Corpus"), limit: .max)
let benchPool = loadTexts(
  under: repository.deletingLastPathComponent().appendingPathComponent("shared/corpora/bench-pool"), limit: 8_000_000)

/// Analyses every text with one pipeline and returns the token count.
func analyzeAll(_ texts: [[UInt8]], with pipeline: AnalysisPipeline) -> Int {
  var tokens = 0
  for text in texts {
    text.withUnsafeBufferPointer { buffer in
      try? pipeline.analyze(buffer) { tokens += $0.count }
    }
  }
  return tokens
}

let benchmarks: @Sendable () -> Void = {
  let configuration = Benchmark.Configuration(
    metrics: [.wallClock, .throughput, .instructions, .mallocCountTotal, .peakMemoryResident],
    maxDuration: .seconds(5), maxIterations: 50)

  Benchmark("Analysis chain, shipped Corpus", configuration: configuration) { benchmark in
    let pipeline = try Analyzer.french.makePipeline()
    let expected = analyzeAll(shippedCorpus, with: pipeline)
    precondition(expected > 1_000, "the shipped Corpus should have thousands of tokens")
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      blackHole(analyzeAll(shippedCorpus, with: pipeline))
    }
  }

  if !benchPool.isEmpty {
    for route in BreakRoute.allCases {
      Benchmark("Analysis chain, bench pool 8 MB, route \(route)", configuration: configuration) { benchmark in
        let pipeline = try Analyzer(route: route).makePipeline()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
          blackHole(analyzeAll(benchPool, with: pipeline))
        }
      }
    }
  }

  Benchmark("Snowball stemmer, unique words of the shipped Corpus", configuration: configuration) { benchmark in
    let pipeline = try Analyzer.french.makePipeline()
    var words: Set<String> = []
    for text in shippedCorpus {
      text.withUnsafeBufferPointer { buffer in
        guard let tokens = try? pipeline.tokens(inUTF8: buffer) else { return }
        for token in tokens where token.kind == .word { words.insert(token.term) }
      }
    }
    let list = words.sorted()
    var stemmer = FrenchStemmer()
    precondition(stemmer.stem("chevaux") == "cheval")
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
      for word in list { blackHole(stemmer.stem(word)) }
    }
  }
}
