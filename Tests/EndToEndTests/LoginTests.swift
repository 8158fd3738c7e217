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
            let mark = watcher.mark
            try await harness.logIn()
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "ok again", after: mark) { $0["auth"] as? String == "ok" }
            try await watcher.waitFor("ckw2mqtt/\(id)/availability", "online again", after: mark) { $0.payload == "online" }
            await watcher.stop()
        }
    }

    @Test("the reload (SIGHUP's path) takes a new login at once, without waiting for the token file check")
    func reloadTakesTheNewLogin() async throws {
        // The token file is looked at only hourly here: only the reload can end the wait in time.
        try await withHarness(.init(tokenCheckInterval: .seconds(3600))) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the first fetch") { $0["auth"] as? String == "ok" }
            await harness.simulator.controls.revokeSessions(ofUser: "demo")
            await harness.simulator.controls.expireAllAccessTokens()
            harness.advanceClock(by: 3600)
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "login_required") { $0["auth"] as? String == "login_required" }
            let mark = watcher.mark
            try await harness.logIn()
            await harness.bridge?.reloadLogin()
            try await watcher.waitForJSON("ckw2mqtt/bridge/info", "ok after the reload", after: mark) { $0["auth"] as? String == "ok" }
            await watcher.stop()
        }
    }
}
