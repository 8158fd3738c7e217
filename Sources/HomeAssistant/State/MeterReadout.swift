import EnergyDomain
import Foundation

/// Every value a metering point shows, derived from a snapshot and rounded the way it is published.
///
/// Powers are averages over the last interval: `kWh * 3_600_000 / seconds` (so `kWh * 4000` for 15
/// minutes), rounded to whole watts. A 15-minute interval resolves energy to the Wh (4 W), so
/// fractions of a watt would be noise. Net power is computed from the rounded powers, so the
/// published numbers always add up: `power_net == power_import - power_export`.
public struct MeterReadout: Sendable, Equatable {
    /// Lifetime totals in kWh, three decimals.
    public var importTotal: Double?
    public var exportTotal: Double?
    /// Tariff register readings in kWh, three decimals, by tariff; only tariffs the meter has.
    public var importTariffTotals: [Int: Double] = [:]
    public var exportTariffTotals: [Int: Double] = [:]
    /// Energy of the last interval in kWh, three decimals.
    public var importEnergy: Double?
    public var exportEnergy: Double?
    /// Average power of the last interval in W.
    public var importPower: Int?
    public var exportPower: Int?
    /// Import minus export in W: positive while drawing from the grid, negative while feeding in.
    public var netPower: Int?
    /// `true` when export exceeds import by more than the threshold (`-netPower > threshold`).
    public var productionSurplus: Bool?
    public var intervalStart: Date?
    public var intervalEnd: Date?
    public var quality: ValueQuality?

    /// Values of a direction the meter does not measure stay `nil`; so do net power and surplus
    /// unless it measures both.
    public init(snapshot: MeterSnapshot, meter: MeterDescription, surplusThresholdWatts: Double) {
        let interval = snapshot.lastInterval
        if meter.measuresImport {
            importTotal = Self.kilowattHours(snapshot.importTotal)
            importEnergy = Self.kilowattHours(interval?.consumption)
            importPower = interval.flatMap { Self.averageWatts($0.consumption, over: $0.duration) }
        }
        if meter.measuresExport {
            exportTotal = Self.kilowattHours(snapshot.exportTotal)
            exportEnergy = Self.kilowattHours(interval?.production)
            exportPower = interval.flatMap { Self.averageWatts($0.production, over: $0.duration) }
        }
        for tariff in meter.importTariffs {
            importTariffTotals[tariff] = Self.kilowattHours(snapshot.importTariffTotals[tariff])
        }
        for tariff in meter.exportTariffs {
            exportTariffTotals[tariff] = Self.kilowattHours(snapshot.exportTariffTotals[tariff])
        }
        if meter.measuresBothDirections, let importPower, let exportPower {
            let net = importPower - exportPower
            netPower = net
            productionSurplus = Double(-net) > surplusThresholdWatts
        }
        intervalStart = interval?.start
        intervalEnd = interval?.end
        quality = interval?.quality
    }

    static func kilowattHours(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return (value * 1000).rounded() / 1000
    }

    /// `nil` for a missing value or an interval without length (nothing to average over).
    static func averageWatts(_ kilowattHours: Double?, over seconds: TimeInterval) -> Int? {
        guard let kilowattHours, kilowattHours.isFinite, seconds > 0 else { return nil }
        let watts = (kilowattHours * 3_600_000 / seconds).rounded()
        guard let exact = Int(exactly: watts) else { return nil }
        return exact
    }
}
