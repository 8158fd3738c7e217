import Foundation
import JWTKit
import Testing
@testable import OpenEnergySimulator

@Suite("Keycloak-style OIDC")
struct OIDCFlowTests {
    @Test("discovery names every endpoint under the issuer and no password grant")
    func discovery() async throws {
        try await withSimulator { sim in
            let response = try await TestHTTP.get(sim.issuerURL.absoluteString + "/.well-known/openid-configuration")
            #expect(response.status == 200)
            let document = response.json
            let issuer = sim.issuerURL.absoluteString
            #expect(issuer == "http://127.0.0.1:\(sim.port)/auth/realms/CKW")
            #expect(document["issuer"] as? String == issuer)
            #expect(document["authorization_endpoint"] as? String == issuer + "/protocol/openid-connect/auth")
            #expect(document["token_endpoint"] as? String == issuer + "/protocol/openid-connect/token")
            #expect(document["jwks_uri"] as? String == issuer + "/protocol/openid-connect/certs")
            #expect(document["revocation_endpoint"] as? String == issuer + "/protocol/openid-connect/revoke")
            #expect(document["end_session_endpoint"] as? String == issuer + "/protocol/openid-connect/logout")
            let grants = try #require(document["grant_types_supported"] as? [String])
            #expect(Set(grants) == ["authorization_code", "refresh_token", "client_credentials"])
            #expect(document["code_challenge_methods_supported"] as? [String] == ["S256"])
        }
    }

