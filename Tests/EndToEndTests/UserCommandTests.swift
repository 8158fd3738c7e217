import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

/// The commands a person types, run as the real binary against the simulator: `login --paste`,
/// `status` and `logout`.
@Suite("Commands people run: login --paste, status, logout", .timeLimit(.minutes(2)))
struct UserCommandTests {
    static let registered = "https://ckw2mqtt.example.org/callback"

    static func startSimulator(advertisesRevocation: Bool) async throws -> SimulatorServer {
        var logger = Logger(label: "simulator")
        logger.logLevel = .error
        return try await SimulatorServer.start(SimulatorConfiguration(
            clients: [SimulatorConfiguration.OAuthClient(id: "ckw2mqtt", redirectURIs: [registered])],
            autoApprove: true, advertisesRevocation: advertisesRevocation, rateLimit: nil,
            population: .init(customers: 1, meteringPointsPerCustomer: 1), logger: logger))
    }

    static func run(_ command: [String], simulator: SimulatorServer, stateDirectory: String) throws -> ChildProcess {
        try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: command + [
            "--state-directory", stateDirectory,
            "--set", "ckw.issuer=\(simulator.issuerURL.absoluteString)",
            "--set", "ckw.api_base_url=\(simulator.clientAPIBaseURL.absoluteString)",
            "--set", "ckw.client_id=ckw2mqtt",
            "--set", "ckw.redirect_uri=\(registered)",
        ])
    }

    /// The browser: follows the login address until CKW redirects to the registered address, which
    /// does not load (nothing listens there); returns that address, as the address bar shows it.
    static func addressTheBrowserEndsOn(_ loginURL: String) async throws -> String {
        let browser = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = browser.shutdown() }
        var current = loginURL
        for _ in 0..<5 {
            let response = try await browser.execute(HTTPClientRequest(url: current), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            guard let location = response.headers.first(name: "Location") else { break }
            if location.hasPrefix(registered) { return location }
            current = location
        }
        throw TestFailure("the login never redirected to \(registered)")
    }

    @Test("login --paste, status and logout, revoked or ended at the logout endpoint", arguments: [true, false])
    func pasteStatusLogout(revocationAdvertised: Bool) async throws {
        let simulator = try await Self.startSimulator(advertisesRevocation: revocationAdvertised)
        let directory = try TemporaryDirectory(prefix: "ckw2mqtt-commands")
        defer { directory.remove() }
        let stateDirectory = directory.file("state")
        do {
            // login --paste: the address to open, then the one the browser ended on, pasted.
            let login = try Self.run(["login", "--paste"], simulator: simulator, stateDirectory: stateDirectory)
            let loginURL = try await login.waitForLine("the login address") { $0.trimmingCharacters(in: .whitespaces).hasPrefix("http") }
            let landed = try await Self.addressTheBrowserEndsOn(loginURL.trimmingCharacters(in: .whitespaces))
            login.writeLine(landed)
            try await login.waitForExit(timeout: .seconds(30))
            #expect(login.terminationStatus == 0, "\(login.outputText)")
            #expect(login.outputText.contains("Logged in."), "\(login.outputText)")
            let store = TokenStore(directory: URL(fileURLWithPath: stateDirectory))
            let tokens = try #require(try store.load())
            let refreshToken = try #require(tokens.refreshToken)

            // status: who is logged in and until when, never a token.
            let status = try Self.run(["status"], simulator: simulator, stateDirectory: stateDirectory)
            try await status.waitForExit(timeout: .seconds(30))
            #expect(status.terminationStatus == 0, "\(status.outputText)")
            #expect(status.outputText.contains("Login: \(simulator.issuerURL.absoluteString) (client ckw2mqtt)"), "\(status.outputText)")
            #expect(status.outputText.contains("access token valid until"), "\(status.outputText)")
            #expect(!status.outputText.contains(tokens.accessToken))
            #expect(!status.outputText.contains(refreshToken))

            // logout: the login ends at CKW and the tokens are gone.
            let logout = try Self.run(["logout"], simulator: simulator, stateDirectory: stateDirectory)
            try await logout.waitForExit(timeout: .seconds(30))
            #expect(logout.terminationStatus == 0, "\(logout.outputText)")
            #expect(logout.outputText.contains(revocationAdvertised ? "revoked at CKW" : "ended at its logout endpoint"), "\(logout.outputText)")
            #expect(try store.load() == nil)
            let httpClient = OpenEnergyHTTP.makeHTTPClient()
            let metadata = try await OIDCDiscovery.fetch(issuer: OIDCIssuer(simulator.issuerURL), httpClient: httpClient)
            let endpoint = TokenEndpoint(
                metadata: metadata, client: OIDCClientConfiguration(issuer: OIDCIssuer(simulator.issuerURL), clientID: "ckw2mqtt"), httpClient: httpClient)
            await #expect(throws: OpenEnergyAuthError.self, "the login still works at CKW after logout") {
                _ = try await endpoint.refresh(refreshToken: refreshToken)
            }
            try await httpClient.shutdown()

            let again = try Self.run(["status"], simulator: simulator, stateDirectory: stateDirectory)
            try await again.waitForExit(timeout: .seconds(30))
            #expect(again.outputText.contains("Login: none; run `ckw2mqtt login`"), "\(again.outputText)")
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
    }
}
