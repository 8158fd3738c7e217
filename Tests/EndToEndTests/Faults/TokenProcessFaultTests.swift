import AsyncHTTPClient
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import Testing
import TestSupport

/// Login faults that only a real `ckw2mqtt run` process shows: SIGHUP after `ckw2mqtt login`, and
/// two processes that share one token store.
@Suite("Faults: tokens, real processes", .timeLimit(.minutes(2)))
struct TokenProcessFaultTests {
    @Test("revoked login in a running ckw2mqtt: login required, MQTT alive; `ckw2mqtt login` and SIGHUP resume the same process without a gap")
    func revokedLoginResumesAfterLoginAndHangup() async throws {
        try await ProcessScene.run { scene in
            try await BridgeExecutable.logIn(stateDirectory: scene.stateDirectory, simulator: scene.simulator)
            // The token file is looked at only hourly: SIGHUP, not the file check, must bring the login back.
            let bridge = try scene.startBridge(mqttClientID: "ckw2mqtt-hup", loginCheckInterval: "1h")
            let id = try await scene.data.meteringPointId()
            try await scene.expectUndisturbed(id)

            await scene.simulator.controls.revokeSessions(ofUser: "demo")
            await scene.simulator.controls.expireAllAccessTokens()
            // The next request meets the dead login; a refresh command makes it happen now.
            try await MosquittoPublish.send(port: scene.broker.port, topic: "ckw2mqtt/bridge/request/refresh", payload: nil)
            let failed = try await scene.watcher.waitForJSON("ckw2mqtt/bridge/info", "login required") { $0["auth"] as? String == "login_required" }
            #expect(lastError(failed, contains: "ckw2mqtt login"))
            try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
            #expect(try await MosquittoPublish.retained(port: scene.broker.port, topic: "ckw2mqtt/bridge/state") == "online")
            try await bridge.child.waitForLine("the operator's instruction") { $0.contains("CKW login required") && $0.contains("ckw2mqtt login") }

            // An hour of data arrives at CKW while nobody logs in.
            scene.simulator.clock.advance(by: .seconds(3600))
            let mark = scene.watcher.mark
            try await BridgeExecutable.logIn(stateDirectory: scene.stateDirectory, simulator: scene.simulator)
            bridge.signal(SIGHUP)
            try await scene.watcher.waitForJSON("ckw2mqtt/bridge/info", "ok again", after: mark) { $0["auth"] as? String == "ok" }
            #expect(bridge.isRunning)

            // The revocation ended the reader's session too: a new one reads the yardstick.
            let reader = try await SimulatorData.connect(to: scene.simulator)
            let expected = try await reader.expected(for: id, now: scene.simulator.clock.now)
            await reader.close()
            try await UndisturbedRun.expectRetainedState(of: id, expected: expected, brokerPort: scene.broker.port, watcher: scene.watcher)
            #expect(bridge.isRunning, "the bridge restarted or died:\n\(bridge.log)")
        }
    }

    @Test("two ckw2mqtt processes sharing one state directory: the second warns, no rotation is lost")
    func twoProcessesShareOneTokenStore() async throws {
        try await ProcessScene.run { scene in
            try await BridgeExecutable.logIn(stateDirectory: scene.stateDirectory, simulator: scene.simulator)
            let id = try await scene.data.meteringPointId()
            let first = try scene.startBridge(mqttClientID: "ckw2mqtt-first", logLevel: "debug")
            try await scene.expectUndisturbed(id)
            let second = try scene.startBridge(mqttClientID: "ckw2mqtt-second", logLevel: "debug")
            try await second.child.waitForLine("the warning") {
                $0.contains("another ckw2mqtt bridge (pid \(first.processIdentifier)) already runs with the state directory")
            }
            #expect(!first.log.contains("another ckw2mqtt bridge"))

            // Every access token dies and both processes fetch at once: both need a refresh, and
            // with rotation only one of them may use the refresh token; the other must take the
            // result from the shared store instead of sending the used token (which ends the login).
            for _ in 0..<3 {
                let fetchedBefore = [first, second].map(\.fetchCount)
                scene.simulator.clock.advance(by: .seconds(900))
                await scene.simulator.controls.expireAllAccessTokens()
                try await MosquittoPublish.send(port: scene.broker.port, topic: "ckw2mqtt/bridge/request/refresh", payload: nil)
                for (bridge, before) in zip([first, second], fetchedBefore) {
                    try await bridge.waitForFetch(after: before)
                }
            }
            for bridge in [first, second] {
                #expect(bridge.isRunning)
                #expect(!bridge.log.contains("login required"), "\(bridge.log)")
            }
            let auth = scene.watcher.messages.filter { $0.topic == "ckw2mqtt/bridge/info" }.compactMap { MQTTWatcher.object($0.payload)?["auth"] as? String }
            #expect(!auth.contains("login_required"))

            let reader = try await SimulatorData.connect(to: scene.simulator)
            let expected = try await reader.expected(for: id, now: scene.simulator.clock.now)
            await reader.close()
            try await UndisturbedRun.expectRetainedState(of: id, expected: expected, brokerPort: scene.broker.port, watcher: scene.watcher)

            // The newest rotation is the one on disk: the stored refresh token still works.
            await first.stop()
            await second.stop()
            try await scene.expectStoredLoginWorks()
        }
    }
}
