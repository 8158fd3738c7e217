import Foundation
import OpenEnergySimulator
import Testing
import TestSupport

/// The real bridge against a CKW look-alike whose bodies are JSON written by hand, in shapes our own
/// types never produce: local offsets on the autumn DST day, tariff registers, Wh and MWh, numbers as
/// strings, ids as numbers, unknown fields, nulls, a wrong type in an optional field, a missing `end`,
/// a series without unit (its unit named in core data), a series the bridge does not read. The
/// expected totals and states are computed by hand below, not through our decoder.
@Suite("Literal CKW look-alike", .timeLimit(.minutes(2)))
struct LiteralCKWTests {
    static let id = "CH1008801234500000000000000054321"
    /// Noon UTC on 2026-10-25, the day Zurich goes from CEST (+02:00) back to CET (+01:00) at 01:00Z.
    static let now = Date(timeIntervalSince1970: 1_792_929_600)

    static let coreData = """
    { "customer": { "customerNumber": 1234567, "name": null, "segment": "private" },
      "meteringPoints": [
        { "meteringPointId": "\(id)", "meterNumber": 71234567,
          "address": { "street": "Seestrasse 1", "zip": 6004, "city": "Luzern", "canton": "LU" },
          "series": [
            { "obis": "1-1:1.29.0", "direction": "consumption", "unit": "Wh", "resolution": "PT15M" },
            { "obis": "1-1:2.29.0", "direction": "production", "unit": "kWh", "resolution": "PT15M" },
            { "obis": "1-1:1.8.1", "unit": "MWh", "resolution": "P1D", "tariff": "HT" },
            { "obis": "1-1:1.8.2", "unit": "MWh", "resolution": "P1D", "tariff": "NT" },
            { "obis": "1-1:2.8.0", "unit": "Wh", "resolution": "P1D" } ] } ] }
    """

    static let meterData = """
    { "meteringPointId": "\(id)", "generatedAt": "2026-10-25T13:58:00+01:00",
      "series": [
        { "obis": "1-1:1.29.0", "unit": "Wh", "resolution": "PT15M", "source": { "system": "MDM", "rev": [1, 2] },
          "values": [
            { "start": "2026-10-25T00:00:00+02:00", "end": "2026-10-25T00:15:00+02:00", "value": "250", "quality": "measured" },
            { "start": "2026-10-25T00:15:00+02:00", "end": "2026-10-25T00:30:00+02:00", "value": "125", "quality": "MEASURED" },
            { "start": "2026-10-25T02:45:00+02:00", "end": "2026-10-25T02:00:00+01:00", "value": 300, "quality": null },
            { "start": "2026-10-25T02:00:00+01:00", "end": "2026-10-25T02:15:00+01:00", "value": "75", "quality": 7 },
            { "start": "2026-10-25T02:15:00+01:00", "value": 410.0 } ] },
        { "obis": "1-1:2.29.0", "unit": "kWh", "resolution": "PT15M",
          "values": [
            { "start": "2026-10-24T22:00:00.000Z", "end": "2026-10-24T22:15:00.000Z", "value": 0 },
            { "start": "2026-10-24T22:15:00Z", "end": "2026-10-24T22:30:00Z", "value": "0.000" },
            { "start": "2026-10-25T00:45:00Z", "end": "2026-10-25T01:00:00Z", "value": 0.012 },
            { "start": "2026-10-25T01:00:00.000+00:00", "end": "2026-10-25T01:15:00Z", "value": 0.034 },
            { "start": "2026-10-25T01:15:00Z", "end": "2026-10-25T01:30:00Z", "value": 0.1, "quality": "estimated" } ] },
        { "obis": "1-1:1.8.1", "unit": "MWh", "resolution": "P1D",
          "values": [ { "start": "2026-10-24T00:00:00+02:00", "end": "2026-10-25T00:00:00+02:00", "value": 4.321987 } ] },
        { "obis": "1-1:1.8.2", "unit": "MWh", "resolution": "P1D",
          "values": [ { "start": "2026-10-24T00:00:00+02:00", "end": "2026-10-25T00:00:00+02:00", "value": "2.5" } ] },
        { "obis": "1-1:2.8.0", "resolution": "P1D",
          "values": [ { "start": "2026-10-24T00:00:00+02:00", "end": "2026-10-25T00:00:00+02:00", "value": "1234500" } ] },
        { "obis": "1-1:3.29.0", "unit": "kvarh", "resolution": "PT15M",
          "values": [ { "start": "2026-10-25T01:15:00Z", "end": "2026-10-25T01:30:00Z", "value": 99 } ] } ] }
    """

