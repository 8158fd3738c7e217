import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import Testing
import TestSupport

/// The real `ckw2mqtt` with every secret it knows configured from files and the environment, driven
/// through login, fetches, a token refresh, a revoked login and a refused MQTT password: none of
/// the configured secrets and none of the codes and tokens the simulator issued may appear in
/// anything it prints or publishes, in `status`, `check-config` or in its state files (the token
/// store excepted: keeping the tokens is its job).
@Suite("No secret leaks", .timeLimit(.minutes(3)))
struct SecretLeakTests {
    @Test("secrets and tokens appear in no output, message, status or state file")
    func noLeaks() async throws {
        let scene = try await SecretScene.start()
        do {
            try await scene.exercise()
            try await scene.scan()
            await scene.shutdown()
        } catch {
            await scene.shutdown()
            throw error
        }
    }
}

/// The secrets of one run, chosen before the broker starts (its password file needs them).
private struct Secrets: Sendable {
    var mqttPassword = "mqtt-pass-" + Self.random()
    /// Configured for the run whose MQTT login must be refused.
    var wrongMQTTPassword = "wrong-mqtt-pass-" + Self.random()
    var clientSecret = "client-secret-" + Self.random()
    var statisticsToken = "ha-token-" + Self.random()
    /// The test's own subscriber and publisher.
    var watcherPassword = "watcher-" + Self.random()

    static func random() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }
}

/// A broker with passwords, a simulator with a confidential client, and files for the secrets.
private final class SecretScene: Sendable {
    static let clientID = "ckw2mqtt-confidential"
    let secrets: Secrets
    let broker: TestBroker
    let simulator: SimulatorServer
    let directory: TemporaryDirectory
    /// `mosquitto_sub -t '#'` from before the first start: every message, live and retained.
    let watcher: ChildProcess
    /// Everything collected, by where it came from.
    private let outputs = Mutex<[(String, String)]>([])

    var configurationFile: String { directory.file("config.yaml") }
    var stateDirectory: String { directory.file("state") }

    private init(secrets: Secrets, broker: TestBroker, simulator: SimulatorServer, directory: TemporaryDirectory, watcher: ChildProcess) {
        self.secrets = secrets
        self.broker = broker
        self.simulator = simulator
        self.directory = directory
        self.watcher = watcher
    }

    static func start() async throws -> SecretScene {
        let secrets = Secrets()
        let directory = try TemporaryDirectory(prefix: "ckw2mqtt-secrets")
        let broker = try await TestBroker.start(TestBroker.Options(users: ["bridge": secrets.mqttPassword, "watcher": secrets.watcherPassword]))
        var logger = Logger(label: "simulator")
        logger.logLevel = .error
        let simulator: SimulatorServer
        let watcher: ChildProcess
        do {
            simulator = try await SimulatorServer.start(SimulatorConfiguration(
                clients: [.init(id: clientID, secret: secrets.clientSecret)], autoApprove: true, rateLimit: nil,
                population: .init(customers: 1, meteringPointsPerCustomer: 1), delivery: .immediate, logger: logger))
            watcher = try ChildProcess(
                executable: try RequiredProgram.path("mosquitto_sub", package: "mosquitto-clients"),
                arguments: ["-h", "127.0.0.1", "-p", "\(broker.port)", "-u", "watcher", "-P", secrets.watcherPassword, "-v", "-t", "#"])
        } catch {
            await broker.shutdown()
            directory.remove()
            throw error
        }
        return SecretScene(secrets: secrets, broker: broker, simulator: simulator, directory: directory, watcher: watcher)
    }

    // MARK: The run

    func exercise() async throws {
        try writeConfiguration()
        record("check-config", try await command(["check-config"]))
        try await logIn()

        // A bridge with JSON logs through fetches, a refresh, and a revoked login.
        let bridge = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: ["run", "--config", configurationFile, "--log-format", "json"], environment: environment)
        do {
            try await waitForWatcher("bridge/info with auth ok") { $0.contains("ckw2mqtt/bridge/info") && $0.contains("\"auth\":\"ok\"") }
            try await waitForWatcher("a meter's state") { $0.contains("/state {") && $0.contains("energy_import_total") }
            // The access token is refused: the bridge refreshes it and goes on.
            await simulator.controls.expireAllAccessTokens()
            let infosBefore = watcher.lines.filter { $0.hasPrefix("ckw2mqtt/bridge/info ") }.count
            try await requestRefresh()
            try await waitForWatcher("a new bridge/info after the refresh") { [watcher] _ in
                watcher.lines.filter { $0.hasPrefix("ckw2mqtt/bridge/info ") }.count > infosBefore
            }
            // The login is revoked: the refresh fails and the bridge asks for a new login.
            await simulator.controls.revokeSessions(ofUser: "demo")
            await simulator.controls.expireAllAccessTokens()
            try await requestRefresh()
            try await waitForWatcher("login_required") { $0.contains("ckw2mqtt/bridge/info") && $0.contains("login_required") }
        } catch {
            await bridge.stop()
            record("run (json)", bridge.outputText)
            throw error
        }
        await bridge.stop()
        record("run (json)", bridge.outputText)
        record("status", try await command(["status"]))

