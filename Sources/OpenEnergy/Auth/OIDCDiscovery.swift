import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// The parts of the OpenID Provider Metadata (OIDC Discovery 1.0) ckw2mqtt uses.
public struct OIDCProviderMetadata: Codable, Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: URL
    public var tokenEndpoint: URL
    public var jwksURI: URL
    public var revocationEndpoint: URL?
    /// Keycloak's logout endpoint; a client ends a session there with the refresh token (back-channel).
    public var endSessionEndpoint: URL?
    public var codeChallengeMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case revocationEndpoint = "revocation_endpoint"
        case endSessionEndpoint = "end_session_endpoint"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
    }

    public init(
        issuer: String, authorizationEndpoint: URL, tokenEndpoint: URL, jwksURI: URL, revocationEndpoint: URL? = nil,
        endSessionEndpoint: URL? = nil, codeChallengeMethodsSupported: [String]? = nil
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.revocationEndpoint = revocationEndpoint
        self.endSessionEndpoint = endSessionEndpoint
        self.codeChallengeMethodsSupported = codeChallengeMethodsSupported
    }
}

public enum OIDCDiscovery {
    /// Fetches `<issuer>/.well-known/openid-configuration` and checks that it describes `issuer`.
    public static func fetch(issuer: OIDCIssuer, httpClient: HTTPClient, timeout: TimeInterval = 30) async throws -> OIDCProviderMetadata {
        let endpoint = "GET \(issuer.discoveryURL.absoluteString)"
        var request = HTTPClientRequest(url: issuer.discoveryURL.absoluteString)
        request.headers.add(name: "Accept", value: "application/json")
        let response: OpenEnergyHTTP.Response
        do {
            response = try await OpenEnergyHTTP.send(request, with: httpClient, endpoint: endpoint, timeout: timeout, maximumBodySize: 1 << 20)
        } catch let error as OpenEnergyError {
            throw OpenEnergyAuthError.discoveryFailed(issuer: issuer.description, reason: error.description)
        }
        guard response.statusCode == 200 else {
            throw OpenEnergyAuthError.discoveryFailed(issuer: issuer.description, reason: "HTTP \(response.statusCode)")
        }
        let metadata: OIDCProviderMetadata
        do {
            metadata = try JSONDecoder().decode(OIDCProviderMetadata.self, from: response.body)
        } catch let error as DecodingError {
            let (field, reason) = OpenEnergyWireDecoding.describe(error)
            throw OpenEnergyAuthError.discoveryFailed(issuer: issuer.description, reason: "field '\(field)': \(reason)")
        }
        // OIDC Discovery 4.3: the document must name exactly the issuer it was fetched for.
        guard issuer.matches(metadata.issuer) else {
            throw OpenEnergyAuthError.discoveryFailed(issuer: issuer.description, reason: "the document names issuer '\(metadata.issuer)'")
        }
        if let methods = metadata.codeChallengeMethodsSupported, !methods.contains("S256") {
            throw OpenEnergyAuthError.discoveryFailed(issuer: issuer.description, reason: "the provider does not support PKCE with S256")
        }
        if let (name, url) = metadata.insecureEndpoint(forIssuer: issuer) {
            throw OpenEnergyAuthError.discoveryFailed(
                issuer: issuer.description,
                reason: "its \(name) \(url.absoluteString) is not https; tokens and codes would travel unprotected "
                    + "(plain http is accepted only when the issuer itself is on this machine)")
        }
        return metadata
    }
}

extension OIDCProviderMetadata {
    /// The first endpoint that is not https, unless the issuer is on loopback (a local test provider),
    /// where plain http cannot leave the machine.
    func insecureEndpoint(forIssuer issuer: OIDCIssuer) -> (name: String, url: URL)? {
        if issuer.isLoopback { return nil }
        let endpoints: [(String, URL?)] = [
            ("authorization_endpoint", authorizationEndpoint), ("token_endpoint", tokenEndpoint), ("jwks_uri", jwksURI),
            ("revocation_endpoint", revocationEndpoint), ("end_session_endpoint", endSessionEndpoint),
        ]
        for case let (name, url?) in endpoints where url.scheme?.lowercased() != "https" {
            return (name, url)
        }
        return nil
    }
}
