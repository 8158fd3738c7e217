import AsyncHTTPClient
import Bridge
import Foundation
import Logging
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import TestSupport

/// A real bridge against the in-process simulator (real HTTP, real OAuth2) and a private
/// `mosquitto`, read with `mosquitto_sub`. The simulated clock stands still unless a test moves it,
/// and the bridge reads its time from it, so polls happen exactly when a test makes them due.
final class BridgeHarness: Sendable {
    static let start = Date(timeIntervalSince1970: 1_795_677_600)  // 2026-11-26T07:20:00Z, 08:20 in Zurich

    struct Settings: Sendable {
        var meters = 1
        var delivery = DeliverySchedule.immediate
        var mode = CKWMode.client
        var pollInterval = "20m"
        var simulatorPort = 0
        /// `ckw.request_timeout`: how long an API answer may take.
        var requestTimeout: Duration = .seconds(30)
        /// How often a bridge that needs a login looks at the token file. Tests of the reload
        /// (SIGHUP's path) set it beyond their own time, so that only the reload can bring the login back.
        var tokenCheckInterval: Duration = .milliseconds(50)
        /// The private broker's settings (ACL, packet size limit).
        var broker = TestBroker.Options()
        /// Another API than the simulator's (the login still goes through the simulator).
        var apiBaseURL: URL?
        /// `ckw.metering_points`.
        var meteringPoints: [String]?
        /// Where the bridge's log lines (warning and above) go, when a test reads them.
        var log: LogRecording?
        /// `ckw.timezone`.
        var timeZone: TimeZone?
        /// The simulator's paths, reset unit, daily quota and refresh behaviour.
        var gateway = GatewayShape()
        /// `ckw.api.*` but the daily limit.
        var contract = OpenEnergyContract()
        /// `ckw.api.daily_request_limit`; by default far above what the tests ask.
        var dailyRequestLimit = 10_000
    }

    let broker: TestBroker
    let directory: TemporaryDirectory
    let settings: Settings
    private let simulatorBox: Mutex<SimulatorServer>
    private let running = Mutex<(bridge: BridgeService, task: Task<Void, any Error>)?>(nil)
    let events = Mutex<[BridgeEvent]>([])

    var simulator: SimulatorServer { simulatorBox.withLock { $0 } }

    static func start(_ settings: Settings = Settings()) async throws -> BridgeHarness {
        let broker = try await TestBroker.start(settings.broker)
        let simulator = try await startSimulator(settings, port: settings.simulatorPort)
        let harness = BridgeHarness(broker: broker, simulator: simulator, settings: settings, directory: try TemporaryDirectory(prefix: "ckw2mqtt-e2e"))
        if settings.mode.needsUserLogin(.bearer) { try await harness.logIn() }
        return harness
    }

    private init(broker: TestBroker, simulator: SimulatorServer, settings: Settings, directory: TemporaryDirectory) {
        self.broker = broker
        self.simulatorBox = Mutex(simulator)
        self.settings = settings
        self.directory = directory
    }

    /// Created by the bridge (mode 0700, which the token store insists on).
    var stateDirectory: String { directory.file("state") }

    static func startSimulator(_ settings: Settings, port: Int, meters: Int? = nil) async throws -> SimulatorServer {
        var logger = Logger(label: "simulator")
        logger.logLevel = .error
        var configuration = SimulatorConfiguration(
            port: port, autoApprove: true, rateLimit: nil,
            population: .init(customers: 1, meteringPointsPerCustomer: meters ?? settings.meters),
            delivery: settings.delivery, clockStart: start, clockSpeed: 0, logger: logger)
        configuration.gateway = settings.gateway
        return try await SimulatorServer.start(configuration)
    }

    /// Replaces the simulator by one on the same port with `meters` metering points (core data changes).
    func replaceSimulator(meters: Int) async throws {
        let old = simulator
        let now = old.clock.now
        await old.shutdown()
        let new = try await Self.startSimulator(settings, port: old.port, meters: meters)
        new.clock.set(to: now)
        simulatorBox.withLock { $0 = new }
    }

