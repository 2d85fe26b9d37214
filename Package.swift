// swift-tools-version: 6.1
import PackageDescription

// Features every target builds with: explicit `any`, imports visible only where declared, and
// internal imports unless a target re-exports a type on purpose.
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "run-agent-bus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "run-agent", targets: ["run-agent"]),
        // `serve` and `mcp`, which `run-agent` execs: the MCP SDK's libcurl stays out of every other command's start.
        .executable(name: "run-agent-services", targets: ["run-agent-services"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The HTTP server (issue 10) and its remote clients.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `run-agent bus mcp` (issue 12): the Model Context Protocol server and its transports.
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
    ],
    targets: [
        // ncursesw, wrapped by hand: SwiftPM has no package for it (see Modulemap/shim.h).
        .systemLibrary(name: "CNcursesw", path: "Modulemap"),
        // CRC-32C with the processor's instruction (SSE4.2, ARMv8 CRC), which Swift cannot name portably.
        .target(name: "CBusChecksum"),
        // statx(2), for a file's birth time, which glibc declares only under _GNU_SOURCE.
        .target(name: "CBusSystem"),
        // Byte-class searches sixteen bytes at a time (SSE2), for the JSON writer, flat header values and text made
        // inert for terminals: Swift's SIMD types compiled to scalar code there.
        .target(name: "CBusBytes"),
        .target(
            name: "BusCore",
            dependencies: ["CBusBytes", "CBusChecksum", "CBusSystem", .product(name: "Yams", package: "Yams")],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "BusTUI",
            dependencies: ["BusCore", "CNcursesw"],
            swiftSettings: upcomingFeatures
        ),
        // `run-agent bus serve`: the HTTP API over the same engine; never imports BusTUI.
        .target(
            name: "BusServer",
            dependencies: [
                "BusCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // The HTTP clients of `post/read/poll --server`: BusCore and async-http-client only.
        .target(
            name: "BusRemote",
            dependencies: [
                "BusCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // `run-agent bus mcp`: the bus as MCP tools and resources; BusCore and MCP only.
        .target(
            name: "BusMCP",
            dependencies: [
                "BusCore",
                .product(name: "MCP", package: "swift-sdk"),
                // The SDK's Transport protocol names swift-log's Logger (its own stdio transport is replaced).
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "BusCLI",
            dependencies: [
                "BusCore",
                "BusTUI",
                "BusRemote",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "run-agent",
            dependencies: ["BusCLI"],
            swiftSettings: upcomingFeatures,
            // Agents start `run-agent bus post` once per message. Exporting every symbol of the statically linked
            // runtime (27k) made each of the loader's symbol lookups and the runtime's own start-up `dladdr` slow.
            // (The release build is also linked `-no-pie`, on the command line: see the README's first command.)
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "run-agent-services",
            dependencies: [
                "BusCLI", "BusCore", "BusServer", "BusMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // Helpers both test targets use: the Go-rules reader and the shared vectors' location.
        .target(
            name: "BusTestSupport",
            dependencies: ["BusCore"],
            path: "Tests/BusTestSupport",
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "BusCoreTests",
            dependencies: ["BusCore", "BusTestSupport"],
            swiftSettings: upcomingFeatures
        ),
        // The commands' own logic, without the binary (the hand parser of `post` against ArgumentParser's).
        .testTarget(
            name: "BusCLITests",
            dependencies: ["BusCLI", "BusCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "BusTUITests",
            dependencies: ["BusTUI", "BusCore", "BusTestSupport"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "BusMCPTests",
            dependencies: [
                "BusMCP", "BusCore",
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "BusCore", "BusTestSupport",
                // The server's tests speak real HTTP to the real binary.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The OpenAPI test parses the served document.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: upcomingFeatures
        ),
    ]
)

// Benchmarks pull in package-benchmark and jemalloc interposition: join them to the graph only on request,
// so the ordinary build and test run stay lean (`BUS_BENCHMARKS=1 swift package benchmark`).
if Context.environment["BUS_BENCHMARKS"] == "1" {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "BusBenchmarks",
            dependencies: [
                "BusCore",
                "BusTUI",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/BusBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}

// The libFuzzer target for the record scanner, joined only on request (`scripts/fuzz.sh` sets BUS_FUZZ=1 and
// builds it with `-sanitize=fuzzer`, which links libFuzzer's own main).
if Context.environment["BUS_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "BusFuzzer",
            dependencies: ["BusCore"],
            path: "Fuzz/BusFuzzer",
            swiftSettings: [.unsafeFlags(["-parse-as-library", "-sanitize=fuzzer"])],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])]
        )
    )
}
