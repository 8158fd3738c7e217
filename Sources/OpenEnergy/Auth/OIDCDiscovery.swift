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
    public var codeChallengeMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case revocationEndpoint = "revocation_endpoint"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
    }

    public init(issuer: String, authorizationEndpoint: URL, tokenEndpoint: URL, jwksURI: URL, revocationEndpoint: URL? = nil, codeChallengeMethodsSupported: [String]? = nil) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.revocationEndpoint = revocationEndpoint
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
        return metadata
    }
}
