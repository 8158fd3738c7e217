import Foundation
import Testing
import TestSupport

/// `ckw2mqtt purge`, the real binary, on a broker that a second bridge (another base topic, another
/// household) shares.
@Suite("ckw2mqtt purge", .timeLimit(.minutes(2)))
struct PurgeCommandTests {
    static let otherMeter = "CH1008809999900000000000000099999"

    @Test("purge removes this bridge's retained messages and discovery configs, and nothing of another bridge")
    func onlyItsOwn() async throws {
        try await withHarness { harness in
            let port = harness.broker.port
            let watcher = try await MQTTWatcher(port: port)
            try harness.startBridge()
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the first fetch") { $0["last_successful_fetch"] is String }
            let id = try #require((info["metering_points"] as? [String])?.first)
            try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the first values") { $0["energy_import_total"] is Double }
            let meterConfigTopic = "homeassistant/device/ckw2mqtt_\(id)/config"
            let bridgeConfigTopic = "homeassistant/device/ckw2mqtt_bridge/config"
            let meterConfig = try #require(try await MosquittoPublish.retained(port: port, topic: meterConfigTopic))
            let bridgeConfig = try #require(try await MosquittoPublish.retained(port: port, topic: bridgeConfigTopic))
            await watcher.stop()
            try await harness.stopBridge()

            // A second bridge for another household, with base topic `other`, as it would publish.
            let other: [(topic: String, payload: String)] = [
                ("other/bridge/state", "online"),
                ("other/\(Self.otherMeter)/state", #"{"energy_import_total":1.0}"#),
                ("homeassistant/device/ckw2mqtt_bridge_other/config",
                 bridgeConfig.replacingOccurrences(of: "ckw2mqtt/", with: "other/").replacingOccurrences(of: "ckw2mqtt_bridge", with: "ckw2mqtt_bridge_other")),
                ("homeassistant/device/ckw2mqtt_\(Self.otherMeter)/config",
                 meterConfig.replacingOccurrences(of: "ckw2mqtt/", with: "other/").replacingOccurrences(of: id, with: Self.otherMeter)
                    .replacingOccurrences(of: "\"ckw2mqtt_bridge\"", with: "\"ckw2mqtt_bridge_other\"")),
            ]
            for message in other {
                try await MosquittoPublish.send(port: port, topic: message.topic, payload: message.payload, retain: true)
            }

            let purge = try ChildProcess(executable: try BuiltExecutable.path("ckw2mqtt"), arguments: [
                "purge", "--state-directory", harness.stateDirectory, "--mqtt-host", "127.0.0.1", "--mqtt-port", "\(port)",
            ])
            try await purge.waitForExit(timeout: .seconds(30))
            #expect(purge.terminationStatus == 0, "\(purge.outputText)")
            #expect(purge.outputText.contains("Removed"), "\(purge.outputText)")

            for topic in [meterConfigTopic, bridgeConfigTopic, "ckw2mqtt/\(id)/state", "ckw2mqtt/\(id)/availability", "ckw2mqtt/bridge/info", "ckw2mqtt/bridge/state"] {
                #expect(try await MosquittoPublish.retained(port: port, topic: topic) == nil, "\(topic) is still retained")
            }
            for message in other {
                #expect(try await MosquittoPublish.retained(port: port, topic: message.topic) == message.payload, "the other bridge lost \(message.topic)")
            }
        }
    }
}
