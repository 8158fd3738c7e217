import Bridge
import EnergyDomain
import Foundation
import Testing

let meter = "CH1008801234500000000000000012345"

/// An interval reading on the quarter-hour grid.
func reading(_ index: Int, _ kilowattHours: Double?, _ quality: ValueQuality = .measured) -> IntervalReading {
    IntervalReading(start: quarterHour(index), end: quarterHour(index + 1), kilowattHours: kilowattHours, quality: quality)
}

func kWh(_ value: Double) -> EnergyAmount { EnergyAmount(kilowattHours: value)! }

@Suite("MeterLedger: idempotent totals, corrections, registers")
struct MeterLedgerTests {
    private var ledger = MeterLedger(retention: MeterLedger.retention(forLookback: .seconds(3 * 86_400)))

    private func total(_ ledger: MeterLedger, _ direction: EnergyDirection = .consumption) -> EnergyAmount? {
        ledger.lifetimeTotal(meteringPointId: meter, direction: direction)
    }

    @Test("The same intervals applied twice count once")
    mutating func idempotent() {
        let values = [reading(0, 0.1), reading(1, 0.25), reading(2, 0.125)]
        let first = ledger.apply(intervals: values, direction: .consumption, meteringPointId: meter)
        #expect(first.added == 3 && first.changedAnything)
        let second = ledger.apply(intervals: values, direction: .consumption, meteringPointId: meter)
        #expect(second.unchanged == 3 && !second.changedAnything)
        #expect(total(ledger) == kWh(0.475))
    }

