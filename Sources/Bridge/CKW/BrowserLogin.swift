import Foundation
import OpenEnergy

/// The login the web page runs: one attempt at a time (authorization code with PKCE, the same
/// `OIDCLogin` as `ckw2mqtt login --paste`), finished by the redirect arriving at the page's
/// callback or by the address the user pastes.
actor BrowserLogin {
    /// Keycloak's login session lasts half an hour; an older attempt cannot succeed anyway.
    static let attemptLifetime: Duration = .seconds(30 * 60)

    private let login: OIDCLogin
    private var attempt: (pending: PendingLogin, startedAt: ContinuousClock.Instant)?

    init(login: OIDCLogin) {
        self.login = login
    }

    var isInProgress: Bool {
        guard let attempt else { return false }
        return ContinuousClock.now - attempt.startedAt < Self.attemptLifetime
    }

    /// A new attempt replaces an older one: only the newest login link works.
    func start() async throws(LoginProblem) -> PendingLogin {
        do {
            let pending = try await login.start()
            attempt = (pending, ContinuousClock.now)
            return pending
        } catch {
            throw LoginProblem(error)
        }
    }

    /// Checks `redirect` against the attempt, then redeems the code. An address that does not fit
    /// the attempt leaves it open (the user may paste again); a redeemed or refused code ends it.
    func finish(redirect: URL) async throws(LoginProblem) -> TokenSet {
        guard let attempt, ContinuousClock.now - attempt.startedAt < Self.attemptLifetime else {
            self.attempt = nil
            throw LoginProblem(.noAttempt, "No login is waiting for this address (the bridge restarted, or the attempt is older than 30 minutes). Press “Log in to CKW” and use the new link.")
        }
        do {
            _ = try AuthorizationCallback.authorizationCode(from: redirect, for: attempt.pending.request, expectedIssuer: login.client.issuer)
        } catch {
            throw LoginProblem(error)
        }
        // Taken before the exchange, so that a second submission cannot redeem the code twice.
        self.attempt = nil
        do {
            return try await login.finish(attempt.pending, redirect: redirect)
        } catch {
            throw LoginProblem(error)
        }
    }

    func finish(pastedAddress: String) async throws(LoginProblem) -> TokenSet {
        let redirect: URL
        do {
            redirect = try AuthorizationCallback.parsePastedURL(pastedAddress)
        } catch {
            throw LoginProblem(error)
        }
        return try await finish(redirect: redirect)
    }
}

/// Why a login, logout or fetch from the web page did not work, in words for the person at the
/// browser: what happened and what to do. Never a stack trace, a token or a code.
public struct LoginProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// No attempt waits for this address.
        case noAttempt
        /// The address belongs to another (older) attempt.
        case staleAttempt
        /// The pasted text is not the address CKW redirected to.
        case notARedirect
        /// The user cancelled at CKW, or CKW refused the login.
        case denied
        /// CKW no longer accepts the code: it lives about a minute and works once.
        case codeExpired
        /// The login was made at another identity provider than the configured one.
        case wrongProvider
        /// CKW's login service could not be reached.
        case unreachable
        /// CKW answered, but the answer failed a check or was refused otherwise.
        case rejected
        /// The tokens cannot be stored or read.
        case storage
        /// Backend mode logs in with app credentials; there is nothing to log in to.
        case notClientMode
        /// What was asked needs a working login first.
        case notLoggedIn
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The words for an error of the login machinery (`OIDCLogin`, `TokenStore`, the HTTP client).
    public init(_ error: any Error) {
        switch error {
        case let problem as LoginProblem:
            self = problem
        case let error as OpenEnergyAuthError:
            self = Self.describe(error)
        case let error as OpenEnergyError:
            self.init(.unreachable, "CKW's login service cannot be reached (\(error)). Check the bridge's network connection and try again.")
        default:
            self.init(.unreachable, "CKW's login service cannot be reached (\(error)). Check the bridge's network connection and try again.")
        }
    }

    private static func describe(_ error: OpenEnergyAuthError) -> LoginProblem {
        switch error {
        case .stateMismatch:
            return LoginProblem(.staleAttempt, "This address belongs to another login attempt. Use the address you reach with the newest “Log in to CKW” link.")
        case .missingAuthorizationCode:
            return LoginProblem(.notARedirect, "This address carries no login code. Paste the address the browser shows right after logging in at CKW.")
        case .invalidRedirect(let reason):
            return LoginProblem(.notARedirect, "That is not the address the browser ended on after the CKW login: \(reason).")
        case let .authorizationDenied(code, description):
            let detail = description.map { ": \($0)" } ?? ""
            if code == "access_denied" {
                return LoginProblem(.denied, "The login was cancelled or declined at CKW\(detail). Press “Log in to CKW” to try again.")
            }
            return LoginProblem(.denied, "CKW did not grant the login (\(code)\(detail)). Press “Log in to CKW” to try again.")
        case let .issuerMismatch(expected, received):
            return LoginProblem(.wrongProvider, "This address comes from another login service (\(received)) than the configured one (\(expected)). Log in with the CKW account of this bridge's `ckw.issuer`.")
        case .tokenEndpointError(_, "invalid_grant"?, _):
            return LoginProblem(.codeExpired, "CKW no longer accepts this login code: it expires a minute after the login and works only once. Press “Log in to CKW” and paste the address right after logging in.")
        case .tokenEndpointError(_, let code?, _) where code == "invalid_client" || code == "unauthorized_client":
            return LoginProblem(.rejected, "CKW does not know this application (\(code)): check `ckw.client_id` and `ckw.client_secret`.")
        case .tokenEndpointError:
            return LoginProblem(.rejected, "CKW refused to complete the login (\(error)). Press “Log in to CKW” to try again.")
        case .idTokenRejected:
            return LoginProblem(.rejected, "CKW's answer failed a security check (\(error)). Check `ckw.issuer` and `ckw.client_id`, then try again.")
        case .discoveryFailed:
            return LoginProblem(.unreachable, "CKW's login service cannot be reached (\(error)). Check the bridge's network connection and `ckw.issuer`, then try again.")
        case .redirectTimeout, .loginRequired:
            return LoginProblem(.rejected, "\(error)")
        case .insecureTokenStore, .tokenStoreFailure:
            return LoginProblem(.storage, "\(error)")
        }
    }
}
