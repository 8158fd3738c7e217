import Bridge
import Foundation
import OpenEnergySimulator
import Testing
import TestSupport

/// The daemon itself dies (SIGKILL at any point of its cycle, leaving its will) or is stopped
/// (SIGTERM) in the middle of a batch. The real `ckw2mqtt run` binary, following the simulator's clock.
@Suite("Faults: the bridge process", .timeLimit(.minutes(4)))
struct ProcessFaultTests {
    @Test("SIGKILL at random points of the cycle, twelve times in a row: state and login never torn, totals right")
    func killedAtRandomPoints() async throws {
        try await withHarness(.init(meters: 3)) { harness in
            try await withSimulatorData(harness) { data in
                let ids = try await data.meteringPointIds()
                var delays: [Int] = []
                var savedBefore: Date?
                for _ in 1...12 {
                    // Two hours of new intervals each round, so every start has a batch to fetch, save and publish.
                    harness.advanceClock(by: 2 * 3600)
                    let daemon = try DaemonProcess(harness: harness)
                    // Anywhere from before the first line of output to after the batch is published.
                    let delay = Int.random(in: 0...1_500)
                    delays.append(delay)
                    try await Task.sleep(for: .milliseconds(delay))
                    await daemon.kill()

                    expectStateDirectoryIntact(harness.stateDirectory)
                    // Old or new, never older than before: a saved interval is never lost again.
                    let saved = try savedNewestIntervalEnd(harness.stateDirectory, id: ids[0])
                    if let savedBefore { #expect(saved.map { $0 >= savedBefore } == true, "kill delays so far (ms): \(delays)") }
                    savedBefore = saved ?? savedBefore
                }

                // A last batch, so the measured start has to fetch, save and publish.
                harness.advanceClock(by: 2 * 3600)
                let started = ContinuousClock.now
                let daemon = try DaemonProcess(harness: harness)
                let mismatches = try await data.retainedStatesMismatches(port: harness.broker.port, ids: ids, now: harness.simulator.clock.now)
                #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "; ")); kill delays (ms): \(delays)")
                reportRecovery("ProcessFaultTests/killedAtRandomPoints", "next start -> retained states right (process start, login, fetch)", .now - started)
                _ = try await daemon.terminate()
            }
        }
    }

    @Test("SIGKILL: the broker publishes the daemon's will, a retained `offline`, as its connection broke without DISCONNECT")
    func killedLeavesItsWill() async throws {
        try await withHarness(.init(meters: 1)) { harness in
            try await withSimulatorData(harness) { data in
                let ids = try await data.meteringPointIds()
                let watcher = try await MQTTWatcher(port: harness.broker.port)
                let daemon = try DaemonProcess(harness: harness)
                try await waitForRetainedStates(harness, data, ids)
                try await watcher.waitFor("ckw2mqtt/bridge/state", "online") { $0.payload == "online" }
                let mark = watcher.messages.count

                // A process killed has no chance to say anything: the kernel closes its socket.
                await daemon.kill()

                try await watcher.waitFor("ckw2mqtt/bridge/state", "the will", after: mark) { $0.payload == "offline" }
                #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/bridge/state") == "offline")
                // The broker's log tells a will from the bridge's own `offline`: the connection closed
                // without DISCONNECT.
                let brokerLog = harness.broker.log
                #expect(brokerLog.range(of: #"Client ckw2mqtt-daemon-\S+ closed its connection"#, options: .regularExpression) != nil,
                        "the daemon's connection did not break in the broker's log:\n\(brokerLog)")
                #expect(brokerLog.range(of: #"Client ckw2mqtt-daemon-\S+ disconnected\."#, options: .regularExpression) == nil, "\(brokerLog)")
                await watcher.stop()
            }
        }
    }

    @Test("SIGTERM in the middle of a batch: exits within seconds, state saved, `offline` retained, nothing lost")
    func terminatedMidBatch() async throws {
        try await withHarness(.init(meters: 4)) { harness in
            try await withSimulatorData(harness) { data in
                let ids = try await data.meteringPointIds()
                let watcher = try await MQTTWatcher(port: harness.broker.port)
                let daemon = try DaemonProcess(harness: harness, logLevel: "debug")
                try await waitForRetainedStates(harness, data, ids)

                // The next batch crawls (a slow answer per meter); stop the daemon once its first answer is in.
                let appliedBefore = daemon.output.components(separatedBy: "meter data applied").count
                await harness.simulator.controls.slowDown(ids.count, by: .milliseconds(800))
                harness.advanceClock(by: 3 * 3600)
                try await harness.waitUntil("the first meter of the batch is applied") {
                    daemon.output.components(separatedBy: "meter data applied").count > appliedBefore
                }
                let took = try await daemon.terminate()
                #expect(took < .seconds(5), "shut down in \(took)")
                reportRecovery("ProcessFaultTests/terminatedMidBatch", "SIGTERM -> process exited", took)
                #expect(daemon.child.terminationStatus == 0, "\(daemon.output)")

                // `offline` is the last word on the bridge's availability, published by the bridge itself.
                try await watcher.waitFor("ckw2mqtt/bridge/state", "offline") { $0.payload == "offline" }
                #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/bridge/state") == "offline")
                #expect(daemon.output.contains("ckw2mqtt stopped"))
                #expect(!daemon.output.contains("could not publish `offline`"))
                // The daemon said DISCONNECT, which makes the broker discard the will: so the retained
                // `offline` is the bridge's own message, not the will of a connection that broke.
                let brokerLog = harness.broker.log
                #expect(brokerLog.range(of: #"Client ckw2mqtt-daemon-\S+ disconnected\."#, options: .regularExpression) != nil,
                        "no clean DISCONNECT of the daemon in the broker's log:\n\(brokerLog)")
                #expect(brokerLog.range(of: #"Client ckw2mqtt-daemon-\S+ closed its connection"#, options: .regularExpression) == nil, "\(brokerLog)")
                // What was fetched before the signal is on disk.
                expectStateDirectoryIntact(harness.stateDirectory)
                var newest: [Date] = []
                for id in ids { if let end = try savedNewestIntervalEnd(harness.stateDirectory, id: id) { newest.append(end) } }
                let expectedNewest = try #require(try await data.expected(for: ids[0], now: harness.simulator.clock.now).lastInterval?.end)
                #expect(newest.contains(expectedNewest), "at least the meter answered before SIGTERM is saved up to \(expectedNewest): \(newest)")

                // The next start completes the batch without counting anything twice.
                await harness.simulator.controls.clearFaults()
                let restarted = ContinuousClock.now
                let again = try DaemonProcess(harness: harness)
                try await waitForRetainedStates(harness, data, ids)
                reportRecovery("ProcessFaultTests/terminatedMidBatch", "next start -> the batch complete on the broker", .now - restarted)
                _ = try await again.terminate()
                await watcher.stop()
            }
        }
    }
}
