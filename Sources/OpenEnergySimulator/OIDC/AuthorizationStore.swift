import Foundation
import Synchronization

/// The authorization server's mutable state: SSO sessions, authorization codes, refresh and access
/// tokens, pending logins and the login-related switches. All times are real time.
final class AuthorizationStore: Sendable {
    struct Session: Sendable {
        let id: String
        let user: SimulatorConfiguration.User
        let subject: String
        let clientID: String
        let scope: String
        /// Requested with `offline_access`: survives the SSO session limits.
        let offline: Bool
        let authTime: Date
        let started: Date
        var lastRefresh: Date
        let nonce: String?
        var ended = false
    }

    struct CodeGrant: Sendable {
        let sessionID: String
        let clientID: String
        let redirectURI: String
        let codeChallenge: String?
        let expiresAt: Date
        var redeemed = false
        let tampering: IDTokenTampering?
    }

    struct RefreshToken: Sendable {
        let sessionID: String
        var used = false
    }

    /// Who an access token speaks for.
    struct Principal: Sendable, Equatable {
        let subject: String
        /// The user's customer; `nil` for a backend app.
        let customerIndex: Int?
        let username: String?
        let clientID: String
        let sessionID: String?
        var isBackendApp: Bool { customerIndex == nil }
    }

    struct AccessToken: Sendable {
        let principal: Principal
        var expiresAt: Date
    }

    /// An authorization request waiting for the login form.
    struct PendingLogin: Sendable {
        let request: AuthorizationRequest
        let expiresAt: Date
    }

    private struct State: Sendable {
        var sessions: [String: Session] = [:]
        var codes: [String: CodeGrant] = [:]
        var refreshTokens: [String: RefreshToken] = [:]
        var accessTokens: [String: AccessToken] = [:]
        var pendingLogins: [String: PendingLogin] = [:]
        var denyNextLogin = false
        var nextTampering: IDTokenTampering?
        var issuedSinceSweep = 0
    }

    private let state = Mutex(State())
    /// Access tokens fresh from a refresh that the API still refuses, with how many times more.
    private let freshlyRefreshed = Mutex([String: Int]())
    /// Every code and token handed out, newest last, for tests that make sure none of them leaks
    /// into logs or published messages. Bounded so that long soak runs do not grow without end.
    private let issued = Mutex<[String]>([])
    private static let issuedLimit = 10_000
    let lifetimes: SimulatorConfiguration.TokenLifetimes

    init(lifetimes: SimulatorConfiguration.TokenLifetimes) {
        self.lifetimes = lifetimes
    }

    // MARK: Issued secrets

    func recordIssued(_ secrets: [String]) {
        issued.withLock { issued in
            issued.append(contentsOf: secrets)
            if issued.count > Self.issuedLimit { issued.removeFirst(issued.count - Self.issuedLimit) }
        }
    }

    var issuedSecrets: [String] { issued.withLock { $0 } }

    // MARK: Login

    func addPendingLogin(_ request: AuthorizationRequest, now: Date = Date()) -> String {
        let tabID = Self.randomToken(bytes: 12)
        state.withLock {
            $0.pendingLogins[tabID] = PendingLogin(request: request, expiresAt: now.addingTimeInterval(lifetimes.loginPage.timeInterval))
        }
        return tabID
    }

    func pendingLogin(tabID: String, now: Date = Date()) -> AuthorizationRequest? {
        state.withLock { state in
            guard let pending = state.pendingLogins[tabID], pending.expiresAt > now else { return nil }
            return pending.request
        }
    }

    func removePendingLogin(tabID: String) {
        _ = state.withLock { $0.pendingLogins.removeValue(forKey: tabID) }
    }

    enum LoginOutcome {
        case code(code: String, sessionID: String)
        case denied
    }

