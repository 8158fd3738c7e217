import Bridge
import EnergyDomain
import Foundation
import PropertyBased
import Testing
import TestSupport

@Suite("MeterLedger properties")
struct MeterLedgerPropertyTests {
    /// Final values (kWh with three decimals) of up to 200 consecutive intervals.
    private static let finalValues = Gen.int(in: 0...5_000).array(of: 1...200)

    private static func totalOfAll(_ values: [Int]) -> EnergyAmount {
        EnergyAmount(milliwattHours: Int64(values.reduce(0, +)) * 1000)
    }

    @Test("Any permutation with duplicates of the same intervals gives the same total")
    func permutationAndDuplication() async {
        await propertyCheck(input: Self.finalValues, Gen.int(in: 0...1_000_000)) { values, seed in
            let readings = values.enumerated().map { reading($0.offset, Double($0.element) / 1000) }
            var generator = SplitMix64(seed: UInt64(seed))
            let duplicated = (readings + readings.filter { _ in Bool.random(using: &generator) }).shuffled(using: &generator)
            var ledger = MeterLedger(retention: .seconds(4 * 86_400))
            // Applied in random chunks, as successive fetches would deliver them.
            var rest = duplicated[...]
            while !rest.isEmpty {
                let chunk = rest.prefix(Int.random(in: 1...20, using: &generator))
                ledger.apply(intervals: Array(chunk), direction: .consumption, meteringPointId: meter)
                rest = rest.dropFirst(chunk.count)
            }
            #expect(ledger.lifetimeTotal(meteringPointId: meter, direction: .consumption) == Self.totalOfAll(values))
        }
    }

    @Test("Estimates later replaced by measured values leave exactly the measured total")
    func estimatesThenCorrections() async {
        await propertyCheck(input: Self.finalValues, Gen.int(in: 0...5_000).array(of: 200), Gen.int(in: 0...1_000_000)) { values, estimates, seed in
            var generator = SplitMix64(seed: UInt64(seed))
            var ledger = MeterLedger(retention: .seconds(4 * 86_400))
            let first = values.indices.map { index in
                switch Int.random(in: 0...2, using: &generator) {
                case 0: reading(index, Double(estimates[index]) / 1000, .estimated)
                case 1: reading(index, nil, .missing)
                default: reading(index, Double(values[index]) / 1000)
                }
            }
            ledger.apply(intervals: first.shuffled(using: &generator), direction: .production, meteringPointId: meter)
            let final = values.enumerated().map { reading($0.offset, Double($0.element) / 1000) }
            ledger.apply(intervals: final.shuffled(using: &generator), direction: .production, meteringPointId: meter)
            #expect(ledger.lifetimeTotal(meteringPointId: meter, direction: .production) == Self.totalOfAll(values))
        }
    }

    @Test("A restart (encode, decode) at any point changes neither totals nor what follows")
    func restartAnywhere() async throws {
        await propertyCheck(input: Self.finalValues, Gen.int(in: 0...1_000_000)) { values, seed in
            var generator = SplitMix64(seed: UInt64(seed))
            let batches = values.enumerated().map { reading($0.offset, Double($0.element) / 1000) }
                .chunked(into: Int.random(in: 1...30, using: &generator))
            let restartAfter = Int.random(in: 0..<batches.count, using: &generator)
            var continuous = MeterLedger(retention: .seconds(3600 * 6))
            var restarted = continuous
            for (index, batch) in batches.enumerated() {
                continuous.apply(intervals: batch, direction: .consumption, meteringPointId: meter)
                restarted.apply(intervals: batch, direction: .consumption, meteringPointId: meter)
                if index == restartAfter {
                    restarted = try JSONDecoder().decode(MeterLedger.self, from: JSONEncoder().encode(restarted))
                }
            }
            #expect(restarted == continuous)
            #expect(restarted.lifetimeTotal(meteringPointId: meter, direction: .consumption) == Self.totalOfAll(values))
        }
    }

    @Test("Without downward corrections the reported total never decreases, whatever registers say")
    func monotonicTotals() async {
        let steps = Gen.int(in: 0...3).array(of: 1...120)
        await propertyCheck(input: steps, Gen.int(in: 0...1_000_000)) { kinds, seed in
            var generator = SplitMix64(seed: UInt64(seed))
            var ledger = MeterLedger(retention: .seconds(3600 * 12))
            var last = EnergyAmount.zero
            var nextInterval = 0
            var counter = 1000.0  // the meter's true register
            for kind in kinds {
                switch kind {
                case 0, 1:
                    let value = Double(Int.random(in: 0...800, using: &generator)) / 1000
                    ledger.apply(intervals: [reading(nextInterval, value)], direction: .consumption, meteringPointId: meter)
                    counter += value
                    nextInterval += 1
                case 2:
                    // A register reading that the meter rounded, possibly down, by up to 5 Wh.
                    let rounded = counter - Double(Int.random(in: 0...5, using: &generator)) / 1000
                    ledger.apply(registers: [RegisterReading(timestamp: quarterHour(nextInterval), kilowattHours: rounded)],
                                 direction: .consumption, meteringPointId: meter)
                default:
                    // A repeated fetch of something already known.
                    if nextInterval > 0 {
                        let again = ledger[meter]?.interval(.consumption, startingAt: quarterHour(nextInterval - 1))
                        ledger.apply(intervals: [reading(nextInterval - 1, again.map { $0.energy.kilowattHours })],
                                     direction: .consumption, meteringPointId: meter)
                    }
                }
                let total = ledger.lifetimeTotal(meteringPointId: meter, direction: .consumption) ?? .zero
                #expect(total >= last)
                last = total
            }
        }
    }
}

extension Array {
    func chunked(into size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
