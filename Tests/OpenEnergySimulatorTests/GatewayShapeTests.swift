import Foundation
import Testing
@testable import OpenEnergySimulator

/// The simulator's gateway shapes (`ckw2mqtt simulate --daily-request-limit --reset-in-seconds`)
/// and the interval it can leave out, over real HTTP.
@Suite("Gateway shapes and an omitted interval")
struct SimulatorGatewayShapeTests {
    private static let from = "2026-05-31T22:00:00Z"
    private static let to = "2026-06-01T22:00:00Z"

    private func meterData(_ sim: SimulatorServer, token: String) async throws -> TestResponse {
        let id = sim.catalog.meteringPoint(at: 0).id
        return try await TestHTTP.get(sim.clientAPI("v1/meterdata/\(id)?from=\(Self.from)&to=\(Self.to)"), headers: bearer(token))
    }

    @Test("a daily quota per login on the simulated clock: silent until spent, then 429 with the day's reset in seconds, every request logged")
    func dailyQuotaInSeconds() async throws {
        var configuration = SimulatorConfiguration(autoApprove: true, rateLimit: nil, clockStart: Date(timeIntervalSince1970: 1_780_000_000), clockSpeed: 0)
        configuration.gateway = GatewayShape(resetUnit: .seconds, dailyRequestLimit: 3)
        try await withSimulator(configuration) { sim in
            let token = try await sim.userAccessToken()
            for _ in 0..<3 {
                let response = try await meterData(sim, token: token)
                #expect(response.status == 200)
                #expect(response.header("x-ratelimit-reset") == nil)
            }
            sim.clock.advance(by: .seconds(3600))
            let refused = try await meterData(sim, token: token)
            #expect(refused.status == 429)
            #expect(refused.header("x-ratelimit-limit") == "3")
            #expect(refused.header("x-ratelimit-remaining") == "0")
            // 23 hours of the day's window are left, in seconds.
            #expect(refused.header("x-ratelimit-reset") == "82800")
            sim.clock.advance(by: .seconds(23 * 3600))
            #expect(try await meterData(sim, token: token).status == 200)
            let logged = await sim.controls.apiRequests(ofUser: SimulatorConfiguration.User().username)
            #expect(logged.count == 5)
        }
    }

    @Test("an omitted quarter hour is missing from every answer, its neighbours and the registers stay")
    func omittedInterval() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true, rateLimit: nil)) { sim in
            let token = try await sim.userAccessToken()
            let before = try await meterData(sim, token: token)
            await sim.controls.omitInterval(startingAt: Date(timeIntervalSince1970: 1_780_308_000))  // 2026-06-01T10:00:00Z
            let after = try await meterData(sim, token: token)
            func starts(_ response: TestResponse, _ obis: String) -> [String] {
                let series = response.json["series"] as? [[String: Any]] ?? []
                return (series.first { $0["obis"] as? String == obis }?["values"] as? [[String: Any]] ?? []).compactMap { $0["start"] as? String }
            }
            #expect(starts(before, "1-1:1.29.0").contains("2026-06-01T10:00:00Z"))
            #expect(starts(after, "1-1:1.29.0") == starts(before, "1-1:1.29.0").filter { $0 != "2026-06-01T10:00:00Z" })
            #expect(starts(after, "1-1:1.8.0") == starts(before, "1-1:1.8.0"))
        }
    }
}
