import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Foundation
import Testing
@testable import OpenEnergySimulator

@Suite("Fault injection")
struct FaultInjectionTests {
    private static let from = "2026-05-31T22:00:00Z"
    private static let to = "2026-06-01T22:00:00Z"

    private func meterData(_ sim: SimulatorServer, token: String) async throws -> TestResponse {
        let id = sim.catalog.meteringPoint(at: 0).id
        return try await TestHTTP.get(sim.clientAPI("v1/meterdata/\(id)?from=\(Self.from)&to=\(Self.to)"), headers: bearer(token))
    }

    private func intervals(_ response: TestResponse) -> [[String: Any]] {
        let series = response.json["series"] as? [[String: Any]] ?? []
        return series.first { $0["obis"] as? String == "1-1:1.29.0" }?["values"] as? [[String: Any]] ?? []
    }

    @Test("the next N responses fail with the given 5xx, then the API recovers")
    func serverErrors() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.failNextRequests(2, status: 502)
            let first = try await meterData(sim, token: token)
            let second = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token))
            let third = try await meterData(sim, token: token)
            #expect(first.status == 502)
            #expect(first.json["error"] as? String == "server_error")
            #expect(second.status == 502)
            #expect(third.status == 200)
        }
    }

    @Test("a 429 burst with MuleSoft headers and Retry-After")
    func tooManyRequestsWithHeaders() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.tooManyRequests(2, withHeaders: true, reset: .milliseconds(1500), retryAfter: .seconds(2))
            for _ in 0..<2 {
                let response = try await meterData(sim, token: token)
                #expect(response.status == 429)
                #expect(response.header("x-ratelimit-remaining") == "0")
                #expect(response.header("x-ratelimit-reset") == "1500")
                #expect(response.header("retry-after") == "2")
            }
            #expect(try await meterData(sim, token: token).status == 200)
        }
    }

    @Test("a 429 without any header")
    func tooManyRequestsBare() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.tooManyRequests(1, withHeaders: false)
            let response = try await meterData(sim, token: token)
            #expect(response.status == 429)
            #expect(response.header("retry-after") == nil)
            #expect(response.headers.allSatisfy { !$0.name.lowercased().hasPrefix("x-ratelimit") })
        }
    }

    @Test("a slow response outlasts a client's read timeout; the next one is prompt")
    func slowResponse() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.slowDown(1, by: .seconds(1))
            var request = HTTPClientRequest(url: sim.clientAPI("v1/coredata"))
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            await #expect(throws: HTTPClientError.self) {
                _ = try await TestHTTP.client.execute(request, timeout: .milliseconds(200))
            }
            let next = try await TestHTTP.client.execute(request, timeout: .seconds(2))
            #expect(next.status == .ok)
        }
    }

    @Test("malformed JSON: 200 with a body that does not parse")
    func malformedJSON() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.inject(.malformedJSON)
            let response = try await meterData(sim, token: token)
            #expect(response.status == 200)
            #expect(response.header("content-type") == "application/json")
            #expect(throws: (any Error).self) { try JSONSerialization.jsonObject(with: Data(response.body.utf8)) }
            #expect(response.body.hasPrefix("{\"meteringPointId\""))
        }
    }

    @Test("a truncated body: the connection closes before Content-Length bytes arrived")
    func truncatedBody() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.inject(.truncatedBody)
            await #expect(throws: (any Error).self) {
                _ = try await meterData(sim, token: token)
            }
            #expect(try await meterData(sim, token: token).status == 200)
        }
    }

    @Test("meter data for the wrong metering point")
    func wrongMeteringPoint() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.inject(.wrongMeteringPoint)
            let response = try await meterData(sim, token: token)
            #expect(response.status == 200)
            let id = try #require(response.json["meteringPointId"] as? String)
            #expect(id != sim.catalog.meteringPoint(at: 0).id)
        }
    }

    @Test("values outside the asked range")
    func valuesOutsideRange() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.inject(.valuesOutsideRange)
            let values = intervals(try await meterData(sim, token: token))
            #expect(values.count == 98)
            #expect((values.first?["end"] as? String) == Self.from)
            #expect((values.last?["start"] as? String) == Self.to)
        }
    }

    @Test("repeated and reordered intervals")
    func repeatedAndReordered() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.inject(.repeatedAndReorderedIntervals)
            let starts = intervals(try await meterData(sim, token: token)).compactMap { $0["start"] as? String }
            #expect(starts.count > 96)
            #expect(Set(starts).count == 96)
            #expect(starts != starts.sorted())
        }
    }

    @Test("data faults leave core data alone and wait for meter data")
    func dataFaultsSkipCoreData() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            await sim.controls.inject(.wrongMeteringPoint)
            let core = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token))
            #expect(core.status == 200)
            #expect(await sim.controls.pendingFaults.count == 1)
            let data = try await meterData(sim, token: token)
            #expect(data.json["meteringPointId"] as? String != sim.catalog.meteringPoint(at: 0).id)
            #expect(await sim.controls.pendingFaults.isEmpty)
        }
    }

    @Test("the switches are reachable over HTTP under /_sim")
    func controlOverHTTP() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            let base = sim.baseURL.absoluteString + "/_sim"
            let injected = try await TestHTTP.send(.POST, base + "/faults", json: #"{"fault":{"serverError":{"status":503}},"count":1}"#)
            #expect(injected.status == 200)
            #expect(try await meterData(sim, token: token).status == 503)

            #expect(try await TestHTTP.send(.PUT, base + "/ratelimit", json: #"{"limit":1,"windowMilliseconds":60000}"#).status == 200)
            #expect(try await meterData(sim, token: token).status == 200)
            #expect(try await meterData(sim, token: token).status == 429)
            #expect(try await TestHTTP.send(.PUT, base + "/ratelimit", json: "{}").status == 200)
            #expect(try await meterData(sim, token: token).status == 200)

            #expect(try await TestHTTP.send(.POST, base + "/tokens/expire", json: "{}").status == 200)
            #expect(try await meterData(sim, token: token).status == 401)

            let clock = try await TestHTTP.send(.PUT, base + "/clock", json: #"{"now":"2026-06-01T12:00:00Z","speed":0}"#)
            #expect(clock.json["now"] as? String == "2026-06-01T12:00:00Z")
            #expect(sim.clock.now == Date(timeIntervalSince1970: 1_780_315_200))

            let tamper = try await TestHTTP.send(.POST, base + "/login/tamper", json: #"{"tampering":"wrongAudience"}"#)
            #expect(tamper.status == 200)
            #expect(try await TestHTTP.send(.POST, base + "/login/deny", json: "{}").status == 200)
            let denied = try await LoginAttempt().authorize(sim)
            #expect(denied.location?.queryItems?.contains { $0.name == "error" && $0.value == "access_denied" } == true)
            #expect(try await TestHTTP.send(.POST, base + "/users/demo/revoke", json: "{}").json["count"] as? Int == 1)
        }
    }
}
