import HTTPTypes

/// An OAuth 2.0 error as Keycloak sends it: `{"error":"invalid_grant","error_description":"..."}`.
struct OAuthError: Error, Sendable, Equatable, Encodable {
    let error: String
    let errorDescription: String
    let status: HTTPResponse.Status

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }

    static func invalidGrant(_ description: String) -> OAuthError {
        OAuthError(error: "invalid_grant", errorDescription: description, status: .badRequest)
    }

    static func invalidRequest(_ description: String) -> OAuthError {
        OAuthError(error: "invalid_request", errorDescription: description, status: .badRequest)
    }

    static let invalidClient = OAuthError(
        error: "invalid_client", errorDescription: "Invalid client or Invalid client credentials", status: .unauthorized
    )

    static func unauthorizedClient(_ description: String) -> OAuthError {
        OAuthError(error: "unauthorized_client", errorDescription: description, status: .badRequest)
    }

    static let unsupportedGrantType = OAuthError(
        error: "unsupported_grant_type", errorDescription: "Unsupported grant_type", status: .badRequest
    )
}
