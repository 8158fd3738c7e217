/// Ways the next login's ID token can be spoiled, to test that a client checks it.
public enum IDTokenTampering: String, Sendable, Codable, CaseIterable {
    /// `nonce` differs from the one in the authorization request.
    case wrongNonce
    /// `iss` names another issuer.
    case wrongIssuer
    /// `aud` names another client.
    case wrongAudience
    /// The signature does not verify against the JWKS.
    case badSignature
}
