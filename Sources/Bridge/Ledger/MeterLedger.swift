import EnergyDomain
import Foundation

/// The bridge's bookkeeping of every metering point's energy, persisted in the state file.
///
/// `apply` is idempotent per interval: the same interval twice never counts twice, a corrected
/// value (estimated -> measured, or any changed value) adjusts the totals by the difference, and
/// `missing` values count as zero until a value arrives. Totals are integers (mWh), so the order
/// in which readings arrive does not matter. See `MeteringPointLedger.lifetimeTotal(_:)` for the
/// rule that keeps totals from going backwards.
public struct MeterLedger: Sendable, Equatable {
    /// CKW meters store one value every 15 minutes.
    public static let intervalLength: Duration = .seconds(SeriesLedger.intervalSeconds)

    /// How long intervals are kept individually before they are folded into a base sum. Must
    /// cover the look-back, because the planner re-fetches (and CKW corrects) only within it.
    public var retention: Duration {
        didSet { precondition(retentionSlots >= 1, "retention must be at least one interval") }
    }

    public private(set) var meteringPoints: [String: MeteringPointLedger] = [:]

    public init(retention: Duration) {
        self.retention = retention
        precondition(retentionSlots >= 1, "retention must be at least one interval")
    }

    /// The retention for a look-back: the look-back plus one day, so that an interval is never
    /// folded while a request may still deliver a correction for it.
    public static func retention(forLookback lookback: Duration) -> Duration {
        lookback + .seconds(86_400)
    }

    var retentionSlots: Int64 { retention.wholeSeconds / SeriesLedger.intervalSeconds }

    public var meteringPointIds: [String] { meteringPoints.keys.sorted() }

    public subscript(meteringPointId: String) -> MeteringPointLedger? { meteringPoints[meteringPointId] }

    // MARK: Metering points

    /// Starts tracking a metering point, or adds directions to one tracked. Directions are never
    /// taken away: a meter does not lose its solar panels because core data forgot them.
    public mutating func track(_ meteringPointId: String, adding directions: Set<EnergyDirection>) {
        if meteringPoints[meteringPointId] == nil {
            meteringPoints[meteringPointId] = MeteringPointLedger(meteringPointId: meteringPointId, directions: directions)
        } else {
            meteringPoints[meteringPointId]?.directions.formUnion(directions)
        }
    }

    /// Forgets a metering point that disappeared from core data, totals included.
    public mutating func remove(_ meteringPointId: String) {
        meteringPoints[meteringPointId] = nil
    }

    // MARK: Applying data

    /// Applies 15-minute interval values of one direction.
    @discardableResult
    public mutating func apply(intervals: [IntervalReading], direction: EnergyDirection, meteringPointId: String) -> ApplyOutcome {
        var outcome = ApplyOutcome()
        let retentionSlots = retentionSlots
        update(meteringPointId, direction) { $0.apply(intervals, retentionSlots: retentionSlots, outcome: &outcome) }
        return outcome
    }

    /// Applies cumulative register readings of one direction.
    @discardableResult
    public mutating func apply(registers: [RegisterReading], direction: EnergyDirection, meteringPointId: String) -> ApplyOutcome {
        var outcome = ApplyOutcome()
        update(meteringPointId, direction) { $0.apply(registers, outcome: &outcome) }
        return outcome
    }

    /// Applies readings of a tariff register (`1-1:1.8.1` is tariff 1 of consumption). They are kept
    /// beside the total, never added to it.
    @discardableResult
    public mutating func apply(tariffRegisters: [RegisterReading], tariff: Int, direction: EnergyDirection, meteringPointId: String) -> ApplyOutcome {
        var outcome = ApplyOutcome()
        update(meteringPointId, direction) { $0.apply(tariffRegisters, tariff: tariff, outcome: &outcome) }
        return outcome
    }

    private mutating func update(_ meteringPointId: String, _ direction: EnergyDirection, _ body: (inout SeriesLedger) -> Void) {
        var point = meteringPoints[meteringPointId]
            ?? MeteringPointLedger(meteringPointId: meteringPointId, directions: [])
        if !point.directions.isEmpty { point.directions.insert(direction) }
        var series = point.series[direction] ?? SeriesLedger()
        body(&series)
        point.series[direction] = series
        meteringPoints[meteringPointId] = point
    }

    // MARK: Reading

    public func lifetimeTotal(meteringPointId: String, direction: EnergyDirection) -> EnergyAmount? {
        meteringPoints[meteringPointId]?.lifetimeTotal(direction)
    }

    public func lastCompleteInterval(meteringPointId: String) -> CompletedInterval? {
        meteringPoints[meteringPointId]?.lastCompleteInterval
    }

    /// Where the next request for `meteringPointId` should start within `from..<to` (see
    /// `MeteringPointLedger.firstIntervalNeedingFetch`); an unknown metering point needs everything.
    public func firstIntervalNeedingFetch(meteringPointId: String, from: Date, to: Date) -> Date? {
        if let point = meteringPoints[meteringPointId] {
            return point.firstIntervalNeedingFetch(from: from, to: to)
        }
        let range = MeteringPointLedger.slotRange(from: from, to: to)
        return range.isEmpty ? nil : MeteringPointLedger.date(ofSlot: range.lowerBound)
    }
}

extension MeterLedger: Codable {
    private enum CodingKeys: String, CodingKey {
        case retentionSeconds, meteringPoints
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(retention.wholeSeconds, forKey: .retentionSeconds)
        try container.encode(meteringPointIds.compactMap { meteringPoints[$0] }, forKey: .meteringPoints)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let seconds = try container.decode(Int64.self, forKey: .retentionSeconds)
        guard seconds >= SeriesLedger.intervalSeconds else {
            throw DecodingError.dataCorruptedError(forKey: .retentionSeconds, in: container,
                debugDescription: "retention of \(seconds) s is shorter than one interval")
        }
        retention = .seconds(seconds)
        for point in try container.decode([MeteringPointLedger].self, forKey: .meteringPoints) {
            meteringPoints[point.meteringPointId] = point
        }
    }
}
