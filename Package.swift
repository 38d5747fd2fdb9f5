// swift-tools-version: 6.0
import PackageDescription

/// Settings every Swift target gets (see ../shared/STYLE.md, "package hygiene").
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "aggregator",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "aggregator", targets: ["aggregator"]),
        .executable(name: "bench-dedup", targets: ["bench-dedup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        // C libraries: one system-library target each, a module map plus a small shim.h.
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]),

        // The feed parser's byte loops in C (HTML sanitizer and tokenizer, plain text, escaping, UTF-8 check);
        // imported by Feeds only. -O3 because these loops are most of the parser's own time.
        .target(name: "CFeedBytes", dependencies: ["CLibXML2"], cSettings: [.unsafeFlags(["-O3"])]),

        // Libraries, one per stage.
        .target(name: "Feeds", dependencies: ["CLibXML2", "CFeedBytes"], swiftSettings: swiftSettings),
        .target(name: "Fetch", dependencies: ["CCurl"], swiftSettings: swiftSettings),
        .target(name: "Dedup", swiftSettings: swiftSettings),
        .target(name: "Store", dependencies: ["CSQLite", "Feeds", "Dedup"], swiftSettings: swiftSettings),
        .target(
            name: "AggregatorKit",
            dependencies: [
                "Feeds", "Fetch", "Dedup", "Store",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.embedInCode("Templates")],
            swiftSettings: swiftSettings),

        // Release-mode benchmark of the feed parser against the bare libxml2 SAX floor (Scripts/bench-parse).
        .executableTarget(name: "bench-parse", dependencies: ["Feeds"], swiftSettings: swiftSettings),

        // The thin command-line tool.
        .executableTarget(
            name: "aggregator",
            dependencies: [
                "AggregatorKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        // Times the Fetcher alone against Scripts/bench-fetch-server.py (see Scripts/bench-fetch).
        .executableTarget(name: "bench-fetch", dependencies: ["Fetch"], swiftSettings: swiftSettings),
        // Dedup measurements (corpus eval, throughput benchmark); see Scripts/bench-dedup*.
        .executableTarget(name: "bench-dedup", dependencies: ["Dedup", "Store", "Feeds"], swiftSettings: swiftSettings),

        .testTarget(
            name: "FeedsTests", dependencies: ["Feeds"],
            resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(
            name: "FetchTests", dependencies: ["Fetch"], exclude: ["Server"], swiftSettings: swiftSettings),
        .testTarget(name: "DedupTests", dependencies: ["Dedup"], swiftSettings: swiftSettings),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Feeds", "Dedup"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AggregatorKitTests", dependencies: ["AggregatorKit", "Store"], exclude: ["Snapshots"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "EndToEndTests", dependencies: ["aggregator", "Store"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
