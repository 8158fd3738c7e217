import Foundation

/// A cumulative register reading: the meter's lifetime counter at `timestamp`.
public struct RegisterReading: Sendable, Hashable {
    public var timestamp: Date
    public var kilowattHours: Double

    public init(timestamp: Date, kilowattHours: Double) {
        self.timestamp = timestamp
        self.kilowattHours = kilowattHours
    }
}
