import Foundation

/// The identity provider a login uses.
public struct OIDCIssuer: Sendable, Equatable, CustomStringConvertible {
    /// The issuer identifier, e.g. `https://idp.ckw.ch/auth/realms/CKW` (no trailing slash).
    public let url: URL

    public init(_ url: URL) {
        var text = url.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        self.url = URL(string: text) ?? url
    }

    /// CKW Single Sign-On, production realm.
    public static let ckwProduction = OIDCIssuer(URL(string: "https://idp.ckw.ch/auth/realms/CKW")!)
    /// CKW Single Sign-On, integration (test) realm.
    public static let ckwTest = OIDCIssuer(URL(string: "https://idp-int.ckw.ch/auth/realms/CKW")!)

    /// Whether `identifier` (an `iss` value) names this issuer; a trailing slash is tolerated.
    public func matches(_ identifier: String) -> Bool {
        guard !identifier.isEmpty, let url = URL(string: identifier) else { return false }
        return OIDCIssuer(url) == self
    }

    /// Whether the issuer is on this machine (127.0.0.0/8, ::1, localhost).
    public var isLoopback: Bool {
        guard let host = url.host else { return false }
        return LoopbackHost.contains(host)
    }

    public var discoveryURL: URL {
        URL(string: url.absoluteString + "/.well-known/openid-configuration")!
    }

    public var description: String { url.absoluteString }
}

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

/// Host names and addresses that never leave the machine.
public enum LoopbackHost {
    public static func contains(_ host: String) -> Bool {
        var bare = host.lowercased()
        if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
