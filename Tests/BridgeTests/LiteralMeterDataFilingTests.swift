@testable import Bridge
import EnergyDomain
import Foundation
import OpenEnergy
import Testing

/// Literal bodies, decoded and filed into the ledger, with the totals computed by hand. Times are around
/// 2026-11-26T23:00:00Z (`quarterHour(0)`).
@Suite("Filing meter data: tariff registers, units, plausibility, notices")
struct LiteralMeterDataFilingTests {
    typealias Direction = EnergyDomain.EnergyDirection

    static func file(
        _ body: String, described: [SeriesDescription] = [], limit: Double = 50, into ledger: inout MeterLedger
    ) throws -> MeterDataApplying.Summary {
        let data = try OpenEnergyWireDecoding.meterData(from: Data(body.utf8), endpoint: "test")
        return MeterDataApplying.apply(
            data, described: described, settings: .init(maximumIntervalKilowattHoursWithoutUnit: limit), to: &ledger)
    }

    static func newLedger() -> MeterLedger {
        MeterLedger(retention: MeterLedger.retention(forLookback: .seconds(3 * 86_400)))
    }

    static func body(_ series: String) -> String {
        #"{ "meteringPointId": "\#(meter)", "series": [ \#(series) ] }"#
    }

    static func register(_ obis: String, _ value: String, end: String = "2026-11-26T23:00:00Z", unit: String? = "kWh") -> String {
        let unitField = unit.map { #""unit": "\#($0)", "# } ?? ""
        return #"{ "obis": "\#(obis)", \#(unitField)"resolution": "P1D", "values": [ { "start": "2026-11-25T23:00:00Z", "end": "\#(end)", "value": \#(value) } ] }"#
    }

    static let twoIntervals = #"""
    { "obis": "1-1:1.29.0", "unit": "kWh", "resolution": "PT15M", "values": [
      { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 0.25 },
      { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": 0.5 } ] }
    """#

    @Test("tariff registers are kept beside the total register, never added to it")
    func tariffsBesideTotal() throws {
        var ledger = Self.newLedger()
        let summary = try Self.file(Self.body([
            Self.register("1-1:1.8.0", "1000"), Self.register("1-1:1.8.1", "600.25"), Self.register("1-1:1.8.2", "399.75"),
            Self.twoIntervals,
        ].joined(separator: ",")), into: &ledger)
        let point = try #require(ledger[meter])
        // 1000 + 0.25 + 0.5; the tariff registers are its parts.
        #expect(point.lifetimeTotal(.consumption) == kWh(1_000.75))
        #expect(point.tariffTotal(.consumption, tariff: 1) == kWh(600.25))
        #expect(point.tariffTotal(.consumption, tariff: 2) == kWh(399.75))
        #expect(summary.tariffs == [.consumption: [1, 2]])
        #expect(summary.notices.isEmpty)
    }

    @Test("with only tariff registers the total is their sum where both have a reading")
    func totalFromTariffs() throws {
        var ledger = Self.newLedger()
        // Tariff 1 also has a newer reading that tariff 2 lacks: it cannot make a total.
        let tariff1 = #"""
        { "obis": "1-1:1.8.1", "unit": "kWh", "values": [
          { "start": "2026-11-25T23:00:00Z", "end": "2026-11-26T23:00:00Z", "value": 600.5 },
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:30:00Z", "value": 601.25 } ] }
        """#
        _ = try Self.file(Self.body([tariff1, Self.register("1-1:1.8.2", "\"399.5\""), Self.twoIntervals].joined(separator: ",")), into: &ledger)
        let point = try #require(ledger[meter])
        // 600.5 + 399.5 at 23:00Z, plus the two intervals after it.
        #expect(point.lifetimeTotal(.consumption) == kWh(1_000.75))
        #expect(point.tariffTotal(.consumption, tariff: 1) == kWh(601.25))
        #expect(point.tariffTotal(.consumption, tariff: 2) == kWh(399.5))
    }

    @Test("Wh and MWh are scaled exactly; a series without unit takes core data's")
    func units() throws {
        var ledger = Self.newLedger()
        let intervals = #"""
        { "obis": "1-1:2.29.0", "unit": "Wh", "resolution": "PT15M", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": "123" },
          { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": 7 } ] }
        """#
        let described = [SeriesDescription(obis: "1-1:2.8.0", direction: .production, kind: .register, unit: "MWh", resolution: .days(1))]
        _ = try Self.file(Self.body([Self.register("1-1:2.8.0", "1.234567", unit: nil), intervals].joined(separator: ",")),
                          described: described, into: &ledger)
        // 1.234567 MWh = 1234.567 kWh, plus 0.123 + 0.007.
        #expect(ledger[meter]?.lifetimeTotal(.production) == kWh(1_234.697))
    }

    @Test("power in kW with a known resolution becomes interval energy; without one the series is left out")
    func power() throws {
        var ledger = Self.newLedger()
        let kilowatts = #"""
        { "obis": "1-1:1.29.0", "unit": "kW", "resolution": "PT15M", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 2 } ] }
        """#
        let watts = #"""
        { "obis": "1-1:2.29.0", "unit": "W", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 400 } ] }
        """#
        let summary = try Self.file(Self.body([kilowatts, watts].joined(separator: ",")), into: &ledger)
        // 2 kW for 15 minutes is 0.5 kWh.
        #expect(ledger[meter]?.lifetimeTotal(.consumption) == kWh(0.5))
        #expect(ledger[meter]?.lifetimeTotal(.production) == nil)
        #expect(summary.notices.map(\.key) == ["series 1-1:2.29.0"])
        #expect(summary.notices[0].message.contains("without a known resolution"))
    }

    @Test("without any unit, an interval above the limit and a register jump the intervals cannot explain are refused")
    func plausibility() throws {
        var ledger = Self.newLedger()
        let intervals = #"""
        { "obis": "1-1:1.29.0", "resolution": "PT15M", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 60 },
          { "start": "2026-11-26T23:15:00Z", "end": "2026-11-26T23:30:00Z", "value": 0.4 } ] }
        """#
        let registers = #"""
        { "obis": "1-1:2.8.0", "values": [
          { "start": "2026-11-26T22:45:00Z", "end": "2026-11-26T23:00:00Z", "value": 1000 },
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-26T23:15:00Z", "value": 1200 },
          { "start": "2026-11-26T23:15:00Z", "end": "2026-11-27T00:00:00Z", "value": 1100 } ] }
        """#
        let summary = try Self.file(Self.body([intervals, registers].joined(separator: ",")), into: &ledger)
        let point = try #require(ledger[meter])
        // The 60 kWh interval is not filed; the 0.4 kWh one is.
        #expect(point.lifetimeTotal(.consumption) == kWh(0.4))
        #expect(point.interval(.consumption, startingAt: quarterHour(0)) == nil)
        // 1000 -> 1200 in 15 minutes is more than 50 kWh allow; 1000 -> 1100 in an hour is within 4 × 50.
        #expect(point.lifetimeTotal(.production) == kWh(1_100))
        let messages = summary.notices.map(\.message)
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("60.0 kWh in one interval is above the limit of 50.0 kWh") })
        #expect(messages.contains { $0.contains("the register rose by 200.0 kWh in 15 minutes") })

        // With a unit named, the same values are filed as sent.
        var named = Self.newLedger()
        let withUnit = intervals.replacingOccurrences(of: #""resolution""#, with: #""unit": "kWh", "resolution""#)
        let quiet = try Self.file(Self.body(withUnit), into: &named)
        #expect(named[meter]?.lifetimeTotal(.consumption) == kWh(60.4))
        #expect(quiet.notices.isEmpty)
    }

    @Test("an hourly series is reported, not dropped silently; unknown OBIS codes are reported by code")
    func notices() throws {
        var ledger = Self.newLedger()
        let hourly = #"""
        { "obis": "1-1:1.29.0", "unit": "kWh", "resolution": "PT1H", "values": [
          { "start": "2026-11-26T23:00:00Z", "end": "2026-11-27T00:00:00Z", "value": 1.2 },
          { "start": "2026-11-27T00:00:00Z", "end": "2026-11-27T01:00:00Z", "value": 0.8 } ] }
        """#
        let summary = try Self.file(Self.body([
            hourly, Self.register("1-1:3.8.0", "5"), Self.register("1-1:1.8.3", "5"), Self.register("1-1:1.6.0", "5"),
        ].joined(separator: ",")), into: &ledger)
        #expect(Set(summary.notices.map(\.key)) == ["off-grid 1-1:1.29.0", "series 1-1:3.8.0", "series 1-1:1.8.3", "series 1-1:1.6.0"])
        let offGrid = try #require(summary.notices.first { $0.key == "off-grid 1-1:1.29.0" })
        #expect(offGrid.message.contains("1-hour values"))
        #expect(offGrid.message.contains("2 values"))
        #expect(ledger[meter]?.lifetimeTotal(.consumption) == nil)
        let repeated = ReportedOnce()
        #expect(repeated.isFirst("series 1-1:3.8.0") && !repeated.isFirst("series 1-1:3.8.0"))
    }

    @Test("tariff readings survive the state file")
    func tariffsPersist() throws {
        var ledger = Self.newLedger()
        _ = try Self.file(Self.body(Self.register("1-1:2.8.2", "42.125")), into: &ledger)
        let decoded = try JSONDecoder().decode(MeterLedger.self, from: JSONEncoder().encode(ledger))
        #expect(decoded[meter]?.tariffTotal(.production, tariff: 2) == kWh(42.125))
        #expect(decoded == ledger)
    }
}
