import Foundation
import Testing
@testable import OpenEnergySimulator

/// One local day in June (CEST): 2026-06-01 00:00 to 2026-06-02 00:00 Europe/Zurich.
private let juneDay = (from: "2026-05-31T22:00:00Z", to: "2026-06-01T22:00:00Z")

private func meterDataURL(_ sim: SimulatorServer, _ id: String, from: String, to: String, obis: String? = nil, backend: Bool = false) -> String {
    var path = "v1/meterdata/\(id)?from=\(from)&to=\(to)"
    if let obis { path += "&obis=\(obis)" }
    return backend ? sim.backendAPI(path) : sim.clientAPI(path)
}

private func series(_ response: TestResponse) -> [String: [[String: Any]]] {
    var result: [String: [[String: Any]]] = [:]
    for entry in response.json["series"] as? [[String: Any]] ?? [] {
        result[entry["obis"] as? String ?? ""] = entry["values"] as? [[String: Any]] ?? []
    }
    return result
}

private func wattHours(_ value: Any?) -> Int64 {
    Int64((((value as? Double) ?? (value as? NSNumber)?.doubleValue ?? .nan) * 1000).rounded())
}

@Suite("OpenEnergy API")
struct APITests {
    @Test("core data: the user's customer and metering point with its four series")
    func coreData() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            let response = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token))
            #expect(response.status == 200)
            let customer = try #require(response.json["customer"] as? [String: Any])
            #expect(customer["name"] as? String == "Anna Muster")
            let points = try #require(response.json["meteringPoints"] as? [[String: Any]])
            #expect(points.count == 1)
            #expect(points[0]["meteringPointId"] as? String == "CH1008801234500000000000000012345")
            let obis = (points[0]["series"] as? [[String: Any]] ?? []).compactMap { $0["obis"] as? String }
            #expect(Set(obis) == ["1-1:1.29.0", "1-1:2.29.0", "1-1:1.8.0", "1-1:2.8.0"])
        }
    }

    @Test("meter data of one day: 96 intervals per direction, registers agree with the interval sums")
    func meterDataOfOneDay() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true, delivery: .immediate)) { sim in
            let token = try await sim.userAccessToken()
            let id = sim.catalog.meteringPoint(at: 0).id
            let response = try await TestHTTP.get(meterDataURL(sim, id, from: juneDay.from, to: juneDay.to), headers: bearer(token))
            #expect(response.status == 200)
            #expect(response.json["meteringPointId"] as? String == id)
            let all = series(response)
            for (interval, register) in [("1-1:1.29.0", "1-1:1.8.0"), ("1-1:2.29.0", "1-1:2.8.0")] {
                let values = try #require(all[interval])
                #expect(values.count == 96)
                #expect(values.first?["start"] as? String == juneDay.from)
                #expect(values.last?["end"] as? String == juneDay.to)
                #expect(values.allSatisfy { $0["quality"] as? String == "measured" })
                let readings = try #require(all[register])
                #expect(readings.map { $0["end"] as? String } == [juneDay.from, juneDay.to])
                let sum = values.reduce(Int64(0)) { $0 + wattHours($1["value"]) }
                #expect(wattHours(readings[1]["value"]) - wattHours(readings[0]["value"]) == sum)
            }
        }
    }

    @Test("DST days have 92 and 100 intervals", arguments: [
        ("2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z", 92),
        ("2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z", 100),
    ])
    func dstDays(from: String, to: String, count: Int) async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            let id = sim.catalog.meteringPoint(at: 0).id
            let response = try await TestHTTP.get(meterDataURL(sim, id, from: from, to: to, obis: "1-1:1.29.0"), headers: bearer(token))
            #expect(response.status == 200)
            let all = series(response)
            #expect(all.keys.sorted() == ["1-1:1.29.0"])
            #expect(all["1-1:1.29.0"]?.count == count)
        }
    }

    @Test("missing, unknown and expired tokens answer 401 invalid_token")
    func unauthorized() async throws {
        let lifetimes = SimulatorConfiguration.TokenLifetimes(accessToken: .seconds(300))
        try await withSimulator(SimulatorConfiguration(autoApprove: true, tokenLifetimes: lifetimes)) { sim in
            let missing = try await TestHTTP.get(sim.clientAPI("v1/coredata"))
            #expect(missing.status == 401)
            #expect(missing.json["error"] as? String == "invalid_token")
            #expect(missing.header("www-authenticate")?.hasPrefix("Bearer") == true)

            let forged = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"))
            #expect(forged.status == 401)

            let tokens = try await LoginAttempt().login(sim)
            let accessToken = try #require(tokens["access_token"] as? String)
            #expect(try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(accessToken)).status == 200)
            await sim.controls.expireAllAccessTokens()
            let expired = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(accessToken))
            #expect(expired.status == 401)
            #expect(expired.json["error"] as? String == "invalid_token")

            // Refresh still works and gives a token the API accepts.
            let refreshed = try await TestHTTP.post(
                sim.tokenURL,
                form: ["grant_type": "refresh_token", "refresh_token": try #require(tokens["refresh_token"] as? String), "client_id": "ckw2mqtt"]
            )
            let fresh = try #require(refreshed.json["access_token"] as? String)
            #expect(try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(fresh)).status == 200)
        }
    }

    @Test("an access token dies after its configured lifetime")
    func shortLifetime() async throws {
        let lifetimes = SimulatorConfiguration.TokenLifetimes(accessToken: .milliseconds(500))
        try await withSimulator(SimulatorConfiguration(autoApprove: true, tokenLifetimes: lifetimes)) { sim in
            let token = try await sim.userAccessToken()
            try await Task.sleep(for: .milliseconds(700))
            #expect(try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token)).status == 401)
        }
    }

    @Test("another customer's metering point is 403, an unknown one 404")
    func forbiddenAndNotFound() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            let foreign = sim.catalog.meteringPoint(at: 1).id
            let forbidden = try await TestHTTP.get(meterDataURL(sim, foreign, from: juneDay.from, to: juneDay.to), headers: bearer(token))
            #expect(forbidden.status == 403)
            #expect(forbidden.json["error"] as? String == "forbidden")

            let unknown = try await TestHTTP.get(
                meterDataURL(sim, "CH1008801234500000000000099999999", from: juneDay.from, to: juneDay.to), headers: bearer(token)
            )
            #expect(unknown.status == 404)
            #expect(unknown.json["error"] as? String == "not_found")
        }
    }

    @Test("bad ranges and unknown series are 400", arguments: [
        ("2026-06-02T00:00:00Z", "2026-06-01T00:00:00Z", nil as String?),
        ("2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z", nil),
        ("2026-05-01T00:00:00Z", "2026-06-01T00:00:01Z", nil),
        ("yesterday", "2026-06-01T00:00:00Z", nil),
        ("2026-02-30T00:00:00Z", "2026-03-01T00:00:00Z", nil),
        ("2026-06-01T00:00:00", "2026-06-02T00:00:00Z", nil),
        ("2026-06-01T00:00:00Z", "2026-06-02T00:00:00Z", "1-1:9.99.0"),
    ])
    func badRequests(from: String, to: String, obis: String?) async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true)) { sim in
            let token = try await sim.userAccessToken()
            let id = sim.catalog.meteringPoint(at: 0).id
            let response = try await TestHTTP.get(meterDataURL(sim, id, from: from, to: to, obis: obis), headers: bearer(token))
            #expect(response.status == 400)
            #expect(response.json["error"] as? String == "bad_request")
            #expect((response.json["message"] as? String)?.isEmpty == false)
        }
    }

    @Test("exactly 31 days are allowed, with +01:00 offsets")
    func longestRange() async throws {
        try await withSimulator(SimulatorConfiguration(autoApprove: true, delivery: .immediate)) { sim in
            let token = try await sim.userAccessToken()
            let id = sim.catalog.meteringPoint(at: 0).id
            // January 2026 in local time: 31 days of 96 intervals.
            let response = try await TestHTTP.get(
                meterDataURL(sim, id, from: "2026-01-01T00:00:00%2B01:00", to: "2026-02-01T00:00:00%2B01:00", obis: "1-1:1.29.0"),
                headers: bearer(token)
            )
            #expect(response.status == 200)
            #expect(series(response)["1-1:1.29.0"]?.count == 31 * 96)
        }
    }

    @Test("the Backend API lists every metering point and reads any of them with app tokens; a user token needs app credentials")
    func backendAPI() async throws {
        let population = SimulatorConfiguration.Population(customers: 1000, meteringPointsPerCustomer: 2)
        try await withSimulator(SimulatorConfiguration(autoApprove: true, population: population)) { sim in
            let appToken = try await sim.backendAccessToken()
            let core = try await TestHTTP.get(sim.backendAPI("v1/coredata"), headers: bearer(appToken))
            #expect(core.status == 200)
            let points = try #require(core.json["meteringPoints"] as? [[String: Any]])
            #expect(points.count == 2000)
            #expect(Set(points.compactMap { $0["meteringPointId"] as? String }).count == 2000)

            let last = sim.catalog.meteringPoint(at: 1999).id
            let data = try await TestHTTP.get(meterDataURL(sim, last, from: juneDay.from, to: juneDay.to, backend: true), headers: bearer(appToken))
            #expect(data.status == 200)
            #expect(data.json["meteringPointId"] as? String == last)

            let userToken = try await sim.userAccessToken()
            // A user's token alone is not enough for the Backend API: it also wants a backend's app credentials.
            #expect(try await TestHTTP.get(sim.backendAPI("v1/coredata"), headers: bearer(userToken)).status == 401)
            #expect(try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(appToken)).status == 403)
        }
    }

    @Test("the Backend API can require the app credentials as headers")
    func backendCredentialHeaders() async throws {
        try await withSimulator(SimulatorConfiguration(requireBackendCredentialHeaders: true)) { sim in
            let token = try await sim.backendAccessToken()
            let without = try await TestHTTP.get(sim.backendAPI("v1/coredata"), headers: bearer(token))
            #expect(without.status == 401)
            #expect(without.json["error"] as? String == "invalid_client")
            let with = try await TestHTTP.get(
                sim.backendAPI("v1/coredata"),
                headers: bearer(token) + [("client_id", "ckw2mqtt-backend"), ("client_secret", "backend-secret")]
            )
            #expect(with.status == 200)
        }
    }

    @Test("MuleSoft rate limit: X-Ratelimit headers count down, then 429 without Retry-After")
    func rateLimit() async throws {
        let limit = SimulatorConfiguration.RateLimit(limit: 3, window: .seconds(60))
        try await withSimulator(SimulatorConfiguration(autoApprove: true, rateLimit: limit)) { sim in
            let token = try await sim.userAccessToken()
            var remaining: [String?] = []
            for _ in 0..<3 {
                let response = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token))
                #expect(response.status == 200)
                #expect(response.header("X-Ratelimit-Limit") == "3")
                remaining.append(response.header("x-ratelimit-remaining"))
                let resetHeader = try #require(response.header("X-RateLimit-Reset"))
                let reset = try #require(Int(resetHeader))
                #expect((0...60_000).contains(reset))
            }
            #expect(remaining == ["2", "1", "0"])
            let limited = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token))
            #expect(limited.status == 429)
            #expect(limited.header("x-ratelimit-remaining") == "0")
            #expect(limited.header("retry-after") == nil)

            // Per user: the backend app has its own window.
            let appToken = try await sim.backendAccessToken()
            #expect(try await TestHTTP.get(sim.backendAPI("v1/coredata"), headers: bearer(appToken)).status == 200)

            await sim.controls.setRateLimit(nil)
            let unlimited = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token))
            #expect(unlimited.status == 200)
            #expect(unlimited.header("x-ratelimit-limit") == nil)
        }
    }

    @Test("a rate-limit window ends and the quota comes back")
    func rateLimitWindowEnds() async throws {
        // A window long enough that a loaded machine still sends the second request inside it; the
        // wait for its end follows the simulator's own X-Ratelimit-Reset.
        let limit = SimulatorConfiguration.RateLimit(limit: 1, window: .seconds(3))
        try await withSimulator(SimulatorConfiguration(autoApprove: true, rateLimit: limit)) { sim in
            let token = try await sim.userAccessToken()
            #expect(try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token)).status == 200)
            let limited = try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token))
            #expect(limited.status == 429)
            let resetMilliseconds = try #require(limited.header("x-ratelimit-reset").flatMap { Int($0) })
            try await Task.sleep(for: .milliseconds(resetMilliseconds + 100))
            #expect(try await TestHTTP.get(sim.clientAPI("v1/coredata"), headers: bearer(token)).status == 200)
        }
    }
}
