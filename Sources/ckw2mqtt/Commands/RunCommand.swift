import ArgumentParser
import Bridge
import BridgeObservability
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the bridge (SIGTERM/SIGINT: clean shutdown; SIGHUP: reload the login).")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.load()
        LoggingSetup.bootstrap(configuration.logging)
        MemoryTuning.apply()
        let logger = Logger(label: "ckw2mqtt")
        try await BridgeRunner.run(configuration: configuration, bridgeOptions: BridgeOptions(), logger: logger)
    }
}

/// Runs a bridge in a service group with the signal handling of a daemon, and turns its start-up
/// errors into one clear message and exit status 1.
enum BridgeRunner {
    static func run(
        configuration: BridgeConfiguration, bridgeOptions: BridgeOptions, logger: Logger,
        alongside extraServices: [any Service] = []
    ) async throws {
        let bridge: BridgeService
        do {
            bridge = try BridgeService(configuration: configuration, options: bridgeOptions, logger: logger)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        var services = extraServices + [bridge, LoginReloadOnHangup(bridge: bridge)]
        if configuration.http.enabled {
            services.append(ObservabilityServer(
                host: configuration.http.host, port: configuration.http.port,
                registry: MetricsBootstrap.prometheus(), health: { await bridge.health() }, logger: logger))
        }
        let group = ServiceGroup(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        do {
            try await group.run()
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }
}
