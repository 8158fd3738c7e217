import Foundation
import Logging
import Timestamps

/// Tokens for the Backend API from `grant_type=client_credentials`: fetched on first use, again at about
/// 75 % of their lifetime and once after a 401. Kept in memory only (the app credentials can always get a
/// new one). One fetch at a time.
public actor ClientCredentialsTokenProvider: AccessTokenProvider {
    private let tokenEndpoint: TokenEndpoint
    private let scope: String?
    private let clock: any OpenEnergyClock
    private let refreshFraction: Double
    private let logger: Logger
    private var cached: TokenSet?
    /// When `cached` was obtained, on the monotonic clock: its age does not follow steps of the wall clock.
    private var obtainedAt: ContinuousClock.Instant?
    private var fetchInFlight: Task<TokenSet, any Error>?

    public init(
        tokenEndpoint: TokenEndpoint,
        scope: String? = nil,
        clock: any OpenEnergyClock = SystemClock(),
        refreshFraction: Double = 0.75,
        logger: Logger = Logger(label: "ckw2mqtt.openenergy.backend-tokens")
    ) {
        self.tokenEndpoint = tokenEndpoint
        self.scope = scope
        self.clock = clock
        self.refreshFraction = refreshFraction
        self.logger = logger
    }

    public func accessToken() async throws -> String {
        if let cached, age(of: cached) < cached.refreshDue(fraction: refreshFraction).timeIntervalSince(cached.obtainedAt) {
            return cached.accessToken
        }
        return try await fetch().accessToken
    }

    public func refreshedAccessToken(after rejectedToken: String) async throws -> String {
        if let cached, cached.accessToken != rejectedToken, age(of: cached) < cached.accessTokenExpiresAt.timeIntervalSince(cached.obtainedAt) {
            return cached.accessToken
        }
        return try await fetch().accessToken
    }

    /// Seconds since `tokens` were obtained.
    private func age(of tokens: TokenSet) -> TimeInterval {
        guard let obtainedAt else { return .infinity }
        return (clock.monotonicNow - obtainedAt) / .seconds(1)
    }

    private func fetch() async throws -> TokenSet {
        if let fetchInFlight { return try await fetchInFlight.value }
        let task = Task {
            let response = try await self.tokenEndpoint.clientCredentials(scope: self.scope)
            return TokenSet(response: response, obtainedAt: self.clock.now, issuer: self.tokenEndpoint.issuer, clientID: self.tokenEndpoint.clientID)
        }
        fetchInFlight = task
        defer { fetchInFlight = nil }
        let tokens = try await task.value
        cached = tokens
        obtainedAt = clock.monotonicNow
        logger.debug("client_credentials token obtained", metadata: ["expiresAt": "\(ISO8601Timestamp.format(tokens.accessTokenExpiresAt))"])
        return tokens
    }
}
