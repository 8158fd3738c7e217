import Foundation
import Timestamps

/// The tokens of one login as kept in the token store. Access and refresh tokens are opaque strings.
///
/// `description`/`debugDescription` redact the tokens, so logging or interpolating a `TokenSet` is safe.
public struct TokenSet: Codable, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessToken: String
    public var refreshToken: String?
    /// When the token endpoint answered; the refresh point is computed from it.
    public var obtainedAt: Date
    public var accessTokenExpiresAt: Date
    /// When the refresh token dies unless used, if the provider said (Keycloak's `refresh_expires_in`; 0 = never).
    public var refreshTokenExpiresAt: Date?
    public var scope: String?
    /// Which issuer and client these tokens belong to, so a store for another setup is not used by mistake.
    public var issuer: String
    public var clientID: String

    public init(
        accessToken: String,
        refreshToken: String?,
        obtainedAt: Date,
        accessTokenExpiresAt: Date,
        refreshTokenExpiresAt: Date? = nil,
        scope: String? = nil,
        issuer: String,
        clientID: String
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.obtainedAt = obtainedAt
        self.accessTokenExpiresAt = accessTokenExpiresAt
        self.refreshTokenExpiresAt = refreshTokenExpiresAt
        self.scope = scope
        self.issuer = issuer
        self.clientID = clientID
    }

    /// From a token endpoint response received at `now`. A refresh response without a refresh token keeps
    /// the previous one (rotation is optional for providers).
    public init(response: TokenResponse, obtainedAt now: Date, issuer: String, clientID: String, previousRefreshToken: String? = nil) {
        self.init(
            accessToken: response.accessToken,
            refreshToken: response.refreshToken ?? previousRefreshToken,
            obtainedAt: now,
            accessTokenExpiresAt: now.addingTimeInterval(TimeInterval(max(response.expiresIn ?? 300, 1))),
            refreshTokenExpiresAt: response.refreshExpiresIn.flatMap { $0 > 0 ? now.addingTimeInterval(TimeInterval($0)) : nil },
            scope: response.scope,
            issuer: issuer,
            clientID: clientID
        )
    }

    /// The moment to refresh: `fraction` of the access token's lifetime after it was obtained.
    public func refreshDue(fraction: Double = 0.75) -> Date {
        obtainedAt.addingTimeInterval(accessTokenExpiresAt.timeIntervalSince(obtainedAt) * fraction)
    }

    /// What a person should know about how long this login lasts, when it will not last: no refresh
    /// token, or a normal refresh token that dies with the SSO session instead of an offline token
    /// (Keycloak reports `refresh_expires_in: 0` for offline tokens). `nil` for an offline login.
    public func durationNotice(requestedScopes: [String]) -> String? {
        let askForOffline = requestedScopes.contains("offline_access")
            ? "The scope `offline_access` was requested but not granted: ask CKW to allow `offline_access` for your client."
            : "Add `offline_access` to `ckw.scopes` (the default is `openid offline_access`) and log in again."
        guard refreshToken != nil else {
            return "CKW gave no refresh token, so this login ends when the access token expires "
                + "(\(ISO8601Timestamp.format(accessTokenExpiresAt))) and the bridge then needs a new login. \(askForOffline)"
        }
        guard let refreshTokenExpiresAt else { return nil }
        let minutes = Int((refreshTokenExpiresAt.timeIntervalSince(obtainedAt) / 60).rounded())
        return "This is a normal login, not an offline one: it lives only as long as CKW's single sign-on session "
            + "(its refresh token is valid for \(minutes) min at a time, and the session ends at its maximum age, 10 h by Keycloak's default), "
            + "and the bridge then needs a new login. A bridge that runs for months needs an offline login. \(askForOffline)"
    }

    public var description: String {
        "TokenSet(accessToken: <redacted>, refreshToken: \(refreshToken == nil ? "none" : "<redacted>"), "
            + "expiresAt: \(ISO8601Timestamp.format(accessTokenExpiresAt)), issuer: \(issuer), clientID: \(clientID))"
    }

    public var debugDescription: String { description }
}

/// A token endpoint's successful answer (RFC 6749 5.1, plus Keycloak's `refresh_expires_in`).
public struct TokenResponse: Decodable, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessToken: String
    public var tokenType: String?
    public var expiresIn: Int?
    public var refreshToken: String?
    public var refreshExpiresIn: Int?
    public var idToken: String?
    public var scope: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case refreshExpiresIn = "refresh_expires_in"
        case idToken = "id_token"
        case scope
    }

    public var description: String {
        "TokenResponse(accessToken: <redacted>, refreshToken: \(refreshToken == nil ? "none" : "<redacted>"), idToken: \(idToken == nil ? "none" : "<redacted>"), expiresIn: \(expiresIn.map(String.init) ?? "?"))"
    }

    public var debugDescription: String { description }
}
