import EnergyDomain
import Foundation

/// Turns meter intervals into hourly long-term statistic rows on full UTC hours. Pure, no I/O.
///
/// - An hour gets a row only when its intervals cover it completely with values (four quarters of
///   15-minute data, or any other split into whole intervals). A partly delivered hour is left out
///   rather than imported short: Home Assistant would otherwise show a too-small bar, and since its
///   `sum` would be too small, too, the correction would later land as a spike on a newer hour.
///   Once the hour is complete, a re-import from it on books it where it belongs.
/// - Estimated values count like measured ones; a later re-import replaces them.
/// - `sum` runs on from `baseSum`, the stored `sum` of the last row before the first hour built,
///   so re-importing a window overwrites it with the same numbers and never makes a step.
/// - Hours are UTC hours, so a Europe/Zurich day of 23 or 25 hours yields 23 or 25 rows.
/// - Arithmetic is in whole milliwatt-hours: sums are exact and independent of order, and every
///   `state` and `sum` is the double nearest to its decimal value.
public struct HourlyStatisticsBuilder: Sendable {
    public init() {}

    public func build(from intervals: [IntervalReading], continuingFrom baseSum: Double) -> HourlyStatistics {
        var rejected: [IntervalReading] = []
        var byHour: [Int64: [Int64: IntervalReading]] = [:]
        for interval in intervals {
            guard let hour = Self.hour(containing: interval), Self.isValid(interval.kilowattHours) else {
                rejected.append(interval)
                continue
            }
            // The same interval twice: the later one is the newer value.
            byHour[hour, default: [:]][Int64(interval.start.timeIntervalSince1970)] = interval
        }

        var result = HourlyStatistics(rows: [], incompleteHours: [], rejectedIntervals: rejected, endSum: baseSum)
        var sum = Self.milliwattHours(baseSum)
        for hour in byHour.keys.sorted() {
            guard let energy = Self.energyIfComplete(hour: hour, byHour[hour]!) else {
                result.incompleteHours.append(Self.date(hour * Self.secondsPerHour))
                continue
            }
            sum += energy
            result.rows.append(HourlyStatistic(
                start: Self.date(hour * Self.secondsPerHour),
                state: Self.kilowattHours(energy),
                sum: Self.kilowattHours(sum)))
        }
        result.endSum = result.rows.last?.sum ?? baseSum
        return result
    }

    // MARK: Hours

    static let secondsPerHour: Int64 = 3600

    /// The UTC hour (hours since 1970) that holds the whole interval; `nil` for an interval that is
    /// empty, not on whole seconds, or crosses an hour boundary (it cannot be booked to one hour).
    static func hour(containing interval: IntervalReading) -> Int64? {
        let start = interval.start.timeIntervalSince1970
        let end = interval.end.timeIntervalSince1970
        guard start.isFinite, end.isFinite, start == start.rounded(), end == end.rounded(), start < end,
              abs(start) < 1e15, abs(end) < 1e15
        else { return nil }
        let hour = floorDivide(Int64(start), secondsPerHour)
        return Int64(end) <= (hour + 1) * secondsPerHour ? hour : nil
    }

    /// The hour's energy when its intervals tile it without gap or overlap and all have values.
    private static func energyIfComplete(hour: Int64, _ intervals: [Int64: IntervalReading]) -> Int64? {
        var cursor = hour * secondsPerHour
        var energy: Int64 = 0
        for start in intervals.keys.sorted() {
            let interval = intervals[start]!
            guard start == cursor, let value = interval.kilowattHours else { return nil }
            energy += milliwattHours(value)
            cursor = Int64(interval.end.timeIntervalSince1970)
        }
        return cursor == (hour + 1) * secondsPerHour ? energy : nil
    }

    // MARK: Energy

    /// Negative energy would draw a negative bar; absurd values are errors upstream, not energy.
    private static func isValid(_ kilowattHours: Double?) -> Bool {
        guard let kilowattHours else { return true }
        return kilowattHours.isFinite && kilowattHours >= 0 && kilowattHours < 1e9
    }

    static func milliwattHours(_ kilowattHours: Double) -> Int64 {
        guard kilowattHours.isFinite, abs(kilowattHours) < 9e9 else { return 0 }
        return Int64((kilowattHours * 1_000_000).rounded())
    }

    static func kilowattHours(_ milliwattHours: Int64) -> Double {
        Double(milliwattHours) / 1_000_000
    }

    static func date(_ seconds: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}

/// What `HourlyStatisticsBuilder.build` made of a set of intervals.
public struct HourlyStatistics: Sendable, Equatable {
    /// One row per complete hour, oldest first.
    public var rows: [HourlyStatistic]
    /// Hours with some values but not all (yet): not imported, oldest first.
    public var incompleteHours: [Date]
    /// Intervals that fit no single hour or carry an impossible value (negative, not finite).
    public var rejectedIntervals: [IntervalReading]
    /// The `sum` of the last row, or the base sum when there is no row: where the next hour continues.
    public var endSum: Double
}
