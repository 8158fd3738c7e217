import AsyncHTTPClient
import Bridge
import EnergyDomain
import Foundation
import NIOCore
import NIOHTTP1
import OpenEnergySimulator
import Testing
import TestSupport

/// The box's wall clock is stepped under the real `ckw2mqtt run`: it boots two days behind and NTP
/// sets it, later it is set back 3 h and forward again. The daemon follows the simulator's clock
/// (`--simulator-clock`): CKW's simulated time is its monotonic clock, and the simulator's
/// "bridge clock error" (`PUT /_sim/clock {"stepBridgeClockSeconds": ...}`) is how far its wall
/// clock is off; CKW's own time is never stepped.
@Suite("Faults: the system clock is stepped", .timeLimit(.minutes(4)))
struct ClockJumpFaultTests {
    @Test("booted 2 days behind then set by NTP, set back 3 h and forward again: each step logged once, every interval on disk with the generator's value, totals right")
    func steppedBothWays() async throws {
        try await withHarness(.init(meters: 1)) { harness in
            try await withSimulatorData(harness) { data in
                let ids = try await data.meteringPointIds()
                let clock = harness.simulator.clock
                try await stepBridgeClock(harness, by: -2 * 86_400)
                let daemon = try DaemonProcess(harness: harness)
                // The look-back as the stale clock sees it: what CKW had two days ago.
                let stale = try await data.retainedStatesMismatches(
                    port: harness.broker.port, ids: ids, now: clock.now.addingTimeInterval(-2 * 86_400))
                #expect(stale.isEmpty, "\(stale)")
                let usedBefore = try await usedToday(harness) { $0 >= 2 }

                // NTP sets the clock: the daemon says so, and its next poll (at its usual spacing,
                // 20 minutes after the last one) fetches the two days its clock did not know of.
                var stepped = ContinuousClock.now
                try await stepBridgeClock(harness, by: 2 * 86_400)
                try await daemon.waitForLog("the system clock jumped forward 2 d 0 h 0 min")
                reportRecovery("ClockJumpFaultTests/steppedBothWays", "clock set forward 2 d -> logged", .now - stepped)
                harness.advanceClock(by: 20 * 60)
                try await waitForRetainedStates(harness, data, ids)
                reportRecovery("ClockJumpFaultTests/steppedBothWays", "clock set forward 2 d -> the two days on the broker (poll due)", .now - stepped)
                // The requests sent while the clock was stale still count against the day's budget.
                let usedAfterPoll = try await usedToday(harness) { $0 > usedBefore }
                try await expectEveryInterval(harness, ids[0], through: clock.now)

                // Set back 3 h: logged; the next poll knows of no newer interval and asks for none.
                stepped = .now
                try await stepBridgeClock(harness, by: -3 * 3600)
                try await daemon.waitForLog("the system clock jumped back 3 h 0 min")
                reportRecovery("ClockJumpFaultTests/steppedBothWays", "clock set back 3 h -> logged", .now - stepped)
                // Requests of the last hours are not "in the future" now: the budget still counts them.
                harness.advanceClock(by: 60)
                _ = try await usedToday(harness) { $0 == usedAfterPoll }
                harness.advanceClock(by: 60 * 60)
                // Forward again: the hour the daemon could not see is fetched by the next poll.
                stepped = .now
                try await stepBridgeClock(harness, by: 3 * 3600)
                try await daemon.waitForLog("the system clock jumped forward 3 h 0 min")
                harness.advanceClock(by: 20 * 60)
                try await waitForRetainedStates(harness, data, ids)
                reportRecovery("ClockJumpFaultTests/steppedBothWays", "clock set forward 3 h -> the hour on the broker (poll due)", .now - stepped)
                try await expectEveryInterval(harness, ids[0], through: clock.now)

                #expect(daemon.output.components(separatedBy: "the system clock jumped").count - 1 == 3, "\(daemon.output)")
                _ = try await daemon.terminate()
                // What the state says after the run: the same, interval by interval.
                try await expectEveryInterval(harness, ids[0], through: clock.now)
            }
        }
    }

    /// Steps the clock the daemon sees through the simulator's control API, as a person rehearsing would.
    private func stepBridgeClock(_ harness: BridgeHarness, by seconds: Int) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: harness.simulator.baseURL.appendingPathComponent("_sim/clock").absoluteString)
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"stepBridgeClockSeconds":\#(seconds)}"#))
        let status: HTTPResponseStatus
        do {
            status = try await client.execute(request, timeout: .seconds(10)).status
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        guard status == .ok else { throw TestFailure("PUT /_sim/clock answered \(status)") }
    }

    /// The login's requests of the last 24 hours as the retained `bridge/info` shows them, once
    /// `condition` holds for it (within 10 s).
    private func usedToday(_ harness: BridgeHarness, sourceLocation: SourceLocation = #_sourceLocation, _ condition: (Int) -> Bool) async throws -> Int {
        var shown: Int?
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            let payload = try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/bridge/info")
            let info = payload.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            shown = (info?["rate_limit"] as? [String: Any])?["used_today"] as? Int
            if let shown, condition(shown) { return shown }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        Issue.record("bridge/info shows used_today \(shown.map(String.init) ?? "-")", sourceLocation: sourceLocation)
        return shown ?? 0
    }

    /// Every quarter hour of the three days before `now` is in the saved ledger with the value the
    /// simulator's generator gives it (not read through our API client or decoder).
    private func expectEveryInterval(_ harness: BridgeHarness, _ id: String, through now: Date, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let end = Int(now.timeIntervalSince1970) / 900 * 900
        let start = end - 3 * 86_400
        let point = try #require(harness.simulator.catalog.meteringPoint(id: id))
        let generator = MeterDataGenerator(seed: harness.simulator.configuration.seed)
        var truth: [Int: Int64] = [:]
        for localDay in (start / 86_400 - 1)...(end / 86_400 + 1) {
            for interval in generator.intervals(.consumption, of: point, localDay: localDay) { truth[interval.start] = interval.wattHours }
        }
        // Saved after every batch; give the last one a moment to reach the disk.
        var wrong: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            wrong = []
            let ledger = try #require(try StateStore(directory: harness.stateDirectory).load()?.ledger[id])
            for slot in stride(from: start, to: end, by: 900) {
                let saved = ledger.interval(.consumption, startingAt: Date(timeIntervalSince1970: TimeInterval(slot)))
                let expected = try #require(truth[slot]) * 1000
                if saved?.energy.milliwattHours != expected {
                    wrong.append("\(Date(timeIntervalSince1970: TimeInterval(slot))): \(saved.map { "\($0.energy.milliwattHours) mWh" } ?? "missing"), expected \(expected) mWh")
                }
            }
            if wrong.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        #expect(wrong.isEmpty, "\(wrong.count) intervals wrong or missing, first: \(wrong.prefix(4))", sourceLocation: sourceLocation)
    }
}
