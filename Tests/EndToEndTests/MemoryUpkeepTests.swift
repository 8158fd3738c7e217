import Foundation
import OpenEnergySimulator
import Testing
import TestSupport

/// `ckw2mqtt run` gives back the pages only start-up used once it has caught up, and keeps working.
@Suite("Memory upkeep of a real ckw2mqtt process", .timeLimit(.minutes(2)))
struct MemoryUpkeepTests {
    @Test("once caught up, the resident set shrinks; the next poll still fetches and publishes")
    func startupPagesAreGivenBackAndTheBridgeKeepsWorking() async throws {
        try await ProcessScene.run { scene in
            try await BridgeExecutable.logIn(stateDirectory: scene.stateDirectory, simulator: scene.simulator)
            let bridge = try scene.startBridge(mqttClientID: "ckw2mqtt-memory", logLevel: "debug")
            let id = try await scene.data.meteringPointId()
            try await scene.expectUndisturbed(id)

            let line = try await bridge.child.waitForLine("the start-up pages given back", timeout: .seconds(40)) {
                $0.contains("gave back the pages only start-up used")
            }
            let before = try #require(Self.megabytes(after: "residentBefore=", in: line), "\(line)")
            let after = try #require(Self.megabytes(after: "residentAfter=", in: line), "\(line)")
            #expect(after < before * 0.8, "\(line)")

            // An hour of new data: fetched, applied, saved and published by code that had to fault
            // back in.
            let fetched = bridge.fetchCount
            scene.simulator.clock.advance(by: .seconds(3600))
            try await MosquittoPublish.send(port: scene.broker.port, topic: "ckw2mqtt/bridge/request/refresh", payload: nil)
            try await bridge.waitForFetch(after: fetched)
            try await scene.expectUndisturbed(id)
            #expect(bridge.isRunning, "\(bridge.log)")
        }
    }

    /// "residentBefore=40.8 MB" -> 40.8
    static func megabytes(after key: String, in line: String) -> Double? {
        guard let range = line.range(of: key) else { return nil }
        let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(number)
    }
}
