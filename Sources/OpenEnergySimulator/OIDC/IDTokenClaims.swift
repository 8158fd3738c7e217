import Foundation
import JWTKit

/// Claims of an ID token (OpenID Connect Core §2).
struct IDTokenClaims: JWTPayload {
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var auth_time: Int
    var jti: IDClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    var sub: SubjectClaim
    /// Always `ID`.
    var typ: String
    var azp: String
    var nonce: String?
    var sid: String
    var preferred_username: String
    var name: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