    /// Ends a successful authentication: opens an SSO session and issues its authorization code, unless
    /// the test switched "deny the next login" on.
    func completeLogin(user: SimulatorConfiguration.User, subject: String, request: AuthorizationRequest, now: Date = Date()) -> LoginOutcome {
        state.withLock { state in
            if state.denyNextLogin {
                state.denyNextLogin = false
                return .denied
            }
            let session = Session(
                id: UUID().uuidString.lowercased(),
                user: user,
                subject: subject,
                clientID: request.clientID,
                scope: request.scope,
                offline: request.scopes.contains("offline_access"),
                authTime: now,
                started: now,
                lastRefresh: now,
                nonce: request.nonce
            )
            state.sessions[session.id] = session
            let code = Self.randomToken(bytes: 32) + "." + session.id
            state.codes[code] = CodeGrant(
                sessionID: session.id,
                clientID: request.clientID,
                redirectURI: request.redirectURI,
                codeChallenge: request.codeChallenge,
                expiresAt: now.addingTimeInterval(lifetimes.authorizationCode.timeInterval),
                tampering: state.nextTampering
            )
            state.nextTampering = nil
            recordIssued([code])
            return .code(code: code, sessionID: session.id)
        }
    }

    enum CodeRedemption {
        case success(Session, CodeGrant)
        case failure(OAuthError)
    }

    /// Redeems a code once. A second use fails and, as in Keycloak, ends the session issued from it.
    func redeemCode(_ code: String, clientID: String, now: Date = Date()) -> CodeRedemption {
        state.withLock { state in
            guard var grant = state.codes[code] else {
                return .failure(.invalidGrant("Code not valid"))
            }
            if grant.redeemed {
                state.sessions[grant.sessionID]?.ended = true
                return .failure(.invalidGrant("Code not valid"))
            }
            grant.redeemed = true
            state.codes[code] = grant
            guard grant.expiresAt > now else {
                return .failure(.invalidGrant("Code not valid"))
            }
            guard grant.clientID == clientID else {
                return .failure(.invalidGrant("Code not valid"))
            }
            guard let session = state.sessions[grant.sessionID], !session.ended else {
                return .failure(.invalidGrant("Session not active"))
            }
            return .success(session, grant)
        }
    }

    // MARK: Refresh

    /// Issues a refresh token for a session.
    func issueRefreshToken(sessionID: String) -> String {
        let token = Self.randomToken(bytes: 32)
        state.withLock { $0.refreshTokens[token] = RefreshToken(sessionID: sessionID) }
        return token
    }

    enum Rotation {
        case success(session: Session, newRefreshToken: String)
        case failure(OAuthError)
    }

    /// Uses a refresh token once and hands out its successor (rotation).
    func rotateRefreshToken(_ token: String, clientID: String, now: Date = Date()) -> Rotation {
        state.withLock { state in
            guard var record = state.refreshTokens[token] else {
                return .failure(.invalidGrant("Invalid refresh token"))
            }
            guard var session = state.sessions[record.sessionID], !session.ended else {
                return .failure(.invalidGrant(record.used ? "Maximum allowed refresh token reuse exceeded" : "Session not active"))
            }
            guard session.clientID == clientID else {
                return .failure(.invalidGrant("Invalid refresh token. Token client and authorized client don't match"))
            }
            guard !record.used else {
                return .failure(.invalidGrant("Maximum allowed refresh token reuse exceeded"))
            }
            guard isActive(session, now: now) else {
                session.ended = true
                state.sessions[session.id] = session
                return .failure(.invalidGrant(session.offline ? "Offline session not active" : "Token is not active"))
            }
            record.used = true
            state.refreshTokens[token] = record
            session.lastRefresh = now
            state.sessions[session.id] = session
            let successor = Self.randomToken(bytes: 32)
            state.refreshTokens[successor] = RefreshToken(sessionID: session.id)
            return .success(session: session, newRefreshToken: successor)
        }
    }

    private func isActive(_ session: Session, now: Date) -> Bool {
        if session.offline {
            return now < session.lastRefresh.addingTimeInterval(lifetimes.offlineSessionIdle.timeInterval)
        }
        return now < session.lastRefresh.addingTimeInterval(lifetimes.ssoSessionIdle.timeInterval)
            && now < session.started.addingTimeInterval(lifetimes.ssoSessionMax.timeInterval)
    }

