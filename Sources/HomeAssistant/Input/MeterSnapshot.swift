import EnergyDomain
import Foundation

/// The latest values of one metering point, as the bridge's bookkeeping has them.
public struct MeterSnapshot: Sendable, Equatable {
    /// Lifetime energy drawn from the grid in kWh (register reading, or the sum of all intervals).
    public var importTotal: Double?
    /// Lifetime energy fed into the grid in kWh.
    public var exportTotal: Double?
    /// The newest interval with data; `nil` before the first one arrives.
    public var lastInterval: IntervalReading?
    /// The newest reading in kWh of each import tariff register, by tariff (1: high, 2: low).
    public var importTariffTotals: [Int: Double]
    /// The same for export.
    public var exportTariffTotals: [Int: Double]

    public init(
        importTotal: Double?, exportTotal: Double?, lastInterval: IntervalReading?,
        importTariffTotals: [Int: Double] = [:], exportTariffTotals: [Int: Double] = [:]
    ) {
        self.importTotal = importTotal
        self.exportTotal = exportTotal
        self.lastInterval = lastInterval
        self.importTariffTotals = importTariffTotals
        self.exportTariffTotals = exportTariffTotals
    }
}

/// The energy of one interval (normally 15 minutes) in both directions.
public struct IntervalReading: Sendable, Equatable {
    public var start: Date
    public var end: Date
    /// kWh drawn from the grid in `[start, end)`; `nil` when the value is missing.
    public var importEnergy: Double?
    /// kWh fed into the grid in `[start, end)`; `nil` when the value is missing.
    public var exportEnergy: Double?
    /// The least trustworthy quality of the interval's values (`max` of both directions).
    public var quality: ValueQuality

    public init(start: Date, end: Date, importEnergy: Double?, exportEnergy: Double?, quality: ValueQuality) {
        self.start = start
        self.end = end
        self.importEnergy = importEnergy
        self.exportEnergy = exportEnergy
        self.quality = quality
    }

    /// The interval's real length: 15-minute data is the norm, but nothing here assumes it.
    public var duration: TimeInterval { end.timeIntervalSince(start) }
}

