import Bridge
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing
import TestSupport

/// The login fails under a running bridge (in this process, on the simulated clock): access tokens
/// die early, the refresh token is revoked while hours of data pile up.
@Suite("Faults: tokens", .timeLimit(.minutes(2)))
struct TokenFaultTests {
    @Test("access tokens that die early are refreshed on the 401, rotation stored, nobody notices")
    func accessTokenExpiresEarly() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            let store = TokenStore(directory: URL(fileURLWithPath: scene.harness.stateDirectory))
            let before = try #require(try store.load())
            let mark = scene.mark
            for _ in 0..<3 {
                await scene.harness.simulator.controls.expireAllAccessTokens()
                scene.advance()
                try await scene.expectUndisturbed(id)
            }
            scene.expectAbsorbed(since: mark)
            let auth = scene.payloads(on: "ckw2mqtt/bridge/info", since: mark).compactMap { MQTTWatcher.object($0)?["auth"] as? String }
            #expect(!auth.contains("login_required"))
            // Each refresh rotated the refresh token, and the newest one is on disk.
            let after = try #require(try store.load())
            #expect(after.refreshToken != before.refreshToken)
        }
    }

    @Test("a revoked refresh token: problem on, meters unavailable, bridge and MQTT alive; after a new login and the reload the hours in between are all there")
    func refreshTokenRevoked() async throws {
        // The token file is looked at only hourly: the reload, not the file check, must bring the login back.
        try await FaultScene.run(.init(tokenCheckInterval: .seconds(3600))) { scene in
            let id = scene.ids[0]
            let simulator = scene.harness.simulator
            await simulator.controls.revokeSessions(ofUser: "demo")
            await simulator.controls.expireAllAccessTokens()
            scene.advance()
            let failed = try await scene.info("login required") { $0["auth"] as? String == "login_required" }
            #expect(lastError(failed, contains: "ckw2mqtt login"))
            try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
            #expect(try await MosquittoPublish.retained(port: scene.harness.broker.port, topic: "ckw2mqtt/bridge/state") == "online")

            // Hours pass without a login. The MQTT side stays alive: Home Assistant's birth is answered.
            scene.advance(by: 3 * 3600)
            let configTopic = "homeassistant/device/ckw2mqtt_\(id)/config"
            let configsBefore = scene.watcher.count(configTopic)
            try await MosquittoPublish.send(port: scene.harness.broker.port, topic: "homeassistant/status", payload: "online")
            try await scene.watcher.waitFor(configTopic, "discovery after the birth") { _ in scene.watcher.count(configTopic) > configsBefore }
            #expect(scene.watcher.messages.last { $0.topic == "ckw2mqtt/bridge/state" }?.payload == "online")

            // `ckw2mqtt login`, then what SIGHUP does; the same bridge, no restart.
            let bridge = try #require(scene.harness.bridge)
            let mark = scene.mark
            try await scene.harness.logIn()
            await bridge.reloadLogin()
            try await scene.info("ok again", after: mark) { $0["auth"] as? String == "ok" }
            #expect(scene.harness.bridge === bridge)

            // The revocation ended the reader's session as well: a new one reads the yardstick.
            let reader = try await SimulatorData.connect(to: simulator)
            try await UndisturbedRun.expectRetainedState(of: id, harness: scene.harness, watcher: scene.watcher, data: reader)
            await reader.close()
        }
    }
}
