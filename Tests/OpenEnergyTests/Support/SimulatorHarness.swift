import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import OpenEnergy
import OpenEnergySimulator
import Timestamps

/// A running simulator with an HTTP client, a temporary state directory, and helpers to log in and build
/// API clients against it. Every test gets its own (ephemeral port, own directory), so tests run in parallel.
final class SimulatorHarness: Sendable {
    let simulator: SimulatorServer
    let httpClient: HTTPClient
    let stateDirectory: URL
    let issuer: OIDCIssuer

    /// A fixed day after every range the tests ask for, so all data has been delivered.
    static let simulatedNow = ISO8601Timestamp.parse("2026-11-27T12:00:00Z")!

    /// Fast retries so tests that exercise them take milliseconds, not seconds.
    static let fastPolicy = RequestPacer.Policy(reserve: 0, maximumAttempts: 4, backoffBase: 0.01, backoffCap: 0.05, maximumWait: 2)

    static func start(_ configure: (inout SimulatorConfiguration) -> Void = { _ in }) async throws -> SimulatorHarness {
        var configuration = SimulatorConfiguration(clockStart: simulatedNow)
        configuration.logger = Logger(label: "simulator", factory: { _ in SwiftLogNoOpLogHandler() })
        configure(&configuration)
        let simulator = try await SimulatorServer.start(configuration)
        return SimulatorHarness(simulator: simulator)
    }

    private init(simulator: SimulatorServer) {
        self.simulator = simulator
        self.httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        self.stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("openenergy-it-\(UUID().uuidString)")
        self.issuer = OIDCIssuer(simulator.issuerURL)
    }

    func shutdown() async {
        try? await httpClient.shutdown()
        try? await browserClient.shutdown()
        await simulator.shutdown()
        try? FileManager.default.removeItem(at: stateDirectory)
    }

    var clientConfiguration: OIDCClientConfiguration {
        OIDCClientConfiguration(issuer: issuer, clientID: "ckw2mqtt")
    }

    var tokenStore: TokenStore { TokenStore(directory: stateDirectory) }

    func browser() -> Browser { Browser(httpClient: makeBrowserClient()) }

    /// The browser needs its own client: it must not follow redirects by itself (we follow them as a
    /// browser does, to the loopback listener), and the API client's settings are not its business.
    func makeBrowserClient() -> HTTPClient {
        browserClient
    }

    private let browserClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)))
    )

    /// The whole login through the loopback listener, the browser doing what a person would.
    func login(browser: Browser? = nil) async throws -> TokenSet {
        let browser = browser ?? self.browser()
        let login = OIDCLogin(client: clientConfiguration, httpClient: httpClient)
        return try await login.loginWithLoopback(timeout: 10) { url in
            // The browser runs detached, as a real one does; the listener's answer ends the wait.
            Task { try? await browser.open(url) }
        }
    }

    /// Logs in and stores the tokens, as `ckw2mqtt login` does.
    func loginAndStore() async throws -> TokenSet {
        let tokens = try await login()
        try tokenStore.save(tokens)
        return tokens
    }

    func tokenEndpoint() async throws -> TokenEndpoint {
        let metadata = try await OIDCDiscovery.fetch(issuer: issuer, httpClient: httpClient)
        return TokenEndpoint(metadata: metadata, client: clientConfiguration, httpClient: httpClient)
    }

    func tokenManager(clock: any OpenEnergyClock = SystemClock()) async throws -> TokenManager {
        TokenManager(store: tokenStore, tokenEndpoint: try await tokenEndpoint(), clock: clock)
    }

    func apiClient(
        tokenProvider: any AccessTokenProvider,
        policy: RequestPacer.Policy = fastPolicy,
        requestTimeout: TimeInterval = 10,
        baseURL: URL? = nil,
        backendCredentials: BackendCredentials? = nil
    ) -> OpenEnergyClient {
        OpenEnergyClient(
            configuration: OpenEnergyClientConfiguration(
                baseURL: baseURL ?? simulator.clientAPIBaseURL,
                backendCredentialHeaders: backendCredentials,
                requestTimeout: requestTimeout
            ),
            httpClient: httpClient,
            tokenProvider: tokenProvider,
            pacer: RequestPacer(policy: policy)
        )
    }

}

/// Runs `body` with a started harness and always shuts it down.
func withSimulator<T>(
    _ configure: (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (SimulatorHarness) async throws -> T
) async throws -> T {
    let harness = try await SimulatorHarness.start(configure)
    do {
        let result = try await body(harness)
        await harness.shutdown()
        return result
    } catch {
        await harness.shutdown()
        throw error
    }
}
