import Bridge
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

@Suite("Metering points that come and go", .timeLimit(.minutes(2)))
struct MeteringPointChangesTests {
    @Test("a metering point added to core data gets a device; one removed loses it")
    func addedAndRemoved() async throws {
        // Client credentials: the app credentials keep working when the simulator is replaced.
        try await withHarness(.init(meters: 1, mode: .clientCredentials)) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge(coreDataInterval: .seconds(3600))
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "one metering point") {
                ($0["metering_points"] as? [String])?.count == 1
            }
            let first = try #require((info["metering_points"] as? [String])?.first)
            try await watcher.waitForJSON("homeassistant/device/ckw2mqtt_\(first)/config", "the first device") { $0["components"] != nil }

            // The household gets a second meter; the bridge notices at its next core data read.
            try await harness.replaceSimulator(meters: 2)
            harness.advanceClock(by: 3600)
            let two = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "two metering points") {
                ($0["metering_points"] as? [String])?.count == 2
            }
            let second = try #require((two["metering_points"] as? [String])?.first { $0 != first })
            try await watcher.waitForJSON("homeassistant/device/ckw2mqtt_\(second)/config", "the second device") { $0["components"] != nil }
            try await watcher.waitForJSON("ckw2mqtt/\(second)/state", "the second meter's values") { $0["energy_import_total"] is Double }

            // And loses it again: its discovery config and retained topics are cleared.
            try await harness.replaceSimulator(meters: 1)
            harness.advanceClock(by: 3600)
            try await watcher.waitFor("homeassistant/device/ckw2mqtt_\(second)/config", "the removal") { $0.payload.isEmpty }
            try await watcher.waitFor("ckw2mqtt/\(second)/state", "the cleared state") { $0.payload.isEmpty }
            #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "homeassistant/device/ckw2mqtt_\(second)/config") == nil)
            #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "homeassistant/device/ckw2mqtt_\(first)/config") != nil)
            await watcher.stop()
        }
    }
}
