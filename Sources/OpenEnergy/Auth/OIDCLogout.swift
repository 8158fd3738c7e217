import AsyncHTTPClient
import Foundation

/// Ending a stored login at CKW: revocation where the provider advertises it (RFC 7009), otherwise
/// Keycloak's end-session endpoint with the refresh token, which also ends an offline session.
public enum OIDCLogout {
    /// What happened at the provider; the tokens are deleted locally either way.
    public enum Outcome: Sendable, Equatable, CustomStringConvertible {
        case revoked
        case sessionEnded
        /// There was no refresh token to end the session with.
        case nothingToEnd
        /// The provider advertises neither endpoint.
        case notOffered
        case failed(String)

        public var description: String {
            switch self {
            case .revoked: "The login was revoked at CKW."
            case .sessionEnded: "CKW has no revocation endpoint; the login's session was ended at its logout endpoint instead."
            case .nothingToEnd: "The stored login had no refresh token; nothing to end at CKW."
            case .notOffered: "CKW offers neither revocation nor a logout endpoint; the login expires on its own (an offline login after 30 days unused)."
            case .failed(let reason): "Could not end the login at CKW (\(reason)); it expires on its own."
            }
        }
    }

    /// Best effort, never throws: a login that cannot be ended at CKW still expires.
    public static func end(_ tokens: TokenSet, clientSecret: String?, httpClient: HTTPClient) async -> Outcome {
        guard let refreshToken = tokens.refreshToken else { return .nothingToEnd }
        guard let issuerURL = URL(string: tokens.issuer) else { return .failed("the stored issuer '\(tokens.issuer)' is not a URL") }
        let issuer = OIDCIssuer(issuerURL)
        do {
            let metadata = try await OIDCDiscovery.fetch(issuer: issuer, httpClient: httpClient)
            let endpoint = TokenEndpoint(
                metadata: metadata, client: OIDCClientConfiguration(issuer: issuer, clientID: tokens.clientID, clientSecret: clientSecret),
                httpClient: httpClient)
            if let revocation = metadata.revocationEndpoint {
                try await endpoint.revoke(refreshToken, at: revocation)
                return .revoked
            }
            if let endSession = metadata.endSessionEndpoint {
                try await endpoint.endSession(refreshToken: refreshToken, at: endSession)
                return .sessionEnded
            }
            return .notOffered
        } catch {
            return .failed("\(error)")
        }
    }
}
