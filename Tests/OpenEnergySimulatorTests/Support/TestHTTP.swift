import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import OpenEnergySimulator

/// A plain HTTP response, read completely.
struct TestResponse {
    let status: Int
    let headers: HTTPHeaders
    let body: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
    }

    var location: URLComponents? {
        header("location").flatMap(URLComponents.init(string:))
    }

    /// The first value of a header (names are case-insensitive).
    func header(_ name: String) -> String? {
        headers.first(name: name)
    }
}

/// Real HTTP over loopback with AsyncHTTPClient; redirects are not followed, so tests see Keycloak's 302s.
enum TestHTTP {
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)))
    )

    static func get(_ url: String, headers: [(String, String)] = []) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.headers.add(contentsOf: headers)
        return try await execute(request)
    }

    static func post(_ url: String, form: [String: String], headers: [(String, String)] = []) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.headers.add(contentsOf: headers)
        let body = form.map { "\(FormFields.encode($0.key))=\(FormFields.encode($0.value))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        return try await execute(request)
    }

    static func send(_ method: HTTPMethod, _ url: String, json: String) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        return try await execute(request)
    }

    static func execute(_ request: HTTPClientRequest) async throws -> TestResponse {
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: body))
    }
}

/// The client side of the authorization code flow with PKCE, as a test drives it.
struct LoginAttempt {
    let verifier: String
    let state: String
    let nonce: String
    let redirectURI: String
    let clientID: String
    let scope: String

    init(
        clientID: String = "ckw2mqtt", redirectURI: String = "http://127.0.0.1:54321/callback",
        scope: String = "openid offline_access"
    ) {
        self.verifier = AuthorizationStore.randomToken(bytes: 32)
        self.state = AuthorizationStore.randomToken(bytes: 12)
        self.nonce = AuthorizationStore.randomToken(bytes: 12)
        self.redirectURI = redirectURI
        self.clientID = clientID
        self.scope = scope
    }

    var challenge: String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded
    }

    func authorizationURL(_ sim: SimulatorServer, extra: [(String, String)] = []) -> String {
        let parameters = [
            ("client_id", clientID), ("redirect_uri", redirectURI), ("response_type", "code"), ("scope", scope),
            ("state", state), ("nonce", nonce), ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ] + extra
        let query = parameters.map { "\($0.0)=\(FormFields.encode($0.1))" }.joined(separator: "&")
        return "\(sim.issuerURL.absoluteString)/protocol/openid-connect/auth?\(query)"
    }

    /// Runs the browser part: the auto-approve redirect, or the login page and its form.
    func authorize(_ sim: SimulatorServer, username: String = "demo", password: String = "demo") async throws -> TestResponse {
        let first = try await TestHTTP.get(authorizationURL(sim))
        guard first.status == 200 else { return first }
        let action = try #require(LoginForm.action(in: first.body))
        return try await TestHTTP.post(action, form: ["username": username, "password": password, "login": "Anmelden"])
    }

    func code(from redirect: TestResponse) throws -> String {
        let query = try #require(redirect.location?.queryItems)
        return try #require(query.first { $0.name == "code" }?.value)
    }

    func exchange(_ sim: SimulatorServer, code: String, verifier: String? = nil) async throws -> TestResponse {
        try await TestHTTP.post(
            "\(sim.issuerURL.absoluteString)/protocol/openid-connect/token",
            form: [
                "grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI, "client_id": clientID,
                "code_verifier": verifier ?? self.verifier,
            ]
        )
    }

    /// The whole login; returns the token endpoint's JSON.
    func login(_ sim: SimulatorServer) async throws -> [String: Any] {
        let redirect = try await authorize(sim)
        let response = try await exchange(sim, code: try code(from: redirect))
        guard response.status == 200 else {
            throw TestFailure("token exchange answered \(response.status): \(response.body)")
        }
        return response.json
    }
}

enum LoginForm {
    /// The `action` of Keycloak's login form, HTML-unescaped.
    static func action(in page: String) -> String? {
        guard let formRange = page.range(of: "id=\"kc-form-login\" action=\""),
            let end = page[formRange.upperBound...].firstIndex(of: "\"")
        else { return nil }
        return String(page[formRange.upperBound..<end]).replacingOccurrences(of: "&amp;", with: "&")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts a simulator for one test and always shuts it down.
func withSimulator<T>(
    _ configuration: SimulatorConfiguration = SimulatorConfiguration(), _ body: (SimulatorServer) async throws -> T
) async throws -> T {
    let sim = try await SimulatorServer.start(configuration)
    do {
        let result = try await body(sim)
        await sim.shutdown()
        return result
    } catch {
        await sim.shutdown()
        throw error
    }
}

extension SimulatorServer {
    var tokenURL: String { issuerURL.absoluteString + "/protocol/openid-connect/token" }

    func clientAPI(_ path: String) -> String { clientAPIBaseURL.absoluteString + path }
    func backendAPI(_ path: String) -> String { backendAPIBaseURL.absoluteString + path }

    /// An access token of the demo user, by the auto-approve path (the configuration must allow it) or the form.
    func userAccessToken() async throws -> String {
        let tokens = try await LoginAttempt().login(self)
        return try #require(tokens["access_token"] as? String)
    }

    func backendAccessToken() async throws -> String {
        let app = configuration.backendApps[0]
        let response = try await TestHTTP.post(
            tokenURL, form: ["grant_type": "client_credentials", "client_id": app.clientID, "client_secret": app.clientSecret]
        )
        return try #require(response.json["access_token"] as? String)
    }
}

func bearer(_ token: String) -> [(String, String)] {
    [("Authorization", "Bearer \(token)")]
}
