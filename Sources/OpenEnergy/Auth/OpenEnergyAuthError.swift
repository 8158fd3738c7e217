import Foundation

/// Errors of login, token handling and the token store. Messages say what happened and what to do;
/// they never contain a token, a code or a secret.
public enum OpenEnergyAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The refresh token is no longer accepted (`invalid_grant`), or there is none: a person must log in again.
    case loginRequired(reason: String, hint: String)
    /// The redirect's `state` is not the one this login sent: the response belongs to another login attempt
    /// or was forged.
    case stateMismatch
    /// The redirect carried neither a code nor an error.
    case missingAuthorizationCode
    /// The identity provider redirected with an error, e.g. `access_denied` when the user declined.
    case authorizationDenied(error: String, description: String?)
    /// The redirect's `iss` parameter names another issuer (RFC 9207 mix-up protection).
    case issuerMismatch(expected: String, received: String)
    /// The pasted text or the received request is not a usable redirect URL.
    case invalidRedirect(String)
    /// No redirect arrived in time at the loopback listener.
    case redirectTimeout(seconds: Int)
    /// The ID token failed a check; `reason` names which.
    case idTokenRejected(reason: String)
    /// The discovery document could not be fetched or does not fit the configured issuer.
    case discoveryFailed(issuer: String, reason: String)
    /// The token endpoint refused (other than `invalid_grant`) or answered something unusable.
    case tokenEndpointError(status: Int?, error: String?, description: String?)
    /// The token store's file or directory can be read by other users; `fix` is the command that repairs it.
    case insecureTokenStore(path: String, mode: String, fix: String)
    /// The token store exists but cannot be read or written.
    case tokenStoreFailure(path: String, reason: String)

    public var description: String {
        switch self {
        case let .loginRequired(reason, hint):
            return "Login required: \(reason). \(hint)"
        case .stateMismatch:
            return "Login rejected: the redirect's state does not match this login attempt (a stale or forged redirect); start the login again"
        case .missingAuthorizationCode:
            return "Login rejected: the redirect carries no authorization code"
        case let .authorizationDenied(error, description):
            let text = "Login was not granted by CKW: \(error)" + (description.map { " (\($0))" } ?? "")
            guard error == "invalid_scope" else { return text }
            return text + ". CKW refused a requested scope, most likely `offline_access`, which this client may not use. "
                + "Ask CKW to allow `offline_access` for the client; until then log in with `ckw.scopes: [openid]` "
                + "(`--set ckw.scopes=openid`): that login works but ends with the single sign-on session (10 h at most by default), "
                + "after which the bridge needs a new login"
        case let .issuerMismatch(expected, received):
            return "Login rejected: the redirect comes from issuer '\(received)', expected '\(expected)'"
        case let .invalidRedirect(reason):
            return "Not a usable login redirect: \(reason)"
        case let .redirectTimeout(seconds):
            return "No login redirect arrived within \(seconds) s; start the login again"
        case let .idTokenRejected(reason):
            return "Login rejected: the ID token \(reason)"
        case let .discoveryFailed(issuer, reason):
            return "Cannot read the OpenID configuration of \(issuer): \(reason)"
        case let .tokenEndpointError(status, error, description):
            var text = "The token endpoint refused"
            if let status { text += " (HTTP \(status))" }
            if let error { text += ": \(error)" }
            if let description, !description.isEmpty { text += " - \(description)" }
            return text
        case let .insecureTokenStore(path, mode, fix):
            return "Refusing to use the token store \(path): its mode \(mode) lets other users read it, and it holds login tokens. Fix it with: \(fix)"
        case let .tokenStoreFailure(path, reason):
            return "Token store \(path): \(reason)"
        }
    }
}
