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
