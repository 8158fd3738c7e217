import Foundation
import Testing

@testable import OpenEnergy

@Suite("Login redirect checks")
struct AuthorizationCallbackTests {
    let issuer = OIDCIssuer(URL(string: "http://127.0.0.1:8080/auth/realms/CKW")!)

    func makeRequest() throws -> AuthorizationRequest {
        let client = OIDCClientConfiguration(issuer: issuer, clientID: "ckw2mqtt")
        return try AuthorizationRequest(
            authorizationEndpoint: URL(string: "http://127.0.0.1:8080/auth/realms/CKW/protocol/openid-connect/auth")!,
            client: client,
            redirectURI: URL(string: "http://127.0.0.1:5555/callback")!,
            state: "state-123",
            nonce: "nonce-456"
        )
    }

    @Test("the login URL carries everything the flow needs")
    func loginURL() throws {
        let request = try makeRequest()
        let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        let query = Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.value ?? "") })
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "ckw2mqtt")
        #expect(query["redirect_uri"] == "http://127.0.0.1:5555/callback")
        #expect(query["scope"] == "openid offline_access")
        #expect(query["state"] == "state-123")
        #expect(query["nonce"] == "nonce-456")
        #expect(query["code_challenge"] == request.pkce.codeChallenge)
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["code_verifier"] == nil)
    }

    @Test("a matching redirect yields the code")
    func acceptsMatching() throws {
        let url = URL(string: "http://127.0.0.1:5555/callback?code=abc&state=state-123&iss=http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Frealms%2FCKW")!
        #expect(try AuthorizationCallback.authorizationCode(from: url, for: makeRequest(), expectedIssuer: issuer) == "abc")
    }

    @Test("rejections", arguments: [
        ("code=abc&state=other", OpenEnergyAuthError.stateMismatch),
        ("code=abc", OpenEnergyAuthError.stateMismatch),
        ("state=state-123", OpenEnergyAuthError.missingAuthorizationCode),
        ("error=access_denied&error_description=User%20declined&state=state-123", OpenEnergyAuthError.authorizationDenied(error: "access_denied", description: "User declined")),
        ("code=abc&state=state-123&iss=https%3A%2F%2Fevil.example%2Frealms%2FCKW", OpenEnergyAuthError.issuerMismatch(expected: "http://127.0.0.1:8080/auth/realms/CKW", received: "https://evil.example/realms/CKW")),
        ("code=abc&state=state-123&iss=", OpenEnergyAuthError.issuerMismatch(expected: "http://127.0.0.1:8080/auth/realms/CKW", received: "")),
        ("code=abc&code=def&state=state-123", OpenEnergyAuthError.invalidRedirect("parameter 'code' appears more than once")),
    ])
    func rejections(query: String, expected: OpenEnergyAuthError) throws {
        let url = URL(string: "http://127.0.0.1:5555/callback?\(query)")!
        #expect(throws: expected) {
            try AuthorizationCallback.authorizationCode(from: url, for: makeRequest(), expectedIssuer: issuer)
        }
    }

    @Test("messages say what went wrong")
    func messages() {
        #expect(OpenEnergyAuthError.stateMismatch.description.contains("state"))
        #expect(OpenEnergyAuthError.authorizationDenied(error: "access_denied", description: nil).description.contains("access_denied"))
        let loginRequired = OpenEnergyAuthError.loginRequired(reason: "CKW no longer accepts the stored login", hint: TokenManager.defaultLoginHint)
        #expect(loginRequired.description.contains("ckw2mqtt login"))
    }

    @Test("a pasted URL may have whitespace and quotes around it")
    func pastedURL() throws {
        let url = try AuthorizationCallback.parsePastedURL("  'https://example.org/cb?code=abc&state=state-123'\n")
        #expect(try AuthorizationCallback.authorizationCode(from: url, for: makeRequest(), expectedIssuer: issuer) == "abc")
    }

    @Test("pasted text that is no redirect is refused", arguments: ["", "abc", "https://example.org/cb"])
    func pastedGarbage(text: String) {
        #expect(throws: OpenEnergyAuthError.self) { try AuthorizationCallback.parsePastedURL(text) }
    }
}
