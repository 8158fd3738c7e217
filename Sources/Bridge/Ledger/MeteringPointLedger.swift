import EnergyDomain
import Foundation

/// Everything the bridge knows about one metering point's energy: both directions' intervals,
/// registers and reported lifetime totals. Mutated through `MeterLedger`.
public struct MeteringPointLedger: Sendable, Equatable {
    public let meteringPointId: String
    /// The directions the metering point has according to core data. Empty means "whatever the
    /// data shows".
    public internal(set) var directions: Set<EnergyDirection>
    var series: [EnergyDirection: SeriesLedger] = [:]

    init(meteringPointId: String, directions: Set<EnergyDirection>) {
        self.meteringPointId = meteringPointId
        self.directions = directions
    }

    /// The directions that count for completeness: the declared ones, else those with data.
    var effectiveDirections: [EnergyDirection] {
        (directions.isEmpty ? Set(series.keys) : directions).sorted()
    }

    // MARK: Reading

    /// The lifetime total to publish for `direction`: the newest register reading plus the
    /// intervals after it, else every interval since the bridge first saw the meter. It never
    /// goes backwards except when a value is corrected downwards. `nil` before any data.
    public func lifetimeTotal(_ direction: EnergyDirection) -> EnergyAmount? {
        series[direction]?.reportedTotal.map(EnergyAmount.init(milliwattHours:))
    }

    /// The newest reading of tariff register `tariff` of `direction` (tariff 1 of consumption is
    /// `1-1:1.8.1`), `nil` when CKW never delivered it.
    public func tariffTotal(_ direction: EnergyDirection, tariff: Int) -> EnergyAmount? {
        series[direction]?.tariffs[tariff].map { EnergyAmount(milliwattHours: $0.reading) }
    }

    /// The tariffs of `direction` with a reading, ascending.
    public func tariffs(_ direction: EnergyDirection) -> [Int] {
        (series[direction]?.tariffs.keys).map { $0.sorted() } ?? []
    }

    /// The newest total register reading of `direction`: when, and the counter in mWh.
    func newestRegister(_ direction: EnergyDirection) -> (timestamp: Int64, reading: Int64)? {
        series[direction]?.newestRegister
    }

    /// Whether the lifetime total of `direction` comes from a register reading.
    public func hasRegister(_ direction: EnergyDirection) -> Bool {
        series[direction]?.register != nil
    }

    /// The value the ledger holds for the interval starting at `start`, if any.
    public func interval(_ direction: EnergyDirection, startingAt start: Date) -> (energy: EnergyAmount, quality: ValueQuality)? {
        let seconds = start.timeIntervalSince1970
        guard seconds == seconds.rounded(), Int64(seconds) % SeriesLedger.intervalSeconds == 0,
              let slot = series[direction]?.slot(Int64(seconds) / SeriesLedger.intervalSeconds)
        else { return nil }
        switch slot.state {
        case .absent: return nil
        case .missing: return (EnergyAmount(milliwattHours: slot.energy), .missing)
        case .estimated: return (EnergyAmount(milliwattHours: slot.energy), .estimated)
        case .measured: return (EnergyAmount(milliwattHours: slot.energy), .measured)
        }
    }

    /// The newest interval with a (measured or estimated) value in every direction.
    public var lastCompleteInterval: CompletedInterval? {
        let directions = effectiveDirections
        let ledgers = directions.compactMap { series[$0] }
        guard !ledgers.isEmpty, ledgers.count == directions.count else { return nil }
        let newest = ledgers.compactMap(\.newestSlot).min()
        let oldest = ledgers.map(\.firstSlot).max()
        guard let newest, let oldest, oldest <= newest else { return nil }
        for number in stride(from: newest, through: oldest, by: -1) {
            let slots = ledgers.compactMap { $0.slot(number) }
            guard slots.count == ledgers.count, slots.allSatisfy(\.state.hasValue) else { continue }
            var interval = CompletedInterval(
                start: Self.date(ofSlot: number), end: Self.date(ofSlot: number + 1),
                consumption: nil, production: nil,
                quality: slots.contains { $0.state == .estimated } ? .estimated : .measured)
            for (direction, slot) in zip(directions, slots) {
                switch direction {
                case .consumption: interval.consumption = EnergyAmount(milliwattHours: slot.energy).kilowattHours
                case .production: interval.production = EnergyAmount(milliwattHours: slot.energy).kilowattHours
                }
            }
            return interval
        }
        return nil
    }

    /// The start of the earliest complete interval within `from..<to` that is absent, missing or
    /// estimated in any direction: where the next meter data request should begin. `nil` when
    /// every interval in the range is measured.
    public func firstIntervalNeedingFetch(from: Date, to: Date) -> Date? {
        let range = Self.slotRange(from: from, to: to)
        guard !range.isEmpty else { return nil }
        let directions = effectiveDirections
        guard !directions.isEmpty else { return Self.date(ofSlot: range.lowerBound) }
        let earliest = directions.compactMap { direction -> Int64? in
            guard let ledger = series[direction] else { return range.lowerBound }
            return ledger.firstSlotNeedingFetch(in: range)
        }.min()
        return earliest.map(Self.date(ofSlot:))
    }

    // MARK: Grid helpers

    static func date(ofSlot number: Int64) -> Date {
        Date(timeIntervalSince1970: TimeInterval(number * SeriesLedger.intervalSeconds))
    }

    /// The slots of the complete intervals between `from` and `to`.
    static func slotRange(from: Date, to: Date) -> Range<Int64> {
        let lower = SeriesLedger.ceilingDivide(Int64(from.timeIntervalSince1970.rounded(.up)), SeriesLedger.intervalSeconds)
        let upper = SeriesLedger.floorDivide(Int64(to.timeIntervalSince1970.rounded(.down)), SeriesLedger.intervalSeconds)
        return lower < upper ? lower..<upper : lower..<lower
    }
}

extension MeteringPointLedger: Codable {
    private enum CodingKeys: String, CodingKey {
        case meteringPointId, directions, series
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(meteringPointId, forKey: .meteringPointId)
        try container.encode(directions.sorted(), forKey: .directions)
        try container.encode(Dictionary(uniqueKeysWithValues: series.map { ($0.key.rawValue, $0.value) }), forKey: .series)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        meteringPointId = try container.decode(String.self, forKey: .meteringPointId)
        directions = Set(try container.decode([EnergyDirection].self, forKey: .directions))
        let encoded = try container.decode([String: SeriesLedger].self, forKey: .series)
        for (name, ledger) in encoded {
            guard let direction = EnergyDirection(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .series, in: container, debugDescription: "unknown direction `\(name)`")
            }
            series[direction] = ledger
        }
    }
}
