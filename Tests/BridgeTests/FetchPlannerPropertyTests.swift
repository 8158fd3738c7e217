import Bridge
import EnergyDomain
import Foundation
import PropertyBased
import Testing

/// A stand-in for CKW's data publication: batches appear at given times, each making every
/// interval that ended some hours before it available. Requests answer what is available.
private struct BatchPublisher {
    /// (appears at, covers intervals ending at or before)
    var batches: [(appearsAt: Date, coversUntil: Date)]

    func available(at time: Date) -> Date? {
        batches.filter { $0.appearsAt <= time }.map(\.coversUntil).max()
    }

    func answer(_ request: FetchRequest, at time: Date) -> [IntervalReading] {
        guard let until = available(at: time) else { return [] }
        var readings: [IntervalReading] = []
        var start = request.from
        while start < request.to, start.addingTimeInterval(900) <= until {
            readings.append(IntervalReading(start: start, end: start.addingTimeInterval(900), kilowattHours: 0.1, quality: .measured))
            start = start.addingTimeInterval(900)
        }
        return readings
    }
}

@Suite("FetchPlanner properties: budget and pick-up latency over random days")
struct FetchPlannerPropertyTests {
    private let origin = quarterHour(4 * 24 * 100)

    @Test("Over three simulated days with random batches and refresh commands: at most 100 requests per metering point in any 24 hours, every batch fetched within 30 minutes")
    func budgetAndLatency() async {
        let day = 86_400
        let batchTimes = Gen.int(in: 0..<(3 * day)).array(of: 4...16)
        let delays = Gen.int(in: 1800...(9 * 3600))  // values arrive half an hour to nine hours late
        let refreshTimes = Gen.int(in: 0..<(3 * day)).array(of: 0...200)
        let pollMinutes = Gen.int(in: 15...30)
        await propertyCheck(count: 40, input: batchTimes, delays, refreshTimes, pollMinutes) { batchOffsets, delay, refreshOffsets, minutes in
            let policy = FetchPolicy(pollInterval: .seconds(minutes * 60))
            let publisher = BatchPublisher(batches: batchOffsets.map { offset in
                let appears = origin.addingTimeInterval(TimeInterval(offset))
                return (appears, FetchPlanner.intervalBoundary(atOrBefore: appears.addingTimeInterval(TimeInterval(-delay))))
            })
            var planner = FetchPlanner(policy: policy)
            var ledger = MeterLedger(retention: MeterLedger.retention(forLookback: policy.lookback))
            planner.track(meter)
            ledger.track(meter, adding: [.consumption])

            var commands = refreshOffsets.sorted().map { origin.addingTimeInterval(TimeInterval($0)) }
            var requestTimes: [Date] = []
            var now = origin
            let end = origin.addingTimeInterval(TimeInterval(3 * day))
            while now < end {
                while let command = commands.first, command <= now {
                    planner.requestRefresh(at: command)
                    commands.removeFirst()
                }
                for request in planner.dueRequests(at: now, ledger: ledger) {
                    requestTimes.append(now)
                    ledger.apply(intervals: publisher.answer(request, at: now), direction: .consumption, meteringPointId: meter)
                    // After any request, everything published so far (within the look-back) is in the ledger.
                    if let available = publisher.available(at: now) {
                        let lookbackStart = now.addingTimeInterval(-TimeInterval(policy.lookback.components.seconds))
                        #expect(ledger.firstIntervalNeedingFetch(meteringPointId: meter, from: lookbackStart, to: available) == nil)
                    }
                }
                // The service wakes at the planner's next date or at the next command, whichever is first.
                let next = [planner.nextDecisionDate(after: now), commands.first].compactMap { $0 }.min() ?? end
                now = max(next, now.addingTimeInterval(1))
            }

            for time in requestTimes {
                let inWindow = requestTimes.count { $0 <= time && time.timeIntervalSince($0) < 86_400 }
                #expect(inWindow <= policy.dailyRequestBudget)
            }
            for batch in publisher.batches where batch.appearsAt.addingTimeInterval(1800) < end {
                let pickUp = requestTimes.first { $0 >= batch.appearsAt }
                #expect(pickUp.map { $0.timeIntervalSince(batch.appearsAt) <= 1800 } == true,
                        "batch at \(batch.appearsAt) picked up at \(String(describing: pickUp))")
            }
        }
    }
}
