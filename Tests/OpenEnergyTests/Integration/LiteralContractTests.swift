import AsyncHTTPClient
import Foundation
import Logging
import OpenEnergy
import Synchronization
import Testing
import TestSupport

/// The real client over real HTTP against `LiteralCKWServer`, whose bodies and headers are literal
/// text written here, not produced by our types. Expectations are computed by hand.
@Suite("The client against a literal CKW look-alike", .timeLimit(.minutes(1)))
struct LiteralContractTests {
    static let meteringPoint = "CH1008801234500000000000000012345"
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    static let fast = RequestPacer.Policy(reserve: 0, maximumAttempts: 5, backoffBase: 0.01, backoffCap: 0.05)

    /// A token provider that hands out whatever `make` says at the moment it is asked.
    struct TokenSource: AccessTokenProvider {
        let make: @Sendable () -> String
        func accessToken() async throws -> String { make() }
        func refreshedAccessToken(after rejectedToken: String) async throws -> String { make() }
    }

    static func client(
        _ server: LiteralCKWServer, contract: OpenEnergyContract = OpenEnergyContract(), tokens: any AccessTokenProvider = TokenSource { "token" },
        pacer: RequestPacer? = nil, clock: any OpenEnergyClock = SystemClock(), observer: OpenEnergyClientObserver = OpenEnergyClientObserver(),
        httpClient: HTTPClient
    ) -> OpenEnergyClient {
        OpenEnergyClient(
            configuration: OpenEnergyClientConfiguration(baseURL: server.baseURL, contract: contract),
            httpClient: httpClient, tokenProvider: tokens,
            pacer: pacer ?? RequestPacer(policy: fast, clock: clock, logger: quiet), clock: clock, logger: quiet, observer: observer)
    }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("A register read at the start of the asked range is kept, though its day began before the range")
    func registerAtTheRangeStart() async throws {
        // Asked from Zurich midnight 2026-11-27 (26T23:00Z) for two hours. Midnight's register reading
        // spans the local day 2026-11-26 (25T23:00Z to 26T23:00Z) and is read at its end.
        let server = try await LiteralCKWServer.start { _, _ in
            .json("""
                {"meteringPointId":"CH1008801234500000000000000012345","series":[
                  {"obis":"1-1:1.29.0","unit":"kWh","values":[
                    {"start":"2026-11-26T22:45:00Z","end":"2026-11-26T23:00:00Z","value":0.5},
                    {"start":"2026-11-26T23:00:00Z","end":"2026-11-26T23:15:00Z","value":0.25}]},
                  {"obis":"1-1:1.8.0","unit":"kWh","values":[
                    {"start":"2026-11-24T23:00:00Z","end":"2026-11-25T23:00:00Z","value":1200.0},
                    {"start":"2026-11-25T23:00:00Z","end":"2026-11-26T23:00:00Z","value":1234.5}]}]}
                """)
        }
        let httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        defer { Task { try? await httpClient.shutdown(); await server.shutdown() } }
        let client = Self.client(server, httpClient: httpClient)
        let data = try await client.meterData(
            meteringPointId: Self.meteringPoint, from: Self.date("2026-11-26T23:00:00Z"), to: Self.date("2026-11-27T01:00:00Z"))
        let intervals = try #require(data.series.first { $0.obis == "1-1:1.29.0" }).readings
        let registers = try #require(data.series.first { $0.obis == "1-1:1.8.0" }).readings
        // The interval before the range is another request's; the register read at the range's start is this one's.
        #expect(intervals.map(\.value) == [0.25])
        #expect(registers.map(\.value) == [1234.5])
        #expect(registers.map(\.end) == [Self.date("2026-11-26T23:00:00Z")])
    }