        // A refused MQTT password, with text logs.
        try writeMQTTPassword(secrets.wrongMQTTPassword)
        let refused = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: ["run", "--config", configurationFile, "--log-format", "text"], environment: environment)
        do {
            try await refused.waitForLine("the broker's refusal", timeout: .seconds(20)) { $0.contains("broker refused the connection") }
        } catch {
            await refused.stop()
            record("run (wrong MQTT password)", refused.outputText)
            throw error
        }
        await refused.stop()
        record("run (wrong MQTT password)", refused.outputText)
        record("status after the refused run", try await command(["status"]))
    }

    /// Every configured secret and every issued code and token, against everything collected.
    func scan() async throws {
        await watcher.stop()
        record("every MQTT message", watcher.outputText)
        for file in try stateFiles() {
            // Empty ones (the lock file) hold nothing to leak.
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if !text.isEmpty { record("state file \(file)", text) }
        }
        let issued = await simulator.controls.issuedTokens
        #expect(issued.count >= 4, "the run issued a code, an access, a refresh and an ID token at least: \(issued.count)")
        let secrets: [(name: String, value: String)] = [
            ("mqtt.password", secrets.mqttPassword), ("the wrong mqtt.password", secrets.wrongMQTTPassword),
            ("ckw.client_secret", secrets.clientSecret), ("homeassistant.statistics.token", secrets.statisticsToken),
        ] + issued.enumerated().map { ("issued code or token #\($0.offset)", $0.element) }
        let collected = outputs.withLock { $0 }
        // Login, check-config, two runs, two status outputs, the MQTT messages and the state file at least.
        #expect(collected.count >= 8, "\(collected.map(\.0))")
        #expect(collected.filter { $0.1.isEmpty }.isEmpty, "nothing collected from \(collected.filter { $0.1.isEmpty }.map(\.0))")
        for (source, text) in collected {
            for name in Self.leaks(of: secrets, in: text) {
                Issue.record("\(name) appears in \(source)")
            }
        }
        // The scan finds what is there: the token store holds the last tokens by design.
        let tokenStore = try String(contentsOfFile: "\(stateDirectory)/\(TokenStore.fileName)", encoding: .utf8)
        #expect(Self.leaks(of: secrets, in: tokenStore).count >= 2, "the scan does not find the tokens in the token store")
    }

    /// The names of the secrets whose value, or the end of it alone (a truncated print still leaks a
    /// token's signature), occurs in `text`.
    static func leaks(of secrets: [(name: String, value: String)], in text: String) -> [String] {
        secrets.filter { secret in text.contains(secret.value) || text.contains(String(secret.value.suffix(16))) }.map(\.name)
    }

    func shutdown() async {
        await watcher.stop()
        await simulator.shutdown()
        await broker.shutdown()
        directory.remove()
    }

    // MARK: Pieces

    /// Secrets from files (MQTT password, client secret) and the environment (statistics token).
    private func writeConfiguration() throws {
        try writeMQTTPassword(secrets.mqttPassword)
        try secrets.clientSecret.write(toFile: directory.file("client-secret"), atomically: true, encoding: .utf8)
        let closedPort = try FreePort.find()
        try """
            mqtt:
              host: 127.0.0.1
              port: \(broker.port)
              client_id: ckw2mqtt-secrets
              username: bridge
              password_file: \(directory.file("mqtt-password"))
            ckw:
              mode: client
              issuer: \(simulator.issuerURL.absoluteString)
              api_base_url: \(simulator.clientAPIBaseURL.absoluteString)
              client_id: \(Self.clientID)
              client_secret_file: \(directory.file("client-secret"))
            homeassistant:
              statistics:
                enabled: true
                url: http://127.0.0.1:\(closedPort)
            bridge:
              state_directory: \(stateDirectory)
            logging:
              level: debug

            """.write(toFile: configurationFile, atomically: true, encoding: .utf8)
    }

    private func writeMQTTPassword(_ password: String) throws {
        try "\(password)\n".write(toFile: directory.file("mqtt-password"), atomically: true, encoding: .utf8)
    }

    private var environment: [String: String] {
        ["CKW2MQTT_HOMEASSISTANT_STATISTICS_TOKEN": secrets.statisticsToken]
    }

    /// `ckw2mqtt <arguments> --config ...` to its end; returns what it printed.
    private func command(_ arguments: [String]) async throws -> String {
        let child = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: arguments + ["--config", configurationFile], environment: environment)
        try await child.waitForExit(timeout: .seconds(30))
        return child.outputText
    }

    /// `ckw2mqtt login` with its loopback listener; the simulator approves at once.
    private func logIn() async throws {
        let login = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: ["login", "--config", configurationFile], environment: environment)
        do {
            try await BridgeExecutable.completeLogin(login)
        } catch {
            await login.stop()
            record("login", login.outputText)
            throw error
        }
        record("login", login.outputText)
        guard login.terminationStatus == 0 else { throw TestFailure("ckw2mqtt login failed:\n\(login.outputText)") }
    }

    private func requestRefresh() async throws {
        let publish = try ChildProcess(
            executable: try RequiredProgram.path("mosquitto_pub", package: "mosquitto-clients"),
            arguments: ["-h", "127.0.0.1", "-p", "\(broker.port)", "-u", "watcher", "-P", secrets.watcherPassword,
                        "-t", "ckw2mqtt/bridge/request/refresh", "-n"])
        try await publish.waitForExit()
    }

    private func waitForWatcher(_ description: String, where predicate: @escaping (String) -> Bool) async throws {
        try await watcher.waitForLine(description, timeout: .seconds(30), where: predicate)
    }

    private func stateFiles() throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: stateDirectory) else { return [] }
        return enumerator.compactMap { $0 as? String }
            .map { "\(stateDirectory)/\($0)" }
            .filter { path in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
                    && URL(fileURLWithPath: path).lastPathComponent != TokenStore.fileName
            }
    }

    private func record(_ source: String, _ text: String) {
        outputs.withLock { $0.append((source, text)) }
    }
}
