import Foundation

/// One row of an hourly long-term statistic, as `recorder/import_statistics` takes it.
///
/// For an energy statistic with `has_sum: true`, the Energy dashboard reads only `sum`: the energy of
/// an hour is the difference between its `sum` and the previous row's. `state` carries the hour's own
/// energy, as the utility importers in Home Assistant Core (opower, Tibber) do.
public struct HourlyStatistic: Sendable, Hashable {
    /// The full UTC hour the row covers, `[start, start + 1 h)`.
    public var start: Date
    /// kWh in the hour.
    public var state: Double
    /// kWh since the statistic began, this hour included.
    public var sum: Double

    public init(start: Date, state: Double, sum: Double) {
        self.start = start
        self.state = state
        self.sum = sum
    }
}
