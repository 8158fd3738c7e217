import EnergyDomain
import Foundation
import HomeAssistant
import HomeAssistantRecorder
import Synchronization
import Testing
import TestSupport

/// The importer against a real Home Assistant: catch-up, idempotent windows, corrections, restarts.
@Suite struct StatisticsImporterTests {
    static let meteringPointID = "CH1008801234500000000000000012345"
    /// Two days after the autumn DST change: the catch-up crosses the 25-hour day 2026-10-25.
    static let now = try! Date("2026-10-27T12:00:00Z", strategy: .iso8601)
    static let windowStart = now - 2 * 86_400
    static let backfillStart = now - 5 * 86_400

    @Test func catchUpWindowCorrectionsAndRestartConvergeToTheMeterValues() async throws {
        try await withHomeAssistant { homeAssistant in
            let meter = SimulatedMeter()
            let fetches = Mutex<[ClosedRange<Date>]>([])
            let source: StatisticsImporter.IntervalSource = { id, from, to in
                #expect(id == Self.meteringPointID)
                fetches.withLock { $0.append(from...to) }
                return meter.intervals(from: from, to: to)
            }
            let settings = StatisticsImporter.Settings(
                endpoint: homeAssistant.endpoint, accessToken: homeAssistant.accessToken,
                backfill: .seconds(5 * 86_400), backfillChunk: .seconds(86_400), backfillPause: .zero)

            // First start: the newest quarter hour is not delivered yet, one value is an estimate.
            meter.withheld = [Self.now - 900]
            meter.estimates[Self.now - 10 * 3600] = 0.999
            let importer = StatisticsImporter(settings: settings)
            let first = try await importer.synchronize([meter.window()], windowStart: Self.windowStart, now: Self.now, source: source)
            #expect(fetches.withLock { $0.count } == 3)  // three days in one-day requests
            #expect(fetches.withLock { $0.first?.lowerBound } == Self.backfillStart)
            #expect(first.map(\.incompleteHours) == [1, 1])
            try await expectStoredRowsEqual(meter, homeAssistant)

            // The same window again writes nothing.
            let repeated = try await importer.synchronize([meter.window()], windowStart: Self.windowStart, now: Self.now, source: source)
            #expect(repeated.map(\.importedRows) == [0, 0])

            // The estimate is replaced by a measured value, and the last quarter arrives.
            meter.estimates = [:]
            meter.withheld = []
            let corrected = try await importer.synchronize([meter.window()], windowStart: Self.windowStart, now: Self.now, source: source)
            // Reports come export first: its last hour completed; import: from the corrected hour on.
            #expect(corrected.map(\.firstChangedHour) == [Self.now - 3600, Self.now - 10 * 3600])
            #expect(corrected.map(\.importedRows) == [1, 10])
            try await expectStoredRowsEqual(meter, homeAssistant)

            // A restart: a new importer finds everything stored, fetches nothing, writes nothing.
            let restarted = StatisticsImporter(settings: settings)
            let afterRestart = try await restarted.synchronize([meter.window()], windowStart: Self.windowStart, now: Self.now, source: source)
            #expect(afterRestart.map(\.importedRows) == [0, 0])
            #expect(fetches.withLock { $0.count } == 3)
            #expect(await restarted.hasCaughtUp(Self.meteringPointID))

            // The 25-hour local day has 25 hourly rows.
            let recorder = try await RecorderClient(connection: HomeAssistantWebSocket.connect(to: homeAssistant.endpoint, accessToken: homeAssistant.accessToken))
            let dstDay = try await recorder.statistics(
                [meter.statistic(.consumption).statisticID], from: Date("2026-10-24T22:00:00Z", strategy: .iso8601),
                to: Date("2026-10-25T23:00:00Z", strategy: .iso8601))
            #expect(dstDay[meter.statistic(.consumption).statisticID]?.count == 25)
            await recorder.connection.close()
        }
    }

    @Test func anInterruptedCatchUpResumesWhereItStoppedAndHoldsTheWindowBack() async throws {
        try await withHomeAssistant { homeAssistant in
            let meter = SimulatedMeter()
            let failAfter = Mutex(1)
            let fetches = Mutex<[Date]>([])
            let source: StatisticsImporter.IntervalSource = { _, from, to in
                let allowed = failAfter.withLock { budget in
                    defer { budget -= 1 }
                    return budget > 0
                }
                guard allowed else { throw TestFailure("CKW is rate limiting") }
                fetches.withLock { $0.append(from) }
                return meter.intervals(from: from, to: to)
            }
            let settings = StatisticsImporter.Settings(
                endpoint: homeAssistant.endpoint, accessToken: homeAssistant.accessToken,
                backfill: .seconds(5 * 86_400), backfillChunk: .seconds(86_400), backfillPause: .zero)

            let importer = StatisticsImporter(settings: settings)
            let stopped = try await importer.synchronize([meter.window()], windowStart: Self.windowStart, now: Self.now, source: source)
            #expect(stopped.isEmpty)  // the window waits for the catch-up
            #expect(await !importer.hasCaughtUp(Self.meteringPointID))

            // Next start: it continues with the second day, not from the beginning.
            failAfter.withLock { $0 = 10 }
            let restarted = StatisticsImporter(settings: settings)
            try await restarted.synchronize([meter.window()], windowStart: Self.windowStart, now: Self.now, source: source)
            #expect(fetches.withLock { $0 } == [Self.backfillStart, Self.backfillStart + 86_400, Self.backfillStart + 2 * 86_400])
            try await expectStoredRowsEqual(meter, homeAssistant)
        }
    }

