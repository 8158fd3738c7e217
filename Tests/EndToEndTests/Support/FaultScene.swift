import Foundation
import OpenEnergy
import Testing
import TestSupport

/// The start of every API and token fault test: a bridge that has published its first values
/// undisturbed, `mosquitto_sub` watching it, and a reader of the simulator's data for the yardstick.
struct FaultScene {
    let harness: BridgeHarness
    let watcher: MQTTWatcher
    let data: SimulatorData
    /// The household's metering points, sorted.
    let ids: [String]

    static func run(_ settings: BridgeHarness.Settings = .init(), _ body: (FaultScene) async throws -> Void) async throws {
        try await withHarness(settings) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            let data = try await SimulatorData.connect(to: harness.simulator)
            do {
                let ids = try await data.api.coreData().meteringPoints.map(\.id).sorted()
                try harness.startBridge()
                let scene = FaultScene(harness: harness, watcher: watcher, data: data, ids: ids)
                for id in ids { try await scene.expectUndisturbed(id) }
                try await body(scene)
            } catch {
                await watcher.stop()
                await data.close()
                throw error
            }
            await watcher.stop()
            await data.close()
        }
    }

    /// Simulated time moves on by `seconds` (an hour: four new intervals and a due poll).
    func advance(by seconds: Int = 3600) { harness.advanceClock(by: seconds) }

    /// The broker holds exactly what an undisturbed run holds now (see ``UndisturbedRun``).
    func expectUndisturbed(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await UndisturbedRun.expectRetainedState(of: id, harness: harness, watcher: watcher, data: data, sourceLocation: sourceLocation)
    }

    /// The newest `bridge/info` satisfying `predicate`, waiting for it.
    @discardableResult
    func info(_ description: String, after mark: Int = 0, where predicate: @escaping ([String: Any]) -> Bool) async throws -> [String: Any] {
        try await watcher.waitForJSON("ckw2mqtt/bridge/info", description, after: mark, where: predicate)
    }

    /// How many messages the watcher has seen so far: a mark to look at what came after it.
    var mark: Int { watcher.messages.count }

    /// The payloads on `topic` since `mark`.
    func payloads(on topic: String, since mark: Int) -> [String] {
        watcher.messages.dropFirst(mark).filter { $0.topic == topic }.map(\.payload)
    }

    /// Nothing of a refused answer reached the broker: every state of `id` since `mark` (the bridge
    /// republishes it with the availability) is the one from before.
    func expectStateUnchanged(of id: String, since mark: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let topic = "ckw2mqtt/\(id)/state"
        let before = watcher.messages.prefix(mark).last { $0.topic == topic }?.payload
        for payload in payloads(on: topic, since: mark) {
            #expect(payload == before, sourceLocation: sourceLocation)
        }
    }

    /// The fault was absorbed by the retries: since `mark` no meter turned unavailable and no error
    /// reached `bridge/info`.
    func expectAbsorbed(since mark: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        for id in ids {
            #expect(!payloads(on: "ckw2mqtt/\(id)/availability", since: mark).contains("offline"), sourceLocation: sourceLocation)
        }
        let errors = payloads(on: "ckw2mqtt/bridge/info", since: mark).compactMap { MQTTWatcher.object($0)?["last_error"] as? String }
        #expect(errors.isEmpty, "errors in bridge/info: \(errors)", sourceLocation: sourceLocation)
    }
}

/// `error` contains `text`, for predicates on `bridge/info`.
func lastError(_ info: [String: Any], contains text: String) -> Bool {
    (info["last_error"] as? String)?.contains(text) == true
}
