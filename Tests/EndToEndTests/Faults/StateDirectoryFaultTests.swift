import Bridge
import Foundation
import Testing
import TestSupport

/// The state directory stops taking writes while the daemon runs: it becomes read-only (mode 0500,
/// obeyed even by root once CAP_DAC_OVERRIDE is dropped), or full (RLIMIT_FSIZE lowered on the
/// running process with SIGXFSZ ignored, so writes fail with EFBIG part-way as on a full disk;
/// a tiny file system would need root). The bridge says so clearly, keeps the old state file
/// intact, never publishes values it could not save, and catches up within seconds once writes work
/// again: it retries the save, without waiting for the next poll (the simulated clock stands still).
@Suite("Faults: the state directory", .timeLimit(.minutes(3)))
struct StateDirectoryFaultTests {
    @Test("read-only: a clear error, the state file untouched, saved and published again soon after it is writable")
    func readOnly() async throws {
        try await withHarness { harness in
            let daemon = try DaemonProcess(harness: harness, launch: .obeyingFilePermissions)
            try await checkWritesFailAndRecover(harness, daemon, reason: "permission denied") {
                chmod(harness.stateDirectory, 0o500)
            } restore: {
                chmod(harness.stateDirectory, 0o700)
            }
        }
    }

    @Test("full: a clear error, the state file untouched, no leftovers, saved and published again soon after writes fit")
    func full() async throws {
        try await withHarness { harness in
            let daemon = try DaemonProcess(harness: harness, launch: .ignoringFileSizeSignal)
            let stateFile = StateStore(directory: harness.stateDirectory).filePath
            try await checkWritesFailAndRecover(harness, daemon, reason: "file too large") {
                // Half the current state: the new one (longer by the new intervals) cannot be written.
                let size = try FileManager.default.attributesOfItem(atPath: stateFile)[.size] as? UInt64 ?? 0
                try await daemon.limitFileSize(to: size / 2)
            } restore: {
                try await daemon.limitFileSize(to: nil)
            }
        }
    }

    private func checkWritesFailAndRecover(
        _ harness: BridgeHarness, _ daemon: DaemonProcess, reason: String, test: String = #function,
        break breakWrites: () async throws -> Void, restore: () async throws -> Void
    ) async throws {
        try await withSimulatorData(harness) { data in
            let ids = try await data.meteringPointIds()
            try await waitForRetainedStates(harness, data, ids)
            let stateFile = StateStore(directory: harness.stateDirectory).filePath
            let savedBefore = try Data(contentsOf: URL(fileURLWithPath: stateFile))
            let publishedBefore = try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/\(ids[0])/state")

            try await breakWrites()
            harness.advanceClock(by: 3600)
            let line = try await daemon.waitForLog("Cannot save the state in \(harness.stateDirectory)")
            #expect(line.lowercased().contains(reason), "\(line)")
            let info = try await waitForRetainedInfo(harness) { ($0["last_error"] as? String)?.contains("Cannot save the state") == true }
            #expect((info["last_error"] as? String)?.lowercased().contains(reason) == true)
            // Nothing corrupted, nothing left behind, nothing shown that is not on disk.
            #expect(try Data(contentsOf: URL(fileURLWithPath: stateFile)) == savedBefore)
            expectStateDirectoryIntact(harness.stateDirectory)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.stateDirectory).filter { $0.contains(".tmp-") }
            #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
            #expect(try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/\(ids[0])/state") == publishedBefore)
            #expect(daemon.isRunning)

            try await restore()
            // No poll is due (the clock stands still): the retried save brings it all out.
            let restored = ContinuousClock.now
            _ = try await daemon.waitForLog("the state is saved again", timeout: .seconds(45))
            try await waitForRetainedStates(harness, data, ids)
            reportRecovery("StateDirectoryFaultTests/\(test.prefix { $0 != "(" })", "writable again -> saved and retained states right, no poll", .now - restored)
            #expect(try Data(contentsOf: URL(fileURLWithPath: stateFile)) != savedBefore)
            _ = try await daemon.terminate()
        }
    }

    private func waitForRetainedInfo(_ harness: BridgeHarness, _ predicate: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let payload = try await MosquittoPublish.retained(port: harness.broker.port, topic: "ckw2mqtt/bridge/info")
            if let info = payload.flatMap(MQTTWatcher.object), predicate(info) { return info }
            guard ContinuousClock.now < deadline else { throw TestFailure("bridge/info never matched; last: \(payload ?? "none")") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
