/// A validated request to the authorization endpoint.
struct AuthorizationRequest: Sendable {
    let clientID: String
    let redirectURI: String
    let scope: String
    let state: String?
    let nonce: String?
    /// S256 challenge; `nil` when the client sent none (only allowed where the client does not require PKCE).
    let codeChallenge: String?

    var scopes: Set<Substring> { Set(scope.split(separator: " ")) }
}