    /// `ckw2mqtt login` as the demo does it: the simulator approves at once.
    func logIn() async throws {
        let httpClient = OpenEnergyHTTP.makeHTTPClient()
        do {
            try await AutomaticLogin.login(
                client: OIDCClientConfiguration(issuer: OIDCIssuer(simulator.issuerURL), clientID: "ckw2mqtt"),
                store: TokenStore(directory: URL(fileURLWithPath: stateDirectory)), httpClient: httpClient)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    var configuration: BridgeConfiguration {
        var configuration = BridgeConfiguration(stateDirectory: stateDirectory)
        configuration.mqtt.host = "127.0.0.1"
        configuration.mqtt.port = broker.port
        configuration.mqtt.clientID = "ckw2mqtt-e2e-\(UUID().uuidString.prefix(8))"
        configuration.ckw.mode = settings.mode
        configuration.ckw.issuer = .custom(simulator.issuerURL)
        switch settings.mode {
        case .client:
            configuration.ckw.apiBaseURL = simulator.clientAPIBaseURL
            configuration.ckw.clientID = "ckw2mqtt"
        case .backend:
            configuration.ckw.apiBaseURL = simulator.backendAPIBaseURL
            configuration.ckw.clientID = "ckw2mqtt"
            configuration.ckw.appClientID = SimulatorConfiguration.BackendApp().clientID
            configuration.ckw.appClientSecret = Secret(SimulatorConfiguration.BackendApp().clientSecret)
        case .clientCredentials:
            configuration.ckw.apiBaseURL = simulator.backendAPIBaseURL
            configuration.ckw.clientID = SimulatorConfiguration.BackendApp().clientID
            configuration.ckw.clientSecret = Secret(SimulatorConfiguration.BackendApp().clientSecret)
        }
        configuration.bridge.pollInterval = Self.duration(settings.pollInterval)
        // The simulator runs without a rate limit and most tests are not about the quota: a
        // household's 100 requests a day would stretch the polls of several metering points
        // beyond the hour the tests move the clock (see LoginBudgetTests for the budget).
        configuration.ckw.dailyRequestLimit = settings.dailyRequestLimit
        configuration.ckw.contract = settings.contract
        configuration.ckw.requestTimeout = settings.requestTimeout
        if let apiBaseURL = settings.apiBaseURL { configuration.ckw.apiBaseURL = apiBaseURL }
        configuration.ckw.meteringPoints = settings.meteringPoints
        if let timeZone = settings.timeZone { configuration.ckw.timeZone = timeZone }
        return configuration
    }

    private static func duration(_ text: String) -> Duration {
        let minutes = Int64(text.dropLast()) ?? 20
        return .seconds(minutes * 60)
    }

    /// Starts the bridge in this process (as `ckw2mqtt run` would, minus the signal handling).
    func startBridge(coreDataInterval: Duration = .seconds(6 * 3600)) throws {
        var logger = settings.log?.logger(level: .warning) ?? Logger(label: "ckw2mqtt")
        logger.logLevel = .warning
        let options = BridgeOptions(
            clock: PolledClock(slice: .milliseconds(10)) { [self] in simulator.clock.now },
            randomUnit: { 0 },
            birthDelay: .milliseconds(10) ... .milliseconds(10),
            coreDataInterval: coreDataInterval,
            tokenCheckInterval: settings.tokenCheckInterval,
            retryDelay: .milliseconds(100),
            retryDelayLimit: .milliseconds(500),
            flushInterval: .zero,
            // Retries after 5xx, bare 429s and timeouts as in production, with waits of tenths of a second.
            pacing: RequestPacer.Policy(backoffBase: 0.05, backoffCap: 0.4),
            observer: { [self] event in events.withLock { $0.append(event) } })
        let bridge = try BridgeService(configuration: configuration, options: options, logger: logger)
        let task = Task { try await bridge.run() }
        running.withLock { $0 = (bridge, task) }
    }

    var bridge: BridgeService? { running.withLock { $0?.bridge } }

    /// Cancels the bridge and waits until it has said goodbye (state saved, `offline`, DISCONNECT).
    func stopBridge() async throws {
        guard let (_, task) = running.withLock({ state in defer { state = nil }; return state }) else { return }
        task.cancel()
        try await task.value
    }

    func shutdown() async {
        try? await stopBridge()
        await simulator.shutdown()
        await broker.shutdown()
        directory.remove()
    }

    /// The simulated clock moves on; the bridge sees it within milliseconds.
    func advanceClock(by seconds: Int) {
        simulator.clock.advance(by: .seconds(seconds))
    }
}

/// Runs `body` with a started harness and always shuts it down.
func withHarness(_ settings: BridgeHarness.Settings = .init(), _ body: (BridgeHarness) async throws -> Void) async throws {
    let harness = try await BridgeHarness.start(settings)
    do {
        try await body(harness)
        await harness.shutdown()
    } catch {
        await harness.shutdown()
        throw error
    }
}
