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
