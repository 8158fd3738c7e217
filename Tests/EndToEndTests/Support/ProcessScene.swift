import AsyncHTTPClient
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import Testing
import TestSupport

/// A broker, a simulator standing two hours behind the real clock, a state directory, the watcher
/// and a reader of the simulator's data, for tests that run the real executable.
final class ProcessScene: Sendable {
    let broker: TestBroker
    let simulator: SimulatorServer
    let directory: TemporaryDirectory
    let watcher: MQTTWatcher
    let data: SimulatorData
    private let bridges = Mutex<[BridgeExecutable]>([])

    private init(broker: TestBroker, simulator: SimulatorServer, directory: TemporaryDirectory, watcher: MQTTWatcher, data: SimulatorData) {
        self.broker = broker
        self.simulator = simulator
        self.directory = directory
        self.watcher = watcher
        self.data = data
    }

    var stateDirectory: String { directory.file("state") }

    /// `ckw2mqtt run` in this scene's state directory; stopped when the scene closes.
    func startBridge(mqttClientID: String, logLevel: String = "info", loginCheckInterval: String = "5s") throws -> BridgeExecutable {
        let bridge = try BridgeExecutable(
            stateDirectory: stateDirectory, brokerPort: broker.port, simulator: simulator, mqttClientID: mqttClientID, logLevel: logLevel,
            loginCheckInterval: loginCheckInterval)
        bridges.withLock { $0.append(bridge) }
        return bridge
    }

    static func run(_ body: (ProcessScene) async throws -> Void) async throws {
        let broker = try await TestBroker.start()
        let simulator = try await BridgeExecutable.startSimulator()
        let directory = try TemporaryDirectory(prefix: "ckw2mqtt-token-process")
        var scene: ProcessScene?
        do {
            let watcher = try await MQTTWatcher(port: broker.port)
            let data = try await SimulatorData.connect(to: simulator)
            scene = ProcessScene(broker: broker, simulator: simulator, directory: directory, watcher: watcher, data: data)
            try await body(scene!)
        } catch {
            await scene?.close()
            throw error
        }
        await scene?.close()
    }

    private func close() async {
        for bridge in bridges.withLock({ $0 }) { await bridge.stop() }
        await watcher.stop()
        await data.close()
        await simulator.shutdown()
        await broker.shutdown()
        directory.remove()
    }

    func expectUndisturbed(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let expected = try await data.expected(for: id, now: simulator.clock.now)
        try await UndisturbedRun.expectRetainedState(of: id, expected: expected, brokerPort: broker.port, watcher: watcher, sourceLocation: sourceLocation)
    }

    /// Refreshes with the stored login, as a bridge started now would.
    func expectStoredLoginWorks() async throws {
        let httpClient = OpenEnergyHTTP.makeHTTPClient()
        do {
            let client = OIDCClientConfiguration(issuer: OIDCIssuer(simulator.issuerURL), clientID: SimulatorConfiguration.OAuthClient().id)
            let metadata = try await OIDCDiscovery.fetch(issuer: client.issuer, httpClient: httpClient)
            let tokens = TokenManager(
                store: TokenStore(directory: URL(fileURLWithPath: stateDirectory)),
                tokenEndpoint: TokenEndpoint(metadata: metadata, client: client, httpClient: httpClient))
            try await tokens.refreshNow()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }
}

extension BridgeExecutable {
    /// Meter data requests this process has applied so far (its debug log says so for each).
    var fetchCount: Int { child.lines.count { $0.contains("meter data applied") } }

    func waitForFetch(after count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while fetchCount <= count {
            guard ContinuousClock.now < deadline else { throw TestFailure("ckw2mqtt (pid \(processIdentifier)) fetched nothing; its log:\n\(log)") }
            guard isRunning else { throw TestFailure("ckw2mqtt (pid \(processIdentifier)) exited; its log:\n\(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
