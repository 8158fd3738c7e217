import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import Timestamps

/// Refresh, rotation, 401 handling, revocation and two processes sharing one token file, against the
/// simulated Keycloak.
@Suite("Token lifecycle against the simulator")
struct TokenLifecycleIntegrationTests {
    @Test("refresh at 75 % of the lifetime rotates the refresh token and persists before use")
    func refreshAndRotation() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let first = try await harness.loginAndStore()
            let clock = ManualClock(now: first.obtainedAt)
            let manager = try await harness.tokenManager(clock: clock)

            // Before 75 %: the same token, no refresh.
            clock.advance(by: first.accessTokenExpiresAt.timeIntervalSince(first.obtainedAt) * 0.7)
            #expect(try await manager.accessToken() == first.accessToken)
            #expect(try harness.tokenStore.load() == first)

            // Past 75 %: refreshed, rotated, and on disk.
            clock.advance(by: first.accessTokenExpiresAt.timeIntervalSince(first.obtainedAt) * 0.1)
            let second = try await manager.accessToken()
            #expect(second != first.accessToken)
            let stored = try #require(try harness.tokenStore.load())
            #expect(stored.accessToken == second)
            #expect(stored.refreshToken != first.refreshToken)

            // The old refresh token died with the rotation.
            let endpoint = try await harness.tokenEndpoint()
            await #expect(throws: OpenEnergyAuthError.self) {
                try await endpoint.refresh(refreshToken: first.refreshToken!)
            }
            // The API accepts the new token.
            let client = harness.apiClient(tokenProvider: manager)
            #expect(try await client.coreData().meteringPoints.isEmpty == false)
        }
    }

    @Test("a 401 makes the client refresh once and retry")
    func unauthorizedRefreshesOnce() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let first = try await harness.loginAndStore()
            let manager = try await harness.tokenManager()
            let client = harness.apiClient(tokenProvider: manager)
            _ = try await client.coreData()
            await harness.simulator.controls.expireAllAccessTokens()
            _ = try await client.coreData()
            let stored = try #require(try harness.tokenStore.load())
            #expect(stored.accessToken != first.accessToken)
            #expect(stored.refreshToken != first.refreshToken)
        }
    }

    @Test("revoked sessions become 'login required' naming the command, and are not retried")
    func revokedIsLoginRequired() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            _ = try await harness.loginAndStore()
            let manager = try await harness.tokenManager()
            let client = harness.apiClient(tokenProvider: manager)
            _ = try await client.coreData()
            #expect(await harness.simulator.controls.revokeSessions(ofUser: "demo") >= 1)
            for _ in 0..<2 {
                do {
                    _ = try await client.coreData()
                    Issue.record("a revoked login still worked")
                } catch let error as OpenEnergyAuthError {
                    guard case let .loginRequired(_, hint) = error else {
                        Issue.record("expected loginRequired, got \(error)")
                        return
                    }
                    #expect(hint.contains("ckw2mqtt login"))
                }
            }
            // A new login (another process writing the store) brings the manager back without a restart.
            _ = try await harness.loginAndStore()
            _ = try await client.coreData()
        }
    }

    @Test("the login hint is injectable")
    func customHint() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let manager = TokenManager(store: harness.tokenStore, tokenEndpoint: try await harness.tokenEndpoint(), loginHint: "Open the add-on and log in.")
            await #expect(throws: OpenEnergyAuthError.loginRequired(reason: "no CKW login is stored in \(harness.tokenStore.fileURL.path)", hint: "Open the add-on and log in.")) {
                try await manager.accessToken()
            }
        }
    }

    @Test("two processes sharing the token file refresh only once between them")
    func twoProcessesShareOneRefresh() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let first = try await harness.loginAndStore()
            let clock = ManualClock(now: first.obtainedAt.addingTimeInterval(first.accessTokenExpiresAt.timeIntervalSince(first.obtainedAt) * 0.8))
            // Two managers with their own lock descriptors behave like two processes.
            let managers = [try await harness.tokenManager(clock: clock), try await harness.tokenManager(clock: clock)]
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for manager in managers {
                    for _ in 0..<3 {
                        group.addTask { try await manager.accessToken() }
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            // Had both refreshed with the same refresh token, the second would have got invalid_grant.
            #expect(tokens.count == 1)
            let stored = try #require(try harness.tokenStore.load())
            #expect(tokens.first == stored.accessToken)
            #expect(stored.refreshToken != first.refreshToken)
        }
    }

    @Test("backend mode: client_credentials tokens, credential headers, every metering point")
    func backendMode() async throws {
        try await withSimulator({
            $0.requireBackendCredentialHeaders = true
            $0.population = .init(customers: 1_000, meteringPointsPerCustomer: 1)
        }) { harness in
            let metadata = try await OIDCDiscovery.fetch(issuer: harness.issuer, httpClient: harness.httpClient)
            let app = SimulatorConfiguration.BackendApp()
            let endpoint = TokenEndpoint(url: metadata.tokenEndpoint, issuer: harness.issuer, clientID: app.clientID, clientSecret: app.clientSecret, httpClient: harness.httpClient)
            let provider = ClientCredentialsTokenProvider(tokenEndpoint: endpoint)
            let credentials = BackendCredentials(clientID: app.clientID, clientSecret: app.clientSecret)
            let client = harness.apiClient(tokenProvider: provider, baseURL: harness.simulator.backendAPIBaseURL, backendCredentials: credentials)
            let core = try await client.coreData()
            #expect(core.meteringPoints.count == 1_000)
            #expect(Set(core.meteringPoints.map(\.id)).count == 1_000)

            // A 401 is answered with a fresh client_credentials token.
            await harness.simulator.controls.expireAllAccessTokens()
            let point = try #require(core.meteringPoints.last)
            let day = ISO8601Timestamp.parse("2026-11-20T23:00:00Z")!
            let data = try await client.meterData(meteringPointId: point.id, from: day, to: day.addingTimeInterval(86_400))
            #expect(data.meteringPointId == point.id)

            // Without the headers the gateway refuses.
            let bare = harness.apiClient(tokenProvider: provider, baseURL: harness.simulator.backendAPIBaseURL)
            await #expect(throws: OpenEnergyError.self) { try await bare.coreData() }

            // Wrong app credentials are refused by the token endpoint.
            let wrong = TokenEndpoint(url: metadata.tokenEndpoint, issuer: harness.issuer, clientID: app.clientID, clientSecret: "wrong", httpClient: harness.httpClient)
            await #expect(throws: OpenEnergyAuthError.self) { try await wrong.clientCredentials() }
        }
    }
}

@Suite("Logout against the simulator")
struct LogoutIntegrationTests {
    @Test("revoking the refresh token (logout) makes the next refresh 'login required'")
    func revokeOnLogout() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let tokens = try await harness.loginAndStore()
            let metadata = try await OIDCDiscovery.fetch(issuer: harness.issuer, httpClient: harness.httpClient)
            let revocation = try #require(metadata.revocationEndpoint)
            try await harness.tokenEndpoint().revoke(try #require(tokens.refreshToken), at: revocation)
            let manager = try await harness.tokenManager()
            do {
                try await manager.refreshNow()
                Issue.record("a revoked refresh token still refreshed")
            } catch let error as OpenEnergyAuthError {
                guard case .loginRequired = error else {
                    Issue.record("expected loginRequired, got \(error)")
                    return
                }
            }
        }
    }
}
