import EnergyDomain
import Foundation
import Testing
@testable import OpenEnergySimulator

@Suite("Meter data generator")
struct MeterDataGeneratorTests {
    let catalog = MeteringPointCatalog(seed: 42, population: .init(customers: 20, meteringPointsPerCustomer: 1, solarShare: 0.5))
    let generator = MeterDataGenerator(seed: 42)

    func localDay(_ year: Int, _ month: Int, _ day: Int) -> Int {
        CivilDate(year: year, month: month, day: day).dayNumber
    }

    @Test("local days have 92 intervals in spring, 100 in autumn, 96 otherwise", arguments: [
        (2026, 3, 29, 92), (2026, 10, 25, 100), (2026, 6, 1, 96), (2026, 1, 15, 96), (2025, 3, 30, 92), (2025, 10, 26, 100),
    ])
    func dstIntervalCounts(year: Int, month: Int, day: Int, count: Int) {
        let point = catalog.meteringPoint(at: 0)
        for direction in EnergyDirection.allCases {
            let intervals = generator.intervals(direction, of: point, localDay: localDay(year, month, day))
            #expect(intervals.count == count)
            // Contiguous quarter hours from local midnight to local midnight.
            #expect(zip(intervals, intervals.dropFirst()).allSatisfy { $0.end == $1.start && $0.end - $0.start == 900 })
        }
    }

    @Test("registers at local midnight equal the starting reading plus the interval sums")
    func registersAgreeWithIntervals() throws {
        for index in 0..<catalog.count {
            let point = catalog.meteringPoint(at: index)
            let first = localDay(2026, 3, 20)
            for direction in EnergyDirection.allCases {
                guard var reading = generator.registerReading(direction, of: point, atStartOfLocalDay: first) else {
                    #expect(direction == .production && !point.hasSolar)
                    continue
                }
                for day in first..<(first + 20) {
                    let sum = generator.intervals(direction, of: point, localDay: day).reduce(Int64(0)) { $0 + $1.wattHours }
                    let next = try #require(generator.registerReading(direction, of: point, atStartOfLocalDay: day + 1))
                    #expect(next == reading + sum)
                    #expect(sum >= 0)
                    reading = next
                }
            }
        }
    }

    @Test("registers start at the installation reading and are absent before it")
    func installation() {
        let point = catalog.meteringPoint(at: 3)
        #expect(generator.registerReading(.consumption, of: point, atStartOfLocalDay: point.installationDay) == point.consumptionRegisterStart)
        #expect(generator.registerReading(.consumption, of: point, atStartOfLocalDay: point.installationDay - 1) == nil)
        #expect(generator.intervals(.consumption, of: point, localDay: point.installationDay - 1).isEmpty)
    }

    @Test("the same seed gives the same values; another seed other values")
    func determinism() {
        let day = localDay(2026, 6, 1)
        let again = MeterDataGenerator(seed: 42)
        let other = MeterDataGenerator(seed: 43)
        let point = catalog.meteringPoint(at: 0)
        #expect(generator.intervals(.consumption, of: point, localDay: day) == again.intervals(.consumption, of: point, localDay: day))
        #expect(generator.intervals(.production, of: point, localDay: day) == again.intervals(.production, of: point, localDay: day))
        #expect(generator.intervals(.consumption, of: point, localDay: day) != other.intervals(.consumption, of: point, localDay: day))
        #expect(catalog.meteringPoint(at: 7) == MeteringPointCatalog(seed: 42, population: catalog.population).meteringPoint(at: 7))
    }

