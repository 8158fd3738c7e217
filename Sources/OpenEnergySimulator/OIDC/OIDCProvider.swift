import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The simulated Keycloak realm: discovery, the authorization endpoint with its login page, the token
/// endpoint (authorization code with PKCE, refresh with rotation, client credentials), JWKS, revocation,
/// logout and userinfo, under `/auth/realms/<realm>`.
struct OIDCProvider: Sendable {
    let configuration: SimulatorConfiguration
    let store: AuthorizationStore
    let tokens: TokenIssuer
    let signingKey: SigningKey
    /// `http://127.0.0.1:PORT/auth/realms/CKW`, known once the server is bound.
    let issuer: @Sendable () -> String

    var realmPath: String { "auth/realms/\(configuration.realm)" }

    func addRoutes(to router: Router<SimulatorRequestContext>) {
        let realm = router.group(RouterPath(realmPath))
        realm.get(".well-known/openid-configuration") { _, _ in discovery() }
        realm.get("protocol/openid-connect/certs") { _, _ in
            Responses.json(data: Data(signingKey.jwksJSON.utf8))
        }
        realm.get("protocol/openid-connect/auth") { request, _ in authorize(request.uri.queryParameters) }
        realm.post("login-actions/authenticate") { request, context in
            try await authenticate(query: request.uri.queryParameters, form: FormFields(request.bodyText(context: context)))
        }
        realm.post("protocol/openid-connect/token") { request, context in
            let form = FormFields(try await request.bodyText(context: context))
            do {
                return Responses.json(try await token(form: form, authorization: request.headers[.authorization]))
            } catch let error as OAuthError {
                return Responses.oauthError(error)
            }
        }
        realm.post("protocol/openid-connect/revoke") { request, context in
            let form = FormFields(try await request.bodyText(context: context))
            guard case .oauthClient(let client) = try authenticateClient(form: form, authorization: request.headers[.authorization])
            else { return Responses.oauthError(.unauthorizedClient("Only clients of the authorization code flow revoke tokens")) }
            guard let token = form["token"] else { return Responses.oauthError(.invalidRequest("Token not provided")) }
            store.revoke(token: token, clientID: client.id)
            return Responses.empty()
        }
        realm.post("protocol/openid-connect/logout") { request, context in
            // Back-channel logout by a client: ends the session of the refresh token.
            let form = FormFields(try await request.bodyText(context: context))
            guard let refreshToken = form["refresh_token"] else {
                return Responses.oauthError(.invalidRequest("No refresh token"))
            }
            return store.endSession(refreshToken: refreshToken)
                ? Responses.empty(status: .noContent) : Responses.oauthError(.invalidGrant("Invalid refresh token"))
        }
        realm.get("protocol/openid-connect/logout") { request, _ in
            // Front-channel logout (RP-initiated, OIDC): `id_token_hint` names the session.
            let query = request.uri.queryParameters
            if let hint = query["id_token_hint"], let sessionID = Self.sessionID(fromIDToken: String(hint)) {
                store.endSession(id: sessionID)
            }
            if let target = query["post_logout_redirect_uri"] {
                return Responses.redirect(to: String(target), query: query["state"].map { [("state", String($0))] } ?? [])
            }
            return Responses.html(LoginPage.error("Sie sind abgemeldet."))
        }
        realm.get("protocol/openid-connect/userinfo") { request, _ in
            guard let token = BearerToken.extract(request.headers[.authorization]),
                case .valid(let principal) = store.checkAccessToken(token)
            else {
                return Responses.json(
                    OAuthError(error: "invalid_token", errorDescription: "Token verification failed", status: .unauthorized),
                    status: .unauthorized,
                    headers: [.wwwAuthenticate: "Bearer realm=\"\(configuration.realm)\", error=\"invalid_token\""]
                )
            }
            return Responses.json(UserInfo(sub: principal.subject, preferred_username: principal.username))
        }
    }

    private struct UserInfo: Encodable {
        var sub: String
        var preferred_username: String?
    }

    // MARK: Discovery