    @Test("login through the form: code, state, iss and session_state come back; tokens follow")
    func loginThroughForm() async throws {
        try await withSimulator { sim in
            let attempt = LoginAttempt()
            let page = try await TestHTTP.get(attempt.authorizationURL(sim))
            #expect(page.status == 200)
            let action = try #require(LoginForm.action(in: page.body))
            #expect(action.hasPrefix(sim.issuerURL.absoluteString + "/login-actions/authenticate?"))

            let wrong = try await TestHTTP.post(action, form: ["username": "demo", "password": "nope"])
            #expect(wrong.status == 200)
            #expect(wrong.body.contains("Invalid username or password."))

            let redirect = try await TestHTTP.post(action, form: ["username": "demo", "password": "demo"])
            #expect(redirect.status == 302)
            let location = try #require(redirect.location)
            #expect(location.host == "127.0.0.1" && location.port == 54321 && location.path == "/callback")
            let items = Dictionary(uniqueKeysWithValues: (location.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(items["state"] == attempt.state)
            #expect(items["iss"] == sim.issuerURL.absoluteString)
            #expect(items["session_state"]?.isEmpty == false)
            let code = try #require(items["code"])

            let tokens = try await attempt.exchange(sim, code: code)
            #expect(tokens.status == 200)
            let json = tokens.json
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["expires_in"] as? Int == 300)
            #expect((json["access_token"] as? String)?.isEmpty == false)
            #expect((json["refresh_token"] as? String)?.isEmpty == false)
            #expect((json["id_token"] as? String)?.isEmpty == false)
            // An offline token: Keycloak reports no expiry for it.
            #expect(json["refresh_expires_in"] as? Int == 0)
        }
    }

    @Test("auto-approve redirects at once with a code for the demo user")
    func autoApprove() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let attempt = LoginAttempt()
            let redirect = try await TestHTTP.get(attempt.authorizationURL(sim))
            #expect(redirect.status == 302)
            _ = try attempt.code(from: redirect)
        }
    }

    @Test("ID and access tokens verify against the JWKS and carry Keycloak's claims")
    func tokensVerifyAgainstJWKS() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let attempt = LoginAttempt()
            let tokens = try await attempt.login(sim)
            let jwks = try await TestHTTP.get(sim.issuerURL.absoluteString + "/protocol/openid-connect/certs")
            #expect(jwks.status == 200)
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks.body)

            let idToken = try await keys.verify(try #require(tokens["id_token"] as? String), as: IDTokenClaims.self)
            #expect(idToken.iss.value == sim.issuerURL.absoluteString)
            #expect(idToken.aud.value == ["ckw2mqtt"])
            #expect(idToken.azp == "ckw2mqtt")
            #expect(idToken.nonce == attempt.nonce)
            #expect(idToken.preferred_username == "demo")
            #expect(idToken.name == "Anna Muster")
            #expect(abs(Double(idToken.auth_time) - Date().timeIntervalSince1970) < 60)

            let accessToken = try await keys.verify(try #require(tokens["access_token"] as? String), as: AccessTokenClaims.self)
            #expect(accessToken.sub.value == idToken.sub.value)
            #expect(accessToken.azp == "ckw2mqtt")
            #expect(accessToken.scope.contains("offline_access"))
        }
    }

    @Test("a wrong PKCE verifier is rejected, and the code is spent")
    func wrongVerifier() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let attempt = LoginAttempt()
            let code = try attempt.code(from: try await attempt.authorize(sim))
            let other = LoginAttempt().verifier
            let rejected = try await attempt.exchange(sim, code: code, verifier: other)
            #expect(rejected.status == 400)
            #expect(rejected.json["error"] as? String == "invalid_grant")
            #expect((rejected.json["error_description"] as? String)?.contains("PKCE") == true)
            let retried = try await attempt.exchange(sim, code: code)
            #expect(retried.json["error"] as? String == "invalid_grant")
        }
    }

    @Test("an authorization request without PKCE is refused by redirect")
    func pkceRequired() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let url = "\(sim.issuerURL.absoluteString)/protocol/openid-connect/auth?client_id=ckw2mqtt"
                + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code&scope=openid&state=s1"
            let response = try await TestHTTP.get(url)
            #expect(response.status == 302)
            let items = response.location?.queryItems ?? []
            #expect(items.contains { $0.name == "error" && $0.value == "invalid_request" })
            #expect(items.contains { $0.name == "state" && $0.value == "s1" })
        }
    }

    @Test("a code used twice is refused, and the tokens issued from it stop working")
    func codeReuse() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let attempt = LoginAttempt()
            let code = try attempt.code(from: try await attempt.authorize(sim))
            let first = try await attempt.exchange(sim, code: code)
            #expect(first.status == 200)
            let second = try await attempt.exchange(sim, code: code)
            #expect(second.status == 400)
            #expect(second.json["error"] as? String == "invalid_grant")

            let accessToken = try #require(first.json["access_token"] as? String)
            let api = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(accessToken))
            #expect(api.status == 401)
            let refresh = try await TestHTTP.post(
                sim.tokenURL,
                form: ["grant_type": "refresh_token", "refresh_token": try #require(first.json["refresh_token"] as? String), "client_id": "ckw2mqtt"]
            )
            #expect(refresh.json["error"] as? String == "invalid_grant")
        }
    }

    @Test("refresh rotates the refresh token; the old one is refused")
    func refreshRotation() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let tokens = try await LoginAttempt().login(sim)
            let first = try #require(tokens["refresh_token"] as? String)
            let refreshed = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "refresh_token", "refresh_token": first, "client_id": "ckw2mqtt"]
            )
            #expect(refreshed.status == 200)
            let second = try #require(refreshed.json["refresh_token"] as? String)
            #expect(second != first)
            #expect(refreshed.json["access_token"] as? String != tokens["access_token"] as? String)
            #expect((refreshed.json["id_token"] as? String)?.isEmpty == false)

            let reused = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "refresh_token", "refresh_token": first, "client_id": "ckw2mqtt"]
            )
            #expect(reused.status == 400)
            #expect(reused.json["error"] as? String == "invalid_grant")

            let again = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "refresh_token", "refresh_token": second, "client_id": "ckw2mqtt"]
            )
            #expect(again.status == 200)
        }
    }

    @Test("a normal (online) session reports its refresh token lifetime")
    func onlineSession() async throws {
        let lifetimes = SimulatorConfiguration.TokenLifetimes(accessToken: .seconds(2), ssoSessionIdle: .seconds(600))
        try await withSimulator(SimulatorConfiguration(autoApprove: true, tokenLifetimes: lifetimes)) { sim in
            let tokens = try await LoginAttempt(scope: "openid").login(sim)
            #expect(tokens["expires_in"] as? Int == 2)
            let refreshExpiresIn = try #require(tokens["refresh_expires_in"] as? Int)
            #expect((590...600).contains(refreshExpiresIn))
        }
    }

    @Test("the password grant is not supported")
    func passwordGrant() async throws {
        try await withSimulator { sim in
            let response = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "password", "username": "demo", "password": "demo", "client_id": "ckw2mqtt"]
            )
            #expect(response.status == 400)
            #expect(response.json["error"] as? String == "unsupported_grant_type")
        }
    }

    @Test("client_credentials with the app's credentials, in the form or as HTTP Basic")
    func clientCredentials() async throws {
        try await withSimulator { sim in
            let form = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "client_credentials", "client_id": "ckw2mqtt-backend", "client_secret": "backend-secret"]
            )
            #expect(form.status == 200)
            #expect((form.json["access_token"] as? String)?.isEmpty == false)
            #expect(form.json["refresh_token"] == nil)

            let basic = Data("ckw2mqtt-backend:backend-secret".utf8).base64EncodedString()
            let header = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "client_credentials"], headers: [("Authorization", "Basic \(basic)")]
            )
            #expect(header.status == 200)

            let wrong = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "client_credentials", "client_id": "ckw2mqtt-backend", "client_secret": "guess"]
            )
            #expect(wrong.status == 401)
            #expect(wrong.json["error"] as? String == "invalid_client")

            let publicClient = try await TestHTTP.post(sim.tokenURL, form: ["grant_type": "client_credentials", "client_id": "ckw2mqtt"])
            #expect(publicClient.json["error"] as? String == "unauthorized_client")
        }
    }

    @Test("an unknown client or a foreign redirect URI gets an error page, never a redirect")
    func errorPages() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let unknownClient = LoginAttempt(clientID: "somebody-else")
            let page = try await TestHTTP.get(unknownClient.authorizationURL(sim))
            #expect(page.status == 400)
            #expect(page.header("location") == nil)
            #expect(page.body.contains("Client not found."))

            let foreign = LoginAttempt(redirectURI: "https://evil.example/callback")
            let refused = try await TestHTTP.get(foreign.authorizationURL(sim))
            #expect(refused.status == 400)
            #expect(refused.header("location") == nil)
            #expect(refused.body.contains("redirect_uri"))

            let localhost = LoginAttempt(redirectURI: "http://localhost:8123/any/path")
            let allowed = try await TestHTTP.get(localhost.authorizationURL(sim))
            #expect(allowed.status == 302)
        }
    }

    @Test("configured exact redirect URIs are accepted for a client without loopback redirects")
    func exactRedirectURIs() async throws {
        let client = SimulatorConfiguration.OAuthClient(
            id: "headless", redirectURIs: ["https://example.invalid/ckw"], allowsLoopbackRedirects: false
        )
        try await withSimulator(SimulatorConfiguration(clients: [client], autoApprove: true)) { sim in
            let exact = LoginAttempt(clientID: "headless", redirectURI: "https://example.invalid/ckw")
            let accepted = try await TestHTTP.get(exact.authorizationURL(sim))
            #expect(accepted.status == 302)
            let loopback = LoginAttempt(clientID: "headless")
            let refused = try await TestHTTP.get(loopback.authorizationURL(sim))
            #expect(refused.status == 400)
        }
    }

    @Test("a confidential client must authenticate at the token endpoint")
    func confidentialClient() async throws {
        let client = SimulatorConfiguration.OAuthClient(id: "web", secret: "s3cret")
        try await withSimulator(SimulatorConfiguration(clients: [client], autoApprove: true)) { sim in
            let attempt = LoginAttempt(clientID: "web")
            let code = try attempt.code(from: try await attempt.authorize(sim))
            let unauthenticated = try await attempt.exchange(sim, code: code)
            #expect(unauthenticated.status == 401)
            #expect(unauthenticated.json["error"] as? String == "invalid_client")

            let second = LoginAttempt(clientID: "web")
            let secondCode = try second.code(from: try await second.authorize(sim))
            let basic = Data("web:s3cret".utf8).base64EncodedString()
            let authenticated = try await TestHTTP.post(
                sim.tokenURL,
                form: [
                    "grant_type": "authorization_code", "code": secondCode, "redirect_uri": second.redirectURI,
                    "code_verifier": second.verifier,
                ],
                headers: [("Authorization", "Basic \(basic)")]
            )
            #expect(authenticated.status == 200)
        }
    }

    @Test("a denied login redirects with error=access_denied and the state")
    func deniedLogin() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            await sim.controls.denyNextLogin()
            let attempt = LoginAttempt()
            let redirect = try await attempt.authorize(sim)
            #expect(redirect.status == 302)
            let items = redirect.location?.queryItems ?? []
            #expect(items.contains { $0.name == "error" && $0.value == "access_denied" })
            #expect(items.contains { $0.name == "state" && $0.value == attempt.state })
            #expect(!items.contains { $0.name == "code" })
            // Only the next login.
            _ = try attempt.code(from: try await attempt.authorize(sim))
        }
    }

    @Test("cancelling on the login page redirects with error=access_denied")
    func cancelledLogin() async throws {
        try await withSimulator { sim in
            let attempt = LoginAttempt()
            let page = try await TestHTTP.get(attempt.authorizationURL(sim))
            let action = try #require(LoginForm.action(in: page.body))
            let redirect = try await TestHTTP.post(action, form: ["cancel": "Abbrechen"])
            #expect(redirect.status == 302)
            #expect(redirect.location?.queryItems?.contains { $0.name == "error" && $0.value == "access_denied" } == true)
        }
    }

    @Test("ID token tampering for the next login", arguments: IDTokenTampering.allCases)
    func tampering(_ tampering: IDTokenTampering) async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            await sim.controls.tamperNextIDToken(tampering)
            let attempt = LoginAttempt()
            let tokens = try await attempt.login(sim)
            let idToken = try #require(tokens["id_token"] as? String)
            let jwks = try await TestHTTP.get(sim.issuerURL.absoluteString + "/protocol/openid-connect/certs")
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks.body)
            switch tampering {
            case .badSignature:
                await #expect(throws: (any Error).self) { try await keys.verify(idToken, as: IDTokenClaims.self) }
            case .wrongNonce:
                #expect(try await keys.verify(idToken, as: IDTokenClaims.self).nonce != attempt.nonce)
            case .wrongIssuer:
                #expect(try await keys.verify(idToken, as: IDTokenClaims.self).iss.value != sim.issuerURL.absoluteString)
            case .wrongAudience:
                #expect(try await keys.verify(idToken, as: IDTokenClaims.self).aud.value != ["ckw2mqtt"])
            }
            // The next login is clean again.
            let clean = try #require(try await LoginAttempt().login(sim)["id_token"] as? String)
            let claims = try await keys.verify(clean, as: IDTokenClaims.self)
            #expect(claims.iss.value == sim.issuerURL.absoluteString && claims.aud.value == ["ckw2mqtt"])
        }
    }

    @Test("revoking a refresh token ends the session")
    func revocation() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let tokens = try await LoginAttempt().login(sim)
            let refreshToken = try #require(tokens["refresh_token"] as? String)
            let accessToken = try #require(tokens["access_token"] as? String)
            let revoke = try await TestHTTP.post(
                sim.issuerURL.absoluteString + "/protocol/openid-connect/revoke",
                form: ["token": refreshToken, "token_type_hint": "refresh_token", "client_id": "ckw2mqtt"]
            )
            #expect(revoke.status == 200)
            let refresh = try await TestHTTP.post(
                sim.tokenURL, form: ["grant_type": "refresh_token", "refresh_token": refreshToken, "client_id": "ckw2mqtt"]
            )
            #expect(refresh.json["error"] as? String == "invalid_grant")
            #expect(try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(accessToken)).status == 401)
        }
    }

    @Test("an administrator's revocation of the user's sessions turns refresh into invalid_grant")
    func revokedSessions() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let tokens = try await LoginAttempt().login(sim)
            #expect(await sim.controls.revokeSessions(ofUser: "demo") == 1)
            let refresh = try await TestHTTP.post(
                sim.tokenURL,
                form: ["grant_type": "refresh_token", "refresh_token": try #require(tokens["refresh_token"] as? String), "client_id": "ckw2mqtt"]
            )
            #expect(refresh.status == 400)
            #expect(refresh.json["error"] as? String == "invalid_grant")
        }
    }

    @Test("an expired online session refuses refresh")
    func idleSessionExpires() async throws {
        let lifetimes = SimulatorConfiguration.TokenLifetimes(ssoSessionIdle: .milliseconds(300))
        try await withSimulator(SimulatorConfiguration(autoApprove: true, tokenLifetimes: lifetimes)) { sim in
            let tokens = try await LoginAttempt(scope: "openid").login(sim)
            try await Task.sleep(for: .milliseconds(400))
            let refresh = try await TestHTTP.post(
                sim.tokenURL,
                form: ["grant_type": "refresh_token", "refresh_token": try #require(tokens["refresh_token"] as? String), "client_id": "ckw2mqtt"]
            )
            #expect(refresh.json["error"] as? String == "invalid_grant")
        }
    }
}
