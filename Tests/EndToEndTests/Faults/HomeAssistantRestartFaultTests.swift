import Bridge
import Foundation
import OpenEnergySimulator
import Synchronization
import Testing
import TestSupport

/// Home Assistant restarts (its birth message `online` on `homeassistant/status`) while the bridge is
/// in the middle of fetching and publishing a batch: discovery goes out again before the states, the
/// batch still arrives, and nothing is counted twice.
@Suite("Faults: Home Assistant restarts", .timeLimit(.minutes(2)))
struct HomeAssistantRestartFaultTests {
    @Test("three birth messages in the middle of a batch: discovery again, then the states, totals right")
    func birthMidBatch() async throws {
        try await withHarness(.init(meters: 4)) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try await withSimulatorData(harness) { data in
                let ids = try await data.meteringPointIds()
                try harness.startBridge()
                try await waitForRetainedStates(harness, data, ids)
                let configsBefore = Dictionary(uniqueKeysWithValues: ids.map { ($0, watcher.count(Self.configTopic($0))) })

                let applied = harness.appliedCount
                harness.advanceClock(by: 3600)
                try await harness.waitUntil("the first meter data of the batch is applied") { harness.appliedCount > applied }
                let firstBirth = ContinuousClock.now
                for _ in 1...3 {
                    try await MosquittoPublish.send(port: harness.broker.port, topic: "homeassistant/status", payload: "online")
                }
                let recovery = try await harness.waitForRepublication(of: ids, since: firstBirth)
                reportRecovery("HomeAssistantRestartFaultTests/birthMidBatch", "first birth sent -> discovery, then states, acknowledged (birth delay 10 ms here)", recovery)

                try await waitForRetainedStates(harness, data, ids)
                for id in ids {
                    try await watcher.waitFor(Self.configTopic(id), "the config of \(id) again") { _ in
                        watcher.count(Self.configTopic(id)) > configsBefore[id]!
                    }
                    // Home Assistant must know an entity before its state arrives.
                    let messages = watcher.messages
                    let lastConfig = try #require(messages.lastIndex { $0.topic == Self.configTopic(id) })
                    let lastState = try #require(messages.lastIndex { $0.topic == "ckw2mqtt/\(id)/state" })
                    #expect(lastConfig < lastState, "the newest state of \(id) follows its config")
                }
                await watcher.stop()
            }
        }
    }

    private static func configTopic(_ id: String) -> String { "homeassistant/device/ckw2mqtt_\(id)/config" }
}

extension BridgeHarness {
    /// How many meter data responses the in-process bridge has filed.
    var appliedCount: Int {
        events.withLock { events in
            events.count { if case .meterDataApplied = $0.kind { true } else { false } }
        }
    }
}
