import Foundation

/// One login attempt: the login URL to open, and the secrets to check the redirect and redeem the code.
///
/// `state` binds the redirect to this attempt (CSRF), `nonce` binds the ID token to it (replay), PKCE binds
/// the code to this process (interception).
public struct AuthorizationRequest: Sendable, CustomStringConvertible {
    public let url: URL
    public let redirectURI: URL
    public let state: String
    public let nonce: String
    public let pkce: PKCE

    public init(
        authorizationEndpoint: URL,
        client: OIDCClientConfiguration,
        redirectURI: URL,
        state: String? = nil,
        nonce: String? = nil,
        pkce: PKCE = PKCE()
    ) throws {
        // 192 random bits each: unguessable, and short enough for any URL length limit.
        let state = state ?? Base64URL.randomString(byteCount: 24)
        let nonce = nonce ?? Base64URL.randomString(byteCount: 24)
        guard var components = URLComponents(url: authorizationEndpoint, resolvingAgainstBaseURL: false) else {
            throw OpenEnergyAuthError.discoveryFailed(issuer: client.issuer.description, reason: "unusable authorization endpoint \(authorizationEndpoint)")
        }
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: client.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI.absoluteString),
            URLQueryItem(name: "scope", value: client.scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: pkce.codeChallenge),
            URLQueryItem(name: "code_challenge_method", value: pkce.codeChallengeMethod),
            URLQueryItem(name: "response_mode", value: "query"),
        ]
        components.queryItems = items
        // URLComponents leaves `+` and `/` alone in queries; encode what a form decoder would misread.
        components.percentEncodedQuery = components.percentEncodedQuery?
            .replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else {
            throw OpenEnergyAuthError.discoveryFailed(issuer: client.issuer.description, reason: "cannot build the login URL")
        }
        self.url = url
        self.redirectURI = redirectURI
        self.state = state
        self.nonce = nonce
        self.pkce = pkce
    }

    public var description: String { "AuthorizationRequest(url: \(url.absoluteString))" }
}
