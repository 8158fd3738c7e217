import Bridge
import EnergyDomain
import Foundation
import Testing

@Suite("FetchPlanner: schedule, ranges, refreshes and budget")
struct FetchPlannerTests {
    private let start = quarterHour(4 * 24 * 10).addingTimeInterval(7)  // a few seconds past a boundary
    private let minute: TimeInterval = 60

    @Test("The default budget arithmetic: 73 polls and 27 refreshes at most, 30-minute pick-up")
    func budgetArithmetic() {
        let policy = FetchPolicy()
        #expect(policy.maximumPollsPerDay == 73)
        #expect(policy.refreshAllowancePerDay == 27)
        #expect(policy.maximumPollsPerDay + policy.refreshAllowancePerDay <= 100)
        #expect(policy.maximumBatchDelay == .seconds(20 * 60))
        #expect(policy.keepsPromises)
        let fastest = FetchPolicy(pollInterval: FetchPolicy.shortestPollInterval)
        #expect(fastest.maximumPollsPerDay == 97 && fastest.refreshAllowancePerDay == 3 && fastest.keepsPromises)
        #expect(!FetchPolicy(pollInterval: .seconds(10 * 60)).keepsPromises)
        #expect(!FetchPolicy(pollInterval: .seconds(45 * 60)).keepsPromises)
    }

    @Test("The policy follows the bridge settings")
    func policyFromSettings() {
        var settings = BridgeSettings(stateDirectory: "/tmp/x")
        settings.pollInterval = .seconds(25 * 60)
        settings.correctionSweep = .off
        let policy = FetchPolicy(settings)
        #expect(policy.pollInterval == .seconds(25 * 60) && policy.correctionSweepInterval == nil && policy.lookback == settings.lookback)
    }

    @Test("The first request sweeps the look-back; later polls start where data is still needed")
    func ranges() {
        var planner = FetchPlanner(policy: FetchPolicy())
        var ledger = MeterLedger(retention: .seconds(4 * 86_400))
        planner.track(meter)
        let first = planner.dueRequests(at: start, ledger: ledger)
        let now = FetchPlanner.intervalBoundary(atOrBefore: start)
        #expect(now == quarterHour(4 * 24 * 10))
        #expect(first == [FetchRequest(meteringPointId: meter, from: now.addingTimeInterval(-3 * 86_400), to: now, reason: .correctionSweep)])

        // CKW delivered everything up to seven hours ago.
        let delivered = (4 * 24 * 7)..<(4 * 24 * 10 - 28)
        ledger.apply(intervals: delivered.map { reading($0, 0.1) }, direction: .consumption, meteringPointId: meter)
        #expect(planner.dueRequests(at: start.addingTimeInterval(19 * minute), ledger: ledger).isEmpty)
        let poll = planner.dueRequests(at: start.addingTimeInterval(20 * minute), ledger: ledger)
        #expect(poll == [FetchRequest(meteringPointId: meter, from: quarterHour(4 * 24 * 10 - 28), to: quarterHour(4 * 24 * 10 + 1), reason: .poll)])
    }

    @Test("Sweeps recur daily on a poll, or never when off")
    func sweeps() {
        var planner = FetchPlanner(policy: FetchPolicy())
        planner.track(meter)
        var reasons: [FetchReason] = []
        var now = start
        while now < start.addingTimeInterval(2 * 86_400) {
            // A ledger that always has everything except the newest interval.
            reasons += planner.dueRequests(at: now) { _, _, to in to.addingTimeInterval(-900) }.map(\.reason)
            now = planner.nextDecisionDate(after: now)!
        }
        #expect(reasons.count { $0 == .correctionSweep } == 2)
        #expect(reasons.count == 2 * 72)

        var off = FetchPlanner(policy: FetchPolicy(correctionSweepInterval: nil))
        off.track(meter)
        #expect(off.dueRequests(at: start) { _, from, _ in from }.map(\.reason) == [.poll])
    }

    @Test("A poll with nothing to fetch issues no request and waits a poll interval")
    func nothingToFetch() {
        var planner = FetchPlanner(policy: FetchPolicy(correctionSweepInterval: nil))
        planner.track(meter)
        #expect(planner.dueRequests(at: start) { _, _, _ in nil }.isEmpty)
        #expect(planner.requestCount(meteringPointId: meter, inDayBefore: start) == 0)
        #expect(planner.nextDecisionDate(after: start) == start.addingTimeInterval(20 * minute))
    }

    @Test("Refresh commands coalesce, are served at once, and push the next poll back")
    func refreshes() {
        var planner = FetchPlanner(policy: FetchPolicy())
        planner.track(meter)
        _ = planner.dueRequests(at: start) { _, from, _ in from }
        let later = start.addingTimeInterval(5 * minute)
        planner.requestRefresh(at: later)
        planner.requestRefresh(at: later.addingTimeInterval(1))
        #expect(planner.nextDecisionDate(after: later) == later)
        let served = planner.dueRequests(at: later.addingTimeInterval(2)) { _, from, _ in from }
        #expect(served.map(\.reason) == [.refresh])
        #expect(planner.dueRequests(at: later.addingTimeInterval(3)) { _, from, _ in from }.isEmpty)
        #expect(planner.nextDecisionDate(after: later.addingTimeInterval(3)) == later.addingTimeInterval(2 + 20 * minute))
    }

