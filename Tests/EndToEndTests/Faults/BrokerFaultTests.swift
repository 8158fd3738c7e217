import Bridge
import Foundation
import OpenEnergySimulator
import Synchronization
import Testing
import TestSupport

/// The broker crashes (SIGKILL), stays away for simulated hours, and comes back without persistence
/// (every retained message gone). The bridge keeps fetching and saving meanwhile, reconnects on its
/// own and republishes discovery, availability and states; the totals equal the simulator's data.
@Suite("Faults: the MQTT broker", .timeLimit(.minutes(3)))
struct BrokerFaultTests {
    @Test("killed and restarted five times, each time right as the bridge starts publishing a batch")
    func killedMidBatch() async throws {
        try await withHarness(.init(meters: 4)) { harness in
            try await withSimulatorData(harness) { data in
                let ids = try await data.meteringPointIds()
                try harness.startBridge()
                try await waitForRetainedStates(harness, data, ids)

                var recoveries: [Duration] = []
                for round in 1...5 {
                    let saves = harness.savedCount
                    // An hour of new intervals for every meter: one batch, saved, then published.
                    harness.advanceClock(by: 3600)
                    try await harness.waitUntil("round \(round): the batch is saved") { harness.savedCount > saves }
                    // The publisher starts on the batch the moment it is saved: crash the broker under it.
                    await harness.broker.stop(signal: SIGKILL)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...300)))
                    try await harness.broker.restart()
                    recoveries.append(try await harness.waitForRepublication(of: ids, since: .now))
                }
                reportRecovery("BrokerFaultTests/killedMidBatch", "broker accepting again -> discovery and states acknowledged, longest of 5", recoveries.max()!)
                try await waitForRetainedStates(harness, data, ids)
                // Restarted without persistence: the discovery configs are back because the bridge sent them again.
                for id in ids {
                    #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "homeassistant/device/ckw2mqtt_\(id)/config") != nil)
                }
                #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/bridge/state") == "online")
            }
        }
    }

    @Test("unreachable for six simulated hours: the bridge keeps fetching and saving, then publishes everything")
    func unreachableForHours() async throws {
        try await withHarness { harness in
            try await withSimulatorData(harness) { data in
                let ids = try await data.meteringPointIds()
                let id = try #require(ids.first)
                try harness.startBridge()
                try await waitForRetainedStates(harness, data, ids)

                await harness.broker.stop(signal: SIGKILL)
                for hour in 1...6 {
                    let saves = harness.savedCount
                    harness.advanceClock(by: 3600)
                    try await harness.waitUntil("hour \(hour) saved without a broker") { harness.savedCount > saves }
                }
                // Everything fetched meanwhile is on disk.
                let newest = try #require(try await data.expected(for: id, now: harness.simulator.clock.now).lastInterval)
                #expect(try savedNewestIntervalEnd(harness.stateDirectory, id: id) == newest.end)

                // Back, empty (no persistence): discovery, availability and the newest states return.
                try await harness.broker.restart()
                let recovery = try await harness.waitForRepublication(of: ids, since: .now)
                reportRecovery("BrokerFaultTests/unreachableForHours", "broker accepting again -> discovery and states acknowledged", recovery)
                try await waitForRetainedStates(harness, data, ids)
                #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "homeassistant/device/ckw2mqtt_\(id)/config") != nil)
                #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "homeassistant/device/ckw2mqtt_bridge/config") != nil)
                #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/\(id)/availability") == "online")
                #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/bridge/state") == "online")
            }
        }
    }
}

/// The retained states equal the simulator's data at the harness clock's instant.
func waitForRetainedStates(
    _ harness: BridgeHarness, _ data: SimulatorData, _ ids: [String], sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let mismatches = try await data.retainedStatesMismatches(port: harness.broker.port, ids: ids, now: harness.simulator.clock.now)
    #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "; "))", sourceLocation: sourceLocation)
}

extension BridgeHarness {
    /// How often the in-process bridge has written its state file.
    var savedCount: Int { events.withLock { $0.count { $0.kind == .stateSaved } } }

    func waitUntil(_ description: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out: \(description)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
