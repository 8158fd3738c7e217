import EnergyDomain
import Foundation

/// The energy of one 15-minute interval, as the API reports it.
public struct IntervalReading: Sendable, Hashable {
    public var start: Date
    public var end: Date
    /// `nil` when `quality` is `missing`.
    public var kilowattHours: Double?
    public var quality: ValueQuality

    public init(start: Date, end: Date, kilowattHours: Double?, quality: ValueQuality) {
        self.start = start
        self.end = end
        self.kilowattHours = kilowattHours
        self.quality = quality
    }
}

/// A cumulative register reading: the meter's lifetime counter at `timestamp`.
public struct RegisterReading: Sendable, Hashable {
    public var timestamp: Date
    public var kilowattHours: Double

    public init(timestamp: Date, kilowattHours: Double) {
        self.timestamp = timestamp
        self.kilowattHours = kilowattHours
    }
}

/// What one `apply` did, so the caller knows whether anything needs publishing.
public struct ApplyOutcome: Sendable, Equatable {
    /// Readings the ledger did not have a value for before.
    public var added = 0
    /// Readings that replaced a different value (estimated -> measured, or a new value).
    public var corrected = 0
    /// Readings identical to what the ledger already had (a repeated fetch).
    public var unchanged = 0
    /// Readings that were not applied, with why.
    public var ignored: [IgnoredReading] = []

    public init() {}

    public var changedAnything: Bool { added > 0 || corrected > 0 }
}

public struct IgnoredReading: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable {
        /// Not a whole 15-minute interval on the quarter-hour grid.
        case notOnIntervalGrid
        /// A value that is negative, not finite or absurdly large.
        case invalidValue
        /// Older than the retention window: already folded into the base sum.
        case outsideRetention
        /// A `missing` reading never replaces a value the ledger already has.
        case missingDoesNotReplaceValue
        /// A register reading older than the newest one the ledger already has.
        case olderThanNewestRegister
    }

    public var timestamp: Date
    public var reason: Reason

    public init(timestamp: Date, reason: Reason) {
        self.timestamp = timestamp
        self.reason = reason
    }
}

/// The newest interval for which every direction of a metering point has a value: what the state
/// payload shows as "last interval".
public struct CompletedInterval: Sendable, Equatable {
    public var start: Date
    public var end: Date
    /// `nil` for a direction the metering point does not have.
    public var consumption: EnergyAmount?
    public var production: EnergyAmount?
    /// `estimated` when any direction's value is estimated.
    public var quality: ValueQuality

    public init(start: Date, end: Date, consumption: EnergyAmount?, production: EnergyAmount?, quality: ValueQuality) {
        self.start = start
        self.end = end
        self.consumption = consumption
        self.production = production
        self.quality = quality
    }

    public func energy(_ direction: EnergyDirection) -> EnergyAmount? {
        switch direction {
        case .consumption: consumption
        case .production: production
        }
    }
}
