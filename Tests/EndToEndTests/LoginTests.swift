import Bridge
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

@Suite("Login required", .timeLimit(.minutes(2)))
struct LoginTests {
    @Test("a revoked login keeps the bridge online, turns the problem on and the meters offline; a new login recovers")
    func revokedAndRecovered() async throws {
        try await withHarness { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the first fetch") { $0["auth"] as? String == "ok" }
            let id = try #require((info["metering_points"] as? [String])?.first)
            try await watcher.waitFor("ckw2mqtt/\(id)/availability", "online") { $0.payload == "online" }

            await harness.simulator.controls.revokeSessions(ofUser: "demo")
            await harness.simulator.controls.expireAllAccessTokens()
            harness.advanceClock(by: 3600)
            let failed = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "login_required") { $0["auth"] as? String == "login_required" }
            #expect((failed["last_error"] as? String)?.contains("ckw2mqtt login") == true)
            try await watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
            #expect(watcher.messages.last { $0.topic == "ckw2mqtt/bridge/state" }?.payload == "online")

            // `ckw2mqtt login` writes new tokens; the bridge notices the file without a signal.
            try await harness.logIn()
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "ok again") { $0["auth"] as? String == "ok" }
            try await watcher.waitFor("ckw2mqtt/\(id)/availability", "online again") { $0.payload == "online" }

            // The same through SIGHUP's path: revoke, fail, log in, reload.
            await harness.simulator.controls.revokeSessions(ofUser: "demo")
            await harness.simulator.controls.expireAllAccessTokens()
            harness.advanceClock(by: 3600)
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "login_required again") { $0["auth"] as? String == "login_required" }
            try await harness.logIn()
            await harness.bridge?.reloadLogin()
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "ok after the reload") { $0["auth"] as? String == "ok" }
            await watcher.stop()
        }
    }
}
