import Foundation
import OpenEnergy
import Synchronization
import Testing
import TestSupport

/// `ckw2mqtt run`, the real executable, against `LiteralCKWServer` (literal JSON and headers, not
/// our types) configured with another path layout and date-only ranges, a 401 after a real token
/// refresh and a daily quota with its reset in seconds; the retained totals are compared with sums
/// computed here.
@Suite("The bridge against a literal CKW look-alike", .timeLimit(.minutes(2)))
struct LiteralCKWBridgeTests {
    static let meteringPoint = "CH1008801234500000000000000012345"

    static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    @Test("another layout, a 401 after the refresh, a quota in seconds: totals as computed by hand, no login asked for")
    func bridgeAgainstLiteralCKW() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("literal-bridge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Four quarter hours that ended an hour or more ago.
        let grid = (Date().timeIntervalSince1970 / 900).rounded(.down) * 900
        let starts = (0..<4).map { Date(timeIntervalSince1970: grid - 2 * 3600 + Double($0) * 900) }
        let values = ["0.25", "0.5", "0.125", "1.0"]
        let expectedTotal = 0.25 + 0.5 + 0.125 + 1.0
        let gatewayRefusals = Mutex(1)
        let server = try await LiteralCKWServer.start { request, _ in
            let origin = "http://" + (request.headers["host"] ?? "")
            switch (request.method, request.path) {
            case ("GET", "/realms/CKW/.well-known/openid-configuration"):
                return .json(LiteralCKWServer.discoveryDocument(origin: origin, issuerPath: "/realms/CKW", tokenPath: "/realms/CKW/protocol/openid-connect/token"))
            case ("POST", "/realms/CKW/protocol/openid-connect/token"):
                guard request.formValue("refresh_token") == "refresh-1" else {
                    return .json(#"{"error":"invalid_grant","error_description":"Token is not active"}"#, status: 400)
                }
                return .json(#"{"access_token":"fresh-access","expires_in":3600,"refresh_expires_in":0,"refresh_token":"refresh-2","token_type":"Bearer"}"#)
            default:
                break
            }
            guard request.headers["authorization"] == "Bearer fresh-access" else {
                return .json(#"{"error":"invalid_token","message":"Token expired"}"#, status: 401)
            }
            let refuse = gatewayRefusals.withLock { left in
                defer { left -= 1 }
                return left > 0
            }
            if refuse {
                return LiteralCKWServer.Reply(status: 401, headers: [("Content-Type", "text/html")], body: "<html>401 Unauthorized</html>")
            }
            switch request.path {
            case "/api/v2/customer/core":
                return .json(#"{"meteringPoints":[{"meteringPointId":"\#(Self.meteringPoint)","series":[{"obis":"1-1:1.29.0","unit":"kWh","resolution":"PT15M"}]}]}"#)
            case "/api/v2/points/\(Self.meteringPoint)/readings" where request.queryValue("start") != nil && request.queryValue("end") != nil:
                let items = zip(starts, values).map { start, value in
                    #"{"start":"\#(Self.utc(start))","end":"\#(Self.utc(start.addingTimeInterval(900)))","value":\#(value),"quality":"measured"}"#
                }
                return .json(
                    #"{"meteringPointId":"\#(Self.meteringPoint)","series":[{"obis":"1-1:1.29.0","unit":"kWh","resolution":"PT15M","values":[\#(items.joined(separator: ","))]}]}"#,
                    headers: [("X-RateLimit-Limit", "100"), ("X-RateLimit-Remaining", "97"), ("X-RateLimit-Reset", "86000")])
            default:
                return .json(#"{"error":"not_found"}"#, status: 404)
            }
        }
        defer { Task { await server.shutdown() } }
        let broker = try await TestBroker.start()
        defer { Task { await broker.stop() } }
        let issuer = server.baseURL.absoluteString + "/realms/CKW"
        try TokenStore(directory: URL(fileURLWithPath: directory)).save(TokenSet(
            accessToken: "stale-access", refreshToken: "refresh-1", obtainedAt: Date(), accessTokenExpiresAt: Date().addingTimeInterval(3_600),
            issuer: OIDCIssuer(URL(string: issuer)!).description, clientID: "ckw2mqtt"))
        let watcher = try await MQTTWatcher(port: broker.port)
        let bridge = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: [
            "run", "--state-directory", directory, "--mqtt-host", "127.0.0.1", "--mqtt-port", "\(broker.port)",
            "--set", "ckw.issuer=\(issuer)", "--set", "ckw.api_base_url=\(server.baseURL.absoluteString)/", "--set", "ckw.client_id=ckw2mqtt",
            "--set", "ckw.api.version=v2", "--set", "ckw.api.core_data_path=api/{version}/customer/core",
            "--set", "ckw.api.meter_data_path=api/{version}/points/{meteringPointId}/readings",
            "--set", "ckw.api.from_parameter=start", "--set", "ckw.api.to_parameter=end", "--set", "ckw.api.time_format=date_only",
            "--set", "ckw.api.rate_limit_reset_unit=s",
        ], environment: ["CKW2MQTT_CONFIG": ""])

        let state = try await watcher.waitForJSON("ckw2mqtt/\(Self.meteringPoint)/state", "the totals", timeout: .seconds(40)) {
            $0["energy_import_total"] is Double
        }
        #expect(abs((state["energy_import_total"] as? Double ?? 0) - expectedTotal) < 1e-9)
        #expect(state["interval_end"] as? String == Self.utc(starts[3].addingTimeInterval(900)))
        // Core data: stale 401, refresh, gateway 401, 200; then meter data: 4 requests of the login.
        let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the day's usage") {
            (($0["rate_limit"] as? [String: Any])?["used_today"] as? Int) == 4
        }
        #expect(info["auth"] as? String == "ok")
        let rate = try #require(info["rate_limit"] as? [String: Any])
        #expect(rate["remaining"] as? Int == 97 && rate["limit"] as? Int == 100)
        #expect(rate["left_today"] as? Int == 100 - 2 - 4)
        // The reset is 86000 s after the meter data response, not 86 s.
        let reset = try #require((rate["reset"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) })
        #expect(reset.timeIntervalSinceNow > 85_000)
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
        #expect(!bridge.outputText.contains("CKW login required"))
        await bridge.stop()
        await watcher.stop()
    }

    @Test("a body it cannot decode is kept masked in the state directory, named in bridge/info and the log once")
    func undecodableBodyIsKept() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("literal-bridge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try await LiteralCKWServer.start { request, _ in
            switch request.path {
            case "/realms/CKW/.well-known/openid-configuration":
                return .json(LiteralCKWServer.discoveryDocument(
                    origin: "http://" + (request.headers["host"] ?? ""), issuerPath: "/realms/CKW", tokenPath: "/realms/CKW/protocol/openid-connect/token"))
            case "/v1/coredata":
                return .json(#"{"customer":{"name":"Anna Muster"},"meteringPoints":[{"meteringPointId":"\#(Self.meteringPoint)"}]}"#)
            default:
                // `values` is an object, not a list.
                return .json(#"{"meteringPointId":"\#(Self.meteringPoint)","series":[{"obis":"1-1:1.29.0","values":{"start":"x"}}]}"#)
            }
        }
        defer { Task { await server.shutdown() } }
        let broker = try await TestBroker.start()
        defer { Task { await broker.stop() } }
        let issuer = server.baseURL.absoluteString + "/realms/CKW"
        try TokenStore(directory: URL(fileURLWithPath: directory)).save(TokenSet(
            accessToken: "access", refreshToken: "refresh", obtainedAt: Date(), accessTokenExpiresAt: Date().addingTimeInterval(3_600),
            issuer: OIDCIssuer(URL(string: issuer)!).description, clientID: "ckw2mqtt"))
        let watcher = try await MQTTWatcher(port: broker.port)
        let bridge = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: [
            "run", "--state-directory", directory, "--mqtt-host", "127.0.0.1", "--mqtt-port", "\(broker.port)",
            "--set", "ckw.issuer=\(issuer)", "--set", "ckw.api_base_url=\(server.baseURL.absoluteString)/", "--set", "ckw.client_id=ckw2mqtt",
        ], environment: ["CKW2MQTT_CONFIG": ""])

        let kept = directory + "/last-undecodable-response.txt"
        let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the kept response", timeout: .seconds(30)) {
            $0["last_undecodable_response"] as? String == kept
        }
        #expect((info["last_error"] as? String)?.contains("series[0].values") == true)
        let text = try String(contentsOfFile: kept, encoding: .utf8)
        #expect(text.contains(#"{"meteringPointId":"CHMASKED0000000000000000000000001","series":[{"obis":"1-1:1.29.0","values":{"start":"x"}}]}"#))
        #expect(!text.contains(Self.meteringPoint))
        #expect(try FileManager.default.attributesOfItem(atPath: kept)[.posixPermissions] as? Int == 0o600)
        try await bridge.waitForLine("the log line") { $0.contains("CKW sent a response the bridge cannot read") && $0.contains(kept) }
        await bridge.stop()
        #expect(bridge.outputText.components(separatedBy: "CKW sent a response the bridge cannot read").count == 2)
        await watcher.stop()
    }
}
