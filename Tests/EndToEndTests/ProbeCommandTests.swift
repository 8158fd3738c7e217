import Foundation
import OpenEnergy
import Testing
import TestSupport

/// `ckw2mqtt probe`, the real executable, against `LiteralCKWServer` configured with another path
/// layout and date-only ranges: what it prints and what `--raw` writes, compared with the literal
/// bodies and hand-computed sums.
@Suite("ckw2mqtt probe", .timeLimit(.minutes(2)))
struct ProbeCommandTests {
    static let meteringPoint = "CH1008801234500000000000000012345"

    /// Local midnight in Zurich of a `yyyy-MM-dd` day, as UTC text.
    static func zurichMidnight(_ day: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Zurich")!
        let parts = day.split(separator: "-").map { Int($0)! }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
    }

    static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    static func start(coreDataBody: String) async throws -> LiteralCKWServer {
        try await LiteralCKWServer.start { request, _ in
            switch request.path {
            case "/realms/CKW/.well-known/openid-configuration":
                return .json(LiteralCKWServer.discoveryDocument(
                    origin: "http://" + (request.headers["host"] ?? ""), issuerPath: "/realms/CKW", tokenPath: "/realms/CKW/protocol/openid-connect/token"))
            case "/api/v2/customer/core":
                return .json(coreDataBody, headers: [("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "99"), ("X-RateLimit-Reset", "86400")])
            case "/api/v2/points/\(meteringPoint)/readings":
                guard request.headers["authorization"] == "Bearer probe-access", let day = request.queryValue("start") else {
                    return .json(#"{"error":"invalid_request"}"#, status: 400)
                }
                let midnight = zurichMidnight(day)
                // The first and the last quarter hour of the local day: 0.25 + 0.5 kWh.
                return .json("""
                    {"meteringPointId":"\(meteringPoint)","series":[{"obis":"1-1:1.29.0","unit":"kWh","resolution":"PT15M","values":[
                     {"start":"\(utc(midnight))","end":"\(utc(midnight.addingTimeInterval(900)))","value":0.25,"quality":"measured"},
                     {"start":"\(utc(midnight.addingTimeInterval(86_400 - 900)))","end":"\(utc(midnight.addingTimeInterval(86_400)))","value":0.5,"quality":"estimated"}]}]}
                    """, headers: [("X-RateLimit-Remaining", "98"), ("X-RateLimit-Reset", "86390")])
            default:
                return .json(#"{"error":"not_found"}"#, status: 404)
            }
        }
    }

    static func run(_ server: LiteralCKWServer, stateDirectory: String, extra: [String] = []) async throws -> ChildProcess {
        let issuer = server.baseURL.absoluteString + "/realms/CKW"
        try TokenStore(directory: URL(fileURLWithPath: stateDirectory)).save(TokenSet(
            accessToken: "probe-access", refreshToken: "probe-refresh", obtainedAt: Date(), accessTokenExpiresAt: Date().addingTimeInterval(3_600),
            issuer: OIDCIssuer(URL(string: issuer)!).description, clientID: "ckw2mqtt"))
        let probe = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: [
            "probe", "--state-directory", stateDirectory,
            "--set", "ckw.issuer=\(issuer)", "--set", "ckw.api_base_url=\(server.baseURL.absoluteString)/", "--set", "ckw.client_id=ckw2mqtt",
            "--set", "ckw.api.version=v2", "--set", "ckw.api.core_data_path=api/{version}/customer/core",
            "--set", "ckw.api.meter_data_path=api/{version}/points/{meteringPointId}/readings",
            "--set", "ckw.api.from_parameter=start", "--set", "ckw.api.to_parameter=end", "--set", "ckw.api.time_format=date_only",
        ] + extra, environment: ["CKW2MQTT_CONFIG": ""])
        try await probe.waitForExit(timeout: .seconds(60))
        return probe
    }

    @Test("prints status, rate-limit headers and what was understood; --raw writes the masked responses, mode 0600")
    func probeSucceeds() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let coreData = """
            {"customer":{"customerNumber":"1234567","name":"Anna Muster"},"meteringPoints":[{"meteringPointId":"\(Self.meteringPoint)",
             "address":{"street":"Seestrasse 1","zip":"6004","city":"Luzern"},"series":[{"obis":"1-1:1.29.0","unit":"kWh","resolution":"PT15M"}]}]}
            """
        let server = try await Self.start(coreDataBody: coreData)
        defer { Task { await server.shutdown() } }
        let rawFile = directory + "/probe.txt"
        let probe = try await Self.run(server, stateDirectory: directory, extra: ["--raw", rawFile])
        let output = probe.outputText
        #expect(probe.terminationStatus == 0, "\(output)")
        #expect(output.contains("/api/v2/customer/core\n  HTTP 200 in "))
        #expect(output.contains("rate-limit headers: X-RateLimit-Limit: 100, X-RateLimit-Remaining: 99, X-RateLimit-Reset: 86400"))
        #expect(output.contains("understood as: remaining 99/100, reset in 86400 s"))
        #expect(output.contains("  metering points: 1\n  - CHMASKED0000000000000000000000001: meter -, address given, 1 series"))
        #expect(output.contains("      2 values from "))
        #expect(output.contains("(1 measured, 1 estimated)"))
        #expect(output.contains("sum of the day: 0.75 kWh"))
        #expect(output.contains("the bridge would file: 2 values"))
        #expect(!output.contains(Self.meteringPoint))

        let raw = try String(contentsOfFile: rawFile, encoding: .utf8)
        for secret in [Self.meteringPoint, "1234567", "Anna Muster", "Seestrasse 1", "Luzern", "probe-access"] {
            #expect(!raw.contains(secret), "\(secret) is in the raw file")
        }
        #expect(raw.contains(#""meteringPointId":"CHMASKED0000000000000000000000001","series":[{"obis":"1-1:1.29.0","unit":"kWh","resolution":"PT15M","values":["#))
        #expect(raw.contains("/api/v2/points/CHMASKED0000000000000000000000001/readings?start="))
        let mode = try FileManager.default.attributesOfItem(atPath: rawFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a core data body it cannot decode is named with where it failed; the configured metering points are still probed")
    func decodeFailure() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await Self.start(coreDataBody: #"{"meteringPoints":{"meteringPointId":"x"}}"#)
        defer { Task { await server.shutdown() } }
        let probe = try await Self.run(server, stateDirectory: directory, extra: ["--set", "ckw.metering_points=\(Self.meteringPoint)"])
        let output = probe.outputText
        #expect(probe.terminationStatus == 1, "\(output)")
        #expect(output.contains("FAILED to decode GET api/v2/customer/core: at `meteringPoints`"), "\(output)")
        #expect(output.contains("Using the metering points of `ckw.metering_points` instead."))
        #expect(output.contains("sum of the day: 0.75 kWh"))
    }
}
