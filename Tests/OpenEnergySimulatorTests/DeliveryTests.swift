import Foundation
import OpenEnergy
import Testing
@testable import OpenEnergySimulator

@Suite("Delivery in batches and corrections")
struct DeliveryTests {
    let population = SimulatorConfiguration.Population(customers: 40, meteringPointsPerCustomer: 1, solarShare: 0.5)
    let schedule = DeliverySchedule()
    var service: MeterDataService { MeterDataService(seed: 7, population: population, delivery: schedule) }

    /// 2026-06-10 local day: 2026-06-09T22:00Z to 2026-06-10T22:00Z.
    let from = UTCTimestamp.parse("2026-06-09T22:00:00Z")!
    let to = UTCTimestamp.parse("2026-06-10T22:00:00Z")!

    func intervals(_ data: OpenEnergyWire.MeterData) -> [OpenEnergyWire.MeterValue] {
        data.series.first { $0.obis == OpenEnergyWire.Obis.consumptionInterval }?.values ?? []
    }

    @Test("a read delivers the intervals up to two hours before it, four times a day")
    func batches() {
        let point = service.catalog.meteringPoint(at: 0)
        // 13:30 local: the 13:00 read delivered everything up to 11:00 local (09:00Z).
        let afterMiddayRead = UTCTimestamp.parse("2026-06-10T13:30:00+02:00")!
        let visible = intervals(service.meterData(point: point, from: from, to: to, obis: nil, now: afterMiddayRead))
        #expect(visible.count == 44)
        #expect(visible.last?.end == "2026-06-10T09:00:00Z")
        // Nothing new until the next read at 19:00 local.
        let beforeEveningRead = UTCTimestamp.parse("2026-06-10T18:59:00+02:00")!
        #expect(intervals(service.meterData(point: point, from: from, to: to, obis: nil, now: beforeEveningRead)).count == 44)
        let afterEveningRead = UTCTimestamp.parse("2026-06-10T19:00:00+02:00")!
        #expect(intervals(service.meterData(point: point, from: from, to: to, obis: nil, now: afterEveningRead)).count == 68)
        // The next morning's 07:00 read delivers up to 05:00: the whole day and its closing register reading.
        let nextMorning = UTCTimestamp.parse("2026-06-11T07:00:00+02:00")!
        let complete = service.meterData(point: point, from: from, to: to, obis: nil, now: nextMorning)
        #expect(intervals(complete).count == 96)
        let registers = complete.series.first { $0.obis == OpenEnergyWire.Obis.consumptionRegister }?.values ?? []
        #expect(registers.map(\.end) == ["2026-06-09T22:00:00Z", "2026-06-10T22:00:00Z"])
    }

    @Test("estimated and missing values are replaced by measured ones at a later delivery")
    func corrections() throws {
        let firstLook = UTCTimestamp.parse("2026-06-11T07:30:00+02:00")!
        let dayLater = firstLook + 86400
        var estimated = 0
        var missing = 0
        for index in 0..<population.meteringPoints {
            let point = service.catalog.meteringPoint(at: index)
            let before = intervals(service.meterData(point: point, from: from, to: to, obis: nil, now: firstLook))
            let after = intervals(service.meterData(point: point, from: from, to: to, obis: nil, now: dayLater))
            #expect(before.count == 96 && after.count == 96)
            #expect(after.allSatisfy { $0.quality == OpenEnergyWire.Quality.measured && $0.value != nil })
            for (early, late) in zip(before, after) {
                #expect(early.start == late.start)
                switch early.quality {
                case OpenEnergyWire.Quality.estimated:
                    estimated += 1
                    if (late.value ?? 0) > 0 { #expect(early.value != late.value) }
                case OpenEnergyWire.Quality.missing:
                    missing += 1
                    #expect(early.value == nil)
                default:
                    #expect(early.value == late.value)
                }
            }
        }
        // 40 points × 96 intervals at 3 % and 0.3 %: about 115 and 12.
        #expect(estimated > 50)
        #expect(missing > 0)
    }

    @Test("immediate delivery shows everything up to now, final at once")
    func immediate() {
        let service = MeterDataService(seed: 7, population: population, delivery: .immediate)
        let point = service.catalog.meteringPoint(at: 0)
        let now = UTCTimestamp.parse("2026-06-10T12:07:00Z")!
        let values = intervals(service.meterData(point: point, from: from, to: to, obis: nil, now: now))
        #expect(values.last?.end == "2026-06-10T12:00:00Z")
        #expect(values.allSatisfy { $0.quality == OpenEnergyWire.Quality.measured })
    }

    @Test("over HTTP, advancing the simulated clock delivers the next batch and the corrections")
    func clockDrivesDelivery() async throws {
        let start = Date(timeIntervalSince1970: TimeInterval(UTCTimestamp.parse("2026-06-10T13:30:00+02:00")!))
        let configuration = SimulatorConfiguration(
            seed: 7, autoApprove: true, population: population, clockStart: start, clockSpeed: 0
        )
        try await withSimulator(configuration) { sim in
            let token = try await sim.userAccessToken()
            let url = sim.clientAPI("v1/meterdata/\(sim.catalog.meteringPoint(at: 0).id)?from=2026-06-09T22:00:00Z&to=2026-06-10T22:00:00Z&obis=1-1:1.29.0")
            func values() async throws -> [[String: Any]] {
                let response = try await TestHTTP.get(url, headers: bearer(token))
                let series = response.json["series"] as? [[String: Any]] ?? []
                return series.first?["values"] as? [[String: Any]] ?? []
            }
            #expect(try await values().count == 44)
            sim.clock.advance(by: .seconds(6 * 3600))
            #expect(try await values().count == 68)
            sim.clock.advance(by: .seconds(2 * 86400))
            let final = try await values()
            #expect(final.count == 96)
            #expect(final.allSatisfy { $0["quality"] as? String == "measured" })
        }
    }
}

@Suite("Simulated clock")
struct SimulatedClockTests {
    @Test("a stopped clock moves only when told")
    func stopped() {
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let clock = SimulatedClock(start: start, speed: 0)
        #expect(clock.now == start)
        clock.advance(by: .seconds(3600))
        #expect(clock.now == start.addingTimeInterval(3600))
        clock.set(to: start)
        #expect(clock.now == start)
    }

    @Test("a fast clock runs at least speed times real time")
    func fast() async throws {
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        let clock = SimulatedClock(start: start, speed: 1000)
        try await Task.sleep(for: .milliseconds(20))
        #expect(clock.now.timeIntervalSince(start) >= 20)
        clock.setSpeed(0)
        let stopped = clock.now
        try await Task.sleep(for: .milliseconds(5))
        #expect(clock.now == stopped)
        #expect(clock.speed == 0)
    }
}
