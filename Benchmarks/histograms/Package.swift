// swift-tools-version:6.0
import PackageDescription

// The measurement behind the choice of latency histogram (Docs/Benchmarks.md,
// "Latency histogram"): triage's LatencyHistogram against HdrHistogram
// (hdrhistogram-swift, from the package mirror) at the same 1% precision.
// Its own package, so the main build never pulls HdrHistogram in.
// Run: swift run -c release --package-path Benchmarks/histograms
let package = Package(
    name: "histograms",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "triage", path: "../.."),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    ],
    targets: [
        .executableTarget(name: "histograms", dependencies: [
            .product(name: "TriageCore", package: "triage"),
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
    ]
)
