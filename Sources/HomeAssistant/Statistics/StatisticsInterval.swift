import EnergyDomain
import Foundation

/// One meter value to be booked into its hour: the energy of `[start, end)`, normally 15 minutes.
public struct StatisticsInterval: Sendable, Hashable {
    public var start: Date
    public var end: Date
    /// kWh in `[start, end)`; `nil` when the value is missing.
    public var kilowattHours: Double?
    public var quality: ValueQuality

    public init(start: Date, end: Date, kilowattHours: Double?, quality: ValueQuality) {
        self.start = start
        self.end = end
        self.kilowattHours = kilowattHours
        self.quality = kilowattHours == nil ? .missing : quality
    }
}