    @Test("A refresh storm never exceeds the budget; refreshes beyond the allowance wait for the next poll")
    func refreshStorm() {
        var planner = FetchPlanner(policy: FetchPolicy())
        planner.track(meter)
        var issued: [(at: Date, reason: FetchReason)] = []
        var now = start
        while now < start.addingTimeInterval(2 * 86_400) {
            planner.requestRefresh(at: now)
            issued += planner.dueRequests(at: now) { _, from, _ in from }.map { (now, $0.reason) }
            now = now.addingTimeInterval(30)  // a command every 30 seconds, for two days
        }
        for request in issued {
            let window = issued.filter { $0.at <= request.at && request.at.timeIntervalSince($0.at) < 86_400 }
            #expect(window.count <= 100)
        }
        let firstDay = issued.filter { $0.at.timeIntervalSince(start) < 86_400 }
        #expect(firstDay.count { $0.reason == .refresh } == FetchPolicy().refreshAllowancePerDay)
        // Polls keep running while refreshes are exhausted, so the 30-minute pick-up still holds.
        for (earlier, later) in zip(issued, issued.dropFirst()) {
            #expect(later.at.timeIntervalSince(earlier.at) <= 20 * minute)
        }
    }

    @Test("Removed metering points are no longer planned; several are planned independently")
    func severalMeters() {
        var planner = FetchPlanner(policy: FetchPolicy())
        let other = "CH1008801234500000000000000067890"
        planner.track(meter)
        planner.track(other)
        #expect(planner.dueRequests(at: start) { _, from, _ in from }.map(\.meteringPointId) == [meter, other])
        planner.remove(other)
        #expect(planner.meteringPointIds == [meter])
        #expect(planner.dueRequests(at: start.addingTimeInterval(20 * minute)) { _, from, _ in from }.map(\.meteringPointId) == [meter])
        #expect(FetchPlanner(policy: FetchPolicy()).nextDecisionDate(after: start) == nil)
    }

    @Test("The schedule survives a restart: the budget and the next poll carry over")
    func scheduleRestart() throws {
        var planner = FetchPlanner(policy: FetchPolicy())
        planner.track(meter)
        _ = planner.dueRequests(at: start) { _, from, _ in from }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let schedule = try decoder.decode(FetchSchedule.self, from: encoder.encode(planner.schedule))
        var restarted = FetchPlanner(policy: FetchPolicy(), schedule: schedule)
        #expect(restarted.dueRequests(at: start.addingTimeInterval(minute)) { _, from, _ in from }.isEmpty)
        #expect(restarted.requestCount(meteringPointId: meter, inDayBefore: start.addingTimeInterval(minute)) == 1)
        #expect(restarted.dueRequests(at: start.addingTimeInterval(20 * minute)) { _, from, _ in from }.map(\.reason) == [.poll])
    }

    @Test("Requests withdrawn unanswered (the bridge stopped mid-batch) are due again at once and cost no budget")
    func withdrawnRequests() {
        var planner = FetchPlanner(policy: FetchPolicy())
        let other = "CH1008801234500000000000000067890"
        planner.track(meter)
        planner.track(other)
        let sweeps = planner.dueRequests(at: start) { _, from, _ in from }
        #expect(sweeps.map(\.reason) == [.correctionSweep, .correctionSweep])
        // The first was answered, the second never was.
        planner.withdraw([sweeps[1]], issuedAt: start)
        let later = start.addingTimeInterval(minute)
        #expect(planner.nextDecisionDate(after: later) == later)
        #expect(planner.requestCount(meteringPointId: other, inDayBefore: later) == 0)
        // Still a sweep: the look-back was never fetched; the answered one keeps its spacing.
        #expect(planner.dueRequests(at: later) { _, from, _ in from } == [
            FetchRequest(meteringPointId: other, from: sweeps[1].from, to: sweeps[1].to, reason: .correctionSweep),
        ])
        #expect(planner.requestCount(meteringPointId: meter, inDayBefore: later) == 1)

        // Two metering points share the login's budget: their polls are further apart than 20 minutes.
        let pollInterval = TimeInterval(planner.pollInterval.components.seconds)
        #expect(pollInterval > 20 * minute)
        let poll = planner.dueRequests(at: start.addingTimeInterval(pollInterval)) { _, _, to in to.addingTimeInterval(-900) }
        #expect(poll.map(\.reason) == [.poll])
        planner.withdraw(poll, issuedAt: start.addingTimeInterval(pollInterval))
        #expect(planner.dueRequests(at: start.addingTimeInterval(pollInterval + 30)) { _, _, to in to.addingTimeInterval(-900) }.map(\.reason) == [.poll])
    }

    @Test("A clock that jumps backwards does not stall polling for longer than an interval")
    func clockBackwards() {
        var planner = FetchPlanner(policy: FetchPolicy())
        planner.track(meter)
        _ = planner.dueRequests(at: start) { _, from, _ in from }
        let earlier = start.addingTimeInterval(-3600)
        #expect(planner.nextDecisionDate(after: earlier) == earlier.addingTimeInterval(20 * minute))
        #expect(planner.dueRequests(at: earlier) { _, from, _ in from }.isEmpty)
        #expect(planner.dueRequests(at: earlier.addingTimeInterval(20 * minute)) { _, from, _ in from }.count == 1)
    }
}
