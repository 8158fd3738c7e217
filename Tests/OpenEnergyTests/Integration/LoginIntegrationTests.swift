import AsyncHTTPClient
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing

/// The whole user login against the simulated Keycloak, over real HTTP and real OAuth2.
@Suite("Login against the simulator")
struct LoginIntegrationTests {
    @Test("auto-approve: loopback login gives tokens the API accepts")
    func autoApproveLogin() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let tokens = try await harness.loginAndStore()
            #expect(tokens.refreshToken != nil)
            #expect(tokens.scope?.contains("offline_access") == true)
            #expect(tokens.issuer == harness.simulator.issuerURL.absoluteString)
            let client = harness.apiClient(tokenProvider: try await harness.tokenManager())
            let core = try await client.coreData()
            #expect(!core.meteringPoints.isEmpty)
            #expect(core.meteringPoints.allSatisfy { $0.id.count == 33 })
        }
    }

    @Test("login form: the browser posts user name and password")
    func loginFormLogin() async throws {
        try await withSimulator { harness in
            let tokens = try await harness.login()
            #expect(tokens.refreshToken != nil)
            #expect(tokens.accessTokenExpiresAt > tokens.obtainedAt)
        }
    }

    @Test("wrong password: the login page asks again, no redirect arrives")
    func wrongPassword() async throws {
        try await withSimulator { harness in
            var wrongPassword = harness.browser()
            wrongPassword.password = "wrong"
            let browser = wrongPassword
            let login = OIDCLogin(client: harness.clientConfiguration, httpClient: harness.httpClient)
            await #expect(throws: OpenEnergyAuthError.redirectTimeout(seconds: 1)) {
                try await login.loginWithLoopback(timeout: 1) { url in
                    _ = try await browser.open(url)
                }
            }
        }
    }

    @Test("paste mode: the user pastes the redirected URL of a redirect URI registered elsewhere")
    func pastedRedirect() async throws {
        try await withPasteLogin { login, pending, landed in
            let tokens = try await login.finish(pending, pastedURL: "  \(landed.absoluteString)\n")
            #expect(tokens.refreshToken != nil)

            // The same code a second time: Keycloak refuses a reused code.
            await #expect(throws: OpenEnergyAuthError.self) {
                try await login.finish(pending, redirect: landed)
            }
        }
    }

    /// A login whose redirect URI is registered elsewhere: `body` gets the started login and the
    /// address the browser ended on, to paste.
    private func withPasteLogin(_ body: (OIDCLogin, PendingLogin, URL) async throws -> Void) async throws {
        let registered = "https://ckw2mqtt.example.org/callback"
        try await withSimulator({
            $0.autoApprove = true
            $0.clients = [SimulatorConfiguration.OAuthClient(id: "ckw2mqtt", redirectURIs: [registered])]
        }) { harness in
            var configuration = harness.clientConfiguration
            configuration.redirectURI = URL(string: registered)
            let login = OIDCLogin(client: configuration, httpClient: harness.httpClient)
            let pending = try await login.start()
            var browser = harness.browser()
            browser.stopAtRedirectPrefix = registered
            try await body(login, pending, try await browser.open(pending.loginURL))
        }
    }

    @Test("a denied login ends with access_denied")
    func deniedLogin() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            await harness.simulator.controls.denyNextLogin()
            await #expect(throws: OpenEnergyAuthError.authorizationDenied(error: "access_denied", description: "The user denied the authorization request")) {
                try await harness.login()
            }
        }
    }

    @Test("paste mode: a pasted redirect with another state is rejected")
    func forgedState() async throws {
        try await withPasteLogin { login, pending, landed in
            var components = URLComponents(url: landed, resolvingAgainstBaseURL: false)!
            components.queryItems = components.queryItems?.map { $0.name == "state" ? URLQueryItem(name: "state", value: "forged") : $0 }
            await #expect(throws: OpenEnergyAuthError.stateMismatch) {
                try await login.finish(pending, redirect: components.url!)
            }
        }
    }

    @Test("a redirect without a code is rejected")
    func missingCode() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            var stripping = harness.browser()
            stripping.rewriteRedirect = { url in
                var components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
                components.queryItems = components.queryItems?.filter { $0.name != "code" }
                return components.url!
            }
            let browser = stripping
            await #expect(throws: OpenEnergyAuthError.missingAuthorizationCode) {
                try await harness.login(browser: browser)
            }
        }
    }

    @Test("a spoiled ID token is rejected, naming what is wrong", arguments: [
        (IDTokenTampering.wrongNonce, "nonce"),
        (IDTokenTampering.wrongIssuer, "was issued by"),
        (IDTokenTampering.wrongAudience, "audience"),
        (IDTokenTampering.badSignature, "signature"),
    ])
    func tamperedIDToken(tampering: IDTokenTampering, phrase: String) async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            await harness.simulator.controls.tamperNextIDToken(tampering)
            do {
                _ = try await harness.login()
                Issue.record("a login with \(tampering) was accepted")
            } catch let error as OpenEnergyAuthError {
                guard case let .idTokenRejected(reason) = error else {
                    Issue.record("expected idTokenRejected, got \(error)")
                    return
                }
                #expect(reason.contains(phrase), "\(reason)")
            }
        }
    }

    @Test("nothing in the login errors or token descriptions reveals a token")
    func noTokensInText() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let tokens = try await harness.login()
            for text in [tokens.description, String(reflecting: tokens)] {
                #expect(!text.contains(tokens.accessToken))
                #expect(!text.contains(tokens.refreshToken ?? "-"))
            }
        }
    }
}
