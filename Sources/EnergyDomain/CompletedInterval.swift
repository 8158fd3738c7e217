import Foundation

/// The newest interval for which every direction of a metering point has a value: what the state
/// payload shows as the last interval.
public struct CompletedInterval: Sendable, Equatable {
    public var start: Date
    public var end: Date
    /// kWh drawn from the grid in `[start, end)`; `nil` for a meter that does not measure it.
    public var consumption: Double?
    /// kWh fed into the grid in `[start, end)`; `nil` for a meter that does not measure it.
    public var production: Double?
    /// The least trustworthy quality of its values (`estimated` when any of them is).
    public var quality: ValueQuality

    public init(start: Date, end: Date, consumption: Double?, production: Double?, quality: ValueQuality) {
        self.start = start
        self.end = end
        self.consumption = consumption
        self.production = production
        self.quality = quality
    }

    public func energy(_ direction: EnergyDirection) -> Double? {
        switch direction {
        case .consumption: consumption
        case .production: production
        }
    }

    /// The interval's real length: 15-minute data is the norm, but nothing here assumes it.
    public var duration: TimeInterval { end.timeIntervalSince(start) }
}
