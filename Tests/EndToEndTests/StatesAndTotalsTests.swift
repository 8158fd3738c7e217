import Bridge
import EnergyDomain
import Foundation
import OpenEnergy
import OpenEnergySimulator

import Testing
import TestSupport

@Suite("Discovery, states and totals", .timeLimit(.minutes(2)))
struct StatesAndTotalsTests {
    @Test("discovery and states appear, with the simulator's values, and survive a restart without double counting")
    func discoveryStatesAndRestart() async throws {
        try await withHarness { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            let data = try await SimulatorData.connect(to: harness.simulator)
            let id = try await data.meteringPointId()
            try harness.startBridge()

            try await watcher.waitFor("ckw2mqtt/bridge/state", "online") { $0.payload == "online" }
            let bridgeConfig = try await watcher.waitForJSON("homeassistant/device/ckw2mqtt_bridge/config", "bridge discovery") { $0["components"] != nil }
            #expect((bridgeConfig["origin"] as? [String: Any])?["name"] as? String == "ckw2mqtt")
            let meterConfig = try await watcher.waitForJSON("homeassistant/device/ckw2mqtt_\(id)/config", "meter discovery") { $0["components"] != nil }
            let components = try #require(meterConfig["components"] as? [String: Any])
            let importTotal = try #require(components["energy_import_total"] as? [String: Any])
            #expect(importTotal["device_class"] as? String == "energy")
            #expect(importTotal["state_class"] as? String == "total")
            #expect(importTotal["unique_id"] as? String == "ckw2mqtt_\(id)_energy_import_total")
            // The first household has solar panels: both directions, net power and the surplus sensor.
            #expect(components["energy_export_total"] != nil)
            #expect(components["production_surplus"] != nil)

            let expected = try await data.expected(for: id, now: harness.simulator.clock.now)
            let last = try #require(expected.lastInterval)
            let state = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the state of the newest interval") {
                isoDate($0["interval_end"]) == last.end
            }
            #expect(wattHours(state["energy_import_interval"]) == last.importWh)
            #expect(wattHours(state["energy_export_interval"]) == last.exportWh)
            #expect(wattHours(state["energy_import_total"]) == expected.importTotalWh)
            #expect(wattHours(state["energy_export_total"]) == expected.exportTotalWh)
            #expect(state["power_import"] as? Int == Int(last.importWh * 4))
            #expect(state["quality"] as? String == "measured")
            try await watcher.waitFor("ckw2mqtt/\(id)/availability", "online") { $0.payload == "online" }

            // Restart: same state directory, same data. Nothing may be counted twice.
            try await harness.stopBridge()
            try await watcher.waitFor("ckw2mqtt/bridge/state", "offline after the shutdown") { $0.payload == "offline" }
            let statesBefore = watcher.count("ckw2mqtt/\(id)/state")
            try harness.startBridge()
            let again = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the state after the restart") { _ in
                watcher.count("ckw2mqtt/\(id)/state") > statesBefore
            }
            #expect(wattHours(again["energy_import_total"]) == expected.importTotalWh)
            #expect(wattHours(again["energy_export_total"]) == expected.exportTotalWh)

            // An hour later: the totals grow by exactly the four new intervals.
            harness.advanceClock(by: 3600)
            let later = try await data.expected(for: id, now: harness.simulator.clock.now)
            let newest = try #require(later.lastInterval)
            #expect(newest.end == last.end.addingTimeInterval(3600))
            let grown = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the state an hour later") {
                isoDate($0["interval_end"]) == newest.end
            }
            #expect(wattHours(grown["energy_import_total"]) == later.importTotalWh)
            #expect(wattHours(grown["energy_export_total"]) == later.exportTotalWh)
            #expect(later.importTotalWh > expected.importTotalWh)
            await watcher.stop()
            await data.close()
        }
    }

    @Test("an estimated value corrected to the measured one adjusts the totals")
    func corrections() async throws {
        // Hourly reads; every value is estimated at its first read and measured one read later.
        let delivery = DeliverySchedule(
            readTimes: (0..<24).map { $0 * 3600 }, lag: .zero, correctionAfterReads: 1, estimatedShare: 1, missingShare: 0)
        try await withHarness(.init(delivery: delivery)) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            let data = try await SimulatorData.connect(to: harness.simulator)
            let id = try await data.meteringPointId()
            try harness.startBridge()

            let before = try await data.expected(for: id, now: harness.simulator.clock.now)
            let estimatedInterval = try #require(before.lastInterval)
            #expect(estimatedInterval.quality == .estimated)
            let first = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the estimated interval") {
                isoDate($0["interval_end"]) == estimatedInterval.end
            }
            #expect(first["quality"] as? String == "estimated")
            #expect(wattHours(first["energy_import_total"]) == before.importTotalWh)

            // The next read replaces the estimates by measured values (and delivers new estimates).
            harness.advanceClock(by: 3600)
            let after = try await data.expected(for: id, now: harness.simulator.clock.now)
            #expect(after.qualities[estimatedInterval.start] == .measured)
            let corrected = try await watcher.waitForJSON("ckw2mqtt/\(id)/state", "the state after the correction") {
                wattHours($0["energy_import_total"]) == after.importTotalWh
            }
            #expect(wattHours(corrected["energy_export_total"]) == after.exportTotalWh)
            await watcher.stop()
            await data.close()
        }
    }
}
