import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenEnergy
import OpenEnergySimulator
import TestSupport
import Testing

/// The login as a real Keycloak client registration constrains it: redirect URIs matched as registered,
/// responses of other attempts, clients without `offline_access`, and logout without revocation.
@Suite("Login as registered with the identity provider")
struct LoginAsRegisteredTests {
    /// The `redirect_uri` parameter of a login URL.
    static func redirectURI(in loginURL: URL) -> String? {
        URLComponents(url: loginURL, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "redirect_uri" }?.value
    }

    @Test("a callback of another attempt gets an error page, and the listener waits for this attempt's")
    func otherAttemptIgnored() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let browser = harness.browser()
            let strayAnswer = StrayAnswer()
            let login = OIDCLogin(client: harness.clientConfiguration, httpClient: harness.httpClient)
            let tokens = try await login.loginWithLoopback(timeout: 10) { url in
                // An old tab delivers its response first; then the person logs in with the current link.
                let callback = try #require(Self.redirectURI(in: url))
                let stray = try await harness.makeBrowserClient().execute(
                    HTTPClientRequest(url: callback + "?code=old-code&state=old-state"), timeout: .seconds(5))
                await strayAnswer.set(status: Int(stray.status.code), page: String(buffer: try await stray.body.collect(upTo: 1 << 16)))
                Task { try? await browser.open(url) }
            }
            #expect(tokens.refreshToken != nil)
            let (status, page) = await strayAnswer.value
            #expect(status == 400)
            #expect(page?.contains("does not belong to the login") == true, "\(page ?? "")")
        }
    }

    @Test("the registered loopback redirect URI is used with its host and port")
    func registeredHostAndPort() async throws {
        // The port was free a moment ago; a test running in parallel may take it first, then try another.
        for attempt in 1...5 {
            do {
                try await loginWithRegisteredPort(try FreePort.find())
                return
            } catch OpenEnergyAuthError.invalidRedirect(let reason) where reason.hasPrefix("cannot listen") && attempt < 5 {
                continue
            }
        }
    }

    private func loginWithRegisteredPort(_ port: Int) async throws {
        let registered = "http://localhost:\(port)/ckw/callback"
        let (sent, tokens) = try await Self.loginSendingRedirect(registered: registered)
        #expect(sent == registered)
        #expect(tokens.refreshToken != nil)
    }

    @Test("a registered loopback redirect URI without a port is matched with any port")
    func registeredWithoutPort() async throws {
        let registered = "http://127.0.0.1/callback"
        #expect(LoopbackRedirect(registered: URL(string: registered)!)?.port == nil)
        let (sent, _) = try await Self.loginSendingRedirect(registered: registered)
        let used = try #require(sent.flatMap(URL.init(string:)))
        #expect(used.host == "127.0.0.1")
        #expect(used.port != nil)
        #expect(used.path == "/callback")
    }

    /// A loopback login for `registered` against a simulator that accepts exactly that registration
    /// (no loopback wildcard): the redirect URI the login sent, and its tokens.
    static func loginSendingRedirect(registered: String) async throws -> (sent: String?, tokens: TokenSet) {
        try await withSimulator({
            $0.autoApprove = true
            $0.clients = [SimulatorConfiguration.OAuthClient(id: "ckw2mqtt", redirectURIs: [registered], allowsLoopbackRedirects: false)]
        }) { harness in
            let browser = harness.browser()
            let sent = SentRedirect()
            let login = OIDCLogin(client: harness.clientConfiguration, httpClient: harness.httpClient)
            let redirect = try #require(LoopbackRedirect(registered: URL(string: registered)!))
            let tokens = try await login.loginWithLoopback(redirect: redirect, timeout: 10) { url in
                await sent.set(Self.redirectURI(in: url))
                Task { try? await browser.open(url) }
            }
            return (await sent.value, tokens)
        }
    }

    @Test("a redirect URI elsewhere is no loopback redirect")
    func notLoopback() {
        #expect(LoopbackRedirect(registered: URL(string: "https://ckw2mqtt.example.org/callback")!) == nil)
        #expect(LoopbackRedirect(registered: URL(string: "http://192.0.2.1:8080/callback")!) == nil)
        #expect(LoopbackRedirect(registered: URL(string: "http://127.0.0.1:8765/cb")!)?.port == 8765)
    }

    @Test("a login without offline_access is reported with what it means and how to get an offline one")
    func onlineLoginNotice() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            var client = harness.clientConfiguration
            client.scopes = ["openid"]
            let login = OIDCLogin(client: client, httpClient: harness.httpClient)
            let browser = harness.browser()
            let online = try await login.loginWithLoopback(timeout: 10) { url in Task { try? await browser.open(url) } }
            let notice = try #require(online.durationNotice(requestedScopes: ["openid"]))
            #expect(notice.contains("not an offline one"))
            #expect(notice.contains("valid for 30 min at a time"))
            #expect(notice.contains("Add `offline_access` to `ckw.scopes`"))

            let offline = try await harness.login()
            #expect(offline.durationNotice(requestedScopes: OIDCClientConfiguration.defaultScopes) == nil)
        }
    }

    @Test("a client that may not use offline_access: invalid_scope explains the fallback")
    func invalidScope() async throws {
        try await withSimulator({
            $0.autoApprove = true
            $0.clients = [SimulatorConfiguration.OAuthClient(id: "ckw2mqtt", allowsOfflineAccess: false)]
        }) { harness in
            do {
                _ = try await harness.login()
                Issue.record("a login asking for offline_access was granted")
            } catch let error as OpenEnergyAuthError {
                guard case .authorizationDenied(let code, _) = error else {
                    Issue.record("expected authorizationDenied, got \(error)")
                    return
                }
                #expect(code == "invalid_scope")
                #expect(error.description.contains("`--set ckw.scopes=openid`"), "\(error)")
            }
        }
    }

    @Test("logout revokes where revocation is advertised, else ends the session at the logout endpoint", arguments: [true, false])
    func logoutEndsTheSession(revocationAdvertised: Bool) async throws {
        try await withSimulator({
            $0.autoApprove = true
            $0.advertisesRevocation = revocationAdvertised
        }) { harness in
            let tokens = try await harness.login()
            let outcome = await OIDCLogout.end(tokens, clientSecret: nil, httpClient: harness.httpClient)
            #expect(outcome == (revocationAdvertised ? .revoked : .sessionEnded))
            let endpoint = try await harness.tokenEndpoint()
            await #expect(throws: OpenEnergyAuthError.self, "the ended login still refreshes") {
                _ = try await endpoint.refresh(refreshToken: tokens.refreshToken!)
            }
        }
    }
}

private actor StrayAnswer {
    var value: (Int?, String?) = (nil, nil)
    func set(status: Int, page: String) { value = (status, page) }
}

private actor SentRedirect {
    var value: String?
    func set(_ uri: String?) { value = uri }
}