    @Test("no production while the sun is below the horizon; production around noon", arguments: [(2026, 6, 21), (2026, 12, 21), (2026, 3, 29)])
    func productionFollowsTheSun(year: Int, month: Int, day: Int) {
        let point = catalog.meteringPoint(at: 0)
        let intervals = generator.intervals(.production, of: point, localDay: localDay(year, month, day))
        let sun = SolarPosition.lucerne
        for interval in intervals where sun.sineOfElevation(at: interval.start + 450) <= 0 {
            #expect(interval.wattHours == 0)
        }
        let local = LocalTime.zurich
        let night = intervals.filter { let h = local.wallClockSeconds(at: $0.start) / 3600; return h < 4 || h >= 22 }
        #expect(!night.isEmpty && night.allSatisfy { $0.wattHours == 0 })
        let noon = intervals.filter { (11...14).contains(local.wallClockSeconds(at: $0.start) / 3600) }
        #expect(noon.contains { $0.wattHours > 0 })
        #expect(intervals.reduce(Int64(0)) { $0 + $1.wattHours } > 0)
    }

    @Test("solar yield is higher in summer than in winter, consumption the other way round")
    func seasons() {
        let point = catalog.meteringPoint(at: 0)
        func total(_ direction: EnergyDirection, month: Int) -> Int64 {
            (1...28).reduce(Int64(0)) { sum, day in
                sum + generator.intervals(direction, of: point, localDay: localDay(2026, month, day)).reduce(0) { $0 + $1.wattHours }
            }
        }
        #expect(total(.production, month: 6) > 2 * total(.production, month: 12))
        #expect(total(.consumption, month: 1) > total(.consumption, month: 7))
    }

    @Test("household consumption peaks in the evening above the night's base load")
    func dailyProfile() {
        let local = LocalTime.zurich
        var evening: Int64 = 0
        var night: Int64 = 0
        for index in 0..<catalog.count {
            let point = catalog.meteringPoint(at: index)
            for day in localDay(2026, 1, 5)..<localDay(2026, 1, 19) {
                for interval in generator.intervals(.consumption, of: point, localDay: day) {
                    switch local.wallClockSeconds(at: interval.start) / 3600 {
                    case 18, 19, 20: evening += interval.wattHours
                    case 2, 3, 4: night += interval.wattHours
                    default: break
                    }
                }
            }
        }
        #expect(evening > 2 * night)
    }

    @Test("annual consumption lands near the household's annual figure")
    func annualTotal() throws {
        let point = catalog.meteringPoint(at: 5)
        let start = try #require(generator.registerReading(.consumption, of: point, atStartOfLocalDay: localDay(2025, 1, 1)))
        let end = try #require(generator.registerReading(.consumption, of: point, atStartOfLocalDay: localDay(2026, 1, 1)))
        let kWh = Double(end - start) / 1000
        #expect(abs(kWh - point.annualConsumptionKWh) < 0.05 * point.annualConsumptionKWh)
    }

    @Test("largest-remainder distribution keeps the exact total and gives nothing to zero weights")
    func distribution() {
        let parts = MeterDataGenerator.distribute(1000, over: [0, 1, 1, 1, 0])
        #expect(parts.reduce(0, +) == 1000)
        #expect(parts[0] == 0 && parts[4] == 0)
        #expect(parts.sorted() == [0, 0, 333, 333, 334])
    }
}

@Suite("Metering point catalog")
struct MeteringPointCatalogTests {
    @Test("ids are 33 characters, unique, and resolve back to their point")
    func ids() {
        let catalog = MeteringPointCatalog(seed: 1, population: .init(customers: 1000, meteringPointsPerCustomer: 3))
        #expect(catalog.count == 3000)
        #expect(catalog.meteringPoint(at: 0).id == "CH1008801234500000000000000012345")
        var seen = Set<String>()
        for index in stride(from: 0, to: catalog.count, by: 7) {
            let point = catalog.meteringPoint(at: index)
            #expect(point.id.count == 33)
            #expect(catalog.meteringPoint(id: point.id) == point)
            #expect(point.customerIndex == index / 3)
            seen.insert(point.id)
        }
        #expect(seen.count == (catalog.count + 6) / 7)
        #expect(catalog.meteringPoint(id: "CH1008801234500000000000000000001") == nil)
        #expect(catalog.meteringPoint(id: "CH100880123450000000000000001234") == nil)
        #expect(catalog.meteringPointIndices(ofCustomer: 2) == 6..<9)
    }
}