    // By hand, in Wh. Import: no total register, so the total is tariff 1 + tariff 2 at the end of
    // 2026-10-24 (22:00Z), plus the 15-minute values after it (all five are after it).
    static let importTariff1 = 4_321_987  // 4.321987 MWh
    static let importTariff2 = 2_500_000  // "2.5" MWh
    static let importIntervals = 250 + 125 + 300 + 75 + 410
    static let importTotal = importTariff1 + importTariff2 + importIntervals  // 6,823,147 Wh
    // Export: the register "1234500" in Wh (core data's unit) plus the intervals after it.
    static let exportTotal = 1_234_500 + 0 + 0 + 12 + 34 + 100  // 1,234,646 Wh

    @Test("totals, tariff sensors and the newest interval match the values computed by hand")
    func literalBodies() async throws {
        let server = try await LiteralBodiesServer.start(.init(coreData: Self.coreData, meterData: [Self.id: Self.meterData]))
        defer { Task { await server.shutdown() } }
        let log = LogRecording()
        try await withHarness(.init(apiBaseURL: server.baseURL, log: log)) { harness in
            harness.simulator.clock.set(to: Self.now)
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()

            let state = try await watcher.waitForJSON("ckw2mqtt/\(Self.id)/state", "the state with the totals") {
                wattHours($0["energy_import_total"]) != nil && wattHours($0["energy_export_total"]) != nil
            }
            #expect(wattHours(state["energy_import_total"]) == Int64(Self.importTotal))
            #expect(wattHours(state["energy_export_total"]) == Int64(Self.exportTotal))
            #expect(wattHours(state["energy_import_tariff1_total"]) == Int64(Self.importTariff1))
            #expect(wattHours(state["energy_import_tariff2_total"]) == Int64(Self.importTariff2))
            #expect(state["energy_export_tariff1_total"] == nil)
            // The newest interval both directions have: 01:15Z, written "02:15+01:00" without an end for
            // import (410 Wh), "01:15:00Z" estimated for export (100 Wh).
            #expect(isoDate(state["interval_start"]) == Date(timeIntervalSince1970: 1_792_890_900))
            #expect(isoDate(state["interval_end"]) == Date(timeIntervalSince1970: 1_792_891_800))
            #expect(wattHours(state["energy_import_interval"]) == 410)
            #expect(wattHours(state["energy_export_interval"]) == 100)
            #expect(state["power_import"] as? Int == 1_640)
            #expect(state["power_export"] as? Int == 400)
            #expect(state["power_net"] as? Int == 1_240)
            #expect(state["quality"] as? String == "estimated")

            let config = try await watcher.waitForJSON("homeassistant/device/ckw2mqtt_\(Self.id)/config", "meter discovery") {
                $0["components"] != nil
            }
            let components = try #require(config["components"] as? [String: Any])
            for key in ["energy_import_tariff1_total", "energy_import_tariff2_total"] {
                let component = try #require(components[key] as? [String: Any], "\(key) is not announced")
                #expect(component["device_class"] as? String == "energy")
                #expect(component["state_class"] as? String == "total")
                #expect(component["unit_of_measurement"] as? String == "kWh")
                #expect(component["unique_id"] as? String == "ckw2mqtt_\(Self.id)_\(key)")
            }
            #expect(components["energy_export_tariff1_total"] == nil)
            let device = try #require(config["device"] as? [String: Any])
            #expect(device["serial_number"] as? String == "71234567")

            // Two more polls of the same bodies: what was accepted with a warning, and the series the
            // bridge does not read, are each reported once, not per poll.
            for poll in 2...3 {
                harness.advanceClock(by: 20 * 60)
                try await waitUntil("meter data poll \(poll)") {
                    server.requests.count { $0.contains("/meterdata/") } >= poll
                }
            }
            try await harness.stopBridge()
            let lines = log.all
            #expect(lines.count { $0.contains("series[0].values[3].quality: expected a quality string, found 7") } == 1, "\(lines)")
            #expect(lines.count { $0.contains("series 1-1:3.29.0 is ignored") } == 1, "\(lines)")
        }
    }

