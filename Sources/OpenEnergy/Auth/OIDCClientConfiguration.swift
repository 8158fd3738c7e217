import Foundation

/// The OAuth client ckw2mqtt is registered as with the identity provider.
public struct OIDCClientConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var issuer: OIDCIssuer
    public var clientID: String
    /// Only for confidential clients; public (native) clients have none.
    public var clientSecret: String?
    /// Where the identity provider sends the browser after login. `nil`: the loopback listener's
    /// `http://127.0.0.1:<port>/callback`.
    public var redirectURI: URL?
    public var scopes: [String]

    /// `offline_access` asks Keycloak for a refresh token that survives the SSO session, which a daemon needs.
    public static let defaultScopes = ["openid", "offline_access"]

    public init(issuer: OIDCIssuer, clientID: String, clientSecret: String? = nil, redirectURI: URL? = nil, scopes: [String] = defaultScopes) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scopes = scopes
    }

    public var description: String {
        "OIDCClientConfiguration(issuer: \(issuer), clientID: \(clientID), clientSecret: \(clientSecret == nil ? "none" : "<redacted>"), scopes: \(scopes.joined(separator: " ")))"
    }

    public var debugDescription: String { description }
}
