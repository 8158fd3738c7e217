import EnergyDomain
import Foundation

/// The latest values of one metering point, as the bridge's bookkeeping has them.
public struct MeterSnapshot: Sendable, Equatable {
    /// Lifetime energy drawn from the grid in kWh (register reading, or the sum of all intervals).
    public var importTotal: Double?
    /// Lifetime energy fed into the grid in kWh.
    public var exportTotal: Double?
    /// The newest interval with data; `nil` before the first one arrives.
    public var lastInterval: CompletedInterval?
    /// The newest reading in kWh of each import tariff register, by tariff (1: high, 2: low).
    public var importTariffTotals: [Int: Double]
    /// The same for export.
    public var exportTariffTotals: [Int: Double]

    public init(
        importTotal: Double?, exportTotal: Double?, lastInterval: CompletedInterval?,
        importTariffTotals: [Int: Double] = [:], exportTariffTotals: [Int: Double] = [:]
    ) {
        self.importTotal = importTotal
        self.exportTotal = exportTotal
        self.lastInterval = lastInterval
        self.importTariffTotals = importTariffTotals
        self.exportTariffTotals = exportTariffTotals
    }
}
