import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Calls of the OAuth token endpoint. Client authentication is `client_secret_post` when there is a secret
/// (Keycloak accepts it for confidential clients); public clients send only `client_id`.
public struct TokenEndpoint: Sendable {
    public let url: URL
    /// The issuer the endpoint belongs to; stored with the tokens.
    public let issuer: String
    public let clientID: String
    private let clientSecret: String?
    private let httpClient: HTTPClient
    private let timeout: TimeInterval

    public init(url: URL, issuer: OIDCIssuer, clientID: String, clientSecret: String?, httpClient: HTTPClient, timeout: TimeInterval = 30) {
        self.url = url
        self.issuer = issuer.description
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// The token endpoint of a discovered provider for a configured client.
    public init(metadata: OIDCProviderMetadata, client: OIDCClientConfiguration, httpClient: HTTPClient, timeout: TimeInterval = 30) {
        self.init(url: metadata.tokenEndpoint, issuer: client.issuer, clientID: client.clientID, clientSecret: client.clientSecret, httpClient: httpClient, timeout: timeout)
    }

    /// Redeems an authorization code (with the PKCE verifier that proves this process started the login).
    public func exchange(code: String, redirectURI: URL, codeVerifier: String) async throws -> TokenResponse {
        try await post([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirectURI.absoluteString),
            ("code_verifier", codeVerifier),
        ])
    }

    /// `grant_type=refresh_token`. With rotation the answer holds a new refresh token and the old one is dead.
    public func refresh(refreshToken: String) async throws -> TokenResponse {
        try await post([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    /// `grant_type=client_credentials` with the app credentials (Backend API).
    public func clientCredentials(scope: String? = nil) async throws -> TokenResponse {
        var fields = [("grant_type", "client_credentials")]
        if let scope { fields.append(("scope", scope)) }
        return try await post(fields)
    }

    /// Revokes a token at the provider's revocation endpoint (RFC 7009), e.g. on logout; for a Keycloak refresh
    /// token this ends the session. Revoking an unknown token succeeds, as the RFC says.
    public func revoke(_ token: String, tokenTypeHint: String = "refresh_token", at revocationEndpoint: URL) async throws {
        let response = try await send([("token", token), ("token_type_hint", tokenTypeHint)], to: revocationEndpoint)
        guard response.statusCode == 200 else {
            let body = try? JSONDecoder().decode(OAuthErrorBody.self, from: response.body)
            throw OpenEnergyAuthError.tokenEndpointError(status: response.statusCode, error: body?.error, description: body?.errorDescription)
        }
    }

    /// Ends the session of a refresh token at Keycloak's end-session endpoint (a client's back-channel
    /// logout, `POST` with the refresh token): the way to end an offline session where no revocation
    /// endpoint is advertised.
    public func endSession(refreshToken: String, at endSessionEndpoint: URL) async throws {
        let response = try await send([("refresh_token", refreshToken)], to: endSessionEndpoint)
        guard response.statusCode == 204 || response.statusCode == 200 else {
            let body = try? JSONDecoder().decode(OAuthErrorBody.self, from: response.body)
            throw OpenEnergyAuthError.tokenEndpointError(status: response.statusCode, error: body?.error, description: body?.errorDescription)
        }
    }

    private func send(_ fields: [(String, String)], to target: URL) async throws -> OpenEnergyHTTP.Response {
        var fields = fields
        fields.append(("client_id", clientID))
        if let clientSecret { fields.append(("client_secret", clientSecret)) }

        var request = HTTPClientRequest(url: target.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(fields)))

        let endpoint = "POST \(target.absoluteString)"
        return try await OpenEnergyHTTP.send(request, with: httpClient, endpoint: endpoint, timeout: timeout, maximumBodySize: 1 << 20)
    }

    private func post(_ fields: [(String, String)]) async throws -> TokenResponse {
        let response = try await send(fields, to: url)
        guard response.statusCode == 200 else {
            let body = try? JSONDecoder().decode(OAuthErrorBody.self, from: response.body)
            throw OpenEnergyAuthError.tokenEndpointError(status: response.statusCode, error: body?.error, description: body?.errorDescription)
        }
        do {
            let tokens = try JSONDecoder().decode(TokenResponse.self, from: response.body)
            if let type = tokens.tokenType, type.lowercased() != "bearer" {
                throw OpenEnergyAuthError.tokenEndpointError(status: 200, error: nil, description: "unsupported token type '\(type)'")
            }
            return tokens
        } catch let error as DecodingError {
            // The reason names the field only; the body holds tokens and is never quoted.
            let (field, reason) = OpenEnergyWireDecoding.describe(error)
            throw OpenEnergyAuthError.tokenEndpointError(status: 200, error: nil, description: "unusable response, field '\(field)': \(reason)")
        }
    }
}

/// `{ "error": "invalid_grant", "error_description": "..." }` (RFC 6749 5.2).
struct OAuthErrorBody: Decodable {
    var error: String
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}

/// `application/x-www-form-urlencoded` (WHATWG URL standard's serializer).
enum FormEncoding {
    private static let unreserved: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._*".utf8)

    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                result.unicodeScalars.append(UnicodeScalar(byte))
            } else if byte == UInt8(ascii: " ") {
                result += "+"
            } else {
                result += "%"
                result.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                result.unicodeScalars.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return result
    }
}
