/// Supplies the bearer token for API requests. Implemented by `TokenManager` (user login, Client API) and
/// `ClientCredentialsTokenProvider` (app credentials, Backend API).
///
/// Access tokens are opaque strings to the client: never parsed, never logged.
public protocol AccessTokenProvider: Sendable {
    /// A token that is valid now, refreshed first when it is near its expiry.
    func accessToken() async throws -> String

    /// The API rejected `rejectedToken` with 401: refresh (unless someone already did) and return the new token.
    func refreshedAccessToken(after rejectedToken: String) async throws -> String
}
