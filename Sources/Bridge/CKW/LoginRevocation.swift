import AsyncHTTPClient
import Foundation
import OpenEnergy

/// Ending a user login at CKW: the refresh token is revoked where the provider offers revocation.
/// Best effort: the caller deletes the stored tokens either way, and a login that cannot be revoked
/// expires on its own.
public enum LoginRevocation {
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        case revoked
        /// The provider's discovery document names no revocation endpoint.
        case notOffered
        /// The login had no refresh token; the access token expires within minutes.
        case nothingToRevoke
        /// CKW could not be asked or refused; the reason is one line without secrets.
        case failed(String)

        public var description: String {
            switch self {
            case .revoked: "The login was revoked at CKW."
            case .notOffered: "CKW offers no revocation; the login expires on its own."
            case .nothingToRevoke: "The login had no refresh token to revoke; it expires on its own."
            case .failed(let reason): "Could not revoke the login at CKW (\(reason)); it was deleted here anyway and expires on its own."
            }
        }
    }

    public static func revoke(_ tokens: TokenSet, clientSecret: String?, httpClient: HTTPClient) async -> Outcome {
        guard let refreshToken = tokens.refreshToken else { return .nothingToRevoke }
        guard let issuerURL = URL(string: tokens.issuer) else { return .failed("the stored issuer is not a URL") }
        let issuer = OIDCIssuer(issuerURL)
        do {
            let metadata = try await OIDCDiscovery.fetch(issuer: issuer, httpClient: httpClient)
            guard let revocation = metadata.revocationEndpoint else { return .notOffered }
            let endpoint = TokenEndpoint(
                metadata: metadata,
                client: OIDCClientConfiguration(issuer: issuer, clientID: tokens.clientID, clientSecret: clientSecret),
                httpClient: httpClient)
            try await endpoint.revoke(refreshToken, at: revocation)
            return .revoked
        } catch {
            return .failed("\(error)")
        }
    }
}
