import EnergyDomain
import Foundation

/// Which values CKW has delivered by a given (simulated) instant, and in which quality.
///
/// Deliveries are monotone, so two instants decide everything: every interval ending at or before
/// `deliveredUpTo` is visible, and a provisional one shows its measured value once it ends at or
/// before `finalUpTo` (its first delivery lies `correctionAfterReads` reads back).
struct DeliveryModel: Sendable {
    let schedule: DeliverySchedule
    let seed: UInt64
    let localTime: LocalTime

    init(schedule: DeliverySchedule, seed: UInt64, localTime: LocalTime = .zurich) {
        self.schedule = schedule
        self.seed = seed
        self.localTime = localTime
    }

    struct Cutoffs: Sendable, Equatable {
        /// Intervals ending at or before this instant (epoch seconds) are visible.
        var deliveredUpTo: Int
        /// Visible intervals ending at or before this instant carry their final, measured value.
        var finalUpTo: Int
    }

    func cutoffs(now: Int) -> Cutoffs {
        guard !schedule.readTimes.isEmpty else {
            return Cutoffs(deliveredUpTo: now, finalUpTo: now)
        }
        let lag = Int(schedule.lag.components.seconds)
        let reads = latestReads(atOrBefore: now, count: schedule.correctionAfterReads + 1)
        return Cutoffs(deliveredUpTo: reads[0] - lag, finalUpTo: reads[reads.count - 1] - lag)
    }

    /// The most recent `count` read instants at or before `now`, newest first.
    private func latestReads(atOrBefore now: Int, count: Int) -> [Int] {
        var reads = [Int]()
        reads.reserveCapacity(count)
        var day = localTime.localDay(containing: now)
        while reads.count < count {
            for time in schedule.readTimes.reversed() {
                let instant = localTime.instant(localDay: day, secondsAfterMidnight: time)
                if instant <= now {
                    reads.append(instant)
                    if reads.count == count { break }
                }
            }
            day -= 1
        }
        return reads
    }

    enum Provisional: Equatable {
        /// Delivered first with this value (Wh), then corrected.
        case estimated(Int64)
        /// Delivered first as `missing` (`value: null`).
        case missing
    }

    /// Whether the interval is first delivered with a provisional value, and which one.
    func provisional(pointIndex: Int, interval: GeneratedInterval, direction: EnergyDirection) -> Provisional? {
        guard schedule.estimatedShare > 0 || schedule.missingShare > 0 else { return nil }
        let key = UInt64(bitPattern: Int64(interval.start / 900))
        let stream = RandomStream.provisional.rawValue &+ (direction == .production ? 100 : 0)
        let draw = SplitMix64.unit(seed, stream, UInt64(pointIndex), key)
        if draw < schedule.missingShare {
            return .missing
        }
        guard draw < schedule.missingShare + schedule.estimatedShare else { return nil }
        // An estimate is off by up to ±20 % (and by at least 1 Wh when there is anything to estimate).
        let error = SplitMix64.unit(seed, RandomStream.estimateError.rawValue, UInt64(pointIndex), key) * 0.4 - 0.2
        var estimate = Int64((Double(interval.wattHours) * (1 + error)).rounded())
        if estimate == interval.wattHours, interval.wattHours > 0 {
            estimate += error < 0 ? -1 : 1
        }
        return .estimated(max(0, estimate))
    }
}
