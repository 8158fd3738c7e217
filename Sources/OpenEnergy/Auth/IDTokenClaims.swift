import Foundation
import JWTKit

/// The ID token claims ckw2mqtt checks (OIDC Core 3.1.3.7).
public struct IDTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    public var sub: SubjectClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim?
    public var nonce: String?
    public var azp: String?

    /// The user's id at the issuer.
    public var subject: String { sub.value }

    /// Claims are checked by `IDTokenVerifier` after the signature, each with its own message.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