    @Test("A corrected value adjusts the total by the difference, in either direction")
    mutating func corrections() {
        ledger.apply(intervals: [reading(0, 0.2, .estimated), reading(1, 0.3)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(0.5))
        let up = ledger.apply(intervals: [reading(0, 0.25)], direction: .consumption, meteringPointId: meter)
        #expect(up.corrected == 1)
        #expect(total(ledger) == kWh(0.55))
        // A measured value corrected downwards truly lowers the lifetime energy.
        ledger.apply(intervals: [reading(1, 0.1)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(0.35))
        #expect(ledger[meter]?.interval(.consumption, startingAt: quarterHour(0))?.quality == .measured)
    }

    @Test("Missing values count as zero until a value arrives, and never replace one")
    mutating func missingValues() {
        ledger.apply(intervals: [reading(0, nil, .missing), reading(1, 0.4)], direction: .production, meteringPointId: meter)
        #expect(total(ledger, .production) == kWh(0.4))
        #expect(ledger[meter]?.interval(.production, startingAt: quarterHour(0))?.quality == .missing)
        let filled = ledger.apply(intervals: [reading(0, 0.3)], direction: .production, meteringPointId: meter)
        #expect(filled.added == 1)
        #expect(total(ledger, .production) == kWh(0.7))
        let regressed = ledger.apply(intervals: [reading(0, nil, .missing)], direction: .production, meteringPointId: meter)
        #expect(regressed.ignored.map(\.reason) == [.missingDoesNotReplaceValue])
        #expect(total(ledger, .production) == kWh(0.7))
    }

    @Test("Readings off the quarter-hour grid or with impossible values are ignored with a reason")
    mutating func invalidReadings() {
        let offGrid = IntervalReading(start: quarterHour(0).addingTimeInterval(60), end: quarterHour(1).addingTimeInterval(60),
                                      kilowattHours: 1, quality: .measured)
        let hourLong = IntervalReading(start: quarterHour(0), end: quarterHour(4), kilowattHours: 1, quality: .measured)
        let outcome = ledger.apply(intervals: [offGrid, hourLong, reading(1, -0.1), reading(2, .nan), reading(3, nil, .measured)],
                                   direction: .consumption, meteringPointId: meter)
        #expect(outcome.ignored.map(\.reason) == [.notOnIntervalGrid, .notOnIntervalGrid, .invalidValue, .invalidValue, .invalidValue])
        #expect(total(ledger) == nil)
    }

    @Test("With a register, the total is the newest reading plus the intervals after it")
    mutating func registerTotal() {
        ledger.apply(intervals: (0..<8).map { reading($0, 0.5) }, direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(4))
        // The register at the start of interval 4 already includes intervals 0...3.
        ledger.apply(registers: [RegisterReading(timestamp: quarterHour(4), kilowattHours: 12_345)],
                     direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(12_347))
        #expect(ledger[meter]?.hasRegister(.consumption) == true)
        ledger.apply(intervals: [reading(8, 0.25)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(12_347.25))
        // An older register changes nothing.
        let older = ledger.apply(registers: [RegisterReading(timestamp: quarterHour(0), kilowattHours: 12_000)],
                                 direction: .consumption, meteringPointId: meter)
        #expect(older.ignored.map(\.reason) == [.olderThanNewestRegister])
        #expect(total(ledger) == kWh(12_347.25))
    }

    @Test("A register slightly below the interval-based total holds the total until the data catches up")
    mutating func registerRoundingNeverGoesBackwards() {
        ledger.apply(registers: [RegisterReading(timestamp: quarterHour(0), kilowattHours: 100)], direction: .consumption, meteringPointId: meter)
        ledger.apply(intervals: (0..<4).map { reading($0, 0.251) }, direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(101.004))
        // The next register, rounded by the meter, says 101.000 at the end of interval 3.
        ledger.apply(registers: [RegisterReading(timestamp: quarterHour(4), kilowattHours: 101)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(101.004))
        ledger.apply(intervals: [reading(4, 0.002)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(101.004))
        ledger.apply(intervals: [reading(5, 0.01)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(101.012))
    }

    @Test("A downward correction lowers a held total by the correction")
    mutating func correctionWhileHeld() {
        ledger.apply(intervals: [reading(0, 1), reading(1, 1)], direction: .consumption, meteringPointId: meter)
        ledger.apply(registers: [RegisterReading(timestamp: quarterHour(1), kilowattHours: 0.9)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(2))  // held: computed 0.9 + 1 = 1.9
        ledger.apply(intervals: [reading(1, 0.5)], direction: .consumption, meteringPointId: meter)
        #expect(total(ledger) == kWh(1.5))
    }

    @Test("Intervals older than the retention are folded without changing totals, and not counted again")
    func folding() {
        var ledger = MeterLedger(retention: .seconds(3600))  // four intervals
        ledger.apply(intervals: (0..<10).map { reading($0, 0.1) }, direction: .consumption, meteringPointId: meter)
        #expect(ledger.lifetimeTotal(meteringPointId: meter, direction: .consumption) == kWh(1))
        #expect(ledger[meter]?.interval(.consumption, startingAt: quarterHour(5)) == nil)
        #expect(ledger[meter]?.interval(.consumption, startingAt: quarterHour(6))?.energy == kWh(0.1))
        let late = ledger.apply(intervals: [reading(2, 0.1), reading(2, 5)], direction: .consumption, meteringPointId: meter)
        #expect(late.ignored.map(\.reason) == [.outsideRetention, .outsideRetention])
        #expect(ledger.lifetimeTotal(meteringPointId: meter, direction: .consumption) == kWh(1))
        // A register whose later intervals were folded can no longer anchor the total.
        let register = ledger.apply(registers: [RegisterReading(timestamp: quarterHour(3), kilowattHours: 50)],
                                    direction: .consumption, meteringPointId: meter)
        #expect(register.ignored.map(\.reason) == [.outsideRetention])
    }

    @Test("Folding past a register keeps the intervals after it in the total")
    func foldingAfterRegister() {
        var ledger = MeterLedger(retention: .seconds(3600))
        ledger.apply(registers: [RegisterReading(timestamp: quarterHour(0), kilowattHours: 10)], direction: .production, meteringPointId: meter)
        ledger.apply(intervals: (0..<20).map { reading($0, 0.5) }, direction: .production, meteringPointId: meter)
        #expect(ledger.lifetimeTotal(meteringPointId: meter, direction: .production) == kWh(20))
    }

    @Test("The last complete interval needs a value in every direction of the metering point")
    mutating func lastCompleteInterval() {
        ledger.track(meter, adding: [.consumption, .production])
        ledger.apply(intervals: [reading(0, 0.3), reading(1, 0.2, .estimated), reading(2, 0.1)], direction: .consumption, meteringPointId: meter)
        ledger.apply(intervals: [reading(0, 0), reading(1, 0.4), reading(2, nil, .missing)], direction: .production, meteringPointId: meter)
        let last = ledger.lastCompleteInterval(meteringPointId: meter)
        #expect(last == CompletedInterval(start: quarterHour(1), end: quarterHour(2), consumption: 0.2, production: 0.4, quality: .estimated))
        #expect(last?.energy(.production) == 0.4)

        let single = "CH1008801234500000000000000099999"
        ledger.track(single, adding: [.consumption])
        ledger.apply(intervals: [reading(5, 0.7)], direction: .consumption, meteringPointId: single)
        #expect(ledger.lastCompleteInterval(meteringPointId: single)
            == CompletedInterval(start: quarterHour(5), end: quarterHour(6), consumption: 0.7, production: nil, quality: .measured))
    }

    @Test("Where fetching must resume: the first absent, missing or estimated interval in range")
    mutating func firstIntervalNeedingFetch() {
        let from = quarterHour(0), to = quarterHour(8)
        #expect(ledger.firstIntervalNeedingFetch(meteringPointId: meter, from: from, to: to) == from)
        ledger.track(meter, adding: [.consumption, .production])
        ledger.apply(intervals: (0..<8).map { reading($0, 0.1) }, direction: .consumption, meteringPointId: meter)
        ledger.apply(intervals: (0..<5).map { reading($0, 0.1) }, direction: .production, meteringPointId: meter)
        #expect(ledger.firstIntervalNeedingFetch(meteringPointId: meter, from: from, to: to) == quarterHour(5))
        ledger.apply(intervals: [reading(2, 0.1, .estimated)], direction: .consumption, meteringPointId: meter)
        #expect(ledger.firstIntervalNeedingFetch(meteringPointId: meter, from: from, to: to) == quarterHour(2))
        ledger.apply(intervals: [reading(2, 0.1)], direction: .consumption, meteringPointId: meter)
        ledger.apply(intervals: (5..<8).map { reading($0, 0.1) }, direction: .production, meteringPointId: meter)
        #expect(ledger.firstIntervalNeedingFetch(meteringPointId: meter, from: from, to: to) == nil)
        // `to` in the middle of an interval: only complete intervals count.
        #expect(ledger.firstIntervalNeedingFetch(meteringPointId: meter, from: from, to: quarterHour(9).addingTimeInterval(-1)) == nil)
        #expect(ledger.firstIntervalNeedingFetch(meteringPointId: meter, from: from, to: quarterHour(9)) == quarterHour(8))
    }

    @Test("Encoding and decoding keeps everything, so a restart changes nothing")
    mutating func codableRoundTrip() throws {
        var small = MeterLedger(retention: .seconds(3600))
        small.track(meter, adding: [.consumption, .production])
        small.apply(intervals: (0..<10).map { reading($0, 0.1, $0 % 3 == 0 ? .estimated : .measured) }, direction: .consumption, meteringPointId: meter)
        small.apply(intervals: [reading(9, nil, .missing)], direction: .production, meteringPointId: meter)
        small.apply(registers: [RegisterReading(timestamp: quarterHour(8), kilowattHours: 42)], direction: .consumption, meteringPointId: meter)
        let data = try JSONEncoder().encode(small)
        let decoded = try JSONDecoder().decode(MeterLedger.self, from: data)
        #expect(decoded == small)
        #expect(decoded.lifetimeTotal(meteringPointId: meter, direction: .consumption) == kWh(42.2))
    }

    @Test("Inconsistent persisted series are refused when decoding", arguments: [
        #"{"retentionSeconds":3600,"meteringPoints":[{"meteringPointId":"x","directions":[],"series":{"consumption":{"firstSlot":1,"energy":[1,2],"quality":"m","foldedSum":0}}}]}"#,
        #"{"retentionSeconds":3600,"meteringPoints":[{"meteringPointId":"x","directions":[],"series":{"consumption":{"firstSlot":1,"energy":[1],"quality":"?","foldedSum":0}}}]}"#,
        #"{"retentionSeconds":3600,"meteringPoints":[{"meteringPointId":"x","directions":[],"series":{"sideways":{"firstSlot":1,"energy":[1],"quality":"m","foldedSum":0}}}]}"#,
        #"{"retentionSeconds":60,"meteringPoints":[]}"#,
    ])
    func damagedLedger(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MeterLedger.self, from: Data(json.utf8)) }
    }
}