    private func discovery() -> Response {
        let issuer = issuer()
        let endpoints = "\(issuer)/protocol/openid-connect"
        var document: [String: DiscoveryValue] = [
            "issuer": .string(issuer),
            "authorization_endpoint": .string("\(endpoints)/auth"),
            "token_endpoint": .string("\(endpoints)/token"),
            "userinfo_endpoint": .string("\(endpoints)/userinfo"),
            "end_session_endpoint": .string("\(endpoints)/logout"),
            "jwks_uri": .string("\(endpoints)/certs"),
            "grant_types_supported": .strings(["authorization_code", "refresh_token", "client_credentials"]),
            "response_types_supported": .strings(["code"]),
            "response_modes_supported": .strings(["query"]),
            "subject_types_supported": .strings(["public"]),
            "id_token_signing_alg_values_supported": .strings(["RS256"]),
            "token_endpoint_auth_methods_supported": .strings(["client_secret_basic", "client_secret_post", "none"]),
            "revocation_endpoint_auth_methods_supported": .strings(["client_secret_basic", "client_secret_post", "none"]),
            "code_challenge_methods_supported": .strings(["S256"]),
            "scopes_supported": .strings(["openid", "offline_access", "profile", "email"]),
            "claims_supported": .strings(["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "sid", "preferred_username", "name"]),
            "authorization_response_iss_parameter_supported": .bool(true),
            "backchannel_logout_supported": .bool(true),
        ]
        if configuration.advertisesRevocation {
            document["revocation_endpoint"] = .string("\(endpoints)/revoke")
        }
        return Responses.json(document)
    }

    private enum DiscoveryValue: Encodable {
        case string(String)
        case strings([String])
        case bool(Bool)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .strings(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            }
        }
    }

    // MARK: Authorization endpoint

    private func authorize(_ query: FlatDictionary<Substring, Substring>) -> Response {
        func parameter(_ name: Substring) -> String? {
            query[name].flatMap { $0.isEmpty ? nil : String($0) }
        }
        // Without a known client and one of its redirect URIs there is nobody to redirect to safely:
        // Keycloak shows an error page instead.
        guard let clientID = parameter("client_id"), let client = configuration.clients.first(where: { $0.id == clientID }) else {
            return Responses.html(LoginPage.error("Client not found."), status: .badRequest)
        }
        guard let redirectURI = parameter("redirect_uri"), RedirectURIPolicy.allows(redirectURI, for: client) else {
            return Responses.html(LoginPage.error("Invalid parameter: redirect_uri"), status: .badRequest)
        }
        let state = parameter("state")
        func fail(_ error: String, _ description: String) -> Response {
            var parameters = [("error", error), ("error_description", description)]
            if let state { parameters.append(("state", state)) }
            parameters.append(("iss", issuer()))
            return Responses.redirect(to: redirectURI, query: parameters)
        }
        guard parameter("response_type") == "code" else {
            return fail("unsupported_response_type", "Client is not allowed to initiate browser login with given response_type.")
        }
        if let mode = parameter("response_mode"), mode != "query" {
            return fail("invalid_request", "Invalid parameter: response_mode")
        }
        let challenge = parameter("code_challenge")
        let method = parameter("code_challenge_method")
        if challenge != nil || method != nil || client.requiresPKCE {
            guard let method else { return fail("invalid_request", "Missing parameter: code_challenge_method") }
            guard method == "S256" else {
                return fail("invalid_request", "Invalid parameter: code challenge method is not matching the configured one")
            }
            guard let challenge, PKCE.isWellFormed(challenge) else {
                return fail("invalid_request", "Invalid parameter: code_challenge")
            }
        }
        let scope = parameter("scope") ?? "openid"
        if !client.allowsOfflineAccess, scope.split(separator: " ").contains("offline_access") {
            return fail("invalid_scope", "Invalid scopes: \(scope)")
        }
        let request = AuthorizationRequest(
            clientID: client.id,
            redirectURI: redirectURI,
            scope: scope,
            state: state,
            nonce: parameter("nonce"),
            codeChallenge: challenge
        )
        if configuration.autoApprove, let user = configuration.users.first {
            return finishLogin(user: user, request: request)
        }
        let tabID = store.addPendingLogin(request)
        return Responses.html(LoginPage.form(action: loginAction(tabID: tabID, clientID: client.id), clientID: client.id))
    }

    private func loginAction(tabID: String, clientID: String) -> String {
        "\(issuer())/login-actions/authenticate?session_code=\(AuthorizationStore.randomToken(bytes: 16))"
            + "&execution=auth-username-password-form&client_id=\(FormFields.encode(clientID))&tab_id=\(tabID)"
    }

    private func authenticate(query: FlatDictionary<Substring, Substring>, form: FormFields) -> Response {
        guard let tabID = query["tab_id"].map(String.init), let request = store.pendingLogin(tabID: tabID) else {
            return Responses.html(
                LoginPage.error("Your login attempt timed out. Login will start from the beginning."), status: .badRequest
            )
        }
        if form["cancel"] != nil {
            store.removePendingLogin(tabID: tabID)
            var parameters = [("error", "access_denied")]
            if let state = request.state { parameters.append(("state", state)) }
            parameters.append(("iss", issuer()))
            return Responses.redirect(to: request.redirectURI, query: parameters)
        }
        guard let username = form["username"], let password = form["password"],
            let user = configuration.users.first(where: { $0.username == username && $0.password == password })
        else {
            return Responses.html(
                LoginPage.form(
                    action: loginAction(tabID: tabID, clientID: request.clientID),
                    clientID: request.clientID,
                    error: "Invalid username or password.",
                    username: form["username"] ?? ""
                )
            )
        }
        store.removePendingLogin(tabID: tabID)
        return finishLogin(user: user, request: request)
    }

    private func finishLogin(user: SimulatorConfiguration.User, request: AuthorizationRequest) -> Response {
        var parameters: [(String, String)] = []
        switch store.completeLogin(user: user, subject: subject(of: user), request: request) {
        case .denied:
            parameters.append(("error", "access_denied"))
            parameters.append(("error_description", "The user denied the authorization request"))
            if let state = request.state { parameters.append(("state", state)) }
            parameters.append(("iss", issuer()))
        case .code(let code, let sessionID):
            if let state = request.state { parameters.append(("state", state)) }
            parameters.append(("session_state", sessionID))
            parameters.append(("iss", issuer()))
            parameters.append(("code", code))
        }
        return Responses.redirect(to: request.redirectURI, query: parameters)
    }

    func subject(of user: SimulatorConfiguration.User) -> String {
        StableIdentifier.uuid(seed: configuration.seed, name: "user-" + user.username)
    }

    // MARK: Token endpoint

    enum ClientIdentity {
        case oauthClient(SimulatorConfiguration.OAuthClient)
        case backendApp(SimulatorConfiguration.BackendApp)
    }

    /// Client authentication per RFC 6749 §2.3: HTTP Basic, or `client_id` (and `client_secret`) in the form.
    func authenticateClient(form: FormFields, authorization: String?) throws(OAuthError) -> ClientIdentity {
        var clientID = form["client_id"]
        var secret = form["client_secret"]
        if let authorization, let basic = BasicCredentials(header: authorization) {
            clientID = basic.username
            secret = basic.password
        }
        guard let clientID else { throw .invalidClient }
        if let client = configuration.clients.first(where: { $0.id == clientID }) {
            if let expected = client.secret, secret != expected { throw .invalidClient }
            return .oauthClient(client)
        }
        if let app = configuration.backendApps.first(where: { $0.clientID == clientID }) {
            guard secret == app.clientSecret else { throw .invalidClient }
            return .backendApp(app)
        }
        throw .invalidClient
    }

    private func token(form: FormFields, authorization: String?) async throws -> TokenIssuer.TokenResponse {
        guard let grantType = form["grant_type"] else {
            throw OAuthError.invalidRequest("Missing form parameter: grant_type")
        }
        // The grant type is checked before the client, as Keycloak does for unknown grants.
        guard ["authorization_code", "refresh_token", "client_credentials"].contains(grantType) else {
            throw OAuthError.unsupportedGrantType
        }
        let identity = try authenticateClient(form: form, authorization: authorization)
        switch (grantType, identity) {
        case ("authorization_code", .oauthClient(let client)):
            return try await exchangeCode(form: form, client: client)
        case ("refresh_token", .oauthClient(let client)):
            guard let refreshToken = form["refresh_token"] else {
                throw OAuthError.invalidRequest("Missing parameter: refresh_token")
            }
            switch store.rotateRefreshToken(refreshToken, clientID: client.id) {
            case .failure(let error): throw error
            case .success(let session, let successor):
                let response = try await tokens.tokens(for: session, refreshToken: successor)
                store.refuseFreshlyRefreshed(response.accessToken, times: configuration.gateway.unauthorizedAfterRefresh)
                return response
            }
        case ("client_credentials", .backendApp(let app)):
            return try await tokens.tokens(forBackendApp: app, seed: configuration.seed)
        case ("client_credentials", .oauthClient):
            throw OAuthError.unauthorizedClient("Client not enabled to retrieve service account")
        default:
            throw OAuthError.unauthorizedClient("Client not allowed for the \(grantType) grant")
        }
    }

    private func exchangeCode(form: FormFields, client: SimulatorConfiguration.OAuthClient) async throws -> TokenIssuer.TokenResponse {
        guard let code = form["code"] else { throw OAuthError.invalidRequest("Missing parameter: code") }
        switch store.redeemCode(code, clientID: client.id) {
        case .failure(let error):
            throw error
        case .success(let session, let grant):
            guard form["redirect_uri"] == grant.redirectURI else {
                store.endSession(id: session.id)
                throw OAuthError.invalidGrant("Incorrect redirect_uri")
            }
            if let challenge = grant.codeChallenge {
                guard let verifier = form["code_verifier"] else {
                    store.endSession(id: session.id)
                    throw OAuthError.invalidGrant("PKCE code verifier not specified")
                }
                guard PKCE.verify(verifier: verifier, challenge: challenge) else {
                    store.endSession(id: session.id)
                    throw OAuthError.invalidGrant("PKCE verification failed: Code mismatch")
                }
            }
            let refreshToken = store.issueRefreshToken(sessionID: session.id)
            return try await tokens.tokens(for: session, refreshToken: refreshToken, tampering: grant.tampering)
        }
    }

    /// The `sid` claim of an ID token, read without verification (only used to pick a session to end).
    static func sessionID(fromIDToken token: String) -> String? {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let payload = Data(base64URLEncoded: parts[1]),
            let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { return nil }
        return object["sid"] as? String
    }
}

/// PKCE (RFC 7636) with the S256 method only.
enum PKCE {
    private static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    /// A verifier or challenge: 43 to 128 unreserved characters.
    static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count) && value.utf8.allSatisfy { allowed.contains($0) }
    }

    static func verify(verifier: String, challenge: String) -> Bool {
        guard isWellFormed(verifier) else { return false }
        return Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded == challenge
    }
}