    /// Seconds until the session's refresh token dies; 0 for offline tokens, as Keycloak reports them.
    func refreshExpiresIn(_ session: Session, now: Date = Date()) -> Int {
        guard !session.offline else { return 0 }
        let idleEnd = session.lastRefresh.addingTimeInterval(lifetimes.ssoSessionIdle.timeInterval)
        let maxEnd = session.started.addingTimeInterval(lifetimes.ssoSessionMax.timeInterval)
        return max(0, Int(min(idleEnd, maxEnd).timeIntervalSince(now)))
    }

    // MARK: Access tokens

    func registerAccessToken(_ token: String, principal: Principal, expiresAt: Date, now: Date = Date()) {
        state.withLock { state in
            state.accessTokens[token] = AccessToken(principal: principal, expiresAt: expiresAt)
            state.issuedSinceSweep += 1
            // Forget dead tokens now and then, so that a long run does not grow without bound.
            if state.issuedSinceSweep >= 1000 {
                state.issuedSinceSweep = 0
                state.accessTokens = state.accessTokens.filter { $0.value.expiresAt > now }
            }
        }
    }

    enum TokenCheck: Equatable {
        case valid(Principal)
        case invalid(String)
    }

    func checkAccessToken(_ token: String, now: Date = Date()) -> TokenCheck {
        state.withLock { state in
            guard let record = state.accessTokens[token] else { return .invalid("Token is not valid") }
            guard record.expiresAt > now else { return .invalid("Token has expired") }
            if let sessionID = record.principal.sessionID, state.sessions[sessionID]?.ended != false {
                return .invalid("Session has ended")
            }
            return .valid(record.principal)
        }
    }

    /// The API refuses `token` `times` times before taking it (a gateway's key cache behind the
    /// identity provider).
    func refuseFreshlyRefreshed(_ token: String, times: Int) {
        guard times > 0 else { return }
        freshlyRefreshed.withLock { $0[token] = times }
    }

    /// Whether the API refuses this use of `token`; counts the refusal.
    func refuseFreshlyRefreshed(_ token: String) -> Bool {
        freshlyRefreshed.withLock { refusals in
            guard let left = refusals[token] else { return false }
            refusals[token] = left > 1 ? left - 1 : nil
            return true
        }
    }

    // MARK: Revocation and logout

    /// RFC 7009: a refresh token ends its session (and with it the session's access tokens); an access
    /// token dies alone. Unknown tokens are ignored.
    func revoke(token: String, clientID: String) {
        state.withLock { state in
            if let record = state.refreshTokens[token], state.sessions[record.sessionID]?.clientID == clientID {
                state.sessions[record.sessionID]?.ended = true
            } else if state.accessTokens[token]?.principal.clientID == clientID {
                state.accessTokens.removeValue(forKey: token)
            }
        }
    }

    /// Ends the session a refresh token belongs to; false when the token is unknown.
    func endSession(refreshToken: String) -> Bool {
        state.withLock { state in
            guard let record = state.refreshTokens[refreshToken] else { return false }
            state.sessions[record.sessionID]?.ended = true
            return true
        }
    }

    func endSession(id: String) {
        state.withLock { $0.sessions[id]?.ended = true }
    }

    // MARK: Test switches

    func expireAllAccessTokens(now: Date = Date()) {
        state.withLock { state in
            for key in state.accessTokens.keys {
                state.accessTokens[key]?.expiresAt = now
            }
        }
    }

    /// Ends every session of a user (an administrator's "sign out"); returns how many were active.
    @discardableResult
    func endSessions(username: String) -> Int {
        state.withLock { state in
            var count = 0
            for (id, session) in state.sessions where session.user.username == username && !session.ended {
                state.sessions[id]?.ended = true
                count += 1
            }
            return count
        }
    }

    func denyNextLogin() {
        state.withLock { $0.denyNextLogin = true }
    }

    func tamperNextIDToken(_ tampering: IDTokenTampering) {
        state.withLock { $0.nextTampering = tampering }
    }

    // MARK: Helpers

    static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded
    }
}
