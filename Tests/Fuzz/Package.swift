// swift-tools-version:6.0
import PackageDescription

// The fuzz targets: one libFuzzer executable per parser of triage. Its own package
// (depending on the root one by path) so the main `swift build` / `swift test`
// never build it. Build and run with `Tests/Fuzz/run.sh SECONDS`, which passes
// `-sanitize=fuzzer,address` to every module, TriageCore included, so coverage
// and ASan see the code that ships.
let targets = ["FuzzAccessLog", "FuzzJSONLines", "FuzzGzip", "FuzzAppLog", "FuzzFormatSpec", "FuzzTimeSpec"]

let package = Package(
    name: "triage-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "triage", path: "../..")],
    targets: [
        // LLVMFuzzerRunDriver and the oracle every renderer must keep.
        .target(name: "FuzzDriver", dependencies: [
            .product(name: "TriageCore", package: "triage"),
            .product(name: "TriageReport", package: "triage"),
        ]),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: [
            "FuzzDriver",
            .product(name: "TriageCore", package: "triage"),
        ])
    }
)
