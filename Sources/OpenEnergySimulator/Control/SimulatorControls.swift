import Foundation
/// Switches of a running simulator, for tests: API faults, token and login mischief, the rate limit.
/// Also reachable over HTTP under `/_sim/...` (see ``ControlRoutes``) for tests that run the bridge in
/// another process.
public final class SimulatorControls: Sendable {
    let faults: FaultInjector
    let store: AuthorizationStore
    let rateLimiter: RateLimiter
    let requestLog: RequestLog

    init(faults: FaultInjector, store: AuthorizationStore, rateLimiter: RateLimiter, requestLog: RequestLog) {
        self.faults = faults
        self.store = store
        self.rateLimiter = rateLimiter
        self.requestLog = requestLog
    }

    // MARK: API faults

    /// Spoils the next `count` API responses the fault applies to (queued after faults injected earlier).
    public func inject(_ fault: APIFault, count: Int = 1) async {
        faults.inject(fault, count: count)
    }

    /// The next `count` API responses fail with `status` (a 5xx).
    public func failNextRequests(_ count: Int = 1, status: Int = 503) async {
        faults.inject(.serverError(status: status), count: count)
    }

    /// A burst of `count` 429s; with headers like MuleSoft's (remaining 0, reset in `reset`) and,
    /// if given, `Retry-After`, or a bare 429 without any header.
    public func tooManyRequests(
        _ count: Int = 1, withHeaders: Bool = true, reset: Duration = .seconds(1), retryAfter: Duration? = nil
    ) async {
        faults.inject(
            .tooManyRequests(
                withHeaders: withHeaders,
                resetMilliseconds: Int(reset.timeInterval * 1000),
                retryAfterSeconds: retryAfter.map { Int($0.timeInterval.rounded(.up)) }
            ),
            count: count
        )
    }

    /// The next `count` API responses arrive only after `delay`.
    public func slowDown(_ count: Int = 1, by delay: Duration) async {
        faults.inject(.slow(milliseconds: Int(delay.timeInterval * 1000)), count: count)
    }

    /// Leaves the quarter hour starting at `start` out of every meter data answer from now on (both
    /// directions; registers stay as they are), while the generator's truth keeps it: an interval
    /// CKW never delivers, for checks that must notice one missing.
    public func omitInterval(startingAt start: Date) async {
        faults.omitInterval(startingAt: Int(start.timeIntervalSince1970))
    }

    public func clearFaults() async {
        faults.clear()
    }

    /// Faults still waiting, with how many responses each will spoil.
    public var pendingFaults: [(fault: APIFault, remaining: Int)] {
        get async { faults.pending }
    }

    // MARK: Tokens and logins

    /// Every authorization code, access, refresh and ID token issued so far (the latest 10,000),
    /// for tests that scan output for leaked secrets.
    public var issuedTokens: [String] {
        get async { store.issuedSecrets }
    }

    /// Every access token issued so far expires now (refresh tokens stay valid).
    public func expireAllAccessTokens() async {
        store.expireAllAccessTokens()
    }

    /// Ends every SSO session of the user: refresh tokens become `invalid_grant`, access tokens 401.
    /// Returns how many sessions were active.
    @discardableResult
    public func revokeSessions(ofUser username: String) async -> Int {
        store.endSessions(username: username)
    }

    /// The next login's ID token is spoiled this way.
    public func tamperNextIDToken(_ tampering: IDTokenTampering) async {
        store.tamperNextIDToken(tampering)
    }

    /// The next login redirects with `error=access_denied` instead of a code.
    public func denyNextLogin() async {
        store.denyNextLogin()
    }

    // MARK: Rate limit

    /// The simulated instants of every API request that came with a valid token of the user
    /// `username`, whatever the answer: what the gateway counts against the login's quota.
    public func apiRequests(ofUser username: String) async -> [Date] {
        requestLog.requests(of: username)
    }

    /// Sets the per-user limit (windows start over); `nil` switches rate limiting off.
    public func setRateLimit(_ rateLimit: SimulatorConfiguration.RateLimit?) async {
        rateLimiter.configure(rateLimit)
    }

    public var rateLimit: SimulatorConfiguration.RateLimit? {
        get async { rateLimiter.settings }
    }
}
