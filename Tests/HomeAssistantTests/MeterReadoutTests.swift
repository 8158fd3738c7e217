import EnergyDomain
import Foundation
import HomeAssistant
import Testing

/// How values are derived: powers, net power, surplus, rounding and missing data.
@Suite struct MeterReadoutTests {
    @Test func averagePowerOfAFifteenMinuteIntervalIsFourThousandTimesTheEnergy() {
        let readout = Fixtures.mapping.readout(of: Fixtures.solarHouseSnapshot, for: Fixtures.solarHouse)
        #expect(readout.importPower == 492)  // 0.123 kWh * 4000
        #expect(readout.exportPower == 1824)  // 0.456 kWh * 4000
    }

    @Test(arguments: [
        (minutes: 60.0, kWh: 1.0, watts: 1000),  // hourly data
        (minutes: 5.0, kWh: 0.1, watts: 1200),
        (minutes: 30.0, kWh: 0.2505, watts: 501),
    ])
    func averagePowerUsesTheRealIntervalLength(minutes: Double, kWh: Double, watts: Int) {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: kWh, exportKWh: 0, minutes: minutes)
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.importPower == watts)
    }

    @Test func netPowerIsPositiveWhileImporting() {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.5, exportKWh: 0.125)
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.netPower == 1500)
        #expect(readout.productionSurplus == false)
    }

    @Test func netPowerIsNegativeWhileExporting() {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.125, exportKWh: 0.5)
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.netPower == -1500)
        #expect(readout.productionSurplus == true)
    }

    @Test func publishedPowersAddUp() throws {
        // Exactly, net power would be 493.4 W; from the published 494 W and 0 W it is 494 W.
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.123_45, exportKWh: 0.000_1)
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        let importPower = try #require(readout.importPower)
        let exportPower = try #require(readout.exportPower)
        #expect(importPower == 494)
        #expect(exportPower == 0)
        #expect(readout.netPower == importPower - exportPower)
    }

    /// Export exceeds import by exactly 500 W (0.125 kWh in 15 minutes).
    @Test(arguments: [
        (threshold: 0.0, surplus: true),
        (threshold: 499.0, surplus: true),
        (threshold: 499.9, surplus: true),
        (threshold: 500.0, surplus: false),  // "exceeds": equal is not enough
        (threshold: 501.0, surplus: false),
        (threshold: 2000.0, surplus: false),
    ])
    func surplusTurnsOnAboveTheThreshold(threshold: Double, surplus: Bool) {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.125, exportKWh: 0.25)
        let readout = Fixtures.mapping(threshold: threshold).readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.netPower == -500)
        #expect(readout.productionSurplus == surplus)
    }

    @Test func noSurplusWhenImportAndExportBalance() {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.2, exportKWh: 0.2)
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.netPower == 0)
        #expect(readout.productionSurplus == false)
    }

    @Test func aNegativeThresholdCountsSmallImportsAsSurplus() {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.025, exportKWh: 0)  // 100 W import
        let readout = Fixtures.mapping(threshold: -150).readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.productionSurplus == true)
    }

    @Test func aMissingValueLeavesEverythingDerivedFromItUnknown() {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.1, exportKWh: nil)
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.importPower == 400)
        #expect(readout.exportEnergy == nil)
        #expect(readout.exportPower == nil)
        #expect(readout.netPower == nil)
        #expect(readout.productionSurplus == nil)
    }

    @Test func anIntervalWithoutLengthHasNoAveragePower() {
        let snapshot = Fixtures.solarHouseSnapshot(importKWh: 0.1, exportKWh: 0.1, minutes: 0)
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.importEnergy == 0.1)
        #expect(readout.importPower == nil)
        #expect(readout.netPower == nil)
    }

    @Test func nonFiniteInputIsUnknownRatherThanInvalidJSON() throws {
        let snapshot = MeterSnapshot(importTotal: .nan, exportTotal: .infinity, lastInterval: nil)
        let message = Fixtures.mapping.meterState(snapshot, of: Fixtures.solarHouse)
        let state = try StatePayload(message)
        #expect(state.isNull("energy_import_total"))
        #expect(state.isNull("energy_export_total"))
    }

    @Test func energiesAreRoundedToWattHours() {
        let snapshot = MeterSnapshot(
            importTotal: 100.000_49,
            exportTotal: 99.999_51,
            lastInterval: CompletedInterval(
                start: Fixtures.intervalStart, end: Fixtures.intervalEnd,
                consumption: 0.012_34, production: 0.000_4, quality: .measured
            )
        )
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.solarHouse)
        #expect(readout.importTotal == 100.0)
        #expect(readout.exportTotal == 100.0)
        #expect(readout.importEnergy == 0.012)
        #expect(readout.exportEnergy == 0.0)
    }

    @Test func anImportOnlyMeterHasNoExportNetOrSurplusValues() {
        let snapshot = MeterSnapshot(
            importTotal: 10,
            exportTotal: 5,  // ignored: the meter does not measure export
            lastInterval: CompletedInterval(
                start: Fixtures.intervalStart, end: Fixtures.intervalEnd,
                consumption: 0.1, production: 0.3, quality: .measured
            )
        )
        let readout = Fixtures.mapping.readout(of: snapshot, for: Fixtures.flat)
        #expect(readout.importPower == 400)
        #expect(readout.exportTotal == nil)
        #expect(readout.exportPower == nil)
        #expect(readout.netPower == nil)
        #expect(readout.productionSurplus == nil)
    }

    @Test func qualityOrdersFromMeasuredToMissing() {
        #expect(max(ValueQuality.measured, .estimated) == .estimated)
        #expect(max(ValueQuality.missing, .estimated) == .missing)
        #expect(max(ValueQuality.measured, .measured) == .measured)
    }
}
