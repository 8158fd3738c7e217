import Foundation
import OpenEnergySimulator
import Testing
import TestSupport

/// `ckw2mqtt run` trims its heap a few seconds after each state save, and keeps working.
@Suite("Memory upkeep of a real ckw2mqtt process", .timeLimit(.minutes(2)))
struct MemoryUpkeepTests {
    @Test("after a state save the heap is trimmed; the next poll still fetches and publishes")
    func heapIsTrimmedAfterSavesAndTheBridgeKeepsWorking() async throws {
        try await ProcessScene.run { scene in
            try await BridgeExecutable.logIn(stateDirectory: scene.stateDirectory, simulator: scene.simulator)
            let bridge = try scene.startBridge(mqttClientID: "ckw2mqtt-memory", logLevel: "debug")
            let id = try await scene.data.meteringPointId()
            try await scene.expectUndisturbed(id)

            let line = try await bridge.child.waitForLine("the heap trimmed after the first save", timeout: .seconds(40)) {
                $0.contains("trimmed the heap after a state save")
            }
            let before = try #require(Self.megabytes(after: "anonymousBefore=", in: line), "\(line)")
            let after = try #require(Self.megabytes(after: "anonymousAfter=", in: line), "\(line)")
            #expect(before > 0 && after > 0, "\(line)")

            // An hour of new data: fetched, applied, saved, published, and trimmed again.
            let trims = { bridge.child.lines.count { $0.contains("trimmed the heap after a state save") } }
            let trimsBefore = trims()
            let fetched = bridge.fetchCount
            scene.simulator.clock.advance(by: .seconds(3600))
            try await MosquittoPublish.send(port: scene.broker.port, topic: "ckw2mqtt/bridge/request/refresh", payload: nil)
            try await bridge.waitForFetch(after: fetched)
            try await scene.expectUndisturbed(id)
            let deadline = ContinuousClock.now + .seconds(20)
            while trims() == trimsBefore, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(trims() > trimsBefore, "no trim after the second save:\n\(bridge.log)")
            #expect(bridge.isRunning, "\(bridge.log)")
        }
    }

    /// "anonymousBefore=4.1 MB" -> 4.1
    static func megabytes(after key: String, in line: String) -> Double? {
        guard let range = line.range(of: key) else { return nil }
        let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(number)
    }
}
