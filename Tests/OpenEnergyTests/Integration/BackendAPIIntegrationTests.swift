import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import Timestamps

/// CKW's Backend API as its portal describes it: the user logs in through single sign-on, and the
/// backend calls the API with app credentials, naming the user by token or by id.
@Suite("Backend API with app credentials")
struct BackendAPIIntegrationTests {
    static let app = SimulatorConfiguration.BackendApp()
    static let appCredentials = BackendCredentials(clientID: app.clientID, clientSecret: app.clientSecret)

    @Test("the user's token and the app credentials: the user's metering points only")
    func userTokenWithAppCredentials() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            _ = try await harness.loginAndStore()
            let client = harness.apiClient(
                tokenProvider: try await harness.tokenManager(), baseURL: harness.simulator.backendAPIBaseURL,
                backendCredentials: Self.appCredentials)
            let core = try await client.coreData()
            // The first user's customer has one metering point; the app could read all three customers'.
            #expect(core.meteringPoints.count == 1)

            // Without the app credentials the gateway refuses the user's token.
            let bare = harness.apiClient(tokenProvider: try await harness.tokenManager(), baseURL: harness.simulator.backendAPIBaseURL)
            await #expect(throws: OpenEnergyError.self) { try await bare.coreData() }
        }
    }

    @Test("the user named by id in a header or a query parameter: no token is asked for or sent", arguments: [
        UserIdentification.header(name: "X-User-Id", value: "demo"),
        UserIdentification.queryParameter(name: "userId", value: "demo"),
    ])
    func userNamedByID(identification: UserIdentification) async throws {
        try await withSimulator { harness in
            let client = OpenEnergyClient(
                configuration: OpenEnergyClientConfiguration(
                    baseURL: harness.simulator.backendAPIBaseURL, backendCredentialHeaders: Self.appCredentials,
                    userIdentification: identification, requestTimeout: 10),
                httpClient: harness.httpClient, tokenProvider: NoTokenExpected(), pacer: RequestPacer(policy: SimulatorHarness.fastPolicy))
            let core = try await client.coreData()
            #expect(core.meteringPoints.count == 1)
            let point = try #require(core.meteringPoints.first)
            let day = ISO8601Timestamp.parse("2026-11-20T23:00:00Z")!
            let data = try await client.meterData(meteringPointId: point.id, from: day, to: day.addingTimeInterval(86_400))
            #expect(data.series.contains { $0.readings.count == 96 })
        }
    }
}

/// A token provider for requests that must not carry a token.
private struct NoTokenExpected: AccessTokenProvider {
    struct AskedForToken: Error {}
    func accessToken() async throws -> String { throw AskedForToken() }
    func refreshedAccessToken(after rejectedToken: String) async throws -> String { throw AskedForToken() }
}
