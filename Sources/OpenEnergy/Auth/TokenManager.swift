import Foundation
import Logging
import Timestamps

/// Keeps the user's login alive for the Client API: hands out the access token, refreshes it at about 75 %
/// of its lifetime and once after a 401, with refresh-token rotation.
///
/// Only one refresh runs at a time: within the process (concurrent callers share it) and across processes
/// sharing the token file (`flock` on a lock file; after getting the lock the file is read again, so a
/// rotation another process did is used instead of refreshing with a dead token). New tokens are on disk
/// before the new access token is handed out. `invalid_grant` becomes `loginRequired`, and is not retried:
/// further calls fail at once until the store holds a different refresh token (after a new login).
public actor TokenManager: AccessTokenProvider {
    /// Shown with `loginRequired`; says which command fixes it.
    public static let defaultLoginHint = "Run `ckw2mqtt login` to log in to CKW again."

    private let store: TokenStore
    private let tokenEndpoint: TokenEndpoint
    private let clock: any OpenEnergyClock
    private let refreshFraction: Double
    private let loginHint: String
    private let lockTimeout: TimeInterval
    private let logger: Logger

    private var cached: TokenSet? {
        didSet { cachedAt = cached.map { _ in (clock.now, clock.monotonicNow) } }
    }
    /// The wall and the monotonic clock when `cached` was read or obtained.
    private var cachedAt: (wall: Date, monotonic: ContinuousClock.Instant)?
    private var refreshInFlight: Task<TokenSet, any Error>?
    /// The refresh token the provider refused; never sent again.
    private var refusedRefreshToken: String?

    public init(
        store: TokenStore,
        tokenEndpoint: TokenEndpoint,
        clock: any OpenEnergyClock = SystemClock(),
        refreshFraction: Double = 0.75,
        loginHint: String = TokenManager.defaultLoginHint,
        lockTimeout: TimeInterval = 60,
        logger: Logger = Logger(label: "ckw2mqtt.openenergy.tokens")
    ) {
        self.store = store
        self.tokenEndpoint = tokenEndpoint
        self.clock = clock
        self.refreshFraction = refreshFraction
        self.loginHint = loginHint
        self.lockTimeout = lockTimeout
        self.logger = logger
    }

    /// The current tokens (re-read from the store when none are cached), for status displays and tests.
    public func currentTokens() throws -> TokenSet? {
        if cached == nil { cached = try store.load() }
        return cached
    }

    public func accessToken() async throws -> String {
        let tokens = try await usableTokens()
        let now = tokenClockNow
        // Dates ahead of the clock they are compared with were written on a clock set later than
        // ours (a box that booted with a stale clock): their age is unknown, so they are refreshed.
        if now < tokens.refreshDue(fraction: refreshFraction), tokens.obtainedAt <= now.addingTimeInterval(Self.clockTolerance) {
            return tokens.accessToken
        }
        return try await refresh(rejected: nil).accessToken
    }

    public func refreshedAccessToken(after rejectedToken: String) async throws -> String {
        let tokens = try await usableTokens()
        // A concurrent caller may have refreshed already.
        if tokens.accessToken != rejectedToken, tokenClockNow < tokens.accessTokenExpiresAt {
            return tokens.accessToken
        }
        return try await refresh(rejected: rejectedToken).accessToken
    }

    /// Forces a refresh now, e.g. to check at startup that the login still works.
    @discardableResult
    public func refreshNow() async throws -> TokenSet {
        _ = try await usableTokens()
        return try await refresh(rejected: cached?.accessToken)
    }

    // MARK: Internals

    /// How far ahead of our clock a token's `obtainedAt` may lie before its age counts as unknown.
    static let clockTolerance: TimeInterval = 60

    /// Now, on the wall clock as it was when the cached tokens were read or obtained, moved on by
    /// the monotonic time since: a later step of the wall clock (NTP setting a stale clock, by
    /// hours or days) neither keeps a dead token nor throws away a live one.
    private var tokenClockNow: Date {
        guard let cachedAt else { return clock.now }
        return cachedAt.wall.addingTimeInterval((clock.monotonicNow - cachedAt.monotonic) / .seconds(1))
    }

    private func usableTokens() async throws -> TokenSet {
        if let cached, cached.refreshToken != refusedRefreshToken || refusedRefreshToken == nil {
            return cached
        }
        guard let stored = try store.load() else {
            throw OpenEnergyAuthError.loginRequired(reason: "no CKW login is stored in \(store.fileURL.path)", hint: loginHint)
        }
        guard stored.issuer == tokenEndpoint.issuer, stored.clientID == tokenEndpoint.clientID else {
            throw OpenEnergyAuthError.loginRequired(
                reason: "the stored login is for \(stored.issuer) / client \(stored.clientID), not \(tokenEndpoint.issuer) / client \(tokenEndpoint.clientID)",
                hint: loginHint
            )
        }
        if let refused = refusedRefreshToken, stored.refreshToken == refused {
            throw OpenEnergyAuthError.loginRequired(reason: "CKW no longer accepts the stored login", hint: loginHint)
        }
        refusedRefreshToken = nil
        cached = stored
        return stored
    }

    private func refresh(rejected: String?) async throws -> TokenSet {
        if let refreshInFlight {
            return try await refreshInFlight.value
        }
        let task = Task { try await self.refreshHoldingLock(rejected: rejected) }
        refreshInFlight = task
        do {
            let tokens = try await task.value
            refreshInFlight = nil
            return tokens
        } catch {
            refreshInFlight = nil
            throw error
        }
    }

    private func refreshHoldingLock(rejected: String?) async throws -> TokenSet {
        let lock = try await FileLock.acquire(at: store.lockURL, timeout: lockTimeout)
        defer { lock.release() }

        guard let stored = try store.load() else {
            cached = nil
            throw OpenEnergyAuthError.loginRequired(reason: "no CKW login is stored in \(store.fileURL.path)", hint: loginHint)
        }
        // Another process (or an earlier refresh here) rotated the tokens while we waited for the lock.
        if stored.accessToken != cached?.accessToken || stored.refreshToken != cached?.refreshToken,
           stored.accessToken != rejected,
           clock.now < stored.refreshDue(fraction: refreshFraction) {
            logger.debug("using tokens another process refreshed")
            cached = stored
            return stored
        }
        guard let refreshToken = stored.refreshToken else {
            throw OpenEnergyAuthError.loginRequired(reason: "the stored login has no refresh token", hint: loginHint)
        }
        if refreshToken == refusedRefreshToken {
            throw OpenEnergyAuthError.loginRequired(reason: "CKW no longer accepts the stored login", hint: loginHint)
        }

        let response: TokenResponse
        do {
            response = try await tokenEndpoint.refresh(refreshToken: refreshToken)
        } catch let OpenEnergyAuthError.tokenEndpointError(_, error?, description) where error == "invalid_grant" {
            refusedRefreshToken = refreshToken
            cached = stored
            logger.warning("refresh token refused by the identity provider; a new login is needed")
            throw OpenEnergyAuthError.loginRequired(
                reason: "CKW no longer accepts the stored login" + (description.map { " (\($0))" } ?? ""),
                hint: loginHint
            )
        }
        let fresh = TokenSet(
            response: response, obtainedAt: clock.now,
            issuer: stored.issuer, clientID: stored.clientID, previousRefreshToken: refreshToken
        )
        // Persist before use: with rotation the old refresh token is dead now.
        try store.save(fresh)
        cached = fresh
        logger.info("access token refreshed", metadata: ["expiresAt": "\(ISO8601Timestamp.format(fresh.accessTokenExpiresAt))"])
        return fresh
    }
}