    @Test("Another path layout, other query names and date-only ranges in Zurich days: what is asked and what is kept")
    func otherLayout() async throws {
        let server = try await LiteralCKWServer.start { request, _ in
            switch request.path {
            case "/api/v2/customer/core":
                return .json(#"{"meteringPoints":[{"meteringPointId":"CH1008801234500000000000000012345"}]}"#)
            case "/api/v2/points/CH1008801234500000000000000012345/readings":
                // Two values of the day asked for, and one of the next day that a date-only API adds.
                return .json("""
                    {"meteringPointId":"CH1008801234500000000000000012345","series":[{"obis":"1-1:1.29.0","unit":"kWh","values":[
                      {"start":"2026-11-25T23:00:00Z","end":"2026-11-25T23:15:00Z","value":0.25,"quality":"measured"},
                      {"start":"2026-11-26T22:45:00Z","end":"2026-11-26T23:00:00Z","value":0.5},
                      {"start":"2026-11-26T23:00:00Z","end":"2026-11-26T23:15:00Z","value":9.0}]}]}
                    """)
            default:
                return .json(#"{"error":"not_found","message":"no such path"}"#, status: 404)
            }
        }
        let httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        defer { Task { try? await httpClient.shutdown(); await server.shutdown() } }
        let contract = OpenEnergyContract(
            apiVersion: "v2", coreDataPath: "api/{version}/customer/core", meterDataPath: "api/{version}/points/{meteringPointId}/readings",
            fromParameter: "start", toParameter: "end", timeFormat: .dateOnly, maximumRange: 2 * 86_400)
        let client = Self.client(server, contract: contract, httpClient: httpClient)

        let core = try await client.coreData()
        #expect(core.meteringPoints.map(\.id) == [Self.meteringPoint])

        // The local day 2026-11-26 in Zurich (UTC+1) is 2026-11-25T23:00Z to 2026-11-26T23:00Z.
        let data = try await client.meterData(
            meteringPointId: Self.meteringPoint, from: Self.date("2026-11-25T23:00:00Z"), to: Self.date("2026-11-26T23:00:00Z"))
        let readings = try #require(data.series.first).readings
        #expect(readings.map(\.value) == [0.25, 0.5])
        #expect(readings.map(\.start) == [Self.date("2026-11-25T23:00:00Z"), Self.date("2026-11-26T22:45:00Z")])
        let meterRequest = try #require(server.requests.last)
        #expect(meterRequest.queryValue("start") == "2026-11-26")
        #expect(meterRequest.queryValue("end") == "2026-11-27")
        #expect(meterRequest.queryValue("from") == nil)

        // Part of a day asks for the whole day: `to` is the next day, never the same one.
        let partial = try await client.meterData(
            meteringPointId: Self.meteringPoint, from: Self.date("2026-11-26T05:00:00Z"), to: Self.date("2026-11-26T10:00:00Z"))
        #expect(server.requests.last?.queryValue("start") == "2026-11-26")
        #expect(server.requests.last?.queryValue("end") == "2026-11-27")
        #expect(partial.series.first?.readings.isEmpty == true)

        // Five days with at most two per request: three requests, on local day boundaries.
        _ = try await client.meterData(
            meteringPointId: Self.meteringPoint, from: Self.date("2026-11-25T23:00:00Z"), to: Self.date("2026-11-30T23:00:00Z"))
        let ranges = server.requests.suffix(3).map { "\($0.queryValue("start") ?? "?")..\($0.queryValue("end") ?? "?")" }
        #expect(ranges == ["2026-11-26..2026-11-28", "2026-11-28..2026-11-30", "2026-11-30..2026-12-01"])
    }

    @Test("A daily quota with its reset in seconds: after the reserve no request goes out until the reset, 20 hours on")
    func dailyQuotaInSeconds() async throws {
        let server = try await LiteralCKWServer.start { _, _ in
            .json(#"{"meteringPoints":[]}"#, headers: [
                ("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "2"), ("X-RateLimit-Reset", "72000"),
            ])
        }
        let httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        defer { Task { try? await httpClient.shutdown(); await server.shutdown() } }
        let clock = ManualClock()
        let start = clock.now
        let pacer = RequestPacer(policy: RequestPacer.Policy(reserve: 2), clock: clock, logger: Self.quiet)
        let client = Self.client(server, contract: OpenEnergyContract(resetUnit: .seconds), pacer: pacer, clock: clock, httpClient: httpClient)

        _ = try await client.coreData()
        #expect(client.rateLimitStatus?.resetAt == start.addingTimeInterval(72_000))
        #expect(await client.nextRequestNotBefore == start.addingTimeInterval(72_000))

        let second = Task { try await client.coreData() }
        await clock.waitForSleepers(1)
        #expect(clock.requestedDeadlines.last == start.addingTimeInterval(72_000))
        clock.advance(by: 71_999)
        await clock.waitForSleepers(1)
        #expect(server.requests.count == 1)
        clock.advance(by: 1)
        _ = try await second.value
        #expect(server.requests.count == 2)
    }

    @Test("auto: an ambiguous reset is milliseconds, exactly a day is seconds, and two responses reveal seconds")
    func automaticResetUnit() async throws {
        let server = try await LiteralCKWServer.start { _, earlier in
            let reset = ["80000", "86400", "86390"][min(earlier.count, 2)]
            return .json(#"{"meteringPoints":[]}"#, headers: [("X-RateLimit-Reset", reset)])
        }
        let httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        defer { Task { try? await httpClient.shutdown(); await server.shutdown() } }
        let clock = ManualClock()
        let client = Self.client(server, pacer: RequestPacer(policy: Self.fast, clock: clock, logger: Self.quiet), clock: clock, httpClient: httpClient)

        // 80000 alone cannot tell: milliseconds, as MuleSoft sends.
        _ = try await client.coreData()
        #expect(client.rateLimitStatus?.resetAt == clock.now.addingTimeInterval(80))
        // A new window of exactly a day only makes sense in seconds.
        clock.advance(by: 1_000)
        _ = try await client.coreData()
        #expect(client.rateLimitStatus?.resetAt == clock.now.addingTimeInterval(86_400))
        // 10 s later the value dropped by 10: it counts seconds.
        clock.advance(by: 10)
        _ = try await client.coreData()
        #expect(client.rateLimitStatus?.resetAt == clock.now.addingTimeInterval(86_390))
    }

    @Test("A 401 for a freshly refreshed token is retried with backoff; the token endpoint is asked once, no new login")
    func unauthorizedAfterRefresh() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let gatewayRefusals = Mutex(1)
        let server = try await LiteralCKWServer.start { request, _ in
            if request.path == "/realms/CKW/protocol/openid-connect/token" {
                guard request.formValue("grant_type") == "refresh_token", request.formValue("refresh_token") == "refresh-1" else {
                    return .json(#"{"error":"invalid_grant","error_description":"Token is not active"}"#, status: 400)
                }
                return .json(#"{"access_token":"fresh-access","expires_in":300,"refresh_expires_in":0,"refresh_token":"refresh-2","token_type":"Bearer","scope":"openid offline_access"}"#)
            }
            switch request.headers["authorization"] {
            case "Bearer fresh-access":
                // The gateway's key cache has not caught up with the new token yet.
                let refuse = gatewayRefusals.withLock { left in
                    defer { left -= 1 }
                    return left > 0
                }
                if refuse { return LiteralCKWServer.Reply(status: 401, headers: [("Content-Type", "text/html")], body: "<html><body>401 Unauthorized</body></html>") }
                return .json(#"{"meteringPoints":[{"meteringPointId":"CH1008801234500000000000000012345"}]}"#)
            default:
                return .json(#"{"error":"invalid_token","message":"Token expired"}"#, status: 401)
            }
        }
        let httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        defer { Task { try? await httpClient.shutdown(); await server.shutdown() } }
        let issuer = OIDCIssuer(server.baseURL.appendingPathComponent("realms/CKW"))
        let store = TokenStore(directory: directory.url.appendingPathComponent("state"))
        try store.save(TokenSet(
            accessToken: "stale-access", refreshToken: "refresh-1", obtainedAt: Date(), accessTokenExpiresAt: Date().addingTimeInterval(3_600),
            issuer: issuer.description, clientID: "ckw2mqtt"))
        let endpoint = TokenEndpoint(
            url: server.baseURL.appendingPathComponent("realms/CKW/protocol/openid-connect/token"), issuer: issuer,
            clientID: "ckw2mqtt", clientSecret: nil, httpClient: httpClient)
        let manager = TokenManager(store: store, tokenEndpoint: endpoint, logger: Self.quiet)
        let client = Self.client(server, tokens: manager, httpClient: httpClient)

        let core = try await client.coreData()
        #expect(core.meteringPoints.count == 1)
        let tokenRequests = server.requests.filter { $0.method == "POST" }
        #expect(tokenRequests.count == 1)
        let apiAuthorizations = server.requests.filter { $0.method == "GET" }.map { $0.headers["authorization"] ?? "" }
        #expect(apiAuthorizations == ["Bearer stale-access", "Bearer fresh-access", "Bearer fresh-access"])
        #expect(try store.load()?.refreshToken == "refresh-2")

        // When the gateway keeps refusing, the error says so and is not a login problem.
        gatewayRefusals.withLock { $0 = 100 }
        try store.save(TokenSet(
            accessToken: "stale-access", refreshToken: "refresh-1", obtainedAt: Date(), accessTokenExpiresAt: Date().addingTimeInterval(3_600),
            issuer: issuer.description, clientID: "ckw2mqtt"))
        let again = Self.client(server, tokens: TokenManager(store: store, tokenEndpoint: endpoint, logger: Self.quiet), httpClient: httpClient)
        let error = await #expect(throws: OpenEnergyError.self) { try await again.coreData() }
        #expect(error?.httpStatus == 401)
        #expect(error?.description.contains("just refreshed") == true)
        #expect(error?.description.contains("401 Unauthorized") == true)
        #expect(server.requests.filter { $0.method == "POST" }.count == 2)
    }

    @Test("The token is taken after the pacer's wait, not before it")
    func tokenAfterPacing() async throws {
        let server = try await LiteralCKWServer.start { _, _ in
            .json(#"{"meteringPoints":[]}"#, headers: [("X-RateLimit-Remaining", "3"), ("X-RateLimit-Reset", "600")])
        }
        let httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        defer { Task { try? await httpClient.shutdown(); await server.shutdown() } }
        let clock = ManualClock()
        let start = clock.now
        let tokens = TokenSource { "token-at-\(Int(clock.now.timeIntervalSince(start)))" }
        let pacer = RequestPacer(policy: RequestPacer.Policy(reserve: 2), clock: clock, logger: Self.quiet)
        let client = Self.client(server, contract: OpenEnergyContract(resetUnit: .seconds), tokens: tokens, pacer: pacer, clock: clock, httpClient: httpClient)

        _ = try await client.coreData()
        // 3 remaining, 2 kept back: the one usable request waits for the 600 s until the reset.
        let second = Task { try await client.coreData() }
        await clock.waitForSleepers(1)
        clock.advance(by: 600)
        _ = try await second.value
        #expect(server.requests.map { $0.headers["authorization"] ?? "" } == ["Bearer token-at-0", "Bearer token-at-600"])
    }

    @Test("An error body that is not {error, message} is shown, shortened and masked; an undecodable body reaches the observer")
    func unusualBodies() async throws {
        let server = try await LiteralCKWServer.start { request, _ in
            if request.path == "/v1/coredata" {
                return .json(#"{"meteringPoints":{"meteringPointId":"CH1008801234500000000000000012345"}}"#)
            }
            return LiteralCKWServer.Reply(status: 404, headers: [("Content-Type", "text/html")],
                         body: "<html><head><title>Not Found</title></head><body>No route for CH1008801234500000000000000012345</body></html>")
        }
        let httpClient = OpenEnergyHTTP.makeHTTPClient(connectTimeout: 5, readTimeout: 10)
        defer { Task { try? await httpClient.shutdown(); await server.shutdown() } }
        let undecodable = Mutex<String?>(nil)
        let observer = OpenEnergyClientObserver(undecodableBody: { exchange, _ in
            undecodable.withLock { $0 = String(decoding: exchange.body, as: UTF8.self) }
        })
        let client = Self.client(server, observer: observer, httpClient: httpClient)

        let error = await #expect(throws: OpenEnergyError.self) {
            try await client.meterData(meteringPointId: Self.meteringPoint, from: Self.date("2026-11-25T23:00:00Z"), to: Self.date("2026-11-26T23:00:00Z"))
        }
        let description = error?.description ?? ""
        #expect(description.contains("HTTP 404"))
        #expect(description.contains("<title>Not Found</title>"))
        #expect(description.contains("No route for CHMASKED0000000000000000000000001"))
        #expect(!description.contains("No route for \(Self.meteringPoint)"))

        await #expect(throws: OpenEnergyError.self) { try await client.coreData() }
        #expect(undecodable.withLock { $0 }?.contains(#""meteringPoints":{"#) == true)
    }
}
