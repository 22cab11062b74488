// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "triage",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "triage", targets: ["triage"]),
        .library(name: "TriageCore", targets: ["TriageCore"]),
        .library(name: "TriageReport", targets: ["TriageReport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // zlib and PCRE2 come from Debian's -dev packages; the shims wrap the
        // macros Swift cannot see (inflateInit2, PCRE2_UNSET, …).
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "CPCRE2", linkerSettings: [.linkedLibrary("pcre2-8")]),
        // ISA-L (Debian's libisal-dev): a faster inflate than zlib, zlib staying the fallback.
        .target(name: "CISAL", linkerSettings: [.linkedLibrary("isal")]),
        // CPU hints Swift cannot spell (a prefetch), as static inline C.
        .target(name: "CHints"),
        .target(
            name: "TriageCore",
            dependencies: ["CZlib", "CPCRE2", "CISAL", "CHints"],
            // Swift's overflow and bounds checks stay on; only the dynamic exclusivity
            // checks are off in release (Docs/Design.md, "Runtime checks": +4–6 %
            // instructions with this, +30 % with every check, measured).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]
        ),
        .target(name: "TriageReport", dependencies: ["TriageCore"]),
        .executableTarget(
            name: "triage",
            dependencies: [
                "TriageCore", "TriageReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test support (JSON value with key order, JSON Schema validator, a seeded
        // random generator): its own underscore module so the test targets share it;
        // never linked into triage.
        .target(name: "_TriageTestSupport", path: "Sources/_TriageTestSupport"),
        .testTarget(name: "TriageCoreTests", dependencies: ["TriageCore", "CZlib", "_TriageTestSupport"]),
        .testTarget(name: "TriageReportTests", dependencies: ["TriageReport", "TriageCore", "_TriageTestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "TriageCLITests", dependencies: ["TriageCore", "_TriageTestSupport"]),
    ]
)
