import EnergyDomain
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport
import Timestamps

/// The yardstick of every fault test: what an undisturbed bridge has on the broker for the simulator's
/// current instant, computed from the simulator's own data (see ``SimulatorData/expected(for:now:lookback:)``).
/// After a fault, the retained state must be exactly that: no interval lost, none counted twice.
enum UndisturbedRun {
    /// Waits until the bridge has published the newest interval the simulator delivers now, then
    /// compares the retained state (what a new subscriber, Home Assistant after a restart, gets)
    /// with the expected one value by value, and checks that the meter is available.
    static func expectRetainedState(
        of id: String, harness: BridgeHarness, watcher: MQTTWatcher, data: SimulatorData,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await waitUntilFaultsAreUsedUp(harness.simulator)
        let expected = try await data.expected(for: id, now: harness.simulator.clock.now)
        try await expectRetainedState(of: id, expected: expected, brokerPort: harness.broker.port, watcher: watcher, sourceLocation: sourceLocation)
    }

    static func expectRetainedState(
        of id: String, expected: SimulatorData.Expected, brokerPort: Int, watcher: MQTTWatcher,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let last = try #require(expected.lastInterval, "the simulator delivers no interval yet", sourceLocation: sourceLocation)
        try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the state of the interval ending \(ISO8601Timestamp.format(last.end))") {
            isoDate($0["interval_end"]) == last.end
        }
        let retained = try await retainedMessage(port: brokerPort, topic: "ckw2mqtt/\(id)/state")
        let payload = try #require(retained, "no retained state", sourceLocation: sourceLocation)
        let state = try #require(MQTTWatcher.object(payload), "the retained state is not JSON: \(payload)", sourceLocation: sourceLocation)
        #expect(isoDate(state["interval_start"]) == last.start, sourceLocation: sourceLocation)
        #expect(isoDate(state["interval_end"]) == last.end, sourceLocation: sourceLocation)
        #expect(wattHours(state["energy_import_total"]) == expected.importTotalWh, sourceLocation: sourceLocation)
        #expect(wattHours(state["energy_export_total"]) == expected.exportTotalWh, sourceLocation: sourceLocation)
        #expect(wattHours(state["energy_import_interval"]) == last.importWh, sourceLocation: sourceLocation)
        #expect(wattHours(state["energy_export_interval"]) == last.exportWh, sourceLocation: sourceLocation)
        #expect(state["power_import"] as? Int == Int(last.importWh * 4), sourceLocation: sourceLocation)
        #expect(state["quality"] as? String == last.quality.rawValue, sourceLocation: sourceLocation)
        let availability = try await retainedMessage(port: brokerPort, topic: "ckw2mqtt/\(id)/availability")
        #expect(availability == "online", sourceLocation: sourceLocation)
    }

    /// `mosquitto_sub` gives up after two seconds; on a loaded machine it may not even have connected
    /// by then (or not exited in time), so a missing message is asked for again before it counts as missing.
    private static func retainedMessage(port: Int, topic: String) async throws -> String? {
        for _ in 0..<2 {
            if let payload = try? await MosquittoPublish.retained(port: port, topic: topic) { return payload }
        }
        return try await MosquittoPublish.retained(port: port, topic: topic)
    }

    /// The expectation reads the simulator through its API, which would take a fault meant for the
    /// bridge: wait until the bridge has met every injected one.
    static func waitUntilFaultsAreUsedUp(_ simulator: SimulatorServer, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(await simulator.controls.pendingFaults.isEmpty) {
            guard ContinuousClock.now < deadline else {
                let pending = await simulator.controls.pendingFaults.map { "\($0.fault) ×\($0.remaining)" }
                throw TestFailure("the bridge did not meet every injected fault; still pending: \(pending)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
