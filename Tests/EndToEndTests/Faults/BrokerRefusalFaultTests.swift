import Foundation
import Testing
import TestSupport

/// The broker accepts the connection but refuses some messages: discovery configs over its packet
/// size limit, or topics its ACL denies. The bridge says so once per topic and goes on with the rest.
@Suite("Faults: the broker refuses some messages", .timeLimit(.minutes(2)))
struct BrokerRefusalFaultTests {
    enum Refusal: String, CaseIterable, Sendable {
        /// Discovery configs are about 4 kB, states about 300 bytes.
        case packetSizeLimit
        case aclDeniesDiscovery

        var broker: TestBroker.Options {
            switch self {
            case .packetSizeLimit: TestBroker.Options(maxPacketSize: 2_000)
            case .aclDeniesDiscovery: TestBroker.Options(aclLines: ["topic deny homeassistant/device/+/config", "topic readwrite #"])
            }
        }
    }

    @Test("refused discovery configs are said once per topic; states and the bridge's messages go on", arguments: Refusal.allCases)
    func refusedOnceAndGoesOn(_ refusal: Refusal) async throws {
        let logs = LogRecording()
        try await withHarness(.init(broker: refusal.broker, log: logs)) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the first fetch") { $0["last_successful_fetch"] is String }
            let id = try #require((info["metering_points"] as? [String])?.first)
            let first = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the first values") { $0["interval_end"] is String }
            let configTopic = "homeassistant/device/ckw2mqtt_\(id)/config"

            // Three more polls, each republishing; every one delivers its state.
            var end = try #require(first["interval_end"] as? String)
            for _ in 0..<3 {
                harness.advanceClock(by: 3600)
                let next = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the next values") { ($0["interval_end"] as? String).map { $0 > end } ?? false }
                end = try #require(next["interval_end"] as? String)
            }
            // Home Assistant restarts: the bridge republishes discovery, refused again, not said again.
            let mark = watcher.mark
            try await MosquittoPublish.send(port: harness.broker.port, topic: "homeassistant/status", payload: "online")
            // States follow the discovery phase, so the republished state means discovery was tried.
            try await watcher.waitFor("ckw2mqtt/\(id)/state", "the republished state", after: mark)

            #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: configTopic) == nil)
            let refusals = logs.all.filter { $0.contains("the broker refuses messages on this topic") }
            let aboutTheMeter = refusals.filter { $0.contains(configTopic) }
            #expect(aboutTheMeter.count == 1, "\(refusals)")
            #expect(!logs.all.contains { $0.contains("were not published") }, "\(logs.all)")
            await watcher.stop()
        }
    }
}
