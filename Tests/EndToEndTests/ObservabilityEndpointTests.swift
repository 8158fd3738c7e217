import AsyncHTTPClient
import Bridge
import BridgeObservability
import Foundation
import HomeAssistant
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import TestSupport

/// `/healthz` and `/metrics` over real HTTP, for a real bridge (simulator, private mosquitto).
@Suite("Health and metrics endpoint", .timeLimit(.minutes(2)))
struct ObservabilityEndpointTests {
    @Test("healthy once the bridge has fetched, 503 with the reason when the broker goes away; metrics in Prometheus format")
    func healthAndMetrics() async throws {
        try await withHarness { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            let data = try await SimulatorData.connect(to: harness.simulator)
            let id = try await data.meteringPointId()
            await data.close()
            try harness.startBridge()
            let bridge = try #require(harness.bridge)
            try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the first state") { $0["interval_end"] is String }

            try await withEndpoint(health: { await bridge.health() }) { http in
                let healthy = try await http.get("/healthz")
                #expect(healthy.status == 200)
                #expect(healthy.body == "ok\n")

                // The latency is recorded when the broker acknowledges the states, which may come just
                // after the subscriber saw them.
                let metrics = try await http.eventually("/metrics") {
                    PrometheusSamples($0.body).value("ckw2mqtt_publish_latency_seconds_count") != nil
                }
                #expect(metrics.status == 200)
                #expect(metrics.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
                let samples = PrometheusSamples(metrics.body)
                #expect(samples.value(#"ckw2mqtt_ckw_requests_total{endpoint="meter_data",status="200"}"#).map { $0 >= 1 } == true)
                #expect(samples.value(#"ckw2mqtt_ckw_requests_total{endpoint="core_data",status="200"}"#).map { $0 >= 1 } == true)
                #expect(samples.value("ckw2mqtt_intervals_received_total").map { $0 >= 1 } == true)
                #expect(samples.value("ckw2mqtt_last_successful_fetch_timestamp_seconds").map { $0 > 1_700_000_000 } == true)
                #expect(samples.value("ckw2mqtt_publish_latency_seconds_count").map { $0 >= 1 } == true)
                // Gauges such as ckw2mqtt_mqtt_connected are shared by the bridges of parallel tests in
                // this process, so only their presence is checked.
                #expect(samples.value("ckw2mqtt_mqtt_connected") != nil)

                await watcher.stop()
                await harness.broker.stop()
                let unhealthy = try await http.eventually("/healthz") { $0.status == 503 }
                #expect(unhealthy.body == "unhealthy: not connected to the MQTT broker\n")
            }
        }
    }

    @Test("unhealthy while a CKW login is required")
    func loginRequired() async throws {
        try await withHarness { harness in
            // No tokens: the bridge starts, connects to the broker and reports that a login is needed.
            try FileManager.default.removeItem(atPath: harness.stateDirectory + "/tokens.json")
            try harness.startBridge()
            let bridge = try #require(harness.bridge)
            try await withEndpoint(health: { await bridge.health() }) { http in
                let response = try await http.eventually("/healthz") { $0.body.contains("login") }
                #expect(response.status == 503)
                #expect(response.body == "unhealthy: CKW login required: run `ckw2mqtt login`\n")
            }
        }
    }

    @Test("a fetch older than the schedule allows is unhealthy", arguments: [
        (minutesAgo: 20, healthy: true), (minutesAgo: 45, healthy: true), (minutesAgo: 51, healthy: false),
    ])
    func fetchAge(minutesAgo: Int, healthy: Bool) {
        let now = Date(timeIntervalSince1970: 1_795_677_600)
        let health = BridgeHealth(
            mqttConnected: true, authentication: .ok, lastSuccessfulFetch: now.addingTimeInterval(Double(-minutesAgo * 60)),
            now: now, pollInterval: .seconds(20 * 60))
        if healthy {
            #expect(health.problem == nil)
        } else {
            #expect(health.problem?.contains("more than the 50 minutes the schedule allows") == true)
        }
    }
}

// MARK: - Support

/// Starts the endpoint on a free loopback port for `body`, then stops it.
private func withEndpoint(
    health: @escaping @Sendable () async -> BridgeHealth, _ body: (EndpointClient) async throws -> Void
) async throws {
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let server = ObservabilityServer(
        host: "127.0.0.1", port: 0, registry: MetricsBootstrap.prometheus(), health: health,
        logger: Logger(label: "observability"), onListening: { continuation.yield($0); continuation.finish() })
    let task = Task { try await server.run() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else {
        try await task.value
        throw EndpointFailure("the endpoint did not start")
    }
    let client = EndpointClient(port: port)
    do {
        try await body(client)
    } catch {
        task.cancel()
        await client.shutdown()
        throw error
    }
    task.cancel()
    await client.shutdown()
}

private struct EndpointFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

private struct EndpointClient {
    struct Reply {
        var status: Int
        var contentType: String?
        var body: String
    }

    let port: Int
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    func get(_ path: String) async throws -> Reply {
        let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
                     body: String(buffer: body))
    }

    /// Asks until `condition` holds: the bridge notices a lost broker or a missing login on its own schedule.
    func eventually(_ path: String, _ condition: (Reply) -> Bool) async throws -> Reply {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let reply = try await get(path)
            if condition(reply) || ContinuousClock.now > deadline { return reply }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func shutdown() async { try? await http.shutdown() }
}

/// `name{labels} value` lines of the Prometheus text format.
private struct PrometheusSamples {
    private var values: [String: Double] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
    }

    func value(_ sample: String) -> Double? { values[sample] }
}
