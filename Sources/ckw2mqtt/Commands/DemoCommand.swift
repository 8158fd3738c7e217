import ArgumentParser
import AsyncHTTPClient
import Bridge
import Foundation
import Logging
import OpenEnergy
import OpenEnergySimulator
import TestSupport

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the bridge against a simulated CKW, with simulated time running fast.",
        discussion: """
            Starts the CKW simulator in this process and logs in to it, uses the broker given by \
            --mqtt-host/--mqtt-port or else starts a private mosquitto, and runs the bridge until \
            Ctrl-C. It prints the mosquitto_sub command to watch what the bridge publishes.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Simulated seconds per real second.")
    var speed: Double = 60

    @Option(help: "How many metering points the simulated household has (the first has solar panels).")
    var meters: Int = 1

    @Option(help: "The simulator's port on 127.0.0.1 (default: a free one).")
    var simulatorPort: Int = 0

    @OptionGroup var variations: WireVariationOptions

    @OptionGroup var gateway: GatewayShapeOptions

    func validate() throws {
        guard speed > 0, speed <= 100_000 else { throw ValidationError("--speed must be above 0 and at most 100000") }
        guard (1...10_000).contains(meters) else { throw ValidationError("--meters must be between 1 and 10000") }
        guard (0...65_535).contains(simulatorPort) else { throw ValidationError("--simulator-port must be a port number") }
    }

    func run() async throws {
        var configuration = try options.load(ckw: .suppliedByCaller)
        if !options.namesStateDirectory {
            // Never next to a real installation's login and totals.
            configuration.bridge.stateDirectory += "-demo"
        }
        LoggingSetup.bootstrap(configuration.logging)
        let logger = Logger(label: "ckw2mqtt")

        var simulatorLogger = Logger(label: "simulator")
        simulatorLogger.logLevel = .warning
        let simulator: SimulatorServer
        do {
            var simulatorConfiguration = SimulatorConfiguration(
                port: simulatorPort, autoApprove: true,
                population: .init(customers: 1, meteringPointsPerCustomer: meters),
                clockSpeed: speed, logger: simulatorLogger)
            simulatorConfiguration.variations = variations.wireVariations
            simulatorConfiguration.gateway = gateway.gatewayShape
            simulator = try await SimulatorServer.start(simulatorConfiguration)
        } catch {
            Terminal.error("cannot start the CKW simulator on 127.0.0.1:\(simulatorPort): \(error)")
            throw ExitCode.failure
        }
        logger.info("CKW simulator running", metadata: ["issuer": "\(simulator.issuerURL)", "speed": "\(speed)"])

        configuration.ckw.mode = .client
        configuration.ckw.issuer = .custom(simulator.issuerURL)
        configuration.ckw.apiBaseURL = simulator.clientAPIBaseURL
        configuration.ckw.clientID = SimulatorConfiguration.OAuthClient().id
        configuration.ckw.clientSecret = nil
        adapt(&configuration, to: gateway.gatewayShape, logger: logger)

        var broker: TestBroker?
        do {
            try await logIn(configuration: configuration, logger: logger)
            if !options.namesBroker {
                let started = try await TestBroker.start()
                broker = started
                logger.info("started a private mosquitto", metadata: ["port": "\(started.port)"])
                configuration.mqtt.host = "127.0.0.1"
                configuration.mqtt.port = started.port
            }
        } catch let missing as RequiredProgram.Missing {
            await simulator.shutdown()
            Terminal.error("\(missing), or name a broker with --mqtt-host and --mqtt-port")
            throw ExitCode.failure
        } catch {
            await broker?.shutdown()
            await simulator.shutdown()
            Terminal.error("\(error)")
            throw ExitCode.failure
        }

        Terminal.print("""
            ckw2mqtt demo: simulated CKW at \(simulator.baseURL), time running \(Self.format(speed))x.
            Watch it with:
              mosquitto_sub -v -h \(configuration.mqtt.host) -p \(configuration.mqtt.port) -t '\(configuration.mqtt.baseTopic)/#' -t '\(configuration.homeAssistant.discoveryPrefix)/#'
            Stop with Ctrl-C.
            """)

        let bridgeOptions = BridgeOptions(
            clock: PolledClock { simulator.clock.now },
            // A demo shows things happen: answer Home Assistant's birth quickly.
            birthDelay: .milliseconds(200) ... .seconds(1),
            statusLine: .standardError)
        do {
            try await BridgeRunner.run(
                configuration: configuration, bridgeOptions: bridgeOptions, logger: logger,
                alongside: [SimulatorService(simulator: simulator)])
        } catch {
            await simulator.shutdown()
            await broker?.shutdown()
            throw error
        }
        await broker?.shutdown()
    }

    /// The demo's bridge is configured for the gateway's shape, as a user would adapt `ckw.api.*`,
    /// and says which keys that took.
    private func adapt(_ configuration: inout BridgeConfiguration, to shape: GatewayShape, logger: Logger) {
        var keys: [String] = []
        if shape.coreDataPath != GatewayShape().coreDataPath {
            configuration.ckw.contract.coreDataPath = shape.coreDataPath
            keys.append("ckw.api.core_data_path: \(shape.coreDataPath)")
        }
        if shape.meterDataPath != GatewayShape().meterDataPath {
            configuration.ckw.contract.meterDataPath = shape.meterDataPath
            keys.append("ckw.api.meter_data_path: \(shape.meterDataPath)")
        }
        if shape.resetUnit == .seconds {
            configuration.ckw.contract.resetUnit = .seconds
            keys.append("ckw.api.rate_limit_reset_unit: s")
        }
        if let limit = shape.dailyRequestLimit {
            configuration.ckw.dailyRequestLimit = limit
            keys.append("ckw.api.daily_request_limit: \(limit)")
        }
        if !keys.isEmpty {
            logger.notice("the demo's bridge is set for the simulated gateway: \(keys.joined(separator: ", "))")
        }
    }

    /// The simulator approves at once; the tokens land in the state directory like a real login's.
    private func logIn(configuration: BridgeConfiguration, logger: Logger) async throws {
        let httpClient = OpenEnergyHTTP.makeHTTPClient()
        do {
            try await AutomaticLogin.login(
                client: OIDCClientConfiguration(
                    issuer: OIDCIssuer(configuration.ckw.issuer.url), clientID: configuration.ckw.clientID ?? "",
                    scopes: configuration.ckw.scopes),
                store: TokenStore(directory: URL(fileURLWithPath: configuration.bridge.stateDirectory, isDirectory: true)),
                httpClient: httpClient)
            try await httpClient.shutdown()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        logger.info("logged in to the simulated CKW", metadata: ["stateDirectory": "\(configuration.bridge.stateDirectory)"])
    }

    private static func format(_ speed: Double) -> String {
        speed == speed.rounded() ? String(Int(speed)) : String(speed)
    }
}
