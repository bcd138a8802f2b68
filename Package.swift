// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "OrderTimeline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "timelined", targets: ["timelined"]),
        .executable(name: "timelinectl", targets: ["timelinectl"]),
        .executable(name: "timeline-audit", targets: ["timeline-audit"]),
        .executable(name: "timeline-bench", targets: ["timeline-bench"]),
        .executable(name: "timeline-relay", targets: ["timeline-relay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // Only the benchmark's SQLite baseline uses it; no product library may depend on it.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "LMDB", dependencies: ["CLMDB"], swiftSettings: strict),
        .target(
            name: "TimelineModel",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "TimelineModeration",
            dependencies: ["TimelineModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "TimelineStore",
            dependencies: ["LMDB", "TimelineModel", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "TimelineWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .target(
            name: "TimelineServer",
            dependencies: [
                "TimelineStore", "TimelineModel", "TimelineModeration", "TimelineWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TimelineClient",
            dependencies: [
                "TimelineModel", "TimelineWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TimelineAudit",
            dependencies: [
                "TimelineStore", "TimelineModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strict
        ),
        // The command-line tools' progress line on a terminal (no other dependencies).
        .target(name: "TerminalProgress", swiftSettings: strict),
        .target(
            name: "TimelineFuzz",
            dependencies: ["TimelineModel", "TimelineWire"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "timelined",
            dependencies: [
                "TimelineServer", "TimelineModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "timelinectl",
            dependencies: [
                "TimelineClient", "TimelineModel", "TimelineModeration", "TimelineStore", "TimelineRelay", "TerminalProgress",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TimelineRelay",
            dependencies: [
                "TimelineStore", "TimelineModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "timeline-relay",
            dependencies: [
                "TimelineRelay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "timeline-audit",
            dependencies: [
                "TimelineAudit", "TimelineModel", "TimelineStore", "TimelineClient", "TimelineRelay", "TerminalProgress",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "timeline-bench",
            dependencies: [
                "TimelineStore", "TimelineModel", "TimelineModeration", "TimelineClient", "LMDB", "TimelineAudit", "TimelineFuzz", "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        // Scratch folders and reader processes: all LMDBTests need, without the store.
        .target(name: "TestScratch", dependencies: ["CLMDB"], path: "Tests/Scratch", swiftSettings: strict),
        .target(
            name: "TestSupport",
            dependencies: ["TestScratch", "TimelineStore", "TimelineModel", "TimelineModeration", "TimelineFuzz"],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "CLMDB", "TestScratch"], swiftSettings: strict),
        .testTarget(
            name: "TimelineModelTests",
            dependencies: ["TimelineModel", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TimelineModerationTests",
            dependencies: ["TimelineModeration", "TimelineModel"],
            swiftSettings: strict
        ),
        .testTarget(name: "TimelineStoreTests", dependencies: ["TimelineStore", "TimelineModel", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TimelineServerTests",
            dependencies: [
                "TimelineServer", "TimelineClient", "TimelineStore", "TimelineModel", "TimelineFuzz", "TimelineWire", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TimelineAuditTests",
            dependencies: [
                "TimelineAudit", "TimelineStore", "TimelineModel", "TimelineClient", "LMDB", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TimelineRelayTests",
            dependencies: ["TimelineRelay", "TimelineStore", "TimelineModel", "TimelineClient", "TestSupport"],
            swiftSettings: strict
        ),
    ]
)