    @Test("timestamps without a zone are read in ckw.timezone")
    func zonelessTimestampsInTheConfiguredZone() async throws {
        // Wall-clock times in UTC+3 (`Etc/GMT-3`): 04:15 there is 01:15Z; read as Zurich time (CET) it would be 03:15Z.
        let body = """
        { "meteringPointId": "\(Self.id)", "series": [
          { "obis": "1-1:1.29.0", "unit": "kWh", "resolution": "PT15M",
            "values": [ { "start": "2026-10-25T04:15:00", "end": "2026-10-25T04:30:00", "value": 0.41 } ] },
          { "obis": "1-1:2.29.0", "unit": "kWh", "resolution": "PT15M",
            "values": [ { "start": "2026-10-25T04:15:00", "value": 0.1 } ] } ] }
        """
        let server = try await LiteralBodiesServer.start(.init(coreData: Self.coreData, meterData: [Self.id: body]))
        defer { Task { await server.shutdown() } }
        let settings = BridgeHarness.Settings(apiBaseURL: server.baseURL, timeZone: TimeZone(identifier: "Etc/GMT-3"))
        try await withHarness(settings) { harness in
            harness.simulator.clock.set(to: Self.now)
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()
            let state = try await watcher.waitForJSON("ckw2mqtt/\(Self.id)/state", "the state of the interval") {
                isoDate($0["interval_start"]) != nil
            }
            #expect(isoDate(state["interval_start"]) == Date(timeIntervalSince1970: 1_792_890_900))
            #expect(isoDate(state["interval_end"]) == Date(timeIntervalSince1970: 1_792_891_800))
            #expect(wattHours(state["energy_import_interval"]) == 410)
        }
    }

    @Test("while core data cannot be decoded, the metering points of ckw.metering_points are polled")
    func configuredMeteringPointsWithoutCoreData() async throws {
        let broken = #"{ "customer": {}, "meteringPoints": { "CH1008801234500000000000000054321": {} } }"#
        let server = try await LiteralBodiesServer.start(.init(coreData: broken, meterData: [Self.id: Self.meterData]))
        defer { Task { await server.shutdown() } }
        try await withHarness(.init(apiBaseURL: server.baseURL, meteringPoints: [Self.id])) { harness in
            harness.simulator.clock.set(to: Self.now)
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            try harness.startBridge()

            let info = try await watcher.waitForJSON("ckw2mqtt/bridge/info", "the core data decoding error") {
                ($0["last_error"] as? String)?.contains("meteringPoints") == true
            }
            let error = try #require(info["last_error"] as? String)
            #expect(error.contains("expected an array"), "\(error)")
            #expect(error.contains(#"found { "CH1008801234500000000000000054321": {} }"#), "\(error)")
            // Without core data the units come from meter data alone: the export register has none and is
            // read as kWh, where 1,234,500 kWh is a plausible first reading; the import side is complete.
            let state = try await watcher.waitForJSON("ckw2mqtt/\(Self.id)/state", "the state without core data") {
                wattHours($0["energy_import_total"]) != nil
            }
            #expect(wattHours(state["energy_import_total"]) == Int64(Self.importTotal))
            #expect(wattHours(state["energy_import_tariff1_total"]) == Int64(Self.importTariff1))
            #expect(server.requests.contains { $0.contains("/meterdata/\(Self.id)") })
        }
    }
}

/// Polls `condition` until it holds (at most 20 s).
private func waitUntil(_ description: String, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(description)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
