import EnergyDomain
import Foundation
import HomeAssistant
import PropertyBased
import Testing

/// Hourly rows from 15-minute values: complete hours only, a running sum from a base, UTC hours.
@Suite struct HourlyStatisticsBuilderTests {
    let builder = HourlyStatisticsBuilder()

    @Test func fourQuartersMakeOneRowWithTheirSum() {
        let hour = date("2026-11-26T23:00:00Z")
        let built = builder.build(from: quarters(from: hour, [0.123, 0.2, 0.001, 0.5]), continuingFrom: 1000)
        #expect(built.rows == [HourlyStatistic(start: hour, state: 0.824, sum: 1000.824)])
        #expect(built.incompleteHours.isEmpty)
        #expect(built.endSum == 1000.824)
    }

    @Test func sumsAreExactDecimals() {
        // In floating point 0.1 + 0.2 is 0.30000000000000004; the rows must not show that.
        let built = builder.build(from: quarters(from: date("2026-01-01T00:00:00Z"), [0.1, 0.2, 0, 0]), continuingFrom: 0)
        #expect(built.rows.map(\.state) == [0.3])
        #expect(built.rows.map(\.sum) == [0.3])
    }

    @Test func anHourWithoutAllFourQuartersIsNotImportedAndTheNextContinuesTheSum() {
        let first = date("2026-11-26T10:00:00Z")
        var intervals = quarters(from: first, [1, 1, 1, 1, /* 11:00 */ 1, 1, 1, 1, /* 12:00 */ 2, 2, 2, 2])
        intervals.remove(at: 5)  // 11:15 not delivered yet
        let built = builder.build(from: intervals, continuingFrom: 10)
        #expect(built.rows.map(\.start) == [first, first + 7200])
        #expect(built.rows.map(\.sum) == [14, 22])
        #expect(built.incompleteHours == [first + 3600])
    }

    @Test func aMissingValueLeavesItsHourOut() {
        var intervals = quarters(from: date("2026-11-26T10:00:00Z"), [1, 1, 1, 1])
        intervals[2] = IntervalReading(start: intervals[2].start, end: intervals[2].end, kilowattHours: nil, quality: .missing)
        let built = builder.build(from: intervals, continuingFrom: 0)
        #expect(built.rows.isEmpty)
        #expect(built.incompleteHours == [date("2026-11-26T10:00:00Z")])
        #expect(built.endSum == 0)
    }

    @Test func estimatedValuesCountAndARebuildWithMeasuredOnesReplacesThem() {
        let hour = date("2026-11-26T10:00:00Z")
        let estimated = quarters(from: hour, [0.5, 0.5, 0.5, 0.5], quality: .estimated)
        let measured = quarters(from: hour, [0.25, 0.5, 0.5, 0.5])
        #expect(builder.build(from: estimated, continuingFrom: 3).rows.map(\.sum) == [5])
        // The same interval twice (estimate first, correction after): the later value counts.
        #expect(builder.build(from: estimated + measured, continuingFrom: 3).rows == [HourlyStatistic(start: hour, state: 1.75, sum: 4.75)])
    }

    @Test func intervalsCrossingAnHourOrWithImpossibleValuesAreRejected() {
        let crossing = IntervalReading(start: date("2026-11-26T10:45:00Z"), end: date("2026-11-26T11:15:00Z"), kilowattHours: 1, quality: .measured)
        let negative = IntervalReading(start: date("2026-11-26T12:00:00Z"), end: date("2026-11-26T12:15:00Z"), kilowattHours: -0.1, quality: .measured)
        let empty = IntervalReading(start: date("2026-11-26T13:00:00Z"), end: date("2026-11-26T13:00:00Z"), kilowattHours: 1, quality: .measured)
        let built = builder.build(from: [crossing, negative, empty], continuingFrom: 0)
        #expect(built.rejectedIntervals == [crossing, negative, empty])
        #expect(built.rows.isEmpty)
    }

    @Test(arguments: [(minutes: 5, count: 12), (minutes: 30, count: 2), (minutes: 60, count: 1)])
    func otherResolutionsThatTileTheHourWork(minutes: Int, count: Int) {
        let hour = date("2026-11-26T10:00:00Z")
        let intervals = (0..<count).map { index in
            IntervalReading(start: hour + Double(index * minutes * 60), end: hour + Double((index + 1) * minutes * 60),
                               kilowattHours: 0.5, quality: .measured)
        }
        #expect(builder.build(from: intervals, continuingFrom: 0).rows.map(\.state) == [0.5 * Double(count)])
    }

    @Test func overlappingIntervalsMakeTheHourIncomplete() {
        let hour = date("2026-11-26T10:00:00Z")
        let halfHour = IntervalReading(start: hour, end: hour + 1800, kilowattHours: 1, quality: .measured)
        let built = builder.build(from: quarters(from: hour, [1, 1, 1, 1]) + [halfHour], continuingFrom: 0)
        #expect(built.rows.isEmpty)
        #expect(built.incompleteHours == [hour])
    }

    // MARK: Daylight saving time in Europe/Zurich

