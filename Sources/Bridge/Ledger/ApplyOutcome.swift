import Foundation

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
