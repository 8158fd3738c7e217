import ArgumentParser
import Foundation
import Logging
import OpenEnergySimulator
import ServiceLifecycle
import UnixSignals

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the CKW simulator on its own (login, Client and Backend API, control API under /_sim/).")

    @Option(help: "The port to listen on.")
    var port: Int

    @Option(help: "The address to listen on; only loopback is allowed.")
    var host: String = "127.0.0.1"

    @Option(help: "Simulated seconds per real second.")
    var speed: Double = 1

    @Option(help: "Metering points of the first customer (the first has solar panels).")
    var meters: Int = 1

    @Flag(help: "Approve logins at once, without the login page.")
    var autoApprove = false

    @Option(help: "Serve HTTPS with this PEM certificate (chain); needs --tls-key.")
    var tlsCertificate: String?

    @Option(help: "The PEM private key of --tls-certificate.")
    var tlsKey: String?

    @Option(help: "Seconds an access token lives (Keycloak's default).")
    var accessTokenLifetime: Int = 300

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @OptionGroup var variations: WireVariationOptions

    @OptionGroup var gateway: GatewayShapeOptions

    func validate() throws {
        guard host == "127.0.0.1" else { throw ValidationError("--host: the simulator listens on 127.0.0.1 only") }
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        guard speed >= 0, speed <= 100_000 else { throw ValidationError("--speed must be between 0 and 100000") }
        guard (1...10_000).contains(meters) else { throw ValidationError("--meters must be between 1 and 10000") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level `\(logLevel)`") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else { throw ValidationError("--tls-certificate and --tls-key go together") }
        guard (1...86_400).contains(accessTokenLifetime) else { throw ValidationError("--access-token-lifetime must be between 1 and 86400 seconds") }
    }

    func run() async throws {
        LoggingSetup.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        let logger = Logger(label: "simulator")
        let simulator: SimulatorServer
        do {
            var configuration = SimulatorConfiguration(
                port: port, autoApprove: autoApprove,
                tokenLifetimes: .init(accessToken: .seconds(accessTokenLifetime)),
                population: .init(customers: 3, meteringPointsPerCustomer: meters),
                clockSpeed: speed,
                tls: tlsCertificate.map { SimulatorConfiguration.TLS(certificateChainFile: $0, privateKeyFile: tlsKey ?? "") },
                logger: logger)
            configuration.variations = variations.wireVariations
            configuration.gateway = gateway.gatewayShape
            simulator = try await SimulatorServer.start(configuration)
        } catch {
            Terminal.error("cannot start the simulator on 127.0.0.1:\(port): \(error)")
            throw ExitCode.failure
        }
        Terminal.print("""
            CKW simulator on \(simulator.baseURL)
              issuer:      \(simulator.issuerURL)
              Client API:  \(simulator.clientAPIBaseURL)
              Backend API: \(simulator.backendAPIBaseURL)
              client id:   \(SimulatorConfiguration.OAuthClient().id)
              user:        \(SimulatorConfiguration.User().username) / \(SimulatorConfiguration.User().password)
              backend app: \(SimulatorConfiguration.BackendApp().clientID) / \(SimulatorConfiguration.BackendApp().clientSecret)
            Stop with Ctrl-C.
            """)
        let group = ServiceGroup(
            services: [SimulatorService(simulator: simulator)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}

/// `--local-offsets`, `--watt-hours`, `--tariff-registers`, `--numbers-as-strings`: meter data in shapes
/// a real CKW API may send, to see that the bridge reads them.
struct WireVariationOptions: ParsableArguments {
    @Flag(help: "Write timestamps with Zurich's offset (+01:00/+02:00) instead of Z.")
    var localOffsets = false

    @Flag(help: "Send values in Wh instead of kWh.")
    var wattHours = false

    @Option(help: "Tariff registers 1.8.1/1.8.2 (and 2.8.x): none, beside-total or instead (of the totals).")
    var tariffRegisters: String = "none"

    @Flag(help: "Write numbers as strings (\"value\":\"0.123\").")
    var numbersAsStrings = false

    func validate() throws {
        guard WireVariations.TariffRegisters(rawValue: tariffRegisters) != nil else {
            throw ValidationError("--tariff-registers must be none, beside-total or instead")
        }
    }

    var wireVariations: WireVariations {
        WireVariations(
            localOffsets: localOffsets, wattHours: wattHours,
            tariffRegisters: WireVariations.TariffRegisters(rawValue: tariffRegisters) ?? .none,
            numbersAsStrings: numbersAsStrings)
    }
}

/// `--core-data-path`, `--meter-data-path`, `--reset-in-seconds`, `--daily-request-limit`,
/// `--unauthorized-after-refresh`: a gateway that differs from the assumed contract in the ways the
/// `ckw.api.*` keys and the bridge's own rules adapt to.
struct GatewayShapeOptions: ParsableArguments {
    @Option(help: "Serve core data at this path below the API's base URL instead of v1/coredata (for ckw.api.core_data_path).")
    var coreDataPath: String = GatewayShape().coreDataPath

    @Option(help: "Serve meter data at this path, with {meteringPointId}, instead of v1/meterdata/{meteringPointId} (for ckw.api.meter_data_path).")
    var meterDataPath: String = GatewayShape().meterDataPath

    @Flag(help: "Send X-Ratelimit-Reset in seconds instead of MuleSoft's milliseconds (for ckw.api.rate_limit_reset_unit: s).")
    var resetInSeconds = false

    @Option(help: "Allow each login this many API requests per simulated day, then answer 429 until the day's window ends (for ckw.api.daily_request_limit).")
    var dailyRequestLimit: Int?

    @Option(help: "Refuse each freshly refreshed access token this many times with 401, as a gateway whose key cache lags behind.")
    var unauthorizedAfterRefresh: Int = 0

    func validate() throws {
        if let problem = gatewayShape.pathProblem { throw ValidationError("--core-data-path/--meter-data-path: \(problem)") }
        guard dailyRequestLimit.map({ $0 >= 1 }) ?? true else { throw ValidationError("--daily-request-limit must be at least 1") }
        guard (0...100).contains(unauthorizedAfterRefresh) else { throw ValidationError("--unauthorized-after-refresh must be between 0 and 100") }
    }

    var gatewayShape: GatewayShape {
        GatewayShape(
            coreDataPath: coreDataPath, meterDataPath: meterDataPath, resetUnit: resetInSeconds ? .seconds : .milliseconds,
            dailyRequestLimit: dailyRequestLimit, unauthorizedAfterRefresh: unauthorizedAfterRefresh)
    }
}
