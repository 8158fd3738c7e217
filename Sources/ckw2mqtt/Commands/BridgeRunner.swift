import ArgumentParser
import Bridge
import BridgeObservability
import Foundation
import Logging
import OpenEnergySimulator
import ServiceLifecycle
import UnixSignals

/// Runs a bridge in a service group with the signal handling of a daemon, and turns its start-up
/// errors into one clear message and exit status 1.
enum BridgeRunner {
    static func run(
        configuration: BridgeConfiguration, bridgeOptions: BridgeOptions, logger: Logger,
        alongside extraServices: [any Service] = [],
        following followers: (BridgeService) -> [any Service] = { _ in [] }
    ) async throws {
        let bridge: BridgeService
        do {
            bridge = try BridgeService(configuration: configuration, options: bridgeOptions, logger: logger)
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        // Followers first: the group stops services in reverse order, the bridge before them.
        var services = followers(bridge) + extraServices + [bridge, LoginReloadOnHangup(bridge: bridge)]
        if configuration.http.enabled {
            let http = configuration.http
            let credential = http.auth.username.flatMap { username in
                http.auth.password.map { WebAccessPolicy.Credential(username: username, password: $0.plaintext) }
            }
            services.append(ObservabilityServer(
                host: http.host, port: http.port,
                registry: MetricsBootstrap.prometheus(), health: { await bridge.health() },
                web: .init(control: bridge, policy: WebAccessPolicy(ingressProxy: http.ingressProxy, credential: credential)),
                logger: logger))
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
