import Foundation
import JWTKit

/// Mints Keycloak-shaped tokens: signed JWT access and ID tokens, opaque single-use refresh tokens.
struct TokenIssuer: Sendable {
    let store: AuthorizationStore
    let signingKey: SigningKey
    let lifetimes: SimulatorConfiguration.TokenLifetimes
    /// For the user's display name (the customer's name).
    let catalog: MeteringPointCatalog
    let issuer: @Sendable () -> String

    /// The JSON a token endpoint answers with (RFC 6749 §5.1 plus Keycloak's extra fields).
    struct TokenResponse: Encodable, Sendable {
        var accessToken: String
        var expiresIn: Int
        var refreshExpiresIn: Int
        var refreshToken: String?
        var tokenType = "Bearer"
        var idToken: String?
        var notBeforePolicy = 0
        var sessionState: String?
        var scope: String

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
            case refreshExpiresIn = "refresh_expires_in"
            case refreshToken = "refresh_token"
            case tokenType = "token_type"
            case idToken = "id_token"
            case notBeforePolicy = "not-before-policy"
            case sessionState = "session_state"
            case scope
        }
    }

    /// Tokens for a user's session, after a code exchange or a refresh.
    func tokens(
        for session: AuthorizationStore.Session, refreshToken: String, tampering: IDTokenTampering? = nil, now: Date = Date()
    ) async throws -> TokenResponse {
        let principal = AuthorizationStore.Principal(
            subject: session.subject,
            customerIndex: session.user.customerIndex,
            username: session.user.username,
            clientID: session.clientID,
            sessionID: session.id
        )
        let accessToken = try await accessToken(for: principal, scope: session.scope, now: now)
        var idToken: String?
        if session.scope.split(separator: " ").contains("openid") {
            idToken = try await self.idToken(for: session, tampering: tampering, now: now)
        }
        store.recordIssued([accessToken, refreshToken] + (idToken.map { [$0] } ?? []))
        return TokenResponse(
            accessToken: accessToken,
            expiresIn: Int(lifetimes.accessToken.timeInterval),
            refreshExpiresIn: store.refreshExpiresIn(session, now: now),
            refreshToken: refreshToken,
            idToken: idToken,
            sessionState: session.id,
            scope: session.scope
        )
    }

    /// A token for a backend app (`client_credentials`): no refresh token, no ID token, as in Keycloak.
    func tokens(forBackendApp app: SimulatorConfiguration.BackendApp, seed: UInt64, now: Date = Date()) async throws -> TokenResponse {
        let principal = AuthorizationStore.Principal(
            subject: StableIdentifier.uuid(seed: seed, name: "service-account-" + app.clientID),
            customerIndex: nil,
            username: "service-account-" + app.clientID,
            clientID: app.clientID,
            sessionID: nil
        )
        let scope = "profile email"
        let accessToken = try await accessToken(for: principal, scope: scope, now: now)
        store.recordIssued([accessToken])
        return TokenResponse(
            accessToken: accessToken,
            expiresIn: Int(lifetimes.accessToken.timeInterval),
            refreshExpiresIn: 0,
            scope: scope
        )
    }

    private func accessToken(for principal: AuthorizationStore.Principal, scope: String, now: Date) async throws -> String {
        let expiresAt = now.addingTimeInterval(lifetimes.accessToken.timeInterval)
        let claims = AccessTokenClaims(
            exp: ExpirationClaim(value: expiresAt),
            iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: UUID().uuidString.lowercased()),
            iss: IssuerClaim(value: issuer()),
            aud: AudienceClaim(value: "account"),
            sub: SubjectClaim(value: principal.subject),
            typ: "Bearer",
            azp: principal.clientID,
            sid: principal.sessionID,
            scope: scope,
            preferred_username: principal.username
        )
        let token = try await signingKey.sign(claims)
        store.registerAccessToken(token, principal: principal, expiresAt: expiresAt, now: now)
        return token
    }

    private func idToken(for session: AuthorizationStore.Session, tampering: IDTokenTampering?, now: Date) async throws -> String {
        var claims = IDTokenClaims(
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetimes.accessToken.timeInterval)),
            iat: IssuedAtClaim(value: now),
            auth_time: Int(session.authTime.timeIntervalSince1970),
            jti: IDClaim(value: UUID().uuidString.lowercased()),
            iss: IssuerClaim(value: issuer()),
            aud: AudienceClaim(value: session.clientID),
            sub: SubjectClaim(value: session.subject),
            typ: "ID",
            azp: session.clientID,
            nonce: session.nonce,
            sid: session.id,
            preferred_username: session.user.username,
            name: displayName(of: session.user)
        )
        switch tampering {
        case .wrongNonce: claims.nonce = "not-the-nonce-you-sent"
        case .wrongIssuer: claims.iss = IssuerClaim(value: issuer().replacingOccurrences(of: "/realms/", with: "/realms/not-"))
        case .wrongAudience: claims.aud = AudienceClaim(value: "some-other-client")
        case .badSignature, nil: break
        }
        let token = try await signingKey.sign(claims)
        return tampering == .badSignature ? Self.corruptSignature(of: token) : token
    }

    private func displayName(of user: SimulatorConfiguration.User) -> String {
        guard (0..<catalog.population.customers).contains(user.customerIndex) else { return user.username }
        return catalog.customer(at: user.customerIndex).name
    }

    /// Flips a bit in the middle of the signature: still well-formed base64url, no longer valid.
    static func corruptSignature(of token: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, var signature = Data(base64URLEncoded: parts[2]), !signature.isEmpty else { return token }
        signature[signature.count / 2] ^= 0x01
        parts[2] = signature.base64URLEncoded
        return parts.joined(separator: ".")
    }
}
