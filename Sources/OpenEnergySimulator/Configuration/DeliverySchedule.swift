import Foundation

/// When CKW's meter reads make interval values visible, and how provisional values are corrected.
///
/// CKW reads each meter about four times a day; a read delivers the intervals that ended at least `lag`
/// before it. Some values arrive first as `estimated` (or `missing`) and are replaced by the measured
/// value `correctionAfterReads` reads later.
public struct DeliverySchedule: Sendable, Hashable {
    /// Local (Europe/Zurich) times of day of the reads, in seconds after midnight. Empty: values are
    /// delivered continuously, as soon as their interval has ended, and are final at once.
    public var readTimes: [Int]
    /// Intervals ending later than `read - lag` wait for the next read.
    public var lag: Duration
    /// A provisional value is replaced by the measured one this many reads after its first delivery.
    public var correctionAfterReads: Int
    /// Share of intervals first delivered as `estimated` (a value a little off the measured one).
    public var estimatedShare: Double
    /// Share of intervals first delivered as `missing` with `value: null`.
    public var missingShare: Double

    public init(
        readTimes: [Int] = [1, 7, 13, 19].map { $0 * 3600 },
        lag: Duration = .seconds(2 * 3600),
        correctionAfterReads: Int = 4,
        estimatedShare: Double = 0.03,
        missingShare: Double = 0.003
    ) {
        self.readTimes = readTimes.sorted()
        self.lag = lag
        self.correctionAfterReads = correctionAfterReads
        self.estimatedShare = estimatedShare
        self.missingShare = missingShare
    }

    /// Every value visible and final as soon as its interval has ended (no batches, no corrections).
    public static let immediate = DeliverySchedule(
        readTimes: [],
        lag: .zero,
        correctionAfterReads: 0,
        estimatedShare: 0,
        missingShare: 0
    )
}
