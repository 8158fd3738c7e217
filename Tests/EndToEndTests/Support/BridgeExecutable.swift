import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OpenEnergySimulator
import TestSupport

/// The real `ckw2mqtt` executable in a child process, for what only a process shows: its log, its
/// answer to signals, and other processes sharing its files. Reads the time from the system clock
/// (there is no way to hand a process the simulator's), so the simulator it talks to should stand
/// still somewhat before now (see ``BridgeExecutable/startSimulator(behindNowBy:)``).
final class BridgeExecutable: Sendable {
    let child: ChildProcess

    /// `ckw2mqtt run` against `simulator` (Client API) and the broker on `brokerPort`.
    init(
        stateDirectory: String, brokerPort: Int, simulator: SimulatorServer, mqttClientID: String, logLevel: String = "info",
        loginCheckInterval: String = "5s"
    ) throws {
        child = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: ["run"] + Self.arguments(
            stateDirectory: stateDirectory, simulator: simulator,
            extra: [
                "--mqtt-host", "127.0.0.1", "--mqtt-port", "\(brokerPort)", "--set", "mqtt.client_id=\(mqttClientID)",
                "--log-level", logLevel, "--set", "bridge.login_check_interval=\(loginCheckInterval)",
            ]))
    }

    var processIdentifier: Int32 { child.processIdentifier }
    var isRunning: Bool { child.isRunning }
    var log: String { child.outputText }

    func signal(_ signal: Int32) { child.signal(signal) }

    /// SIGTERM, as systemd stops it.
    func stop() async { await child.stop() }

    /// `ckw2mqtt login` as a person runs it: the command prints the login address and waits on its
    /// loopback listener; the "browser" opens the address, and the simulator, approving at once,
    /// redirects it to that listener.
    static func logIn(stateDirectory: String, simulator: SimulatorServer) async throws {
        let login = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: ["login"] + arguments(stateDirectory: stateDirectory, simulator: simulator))
        do {
            try await completeLogin(login)
        } catch {
            await login.stop()
            throw error
        }
        guard login.terminationStatus == 0 else { throw TestFailure("ckw2mqtt login failed:\n\(login.outputText)") }
    }

    /// The person at the browser for a running `ckw2mqtt login`: opens the address it prints; the
    /// simulator, approving at once, redirects to the command's loopback listener. Returns when the
    /// command has exited.
    static func completeLogin(_ login: ChildProcess) async throws {
        let line = try await login.waitForLine("the login address") { $0.trimmingCharacters(in: .whitespaces).hasPrefix("http") }
        let browser = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .follow(max: 5, allowCycles: false)))
        do {
            let response = try await browser.execute(HTTPClientRequest(url: line.trimmingCharacters(in: .whitespaces)), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
        } catch {
            try? await browser.shutdown()
            throw error
        }
        try await browser.shutdown()
        try await login.waitForExit(timeout: .seconds(20))
    }

    /// A simulator whose clock stands `behindNowBy` before the real now: an executable bridge asks
    /// for data up to the real now and gets what the simulator has delivered by its own instant, which
    /// a test may then move forward (never past the real now).
    static func startSimulator(behindNowBy offset: TimeInterval = 2 * 3600) async throws -> SimulatorServer {
        let start = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 - offset) / 900).rounded(.down) * 900 + 60)
        var logger = Logger(label: "simulator")
        logger.logLevel = .error
        return try await SimulatorServer.start(SimulatorConfiguration(
            autoApprove: true, rateLimit: nil, population: .init(customers: 1, meteringPointsPerCustomer: 1),
            delivery: .immediate, clockStart: start, clockSpeed: 0, logger: logger))
    }

    private static func arguments(stateDirectory: String, simulator: SimulatorServer, extra: [String] = []) -> [String] {
        [
            "--state-directory", stateDirectory,
            "--set", "ckw.mode=client",
            "--set", "ckw.issuer=\(simulator.issuerURL.absoluteString)",
            "--set", "ckw.api_base_url=\(simulator.clientAPIBaseURL.absoluteString)",
            "--set", "ckw.client_id=\(SimulatorConfiguration.OAuthClient().id)",
        ] + extra
    }
}
