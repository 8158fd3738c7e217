import EnergyDomain
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import Timestamps

/// Core data and meter data against the simulator over real HTTP, with its faults switched on at runtime.
@Suite("API against the simulator")
struct APIIntegrationTests {
    /// Logs in (auto-approve) and returns a client for the demo user's Client API plus its first metering point.
    static func loggedInClient(
        _ harness: SimulatorHarness,
        policy: RequestPacer.Policy = SimulatorHarness.fastPolicy,
        requestTimeout: TimeInterval = 10
    ) async throws -> (OpenEnergyClient, MeteringPoint) {
        _ = try await harness.loginAndStore()
        let client = harness.apiClient(tokenProvider: try await harness.tokenManager(), policy: policy, requestTimeout: requestTimeout)
        let point = try #require(try await client.coreData().meteringPoints.first)
        return (client, point)
    }

    static func zurichDay(_ day: String) -> (Date, Date) {
        // Local midnight to local midnight in Europe/Zurich, as the bridge asks for a day.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich")!
        let parts = day.split(separator: "-").map { Int($0)! }
        let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
        return (start, calendar.date(byAdding: .day, value: 1, to: start)!)
    }

    @Test("core data describes the demo household's metering point and series")
    func coreData() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (_, point) = try await Self.loggedInClient(harness)
            #expect(point.id.hasPrefix("CH"))
            let obis = Set(point.series.map(\.obis))
            #expect(obis.isSuperset(of: ["1-1:1.29.0", "1-1:2.29.0"]))
            #expect(point.series.first { $0.obis == "1-1:1.29.0" }?.direction == .consumption)
            #expect(point.series.first { $0.obis == "1-1:2.29.0" }?.direction == .production)
        }
    }

    @Test("a normal day has 96 intervals, the spring DST day 92 and the autumn one 100", arguments: [
        ("2026-11-10", 96), ("2026-03-29", 92), ("2026-10-25", 100),
    ])
    func dstDays(day: String, intervals: Int) async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, point) = try await Self.loggedInClient(harness)
            let (from, to) = Self.zurichDay(day)
            let data = try await client.meterData(meteringPointId: point.id, from: from, to: to, obis: "1-1:1.29.0")
            let series = try #require(data.series(obis: "1-1:1.29.0"))
            #expect(series.readings.count == intervals)
            #expect(series.readings.first?.start == from)
            #expect(series.readings.last?.end == to)
            #expect(zip(series.readings, series.readings.dropFirst()).allSatisfy { $0.end == $1.start })
            #expect(series.readings.allSatisfy { $0.value != nil && $0.value! >= 0 })
        }
    }

    @Test("a range longer than 31 days is fetched in chunks and merged seamlessly")
    func chunking() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, point) = try await Self.loggedInClient(harness)
            let from = ISO8601Timestamp.parse("2026-08-01T00:00:00Z")!
            let to = ISO8601Timestamp.parse("2026-10-15T00:00:00Z")!   // 75 days: three requests
            let data = try await client.meterData(meteringPointId: point.id, from: from, to: to)
            for obis in ["1-1:1.29.0", "1-1:2.29.0"] {
                let series = try #require(data.series(obis: obis))
                #expect(series.readings.count == 75 * 96)
                #expect(zip(series.readings, series.readings.dropFirst()).allSatisfy { $0.end == $1.start })
            }
            // The same values as asked for piecewise: chunk borders change nothing.
            let september = try await client.meterData(meteringPointId: point.id, from: ISO8601Timestamp.parse("2026-08-31T00:00:00Z")!, to: ISO8601Timestamp.parse("2026-09-02T00:00:00Z")!, obis: "1-1:1.29.0")
            let inWhole = data.series(obis: "1-1:1.29.0")!.readings.filter { september.series[0].readings.first!.start <= $0.start && $0.start < september.series[0].readings.last!.end }
            #expect(inWhole == september.series[0].readings)
        }
    }

    @Test("rate-limit status is exposed after every response")
    func rateLimitStatus() async throws {
        try await withSimulator({
            $0.autoApprove = true
            $0.rateLimit = .init(limit: 50, window: .seconds(60))
        }) { harness in
            let (client, _) = try await Self.loggedInClient(harness)
            let status = try #require(client.rateLimitStatus)
            #expect(status.limit == 50)
            #expect(status.remaining == 49)
            #expect(status.resetAt.map { $0 > status.observedAt } == true)
            _ = try await client.coreData()
            #expect(client.rateLimitStatus?.remaining == 48)
        }
    }

    @Test("429 with MuleSoft headers: the client waits for the reset and succeeds")
    func tooManyRequestsWithHeaders() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, _) = try await Self.loggedInClient(harness)
            await harness.simulator.controls.tooManyRequests(2, withHeaders: true, reset: .milliseconds(100))
            _ = try await client.coreData()
            #expect(await harness.simulator.controls.pendingFaults.isEmpty)
        }
    }

    @Test("429 with Retry-After, and a bare 429 without any header, are both retried")
    func tooManyRequestsRetryAfterAndBare() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, _) = try await Self.loggedInClient(harness)
            await harness.simulator.controls.tooManyRequests(1, withHeaders: true, reset: .seconds(30), retryAfter: .seconds(1))
            await harness.simulator.controls.tooManyRequests(2, withHeaders: false)
            _ = try await client.coreData()
            #expect(await harness.simulator.controls.pendingFaults.isEmpty)
        }
    }

    @Test("429 that does not end surfaces as rateLimited once the attempts are used up")
    func persistentTooManyRequests() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, _) = try await Self.loggedInClient(harness)
            await harness.simulator.controls.tooManyRequests(10, withHeaders: false)
            do {
                _ = try await client.coreData()
                Issue.record("a persistent 429 was not reported")
            } catch let error as OpenEnergyError {
                guard case let .rateLimited(endpoint, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(endpoint == "GET v1/coredata")
                #expect(error.httpStatus == 429)
            }
        }
    }

    @Test("5xx is retried; when it persists the error carries the server's code and message")
    func serverErrors() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, _) = try await Self.loggedInClient(harness)
            await harness.simulator.controls.failNextRequests(2, status: 503)
            _ = try await client.coreData()

            await harness.simulator.controls.failNextRequests(10, status: 500)
            do {
                _ = try await client.coreData()
                Issue.record("a persistent 500 was not reported")
            } catch let error as OpenEnergyError {
                guard case let .httpStatus(endpoint, status, code, message) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(endpoint == "GET v1/coredata")
                #expect(status == 500)
                #expect(code == "server_error")
                #expect(message?.isEmpty == false)
            }
        }
    }

    @Test("a slow response beyond the request timeout is retried; always slow becomes a timeout error")
    func slowResponses() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, _) = try await Self.loggedInClient(harness, requestTimeout: 0.5)
            await harness.simulator.controls.slowDown(1, by: .seconds(2))
            _ = try await client.coreData()

            let impatient = harness.apiClient(tokenProvider: try await harness.tokenManager(), policy: .init(maximumAttempts: 1), requestTimeout: 0.5)
            await harness.simulator.controls.slowDown(1, by: .seconds(2))
            await #expect(throws: OpenEnergyError.timeout(endpoint: "GET v1/coredata")) {
                try await impatient.coreData()
            }
        }
    }

    @Test("malformed JSON is a decoding error naming the endpoint")
    func malformedJSON() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, point) = try await Self.loggedInClient(harness)
            await harness.simulator.controls.inject(.malformedJSON)
            let day = Self.zurichDay("2026-11-10")
            do {
                _ = try await client.meterData(meteringPointId: point.id, from: day.0, to: day.1)
                Issue.record("malformed JSON decoded")
            } catch let error as OpenEnergyError {
                guard case let .decoding(decoding) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(decoding.endpoint == "GET v1/meterdata/\(point.id)")
            }
        }
    }

    @Test("a body cut short is retried; cut short every time it is an error, never partial data")
    func truncatedBody() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, point) = try await Self.loggedInClient(harness)
            let day = Self.zurichDay("2026-11-10")
            await harness.simulator.controls.inject(.truncatedBody)
            let data = try await client.meterData(meteringPointId: point.id, from: day.0, to: day.1)
            #expect(data.series(obis: "1-1:1.29.0")?.readings.count == 96)

            await harness.simulator.controls.inject(.truncatedBody, count: 10)
            await #expect(throws: OpenEnergyError.self) {
                try await client.meterData(meteringPointId: point.id, from: day.0, to: day.1)
            }
        }
    }

    @Test("data for another metering point is refused; extra, repeated and reordered values are tidied")
    func sloppyServer() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, point) = try await Self.loggedInClient(harness)
            let day = Self.zurichDay("2026-11-10")
            let clean = try await client.meterData(meteringPointId: point.id, from: day.0, to: day.1)

            await harness.simulator.controls.inject(.wrongMeteringPoint)
            await #expect(throws: OpenEnergyError.self) {
                try await client.meterData(meteringPointId: point.id, from: day.0, to: day.1)
            }
            await harness.simulator.controls.inject(.valuesOutsideRange)
            #expect(try await client.meterData(meteringPointId: point.id, from: day.0, to: day.1) == clean)
            await harness.simulator.controls.inject(.repeatedAndReorderedIntervals)
            #expect(try await client.meterData(meteringPointId: point.id, from: day.0, to: day.1) == clean)
        }
    }

    @Test("HTTP errors carry the server's error code: unknown metering point")
    func unknownMeteringPoint() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let (client, _) = try await Self.loggedInClient(harness)
            let day = Self.zurichDay("2026-11-10")
            do {
                _ = try await client.meterData(meteringPointId: "CH9999999999999999999999999999999", from: day.0, to: day.1)
                Issue.record("an unknown metering point answered")
            } catch let error as OpenEnergyError {
                #expect(error.httpStatus == 404)
                #expect(error.description.contains("404"))
            }
        }
    }
}
