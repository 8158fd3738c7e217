import Bridge
import EnergyDomain
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import Testing
import TestSupport
import Timestamps

/// What "nothing lost, nothing counted twice" means after a fault: the state a new subscriber gets
/// from the broker (retained) shows the newest interval and the totals the simulator's own data
/// gives for the same simulated instant, exactly as after an undisturbed run.
extension SimulatorData {
    func meteringPointIds() async throws -> [String] {
        try await api.coreData().meteringPoints.map(\.id).sorted()
    }

    /// Waits until the retained state of every metering point equals the simulator's data at `now`,
    /// and returns the mismatches left when `timeout` ran out (empty: all equal).
    func retainedStatesMismatches(port: Int, ids: [String], now: Date, timeout: Duration = .seconds(30)) async throws -> [String] {
        var expected: [String: Expected] = [:]
        for id in ids { expected[id] = try await self.expected(for: id, now: now) }
        let deadline = ContinuousClock.now + timeout
        while true {
            var mismatches: [String] = []
            for id in ids {
                let payload = try await MosquittoPublish.retained(port: port, topic: "ckw2mqtt/\(id)/state")
                if let problem = stateMismatch(payload.flatMap(MQTTWatcher.object), expected[id]!) {
                    mismatches.append("\(id): \(problem)")
                }
            }
            if mismatches.isEmpty || ContinuousClock.now >= deadline { return mismatches }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

/// The state file and the token store are each either the old or the new version: both load.
func expectStateDirectoryIntact(_ directory: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(throws: Never.self, "state.json is readable", sourceLocation: sourceLocation) {
        _ = try StateStore(directory: directory).load()
    }
    #expect(throws: Never.self, "tokens.json is readable", sourceLocation: sourceLocation) {
        let tokens = try TokenStore(directory: URL(fileURLWithPath: directory)).load()
        #expect(tokens != nil, "the login is still there", sourceLocation: sourceLocation)
    }
}

/// The newest interval end in the saved ledger of `id`, read as the bridge would at its next start.
func savedNewestIntervalEnd(_ directory: String, id: String) throws -> Date? {
    try StateStore(directory: directory).load()?.ledger.lastCompleteInterval(meteringPointId: id)?.end
}

/// Why `state` is not what `expected` says, or `nil` when it is.
func stateMismatch(_ state: [String: Any]?, _ expected: SimulatorData.Expected) -> String? {
    guard let state else { return "no retained state" }
    guard let last = expected.lastInterval else { return "the simulator has no interval" }
    let end: Date? = isoDate(state["interval_end"])
    let imports: Int64? = wattHours(state["energy_import_total"])
    let exports: Int64? = wattHours(state["energy_export_total"])
    guard end == last.end, imports == expected.importTotalWh, exports == expected.exportTotalWh else {
        let shownEnd = end.map { ISO8601Timestamp.format($0) } ?? "-"
        let expectedExport = expected.exportTotalWh.map { "\($0)" } ?? "-"
        return "interval_end \(shownEnd) (expected \(ISO8601Timestamp.format(last.end))), "
            + "import \(imports.map { "\($0)" } ?? "-") Wh (expected \(expected.importTotalWh)), "
            + "export \(exports.map { "\($0)" } ?? "-") Wh (expected \(expectedExport))"
    }
    return nil
}

extension BridgeHarness {
    /// Waits until the broker has acknowledged, after `since`, the discovery of every one of `ids`
    /// and then its state (the in-process bridge's own events), and returns how long after `since`
    /// that was complete: the recovery time RELIABILITY.md reports.
    func waitForRepublication(of ids: [String], since: ContinuousClock.Instant, timeout: Duration = .seconds(30)) async throws -> Duration {
        var recovered: ContinuousClock.Instant?
        try await waitUntil("discovery and states of \(ids.count) metering points acknowledged again", timeout: timeout) {
            recovered = events.withLock { events in
                let after = events.filter { $0.at >= since }
                guard let discovery = after.first(where: {
                    if case .discoveryAcknowledged(let meters) = $0.kind { meters >= ids.count } else { false }
                }) else { return nil }
                var last = discovery.at
                for id in ids {
                    guard let state = after.first(where: {
                        guard $0.at >= discovery.at else { return false }
                        if case .statesAcknowledged(let acknowledged, _) = $0.kind { return acknowledged.contains(id) } else { return false }
                    }) else { return nil }
                    last = max(last, state.at)
                }
                return last
            }
            return recovered != nil
        }
        return recovered! - since
    }
}

/// Prints a measured recovery time as one greppable line (`swift test ... | grep recovery:`), the
/// source of the figures in RELIABILITY.md. Reported, never asserted: timings depend on the machine.
func reportRecovery(_ test: String, _ what: String, _ duration: Duration) {
    let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    print("recovery: \(test): \(what): \(Int(milliseconds.rounded())) ms")
}

/// Runs `body` with the simulator's own data and always closes its HTTP client, also when an
/// expectation throws: a client left open crashes the whole test process in its deinit.
func withSimulatorData<Result>(_ harness: BridgeHarness, _ body: (SimulatorData) async throws -> Result) async throws -> Result {
    let data = try await SimulatorData.connect(to: harness.simulator)
    do {
        let result = try await body(data)
        await data.close()
        return result
    } catch {
        await data.close()
        throw error
    }
}
