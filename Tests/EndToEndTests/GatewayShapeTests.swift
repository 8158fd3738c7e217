import EnergyDomain
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

/// The real bridge (in this process, real HTTP and OAuth2) against the simulator's gateway shapes
/// (`ckw2mqtt simulate --core-data-path ... --unauthorized-after-refresh N`): with the matching
/// `ckw.api.*` configuration it fetches every interval; without it, it fails with an error that
/// says what to change. Expected totals come from
/// the simulator's generator, not through our client.
@Suite("The simulator's gateway shapes against the real bridge", .timeLimit(.minutes(3)))
struct GatewayShapeTests {
    /// A harness with `mosquitto_sub` watching and the bridge started; both always stopped.
    static func withBridge(_ settings: BridgeHarness.Settings, _ body: (BridgeHarness, MQTTWatcher) async throws -> Void) async throws {
        try await withHarness(settings) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            do {
                try harness.startBridge()
                try await body(harness, watcher)
            } catch {
                await watcher.stop()
                throw error
            }
            await watcher.stop()
        }
    }

    static func meteringPoint(_ harness: BridgeHarness) -> SimulatedMeteringPoint { harness.simulator.catalog.meteringPoint(at: 0) }

    /// The import total the generator has at the end of the interval ending at `end`.
    static func importTotal(_ harness: BridgeHarness, at end: Date) -> Int64? {
        MeterDataGenerator(seed: harness.simulator.configuration.seed)
            .lifetimeTotal(.consumption, of: meteringPoint(harness), at: Int(end.timeIntervalSince1970))
    }

    /// Waits for the state of the newest quarter hour the simulator delivers now, with the generator's total.
    @discardableResult
    static func expectCaughtUp(_ harness: BridgeHarness, _ watcher: MQTTWatcher, timeout: Duration = .seconds(20)) async throws -> [String: Any] {
        let end = Date(timeIntervalSince1970: (harness.simulator.clock.now.timeIntervalSince1970 / 900).rounded(.down) * 900)
        let total = importTotal(harness, at: end)
        return try await watcher.waitForJSON("ckw2mqtt/\(meteringPoint(harness).id)/state", "the total \(total ?? -1) Wh after \(end)", timeout: timeout) {
            isoDate($0["interval_end"]) == end && wattHours($0["energy_import_total"]) == total
        }
    }

    // MARK: Paths

    @Test("another path layout: without ckw.api.*_path a 404 that names the keys; with them every interval")
    func otherPathLayout() async throws {
        var settings = BridgeHarness.Settings()
        settings.gateway.coreDataPath = "v2/customer/core"
        settings.gateway.meterDataPath = "v2/points/{meteringPointId}/readings"
        try await Self.withBridge(settings) { harness, watcher in
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the 404") { lastError($0, contains: "HTTP 404") }
            #expect(lastError(info, contains: "ckw.api.core_data_path"), "\(info)")
            #expect(watcher.count("ckw2mqtt/\(Self.meteringPoint(harness).id)/state") == 0)
        }
        settings.contract.apiVersion = "v2"
        settings.contract.coreDataPath = "{version}/customer/core"
        settings.contract.meterDataPath = "{version}/points/{meteringPointId}/readings"
        try await Self.withBridge(settings) { harness, watcher in
            try await Self.expectCaughtUp(harness, watcher)
            harness.advanceClock(by: 3600)
            try await Self.expectCaughtUp(harness, watcher)
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "no error") { $0["last_error"] is NSNull }
            #expect(info["auth"] as? String == "ok")
        }
    }

    // MARK: 401 after a refresh

    @Test("401 for freshly refreshed tokens: retried with backoff, no login asked for; beyond the attempts an error that says the login works")
    func unauthorizedAfterRefresh() async throws {
        var settings = BridgeHarness.Settings()
        settings.gateway.unauthorizedAfterRefresh = 2
        try await Self.withBridge(settings) { harness, watcher in
            try await Self.expectCaughtUp(harness, watcher)
            let mark = watcher.mark
            await harness.simulator.controls.expireAllAccessTokens()
            let expired = ContinuousClock.now
            harness.advanceClock(by: 3600)
            try await Self.expectCaughtUp(harness, watcher)
            print("recovery: gateway 401 after a refresh (2 refusals): \(ContinuousClock.now - expired) from the poll to the caught-up state")
            let infos = watcher.messages.dropFirst(mark).filter { $0.topic == "ckw2mqtt/bridge/info" }.compactMap { MQTTWatcher.object($0.payload) }
            #expect(!infos.contains { $0["last_error"] is String || $0["auth"] as? String != "ok" }, "\(infos)")
        }
        settings.gateway.unauthorizedAfterRefresh = 6
        try await Self.withBridge(settings) { harness, watcher in
            try await Self.expectCaughtUp(harness, watcher)
            await harness.simulator.controls.expireAllAccessTokens()
            harness.advanceClock(by: 3600)
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the gateway's 401") { lastError($0, contains: "HTTP 401") }
            #expect(lastError(info, contains: "The login itself works"), "\(info)")
            #expect(info["auth"] as? String == "ok", "\(info)")
            try await watcher.waitFor("ckw2mqtt/\(Self.meteringPoint(harness).id)/availability", "offline") { $0.payload == "offline" }
        }
    }
}
