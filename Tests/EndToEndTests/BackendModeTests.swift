import Bridge
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

@Suite("Backend mode as CKW's portal describes it", .timeLimit(.minutes(2)))
struct BackendModeTests {
    @Test("the user's login and the app credentials bring the user's meter to the broker")
    func loginAndAppCredentials() async throws {
        try await withHarness(.init(meters: 1, mode: .backend)) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the metering point") {
                ($0["metering_points"] as? [String])?.count == 1
            }
            let point = try #require((info["metering_points"] as? [String])?.first)
            try await watcher.waitForJSON("ckw2mqtt/\(point)/state", "the meter's values") { $0["energy_import_total"] is Double }
            await watcher.stop()
        }
    }
}
