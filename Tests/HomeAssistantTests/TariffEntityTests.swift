import Foundation
import HomeAssistant
import Testing

/// Tariff registers (HT/NT) become total sensors of their own, only where the meter has them.
@Suite struct TariffEntityTests {
    let mapping = Fixtures.mapping

    static var meter: MeterDescription {
        var meter = Fixtures.solarHouse
        meter.importTariffs = [1, 2]
        meter.exportTariffs = [2]
        return meter
    }

    @Test func eachDeliveredTariffRegisterIsAnEnergyTotalSensor() throws {
        let config = try StatePayload(mapping.meterDiscovery(for: Self.meter))
        let components = try #require(config["components"] as? [String: [String: Any]])
        for key in ["energy_import_tariff1_total", "energy_import_tariff2_total", "energy_export_tariff2_total"] {
            let component = try #require(components[key], "\(key) missing")
            #expect(component["platform"] as? String == "sensor")
            #expect(component["device_class"] as? String == "energy")
            #expect(component["state_class"] as? String == "total")
            #expect(component["unit_of_measurement"] as? String == "kWh")
            #expect(component["value_template"] as? String == "{{ value_json.\(key) }}")
            #expect(component["unique_id"] as? String == "ckw2mqtt_\(Fixtures.solarHouseID)_\(key)")
        }
        #expect(components["energy_export_tariff1_total"] == nil)
        // Without tariff registers, no tariff sensors.
        let plain = try #require(try StatePayload(mapping.meterDiscovery(for: Fixtures.solarHouse))["components"] as? [String: Any])
        #expect(!plain.keys.contains { $0.contains("tariff") })
    }

    @Test func theStateCarriesTheTariffReadingsBesideTheTotals() throws {
        var snapshot = Fixtures.solarHouseSnapshot
        snapshot.importTariffTotals = [1: 4_321.9874, 2: 2_500]
        snapshot.exportTariffTotals = [2: 12.5]
        let state = try StatePayload(mapping.meterState(snapshot, of: Self.meter))
        #expect(state["energy_import_tariff1_total"] as? Double == 4_321.987)
        #expect(state["energy_import_tariff2_total"] as? Double == 2_500)
        #expect(state["energy_export_tariff2_total"] as? Double == 12.5)
        #expect(state.keys.contains("energy_export_tariff1_total") == false)
        // A tariff the meter has but no reading yet is null (unknown), not absent.
        var early = Fixtures.solarHouseSnapshot
        early.importTariffTotals = [1: 1]
        let partial = try StatePayload(mapping.meterState(early, of: Self.meter))
        #expect(partial.keys.contains("energy_import_tariff2_total"))
        #expect(partial["energy_import_tariff2_total"] is NSNull)
    }
}
