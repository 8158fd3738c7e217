import Bridge
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

@Suite("MQTT commands", .timeLimit(.minutes(2)))
struct CommandTests {
    @Test("the refresh command fetches before the next poll is due")
    func refresh() async throws {
        try await withHarness(.init(pollInterval: "30m")) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the first fetch") { $0["last_successful_fetch"] is String }
            let id = try #require((info["metering_points"] as? [String])?.first)
            let state = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the first values") { $0["interval_end"] is String }
            let firstEnd = try #require(isoDate(state["interval_end"]))

            // A quarter of an hour later one more interval exists, but the next poll is 30 minutes away.
            harness.advanceClock(by: 900)
            try await Task.sleep(for: .milliseconds(300))
            let unchanged = try #require(MQTTWatcher.object(try await watcher.waitFor("ckw2mqtt/\(id)/state").payload))
            #expect(isoDate(unchanged["interval_end"]) == firstEnd)

            try await MosquittoPublish.send(port: harness.broker.port, topic: "ckw2mqtt/bridge/request/refresh", payload: nil)
            try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the refreshed values") {
                isoDate($0["interval_end"]) == firstEnd.addingTimeInterval(900)
            }
            await watcher.stop()
        }
    }

    @Test("Home Assistant's birth message brings discovery and states back")
    func birth() async throws {
        try await withHarness { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the first fetch") { $0["last_successful_fetch"] is String }
            let id = try #require((info["metering_points"] as? [String])?.first)
            let configTopic = "homeassistant/device/ckw2mqtt_\(id)/config"
            try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the first values") { $0["energy_import_total"] is Double }

            // The broker lost the config (as without persistence); Home Assistant restarts.
            try await MosquittoPublish.send(port: harness.broker.port, topic: configTopic, payload: nil, retain: true)
            #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: configTopic) == nil)
            let statesBefore = watcher.count("ckw2mqtt/\(id)/state")
            try await MosquittoPublish.send(port: harness.broker.port, topic: "homeassistant/status", payload: "online")

            try await watcher.waitFor(configTopic, "the republished config") { !$0.payload.isEmpty && $0.retained == false }
            try await watcher.waitFor("ckw2mqtt/\(id)/state", "the republished state") { _ in watcher.count("ckw2mqtt/\(id)/state") > statesBefore }
            #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: configTopic) != nil)
            await watcher.stop()
        }
    }
}