    @Test func aWrongTokenIsReportedBeforeAnythingIsFetched() async throws {
        try await withHomeAssistant(recorder: false) { homeAssistant in
            let settings = StatisticsImporter.Settings(endpoint: homeAssistant.endpoint, accessToken: "wrong")
            let importer = StatisticsImporter(settings: settings)
            await #expect(throws: HomeAssistantConnectionError.authenticationFailed(homeAssistant.endpoint, message: "Invalid access token or password")) {
                try await importer.synchronize([SimulatedMeter().window()], windowStart: Self.windowStart, now: Self.now) { _, _, _ in
                    Issue.record("nothing may be fetched")
                    return [:]
                }
            }
            let withoutRecorder = StatisticsImporter(settings: .init(endpoint: homeAssistant.endpoint, accessToken: homeAssistant.accessToken))
            await #expect(throws: HomeAssistantConnectionError.recorderNotLoaded(homeAssistant.endpoint)) {
                try await withoutRecorder.synchronize([SimulatedMeter().window()], windowStart: Self.windowStart, now: Self.now) { _, _, _ in [:] }
            }
        }
    }

    /// Every stored row equals the meter's hour, every complete hour since the backfill start is
    /// there, and the sum starts at the first hour and never decreases.
    private func expectStoredRowsEqual(_ meter: SimulatedMeter, _ homeAssistant: TestHomeAssistant) async throws {
        let recorder = try await RecorderClient(connection: HomeAssistantWebSocket.connect(to: homeAssistant.endpoint, accessToken: homeAssistant.accessToken))
        for direction in [EnergyDirection.consumption, .production] {
            let id = meter.statistic(direction).statisticID
            let rows = try await recorder.statistics([id], from: Self.backfillStart - 86_400, to: Self.now + 3600)[id] ?? []
            let expectedHours = meter.completeHours(from: Self.backfillStart, to: Self.now)
            #expect(rows.map(\.start) == expectedHours, "\(id)")
            var sum = 0.0
            for row in rows {
                let hour = meter.hourEnergy(direction, row.start)
                #expect(row.state == hour, "\(id) \(row.start)")
                sum += hour
                #expect(abs((row.sum ?? -1) - sum) < 1e-6, "\(id) \(row.start)")
            }
            #expect(zip(rows, rows.dropFirst()).allSatisfy { ($0.sum ?? 0) <= ($1.sum ?? 0) })
        }
        await recorder.connection.close()
    }
}

/// Deterministic 15-minute values in whole watt-hours, with estimates and withheld quarters.
final class SimulatedMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var _withheld: Set<Date> = []
    private var _estimates: [Date: Double] = [:]

    var withheld: Set<Date> {
        get { lock.withLock { _withheld } }
        set { lock.withLock { _withheld = newValue } }
    }
    /// Quarter start -> estimated kWh reported instead of the measured value.
    var estimates: [Date: Double] {
        get { lock.withLock { _estimates } }
        set { lock.withLock { _estimates = newValue } }
    }

    func statistic(_ direction: EnergyDirection) -> EnergyStatistic {
        EnergyStatistic(meteringPointID: StatisticsImporterTests.meteringPointID, direction: direction)
    }

    /// What the meter really measured.
    func measured(_ direction: EnergyDirection, _ start: Date) -> Double {
        let slot = Int(start.timeIntervalSince1970 / 900)
        let wattHours = direction == .consumption ? (slot * 37) % 400 + 20 : max(0, (slot * 53) % 600 - 300)
        return Double(wattHours) / 1000
    }

    /// What the meter reports now (an estimate while there is one).
    func reported(_ direction: EnergyDirection, _ start: Date) -> Double {
        direction == .consumption ? (estimates[start] ?? measured(direction, start)) : measured(direction, start)
    }

    func intervals(from: Date, to: Date) -> [EnergyDirection: [IntervalReading]] {
        var result: [EnergyDirection: [IntervalReading]] = [:]
        let withheld = self.withheld
        let estimates = self.estimates
        for direction in [EnergyDirection.consumption, .production] {
            result[direction] = stride(from: from.timeIntervalSince1970, to: to.timeIntervalSince1970, by: 900).compactMap { seconds in
                let start = Date(timeIntervalSince1970: seconds)
                guard !withheld.contains(start) else { return nil }
                let estimated = direction == .consumption && estimates[start] != nil
                return IntervalReading(start: start, end: start + 900, kilowattHours: reported(direction, start),
                                          quality: estimated ? .estimated : .measured)
            }
        }
        return result
    }

    /// The bridge's view of the look-back window.
    func window() -> StatisticsImporter.Meter {
        StatisticsImporter.Meter(
            meteringPointID: StatisticsImporterTests.meteringPointID, label: nil,
            intervals: intervals(from: StatisticsImporterTests.windowStart, to: StatisticsImporterTests.now))
    }

    func hourEnergy(_ direction: EnergyDirection, _ hour: Date) -> Double {
        Double((0..<4).map { Int((reported(direction, hour + Double($0 * 900)) * 1000).rounded()) }.reduce(0, +)) / 1000
    }

    func completeHours(from: Date, to: Date) -> [Date] {
        let withheld = self.withheld
        return stride(from: from.timeIntervalSince1970, to: to.timeIntervalSince1970, by: 3600).map(Date.init(timeIntervalSince1970:))
            .filter { hour in (0..<4).allSatisfy { !withheld.contains(hour + Double($0 * 900)) } }
    }
}
