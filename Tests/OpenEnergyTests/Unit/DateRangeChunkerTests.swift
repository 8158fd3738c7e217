import EnergyDomain
import Foundation
import PropertyBased
import Testing

@testable import OpenEnergy

@Suite("Splitting long ranges")
struct DateRangeChunkerTests {
    @Test("chunks cover the range exactly, back to back, none longer than allowed")
    func coverage() async {
        await propertyCheck(input: Gen.int(in: 0...2_000_000_000), Gen.int(in: 1...(400 * 86_400)), Gen.int(in: 3_600...(31 * 86_400))) { start, length, maximum in
            let from = Date(timeIntervalSince1970: TimeInterval(start))
            let to = from.addingTimeInterval(TimeInterval(length))
            let chunks = DateRangeChunker.chunks(from: from, to: to, maximumLength: TimeInterval(maximum))
            #expect(chunks.first?.lowerBound == from)
            #expect(chunks.last?.upperBound == to)
            #expect(chunks.allSatisfy { $0.upperBound.timeIntervalSince($0.lowerBound) <= TimeInterval(maximum) })
            #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(chunks.count == (length + maximum - 1) / maximum)
        }
    }

    @Test("an empty or inverted range has no chunks")
    func emptyRange() {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(DateRangeChunker.chunks(from: date, to: date, maximumLength: 60).isEmpty)
        #expect(DateRangeChunker.chunks(from: date, to: date.addingTimeInterval(-1), maximumLength: 60).isEmpty)
    }

    @Test("merging chunk responses keeps series apart, sorts and drops duplicates")
    func merge() {
        func reading(_ minute: Int, _ value: Double) -> MeterReading {
            let start = Date(timeIntervalSince1970: 1_800_000_000 + TimeInterval(minute * 60))
            return MeterReading(start: start, end: start.addingTimeInterval(900), value: value, quality: .measured)
        }
        func series(_ obis: String, _ readings: [MeterReading]) -> MeterSeries {
            MeterSeries(obis: obis, direction: ObisCode.direction(of: obis), kind: .interval, unit: "kWh", resolution: .seconds(900), readings: readings)
        }
        let first = MeterData(meteringPointId: "CH1", series: [series("1-1:1.29.0", [reading(0, 1), reading(15, 2)]), series("1-1:2.29.0", [reading(0, 5)])])
        let second = MeterData(meteringPointId: "CH1", series: [series("1-1:2.29.0", [reading(15, 6)]), series("1-1:1.29.0", [reading(15, 2.5), reading(30, 3)])])
        let merged = MeterDataMerger.merge([first, second], meteringPointId: "CH1")
        #expect(merged.series.map(\.obis) == ["1-1:1.29.0", "1-1:2.29.0"])
        #expect(merged.series[0].readings.map(\.value) == [1, 2.5, 3])
        #expect(merged.series[1].readings.map(\.value) == [5, 6])
    }
}
