// swift-tools-version:6.2
import PackageDescription

/// `BUILD_CKW2MQTT_TOOLS=1` in the environment adds the tools around the product: the benchmarks,
/// the soak, the fuzzers and the C baseline publisher (all in `Benchmarks/`), and the tests that run
/// them (`FuzzingTests`, the short soak in `EndToEndTests`). Without it, `swift build` builds only
/// the product and `swift build --build-tests` its tests. `scripts/benchmark` and `scripts/test` set
/// it. (Not `CKW2MQTT_…`: that prefix is the daemon's configuration, which refuses unknown names,
/// and the tests start the daemon with their own environment.)
let buildsTools = Context.environment["BUILD_CKW2MQTT_TOOLS"] == "1"

/// Settings shared by every Swift target (Swift 6 language mode is the tools-version default).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ckw2mqtt",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Mosquitto", targets: ["Mosquitto"]),
        .library(name: "EnergyDomain", targets: ["EnergyDomain"]),
        .library(name: "OpenEnergy", targets: ["OpenEnergy"]),
        .library(name: "OpenEnergySimulator", targets: ["OpenEnergySimulator"]),
        .library(name: "HomeAssistant", targets: ["HomeAssistant"]),
        .library(name: "HomeAssistantRecorder", targets: ["HomeAssistantRecorder"]),
        .library(name: "Bridge", targets: ["Bridge"]),
        .executable(name: "ckw2mqtt", targets: ["ckw2mqtt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Already resolved for AsyncHTTPClient; the API client's trust settings (a private CA) use it.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Already resolved for Hummingbird; the simulator names header fields with it.
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // The websocket client for Home Assistant's recorder API (statistics import).
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // Metrics API (the bridge reports through it) and its Prometheus backend for `/metrics`.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // MARK: MQTT
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .target(
            name: "Mosquitto",
            dependencies: [
                "CMosquitto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MosquittoTests",
            dependencies: ["Mosquitto", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        // One way to start things as the tests do: a private `mosquitto` on a free port (`TestBroker`),
        // child processes, free ports, temporary directories, test certificates, a CKW look-alike
        // answering literal JSON. The tests and the tools use it, and so does `ckw2mqtt demo`, which
        // starts a private mosquitto when no broker is named: hence a library in Sources that the
        // product may link (as Hummingbird keeps `HummingbirdTesting` and ServiceLifecycle its
        // `ServiceLifecycleTestKit`), rather than a second way to start a broker inside the product.
        .target(
            name: "TestSupport",
            dependencies: [
                // `LiteralCKWServer`: a CKW look-alike answering with literal JSON, not our types.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: CKW OpenEnergy
        // The wire contract's UTC timestamps, also written by the Home Assistant payloads.
        .target(
            name: "Timestamps",
            swiftSettings: swiftSettings
        ),
        // The meter's domain (directions, qualities, interval readings, amounts of energy): made by
        // OpenEnergy from the wire, filed by the Bridge, turned into payloads by HomeAssistant.
        .target(
            name: "EnergyDomain",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OpenEnergy",
            dependencies: [
                "EnergyDomain",
                "Timestamps",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OpenEnergyTests",
            dependencies: [
                "EnergyDomain",
                "OpenEnergy",
                "OpenEnergySimulator",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "OpenEnergySimulator",
            dependencies: [
                "EnergyDomain",
                "OpenEnergy",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA key generation for the RS256 signing key (already built for JWTKit).
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                // HTTPS with a test CA, for the TLS verification tests of the bridge.
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                // Graceful shutdown of the Hummingbird application.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // `AutomaticLogin` plays the browser against the auto-approving simulator.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OpenEnergySimulatorTests",
            dependencies: [
                "EnergyDomain",
                "OpenEnergySimulator",
                "OpenEnergy",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Home Assistant
        .target(
            name: "HomeAssistant",
            // Mosquitto for `MQTTQoS` only: the messages it makes carry the configured QoS.
            dependencies: ["EnergyDomain", "Mosquitto", "Timestamps"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HomeAssistantTests",
            dependencies: [
                "EnergyDomain", "HomeAssistant", "Mosquitto", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["HomeAssistantSchemaCheck"],
            resources: [.copy("Golden")],
            swiftSettings: swiftSettings
        ),

        // MARK: Home Assistant recorder (long-term statistics over the websocket API)
        .target(
            name: "HomeAssistantRecorder",
            dependencies: [
                "EnergyDomain",
                "HomeAssistant",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HomeAssistantRecorderTests",
            dependencies: [
                "EnergyDomain",
                "HomeAssistantRecorder",
                "HomeAssistant",
                "TestSupport",
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Bridge
        .target(
            name: "Bridge",
            dependencies: [
                "EnergyDomain",
                "Mosquitto",
                "OpenEnergy",
                "HomeAssistant",
                "HomeAssistantRecorder",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BridgeTests",
            dependencies: [
                "Bridge",
                "EnergyDomain",
                "Mosquitto",
                "HomeAssistant",
                "OpenEnergy",
                "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        // `/healthz`, `/metrics` and the web page (status, login, logout, fetch) for `http.enabled`.
        .target(
            name: "BridgeObservability",
            dependencies: [
                "Bridge",
                "EnergyDomain",
                // The page shows the meters' values as Home Assistant gets them.
                "HomeAssistant",
                // Constant-time comparison of the page's password and CSRF token.
                .product(name: "Crypto", package: "swift-crypto"),
                // Names of the page's header fields (already built for Hummingbird).
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BridgeObservabilityTests",
            dependencies: ["BridgeObservability", "Bridge", "HomeAssistant"],
            swiftSettings: swiftSettings
        ),
        // glibc's `malloc_trim` (malloc.h is not part of Swift's Glibc module), for `ckw2mqtt run`.
        .systemLibrary(name: "CGlibcMalloc"),
        // The command: `run` (the daemon), `demo`, `simulate`, `login`, `logout`, `status`,
        // `check-config`, `purge`.
        .executableTarget(
            name: "ckw2mqtt",
            dependencies: [
                "CGlibcMalloc",
                "Bridge",
                "EnergyDomain",
                "BridgeObservability",
                "Mosquitto",
                "OpenEnergy",
                "OpenEnergySimulator",
                "HomeAssistant",
                // `demo` starts a private mosquitto when no broker is named.
                "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // `run --simulator-clock` reads a simulator's clock over HTTP.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: [
                // Full RELRO: no lazy symbol lookups once running; the usual hardening for a daemon.
                // The static Swift runtime and the stripped binary come from the release build
                // command (scripts/build-release), not from here.
                .unsafeFlags(["-Xlinker", "-z", "-Xlinker", "now"], .when(platforms: [.linux])),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "EnergyDomain",
                // The fault tests kill, stop and limit the real daemon.
                "ckw2mqtt",
                "Bridge",
                "BridgeObservability",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // The literal CKW look-alike (`LiteralCKWServer`) listens with it.
                .product(name: "NIOPosix", package: "swift-nio"),
                "Mosquitto",
                "OpenEnergy",
                "OpenEnergySimulator",
                "HomeAssistant",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        // Parses the deployment files (docker-compose.yml, examples/) and checks them against the
        // configuration loader.
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "Bridge",
                // The entity ids the example automations use are checked against real discovery.
                "HomeAssistant",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// MARK: Tools (only with BUILD_CKW2MQTT_TOOLS=1)
if buildsTools {
    package.products += [
        .executable(name: "bridge-benchmark", targets: ["BridgeBenchmark"]),
        .executable(name: "bridge-soak", targets: ["BridgeSoak"]),
        .executable(name: "openenergy-benchmark", targets: ["OpenEnergyBenchmark"]),
        .executable(name: "openenergy-fuzz", targets: ["OpenEnergyFuzz"]),
        .executable(name: "simulator-benchmark", targets: ["SimulatorBenchmark"]),
    ]
    package.targets += [
        // `scripts/benchmark mosquitto-benchmark`: the wrapper against libmosquitto used from C.
        .executableTarget(
            name: "mosquitto-benchmark",
            dependencies: ["Mosquitto", "mosquitto-c-publisher", "TestSupport"],
            path: "Benchmarks/MosquittoBenchmark",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mosquitto-c-publisher",
            dependencies: ["CMosquitto"],
            path: "Benchmarks/MosquittoCPublisher"
        ),
        // Mutation fuzzing of the wire decoders, the rate-limit header parser and the configuration
        // loader: `scripts/benchmark openenergy-fuzz --iterations 5000000` (JSON results).
        .target(
            name: "Fuzzing",
            dependencies: ["OpenEnergy", "Bridge"],
            path: "Benchmarks/Fuzzing",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OpenEnergyFuzz",
            dependencies: ["Fuzzing"],
            path: "Benchmarks/OpenEnergyFuzz",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FuzzingTests",
            dependencies: ["Fuzzing"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "OpenEnergyBenchmark",
            dependencies: ["OpenEnergy"],
            path: "Benchmarks/OpenEnergyBenchmark",
            swiftSettings: swiftSettings
        ),
        // `scripts/benchmark simulator-benchmark`: requests per second of the simulator.
        .executableTarget(
            name: "SimulatorBenchmark",
            dependencies: [
                "OpenEnergySimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/SimulatorBenchmark",
            swiftSettings: swiftSettings
        ),
        // `scripts/benchmark bridge-benchmark`: RSS of `ckw2mqtt run`, discovery of 1,000 metering
        // points, latency from meter data to the broker's acknowledgement.
        .executableTarget(
            name: "BridgeBenchmark",
            dependencies: [
                // Measured as a child process, as users run it.
                "ckw2mqtt",
                "Bridge",
                "Mosquitto",
                "OpenEnergy",
                "OpenEnergySimulator",
                "HomeAssistant",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/BridgeBenchmark",
            swiftSettings: swiftSettings
        ),
        // `scripts/benchmark bridge-soak --days 30`: `ckw2mqtt run` through simulated weeks with
        // faults sprinkled in; memory, descriptors, threads and totals as JSON.
        .executableTarget(
            name: "BridgeSoak",
            dependencies: [
                "EnergyDomain",
                // Soaked as a child process, as users run it.
                "ckw2mqtt",
                "Bridge",
                "OpenEnergy",
                "OpenEnergySimulator",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/BridgeSoak",
            swiftSettings: swiftSettings
        ),
    ]
    // The short soak (`SoakTests`) runs `bridge-soak`: built before the tests, and the suite enabled.
    let endToEndTests = package.targets.first { $0.name == "EndToEndTests" }!
    endToEndTests.dependencies.append("BridgeSoak")
    endToEndTests.swiftSettings = swiftSettings + [.define("BUILD_CKW2MQTT_TOOLS")]
}
