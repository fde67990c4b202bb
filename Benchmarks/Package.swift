// swift-tools-version:6.1
// Verbatim's benchmark suites (ordo-one/package-benchmark), a nested package so that the root
// package never depends on the harness. Run from this folder:
//   swift package --disable-sandbox benchmark
// Side-by-side runs against the peers of ../shared/bench: ./side-by-side.sh (see RESULTS.md).
import PackageDescription

let package = Package(
  name: "VerbatimBenchmarks",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "verbatim", path: ".."),
    .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
  ],
  targets: [
    .executableTarget(
      name: "AnalysisBenchmarks",
      dependencies: [
        .product(name: "VerbatimAnalysis", package: "verbatim"),
        .product(name: "Benchmark", package: "package-benchmark"),
      ],
      path: "Benchmarks/AnalysisBenchmarks",
      plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
    )
  ],
  swiftLanguageModes: [.v6]
)