    @Test(arguments: [
        (day: "2026-03-29", quarters: 92, hours: 23),  // spring forward
        (day: "2026-10-25", quarters: 100, hours: 25),  // fall back
        (day: "2026-11-26", quarters: 96, hours: 24),
    ])
    func aLocalDayHasOneRowPerHourItReallyHas(day: String, quarters count: Int, hours: Int) throws {
        let (start, end) = try zurichDay(day)
        #expect(Int(end.timeIntervalSince(start)) / 900 == count)
        let intervals = (0..<count).map { index in
            IntervalReading(start: start + Double(index * 900), end: start + Double((index + 1) * 900),
                               kilowattHours: 0.25, quality: .measured)
        }
        let built = builder.build(from: intervals, continuingFrom: 0)
        #expect(built.rows.count == hours)
        #expect(built.rows.first?.start == start)
        #expect(built.rows.allSatisfy { $0.state == 1 })
        #expect(built.endSum == Double(hours))
    }

    // MARK: Properties

    /// Up to three days of quarter-hour values in whole watt-hours, some missing.
    private static let quarterValues = Gen.int(in: -1...2_000).array(of: 1...288)

    @Test func rowsHoldEachCompleteHoursEnergyAndTheSumNeverDecreases() async {
        await propertyCheck(input: Self.quarterValues, Gen.int(in: 0...1_000_000)) { values, base in
            let baseSum = Double(base) / 1000
            let built = builder.build(from: intervals(values), continuingFrom: baseSum)
            var previous = baseSum
            for row in built.rows {
                let index = Int(row.start.timeIntervalSince(Self.origin)) / 900
                let expected = values[index..<index + 4].reduce(0, +)
                #expect(row.state == Double(expected) / 1000)
                #expect(row.sum >= previous)
                #expect(abs(row.sum - (previous + row.state)) < 1e-9)
                previous = row.sum
            }
            let completeHours = stride(from: 0, to: values.count - 3, by: 4).filter { values[$0..<$0 + 4].allSatisfy { $0 >= 0 } }
            #expect(built.rows.count == completeHours.count)
        }
    }

    /// What the importer relies on: building a window from the sum stored just before it gives the
    /// same rows as building everything at once, wherever the window starts.
    @Test func rebuildingATailFromTheStoredSumReproducesTheRows() async {
        await propertyCheck(input: Self.quarterValues, Gen.int(in: 0...72)) { values, splitHour in
            let all = builder.build(from: intervals(values), continuingFrom: 0)
            let split = Self.origin + Double(splitHour * 3600)
            let before = all.rows.last { $0.start < split }?.sum ?? 0
            let tail = builder.build(from: intervals(values).filter { $0.start >= split }, continuingFrom: before)
            #expect(tail.rows == all.rows.filter { $0.start >= split })
        }
    }

    // MARK: Helpers

    private static let origin = date("2026-03-28T00:00:00Z")

    /// Quarter-hour intervals from `origin`; a negative value stands for a missing one.
    private func intervals(_ wattHours: [Int]) -> [IntervalReading] {
        wattHours.enumerated().map { index, value in
            IntervalReading(start: Self.origin + Double(index * 900), end: Self.origin + Double((index + 1) * 900),
                               kilowattHours: value < 0 ? nil : Double(value) / 1000, quality: value < 0 ? .missing : .measured)
        }
    }
}

/// The statistic's identity: what Home Assistant's recorder accepts as an external statistic.
@Suite struct EnergyStatisticTests {
    @Test func idIsLowerCaseSourceColonMeteringPointAndDirection() {
        let statistic = EnergyStatistic(meteringPointID: "CH1008801234500000000000000012345", direction: .consumption)
        #expect(statistic.statisticID == "ckw2mqtt:ch1008801234500000000000000012345_import")
        #expect(EnergyStatistic(meteringPointID: "CH1008801234500000000000000012345", direction: .production).statisticID
            == "ckw2mqtt:ch1008801234500000000000000012345_export")
        #expect(statistic.unitOfMeasurement == "kWh")
        #expect(statistic.hasSum && !statistic.hasMean)
        #expect(EnergyStatistic.source == "ckw2mqtt")
    }

    @Test(arguments: ["CH1008801234500000000000000012345", "ch-10088_0123__45", "CH10088012345000000000000000ABCDE"])
    func idMatchesTheRecordersPattern(meteringPointID: String) throws {
        // homeassistant/components/recorder/statistics.py, VALID_STATISTIC_ID (2025.4.4).
        // NSRegularExpression, because Swift's Regex has no lookbehind.
        let pattern = try NSRegularExpression(pattern: #"^(?!.+__)(?!_)[\da-z_]+(?<!_):(?!_)[\da-z_]+(?<!_)$"#)
        let id = EnergyStatistic(meteringPointID: meteringPointID, direction: .production).statisticID
        #expect(pattern.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil, "\(id)")
    }

    @Test func nameUsesTheLabelWhenThereIsOne() {
        #expect(EnergyStatistic(meteringPointID: "CH1", direction: .consumption, label: "Seestrasse 1").name == "CKW Seestrasse 1 energy imported")
        #expect(EnergyStatistic(meteringPointID: "CH1", direction: .production).name == "CKW CH1 energy exported")
    }
}

private func date(_ text: String) -> Date {
    try! Date(text, strategy: .iso8601)
}

private func quarters(from start: Date, _ values: [Double], quality: ValueQuality = .measured) -> [IntervalReading] {
    values.enumerated().map { index, value in
        IntervalReading(start: start + Double(index * 900), end: start + Double((index + 1) * 900), kilowattHours: value, quality: quality)
    }
}

private func zurichDay(_ day: String) throws -> (Date, Date) {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "Europe/Zurich"))
    let parts = day.split(separator: "-").map { Int($0)! }
    let start = try #require(calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])))
    let end = try #require(calendar.date(byAdding: .day, value: 1, to: start))
    return (start, end)
}
