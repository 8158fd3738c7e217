import AsyncHTTPClient
import Foundation
import Logging

/// A login attempt that waits for its redirect: what `OIDCLogin.finish` needs to check and redeem it.
public struct PendingLogin: Sendable {
    public let metadata: OIDCProviderMetadata
    public let request: AuthorizationRequest

    /// The URL the user opens in a browser.
    public var loginURL: URL { request.url }
}

/// The user login against CKW Single Sign-On: authorization code flow with PKCE (S256), `state` and `nonce`,
/// the ID token checked against the issuer's JWKS. The result is a `TokenSet` for the `TokenStore`.
///
/// Two ways to receive the redirect: a loopback listener on 127.0.0.1 (`loginWithLoopback`), or the user
/// pasting the final redirected URL (`start` + `finish`), for a headless box whose registered redirect URI
/// points elsewhere.
public struct OIDCLogin: Sendable {
    public let client: OIDCClientConfiguration
    private let httpClient: HTTPClient
    private let clock: any OpenEnergyClock
    private let logger: Logger

    public init(client: OIDCClientConfiguration, httpClient: HTTPClient, clock: any OpenEnergyClock = SystemClock(), logger: Logger = Logger(label: "ckw2mqtt.openenergy.login")) {
        self.client = client
        self.httpClient = httpClient
        self.clock = clock
        self.logger = logger
    }

    /// Discovers the provider and builds the login URL for `redirectURI` (default: the configured one).
    public func start(redirectURI: URL? = nil) async throws -> PendingLogin {
        guard let redirectURI = redirectURI ?? client.redirectURI else {
            throw OpenEnergyAuthError.invalidRedirect("no redirect URI configured; use the loopback login or configure the registered redirect URI")
        }
        let metadata = try await OIDCDiscovery.fetch(issuer: client.issuer, httpClient: httpClient)
        let request = try AuthorizationRequest(authorizationEndpoint: metadata.authorizationEndpoint, client: client, redirectURI: redirectURI)
        return PendingLogin(metadata: metadata, request: request)
    }

    /// Checks the redirect, redeems the code and verifies the ID token.
    public func finish(_ pending: PendingLogin, redirect: URL) async throws -> TokenSet {
        let code = try AuthorizationCallback.authorizationCode(from: redirect, for: pending.request, expectedIssuer: client.issuer)
        let endpoint = TokenEndpoint(metadata: pending.metadata, client: client, httpClient: httpClient)
        let response = try await endpoint.exchange(code: code, redirectURI: pending.request.redirectURI, codeVerifier: pending.request.pkce.codeVerifier)
        guard let idToken = response.idToken else {
            throw OpenEnergyAuthError.idTokenRejected(reason: "is missing from the token response (scope 'openid' requested: \(client.scopes.contains("openid")))")
        }
        let verifier = IDTokenVerifier(issuer: client.issuer, clientID: client.clientID, jwksURI: pending.metadata.jwksURI, httpClient: httpClient, clock: clock)
        let claims = try await verifier.verify(idToken, expectedNonce: pending.request.nonce)
        if response.refreshToken == nil {
            logger.warning("the login gave no refresh token; the daemon will need a new login when the access token expires")
        } else if let seconds = response.refreshExpiresIn, seconds > 0 {
            logger.warning("the login is not an offline login", metadata: ["refresh_expires_in": "\(seconds)"])
        }
        logger.info("logged in", metadata: ["subject": "\(claims.subject)", "scope": "\(response.scope ?? "")"])
        return TokenSet(response: response, obtainedAt: clock.now, issuer: client.issuer.description, clientID: client.clientID)
    }

    /// Finishes a login from the URL the user pasted.
    public func finish(_ pending: PendingLogin, pastedURL: String) async throws -> TokenSet {
        try await finish(pending, redirect: try AuthorizationCallback.parsePastedURL(pastedURL))
    }

    /// The whole login with a loopback listener: starts it on `127.0.0.1:port` (0: ephemeral), hands the login
    /// URL to `presentLoginURL` (print it, open a browser), waits for the redirect and finishes.
    public func loginWithLoopback(
        port: Int = 0,
        callbackPath: String = "/callback",
        timeout: TimeInterval = 300,
        presentLoginURL: @Sendable (URL) async throws -> Void
    ) async throws -> TokenSet {
        try await loginWithLoopback(
            redirect: LoopbackRedirect(port: port == 0 ? nil : port, path: callbackPath), timeout: timeout, presentLoginURL: presentLoginURL)
    }

    /// The whole login with a loopback listener for `redirect` as registered (its host, and its port if it
    /// has one). A response with another attempt's `state` is answered with an error page and the listener
    /// keeps waiting for this attempt's.
    public func loginWithLoopback(
        redirect: LoopbackRedirect,
        timeout: TimeInterval = 300,
        presentLoginURL: @Sendable (URL) async throws -> Void
    ) async throws -> TokenSet {
        let receiver = try await LoopbackRedirectReceiver.start(for: redirect)
        do {
            let pending = try await start(redirectURI: receiver.redirectURI)
            receiver.accept(state: pending.request.state)
            try await presentLoginURL(pending.loginURL)
            let redirect = try await receiver.waitForRedirect(timeout: timeout)
            await receiver.close()
            return try await finish(pending, redirect: redirect)
        } catch {
            await receiver.close()
            throw error
        }
    }
}
