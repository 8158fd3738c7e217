import Foundation
import HomeAssistant
import Logging
import Mosquitto
import OpenEnergy
import ServiceLifecycle

/// The bridge: CKW meter data in, Home Assistant discovery and states out, for as long as it runs.
///
/// Construction loads the state file and checks everything that can be checked without the network;
/// it throws `StateStoreError` for a damaged state file (never replaced by zeros), `TopicError` or
/// `MQTTError.invalidConfiguration` for settings that cannot work. `run()` then connects to the
/// broker (will: `offline`, retained), reads core data, publishes discovery, fetches the look-back
/// and keeps polling, paced and within the daily budget. A graceful shutdown (SIGTERM/SIGINT in a
/// `ServiceGroup`) or cancellation saves the state, publishes `offline` and disconnects.
///
/// ```swift
/// let bridge = try BridgeService(configuration: configuration, logger: logger)
/// let group = ServiceGroup(services: [bridge, LoginReloadOnHangup(bridge: bridge)],
///                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class BridgeService: Service, BridgeControl {
    public let configuration: BridgeConfiguration
    public let options: BridgeOptions
    private let logger: Logger
    private let store: StateStore
    private let mapping: HomeAssistantMapping
    private let bridgeState: BridgeState
    private let client: MQTTClient
    private let ckw: CKWConnection
    /// The web page's login (client mode only).
    private let browserLogin: BrowserLogin?
    /// The optional long-term statistics output (`homeassistant.statistics`).
    private let statistics: StatisticsOutput?
    private let queue = PublishQueue()
    private let wakeup = Wakeup()
    private let bridgeEvents: BridgeEvents

    public init(configuration: BridgeConfiguration, options: BridgeOptions = BridgeOptions(), logger: Logger) throws {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        bridgeEvents = BridgeEvents(observer: options.observer)
        for warning in InsecureTLSWarning.warnings(for: configuration) {
            logger.warning("\(warning)")
        }
        store = StateStore(directory: configuration.bridge.stateDirectory)
        let retention = MeterLedger.retention(forLookback: configuration.bridge.lookback)
        var state = try store.load() ?? SavedBridgeState(ledger: MeterLedger(retention: retention))
        // A longer look-back than before needs a longer retention; folded intervals stay folded.
        if state.ledger.retention < retention { state.ledger.retention = retention }

        let topics = try Topics(
            baseTopic: configuration.mqtt.baseTopic,
            discoveryPrefix: configuration.homeAssistant.discoveryPrefix,
            homeAssistantStatus: configuration.homeAssistant.statusTopic)
        mapping = HomeAssistantMapping(configuration: .init(
            topics: topics,
            origin: Origin(softwareVersion: options.version),
            surplusThresholdWatts: configuration.homeAssistant.surplusThresholdWatts,
            qos: configuration.mqtt.qos))
        bridgeState = BridgeState(
            mapping: mapping, publishesDiscovery: configuration.homeAssistant.discovery, version: options.version,
            saved: state, policy: FetchPolicy(configuration),
            applying: MeterDataApplying.Settings(
                maximumIntervalKilowattHoursWithoutUnit: configuration.ckw.maximumIntervalKilowattHoursWithoutUnit))
        client = try MQTTClient(
            configuration: MQTTClientSettings.configuration(configuration.mqtt, will: mapping.bridgeAvailability(.offline)),
            logger: logger)
        ckw = try CKWConnection(configuration: configuration, pacing: options.pacing, logger: logger, budgetClock: options.clock)
        ckw.requestGate?.remember(state.schedule.loginRequests)
        browserLogin = configuration.ckw.mode.needsUserLogin(configuration.ckw.userIdentification)
            ? BrowserLogin(login: OIDCLogin(client: ckw.oidcClient, httpClient: ckw.httpClient, logger: logger))
            : nil
        statistics = configuration.homeAssistant.statistics.enabled
            ? try StatisticsOutput(
                settings: configuration.homeAssistant.statistics, lookback: configuration.bridge.lookback,
                bridgeState: bridgeState, api: ckw.api, events: bridgeEvents.stream(), options: options, logger: logger)
            : nil
    }

    public func run() async throws {
        let claim = claimStateDirectory()
        let connectionEvents = client.events()
        do {
            try client.start()
        } catch {
            await ckw.shutdown()
            throw error
        }
        logger.info("ckw2mqtt \(options.version) starting", metadata: [
            "broker": "\(configuration.mqtt.host):\(configuration.mqtt.port)",
            "stateDirectory": "\(configuration.bridge.stateDirectory)",
            "mode": "\(configuration.ckw.mode.rawValue)",
        ])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.followConnection(connectionEvents) }
                group.addTask { await self.publisherLoop.run() }
                group.addTask { await self.commands.listenForBirth() }
                group.addTask { await self.commands.listenForRefresh() }
                group.addTask { await self.fetchLoop.run() }
                if let statistics = self.statistics { group.addTask { await statistics.run() } }
            }
        }
        // Outside the cancelled task, so the goodbye is not cancelled with it.
        await Task { await self.finish() }.value
        bridgeEvents.finish()
        // Held until the state is saved for the last time.
        withExtendedLifetime(claim) {}
    }

    /// The bridge's events from now on, until it stops, for a service that follows it: take the
    /// stream before `run()` to miss none (`for await event in bridge.events() { ... }`).
    public func events() -> AsyncStream<BridgeEvent> {
        bridgeEvents.stream()
    }

    /// SIGHUP: forget the cached login and try again now, e.g. after `ckw2mqtt login`.
    public func reloadLogin() async {
        logger.info("reloading the CKW login from the token store")
        await ckw.reloadTokens()
        if await bridgeState.authentication == .loginRequired {
            await bridgeState.setAuthentication(.unknown)
            // Check the new login now and fetch what was missed meanwhile, not at the next poll.
            await bridgeState.requestRefresh(at: options.clock.now)
        }
        wakeup.signal()
    }

    /// For `/healthz`: broker connection, login and the age of the last successful fetch.
    public func health() async -> BridgeHealth {
        let snapshot = await bridgeState.bridgeSnapshot
        return BridgeHealth(
            mqttConnected: client.isConnected, authentication: snapshot.authentication,
            lastSuccessfulFetch: snapshot.lastSuccessfulFetch, now: options.clock.now,
            pollInterval: configuration.bridge.pollInterval)
    }

    // MARK: Web page

    public func status() async -> BridgeStatus {
        let now = options.clock.now
        let snapshot = await bridgeState.bridgeSnapshot
        return BridgeStatus(
            version: options.version, login: loginStatus(authentication: snapshot.authentication),
            loginInProgress: await browserLogin?.isInProgress ?? false, mqttConnected: client.isConnected,
            bridge: snapshot, meters: await bridgeState.meterStatuses(at: now), hasCoreData: await bridgeState.hasCoreData,
            redirectURI: configuration.ckw.redirectURI, now: now)
    }

    private func loginStatus(authentication: AuthenticationState) -> BridgeStatus.Login {
        guard let store = ckw.tokenStore else { return .appCredentials }
        let tokens: TokenSet?
        do {
            tokens = try store.load()
        } catch {
            return .unreadable("\(error)")
        }
        guard let tokens else { return .loggedOut }
        switch authentication {
        case .ok: return .loggedIn(obtainedAt: tokens.obtainedAt)
        case .unknown: return .checking(obtainedAt: tokens.obtainedAt)
        case .loginRequired: return .expired(obtainedAt: tokens.obtainedAt)
        }
    }

    public func startLogin() async throws(LoginProblem) -> URL {
        guard let browserLogin else { throw backendModeProblem }
        return try await browserLogin.start().loginURL
    }

    public func completeLogin(pastedAddress: String) async throws(LoginProblem) {
        guard let browserLogin else { throw backendModeProblem }
        try await store(browserLogin.finish(pastedAddress: pastedAddress))
    }

    public func completeLogin(callbackQuery: String) async throws(LoginProblem) {
        guard let browserLogin else { throw backendModeProblem }
        var components = URLComponents(url: configuration.ckw.redirectURI, resolvingAgainstBaseURL: false)
        components?.percentEncodedQuery = callbackQuery
        guard let redirect = components?.url, !callbackQuery.isEmpty else {
            throw LoginProblem(.notARedirect, "This address carries no login code. Start the login with “Log in to CKW”.")
        }
        try await store(browserLogin.finish(redirect: redirect))
    }

    /// Saves the new login and has the running bridge use it at once, as SIGHUP does.
    private func store(_ tokens: TokenSet) async throws(LoginProblem) {
        guard let tokenStore = ckw.tokenStore else { throw backendModeProblem }
        do {
            try tokenStore.save(tokens)
        } catch {
            throw LoginProblem(error)
        }
        logger.notice("logged in to CKW from the web page")
        await reloadLogin()
    }

    public func logout() async throws(LoginProblem) -> OIDCLogout.Outcome {
        guard let tokenStore = ckw.tokenStore else { throw backendModeProblem }
        let tokens: TokenSet?
        do {
            tokens = try tokenStore.load()
        } catch {
            throw LoginProblem(error)
        }
        var outcome = OIDCLogout.Outcome.nothingToEnd
        if let tokens {
            outcome = await OIDCLogout.end(tokens, clientSecret: configuration.ckw.clientSecret?.plaintext, httpClient: ckw.httpClient)
        }
        do {
            try tokenStore.delete()
        } catch {
            throw LoginProblem(error)
        }
        logger.notice("logged out of CKW from the web page: \(outcome)")
        await ckw.reloadTokens()
        await bridgeState.setAuthentication(.loginRequired, error: "Logged out from the web page; log in again to continue.")
        wakeup.signal()
        return outcome
    }

    public func fetchNow() async -> Bool {
        guard await bridgeState.authentication != .loginRequired else { return false }
        logger.info("fetch requested on the web page")
        await bridgeState.requestRefresh(at: options.clock.now)
        wakeup.signal()
        return true
    }

    private var backendModeProblem: LoginProblem {
        LoginProblem(.notClientMode, "This bridge needs no user login: \(configuration.ckw.accessDescription)")
    }

    // MARK: Parts

    private var publisherLoop: PublisherLoop {
        PublisherLoop(
            bridgeState: bridgeState, queue: queue, client: client, publisher: MessagePublisher(client: client, logger: logger),
            events: bridgeEvents, logger: logger)
    }

    private var commands: IncomingCommands {
        IncomingCommands(client: client, mapping: mapping, bridgeState: bridgeState, queue: queue, wakeup: wakeup, options: options, logger: logger)
    }

    private var fetchLoop: FetchLoop {
        FetchLoop(
            bridgeState: bridgeState, ckw: ckw, store: store, queue: queue, wakeup: wakeup,
            meteringPointFilter: configuration.ckw.meteringPoints, events: bridgeEvents, options: options, logger: logger)
    }

    /// Says loudly when another bridge already runs in this state directory (see ``StateDirectoryClaim``).
    private func claimStateDirectory() -> StateDirectoryClaim? {
        let directory = configuration.bridge.stateDirectory
        switch StateDirectoryClaim.claim(directory: directory) {
        case .exclusive(let claim):
            return claim
        case .sharedWith(let processID):
            let holder = processID.map { " (pid \($0))" } ?? ""
            logger.warning(
                "another ckw2mqtt bridge\(holder) already runs with the state directory \(directory): both use one CKW login and one state file, spend the API quota twice and publish the same topics. Stop one of them, or give each its own state directory and mqtt.client_id.")
            return nil
        case .unavailable(let reason):
            logger.debug("cannot tell whether another bridge uses the state directory: \(reason)")
            return nil
        }
    }

    /// `online` and everything else after every CONNACK: the broker may have restarted without
    /// persistence, and the will may have set `offline` meanwhile.
    private func followConnection(_ events: AsyncStream<MQTTConnectionEvent>) async {
        var connectedBefore = false
        for await event in events {
            switch event {
            case .connected:
                queue.enqueue(.everything)
                BridgeMetrics.mqttConnection(connected: true, reconnected: connectedBefore)
                connectedBefore = true
            case .disconnected, .connectionFailed:
                BridgeMetrics.mqttConnection(connected: false, reconnected: false)
            default:
                break
            }
        }
    }

    private func finish() async {
        queue.close()
        do {
            try store.save(await bridgeState.savedState)
            try? BridgeInfoFile(directory: store.directory).write(mapping.bridgeInfo(await bridgeState.bridgeSnapshot).payload)
        } catch {
            logger.error("\(error)")
        }
        if client.isConnected {
            let offline = mapping.bridgeAvailability(.offline)
            let published = await withTimeout(options.shutdownTimeout) {
                try await self.client.publish(
                    topic: offline.topic, payload: offline.payload, qos: offline.qos, retain: offline.retain)
            }
            if !published { logger.warning("could not publish `offline` before disconnecting; the broker's will says it instead") }
        }
        await client.shutdown()
        await ckw.shutdown()
        logger.info("ckw2mqtt stopped")
    }

    /// Runs `body` for at most `limit`; returns whether it finished without error in time.
    private func withTimeout(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await body()) != nil }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
