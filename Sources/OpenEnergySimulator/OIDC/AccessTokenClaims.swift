import Foundation
import JWTKit

/// Claims of an access token, shaped like Keycloak's. Clients must treat access tokens as opaque; the
/// simulator signs them anyway because Keycloak does.
struct AccessTokenClaims: JWTPayload {
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var jti: IDClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim
    /// Always `Bearer`.
    var typ: String
    /// The client the token was issued to.
    var azp: String
    /// SSO session id (absent for client_credentials).
    var sid: String?
    var scope: String
    var preferred_username: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
