// swift-tools-version:6.1
// Verbatim: qualitative coding and text mining for French interview transcripts.
import PackageDescription

let package = Package(
  name: "verbatim",
  platforms: [.macOS(.v13)],
  products: [
    .library(name: "VerbatimAnalysis", targets: ["VerbatimAnalysis"]),
    .library(name: "VerbatimEngine", targets: ["VerbatimEngine"]),
    .executable(name: "verbatim", targets: ["verbatim"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
  ],
  targets: [
    // Plain-C API over ICU: its public header uses <stdint.h> types only, so Swift modules that
    // import Foundation (which bundles its own ICU) never see ICU's headers.
    .target(
      name: "CICUShim",
      cSettings: [.unsafeFlags(["-O2"])],
      linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n"), .linkedLibrary("icudata")]
    ),
    .target(
      name: "VerbatimAnalysis",
      dependencies: ["CICUShim"],
      resources: [.copy("Resources/french_stop.txt"), .copy("Resources/french_spoken_stop.txt")],
      // The hot path owns all its state (one pipeline per worker), so the runtime
      // exclusivity checks on class properties only cost time there (measured: ~5%).
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
    ),
    .target(
      name: "VerbatimCorpus",
      dependencies: [
        "VerbatimAnalysis",
        .product(name: "Yams", package: "Yams"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    // Cache hints (a prefetch) for the searcher's hot loop: one static inline C function.
    .target(name: "CMemoryHints"),
    .target(
      name: "VerbatimIndex",
      dependencies: ["VerbatimAnalysis", "VerbatimCorpus", "CMemoryHints"]
    ),
    .target(
      name: "VerbatimGraph",
      dependencies: ["VerbatimAnalysis", "VerbatimCorpus", "VerbatimIndex"],
      // Counting owns its tables (one per worker), as the analysis hot path does.
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
    ),
    .target(
      name: "VerbatimCoding",
      dependencies: [
        "VerbatimAnalysis", "VerbatimCorpus", "VerbatimIndex",
        .product(name: "Yams", package: "Yams"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .target(
      name: "VerbatimEngine",
      dependencies: ["VerbatimAnalysis", "VerbatimCorpus", "VerbatimIndex", "VerbatimGraph", "VerbatimCoding"]
    ),
    .executableTarget(
      name: "verbatim",
      dependencies: [
        "VerbatimEngine",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Test helpers (seeded random generators); a test-only target, never a product.
    .target(name: "VerbatimTestSupport"),
    .testTarget(
      name: "VerbatimAnalysisTests",
      dependencies: ["VerbatimAnalysis", "VerbatimTestSupport"]
    ),
    .testTarget(
      name: "VerbatimCorpusTests",
      dependencies: [
        "VerbatimCorpus", "VerbatimAnalysis", "VerbatimTestSupport",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .testTarget(
      name: "VerbatimIndexTests",
      dependencies: ["VerbatimIndex", "VerbatimAnalysis", "VerbatimCorpus", "VerbatimTestSupport"]
    ),
    .testTarget(
      name: "VerbatimGraphTests",
      dependencies: ["VerbatimGraph", "VerbatimIndex", "VerbatimAnalysis", "VerbatimCorpus", "VerbatimTestSupport"]
    ),
    .testTarget(
      name: "VerbatimCodingTests",
      dependencies: ["VerbatimCoding", "VerbatimIndex", "VerbatimAnalysis", "VerbatimCorpus", "VerbatimTestSupport"]
    ),
    .testTarget(
      name: "VerbatimCLITests",
      dependencies: ["VerbatimEngine", "verbatim", "VerbatimTestSupport"]
    ),
  ],
  swiftLanguageModes: [.v6]
)