/// Which redirect URIs a client may use: its exact list, plus any loopback URI (RFC 8252 §7.3) if allowed.
enum RedirectURIPolicy {
    static func allows(_ uri: String, for client: SimulatorConfiguration.OAuthClient) -> Bool {
        if client.redirectURIs.contains(uri) { return true }
        // Keycloak: a registered loopback URI without a port matches the same URI with any port.
        if let candidate = URLComponents(string: uri), candidate.port != nil {
            for registered in client.redirectURIs.compactMap(URLComponents.init(string:))
            where registered.port == nil && registered.scheme == "http"
                && ["127.0.0.1", "localhost", "[::1]", "::1"].contains(registered.host ?? "")
                && registered.scheme == candidate.scheme && registered.host == candidate.host
                && registered.path == candidate.path {
                return true
            }
        }
        guard client.allowsLoopbackRedirects, let components = URLComponents(string: uri) else { return false }
        return components.scheme == "http" && ["127.0.0.1", "localhost", "[::1]", "::1"].contains(components.host ?? "")
            && components.fragment == nil
    }
}

/// `Authorization: Basic` credentials; both parts are form-encoded per RFC 6749 §2.3.1.
struct BasicCredentials {
    let username: String
    let password: String

    init?(header: String) {
        guard header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        self.username = String(text[..<colon]).removingPercentEncoding ?? String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        self.password = password.removingPercentEncoding ?? password
    }
}

/// `Authorization: Bearer <token>`.
enum BearerToken {
    static func extract(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
