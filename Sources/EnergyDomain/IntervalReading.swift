import Foundation

/// The energy of one interval (normally 15 minutes) in one direction.
public struct IntervalReading: Sendable, Hashable {
    public var start: Date
    public var end: Date
    /// kWh in `[start, end)`; `nil` when `quality` is `missing`.
    public var kilowattHours: Double?
    public var quality: ValueQuality

    public init(start: Date, end: Date, kilowattHours: Double?, quality: ValueQuality) {
        self.start = start
        self.end = end
        self.kilowattHours = kilowattHours
        self.quality = quality
    }

    /// The interval's real length: 15-minute data is the norm, but nothing here assumes it.
    public var duration: TimeInterval { end.timeIntervalSince(start) }
}
