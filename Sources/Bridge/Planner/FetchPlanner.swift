import Foundation

/// Decides, per metering point, when the next meter data request is due and for which range.
///
/// Pure: the clock is a parameter, and the service performs the requests. Call `dueRequests(at:…)`
/// whenever `nextDecisionDate(after:)` is reached or a refresh command arrives; every request it
/// returns is counted against the budget as issued (a request that then fails was still spent).
public struct FetchPlanner: Sendable, Equatable {
    public let policy: FetchPolicy
    public private(set) var schedule: FetchSchedule

    public init(policy: FetchPolicy, schedule: FetchSchedule = FetchSchedule()) {
        self.policy = policy
        self.schedule = schedule
    }

    public var meteringPointIds: [String] { schedule.entries.keys.sorted() }

    /// Starts planning for a metering point; its first request is due immediately and sweeps the
    /// whole look-back.
    public mutating func track(_ meteringPointId: String) {
        if schedule.entries[meteringPointId] == nil { schedule.entries[meteringPointId] = FetchSchedule.Entry() }
    }

    public mutating func remove(_ meteringPointId: String) {
        schedule.entries[meteringPointId] = nil
    }

    /// Records a refresh command for one metering point, or for all when `meteringPointId` is
    /// `nil`. Commands coalesce: until it is served, further commands change nothing.
    public mutating func requestRefresh(at now: Date, meteringPointId: String? = nil) {
        let ids = meteringPointId.map { [$0] } ?? meteringPointIds
        for id in ids where schedule.entries[id] != nil && schedule.entries[id]?.refreshRequestedAt == nil {
            schedule.entries[id]?.refreshRequestedAt = now
        }
    }

    /// The poll interval in force: the configured one, stretched when the tracked metering points
    /// together would not fit the login's daily budget.
    public var pollInterval: Duration {
        policy.effectivePollInterval(meteringPoints: schedule.entries.count)
    }

    /// Notes requests the login sent (meter data, core data, retries, statistics), as the API
    /// client reports them: they count against the one daily budget of the login.
    public mutating func noteRequestsSent(_ dates: [Date]) {
        guard !dates.isEmpty else { return }
        schedule.loginRequests.append(contentsOf: dates)
        schedule.loginRequests.sort()
    }

    /// Requests the login sent within the 24 hours before `now`.
    public func loginRequestCount(inDayBefore now: Date) -> Int {
        schedule.loginRequests.count { now.timeIntervalSince($0) < FetchPolicy.day && $0 <= now }
    }

    /// How many more requests the planner may issue today: the budget less the guard reserve
    /// less what the login sent in the last 24 hours.
    public func requestsLeft(at now: Date) -> Int {
        max(0, policy.totalBudget(meteringPoints: schedule.entries.count) - FetchPolicy.guardReserve - loginRequestCount(inDayBefore: now))
    }

    /// Requests made for `meteringPointId` within the 24 hours before `now`.
    public func requestCount(meteringPointId: String, inDayBefore now: Date) -> Int {
        schedule.entries[meteringPointId]?.recentRequests.count { now.timeIntervalSince($0.at) < FetchPolicy.day } ?? 0
    }

    /// After a step of the wall clock by `seconds`: the times this process recorded before the
    /// step (those in `recorded`, read from the clock before it was set) move with the clock, so
    /// that each stays as long ago as it really is. The next poll keeps its real spacing and the
    /// budget counts the same requests; which intervals to ask for follows the new time. Dates
    /// outside `recorded` (loaded from the state file, written on another clock) stay.
    public mutating func moveRecordedTimes(by seconds: TimeInterval, recorded: ClosedRange<Date>) {
        func moved(_ date: Date) -> Date { recorded.contains(date) ? date.addingTimeInterval(seconds) : date }
        for id in schedule.entries.keys {
            guard var entry = schedule.entries[id] else { continue }
            entry.lastPollAt = entry.lastPollAt.map(moved)
            entry.lastSweepAt = entry.lastSweepAt.map(moved)
            entry.refreshRequestedAt = entry.refreshRequestedAt.map(moved)
            for index in entry.recentRequests.indices { entry.recentRequests[index].at = moved(entry.recentRequests[index].at) }
            entry.recentRequests.sort { $0.at < $1.at }
            schedule.entries[id] = entry
        }
        schedule.loginRequests = schedule.loginRequests.map(moved).sorted()
    }

    // MARK: Deciding

    /// The requests due at `now`, recorded as issued. `firstNeeded(id, from, to)` answers where
    /// data is still needed within the look-back (`MeterLedger.firstIntervalNeedingFetch`).
    public mutating func dueRequests(at now: Date, firstNeeded: (_ meteringPointId: String, _ from: Date, _ to: Date) -> Date?) -> [FetchRequest] {
        let to = Self.intervalBoundary(atOrBefore: now)
        let lookbackStart = Self.intervalBoundary(atOrBefore: now.addingTimeInterval(-policy.lookback.timeInterval))
        var requests: [FetchRequest] = []
        schedule.loginRequests.removeAll { now.timeIntervalSince($0) >= FetchPolicy.day }
        var left = requestsLeft(at: now)
        for id in meteringPointIds {
            // The login's budget is spent: the rest stay due until requests leave the 24-hour window.
            guard left > 0 else { break }
            guard var entry = schedule.entries[id] else { continue }
            entry.recentRequests.removeAll { now.timeIntervalSince($0.at) >= FetchPolicy.day }
            // After the clock moved backwards, measure the next poll from now rather than wait.
            if let last = entry.lastPollAt, last > now { entry.lastPollAt = now }

            func neededFrom() -> Date { max(lookbackStart, firstNeeded(id, lookbackStart, to) ?? to) }
            if isPollDue(entry, at: now) {
                let sweep = isSweepDue(entry, at: now)
                let from = sweep ? lookbackStart : neededFrom()
                entry.lastPollAt = now
                entry.refreshRequestedAt = nil  // The poll serves any pending refresh.
                if from < to {
                    let reason: FetchReason = sweep ? .correctionSweep : .poll
                    if sweep { entry.lastSweepAt = now }
                    entry.recentRequests.append(FetchSchedule.IssuedRequest(at: now, reason: reason))
                    requests.append(FetchRequest(meteringPointId: id, from: from, to: to, reason: reason))
                    left -= 1
                }
            } else if entry.refreshRequestedAt != nil, refreshCount(entry) < policy.refreshAllowancePerDay {
                let from = neededFrom()
                entry.refreshRequestedAt = nil
                if from < to {
                    // Polls keep their spacing from refreshes too, which is what bounds them per day.
                    entry.lastPollAt = now
                    entry.recentRequests.append(FetchSchedule.IssuedRequest(at: now, reason: .refresh))
                    requests.append(FetchRequest(meteringPointId: id, from: from, to: to, reason: .refresh))
                    left -= 1
                }
            }
            schedule.entries[id] = entry
        }
        return requests
    }

    /// Takes back requests that `dueRequests` issued at `issuedAt` but whose answers were never
    /// applied because the bridge stopped first (SIGTERM in the middle of a batch). Their metering
    /// points are due again at once, as if never polled, and a sweep that did not happen is still
    /// due: otherwise the saved schedule would make the next start wait a whole poll interval for
    /// data it never received.
    public mutating func withdraw(_ requests: [FetchRequest], issuedAt: Date) {
        for request in requests {
            guard var entry = schedule.entries[request.meteringPointId] else { continue }
            if let index = entry.recentRequests.lastIndex(where: { $0.at == issuedAt && $0.reason == request.reason }) {
                entry.recentRequests.remove(at: index)
            }
            entry.lastPollAt = nil
            if request.reason == .correctionSweep { entry.lastSweepAt = nil }
            schedule.entries[request.meteringPointId] = entry
        }
    }

    /// `dueRequests(at:firstNeeded:)` with the ledger answering where data is still needed.
    public mutating func dueRequests(at now: Date, ledger: MeterLedger) -> [FetchRequest] {
        dueRequests(at: now) { id, from, to in ledger.firstIntervalNeedingFetch(meteringPointId: id, from: from, to: to) }
    }

    /// When `dueRequests` may next return something (absent new refresh commands); `nil` when no
    /// metering point is tracked. May be `now` or earlier when something is due already.
    public func nextDecisionDate(after now: Date) -> Date? {
        let pollInterval = self.pollInterval.timeInterval
        let next = schedule.entries.values.map { entry in
            let nextPoll = entry.lastPollAt.map { min($0, now).addingTimeInterval(pollInterval) } ?? now
            guard entry.refreshRequestedAt != nil, policy.refreshAllowancePerDay > 0 else { return nextPoll }
            let refreshes = entry.recentRequests.filter { $0.reason == .refresh && now.timeIntervalSince($0.at) < FetchPolicy.day }
            guard refreshes.count >= policy.refreshAllowancePerDay else { return now }
            // The allowance frees up when the oldest refresh leaves the 24-hour window.
            let freed = refreshes[refreshes.count - policy.refreshAllowancePerDay].at.addingTimeInterval(FetchPolicy.day)
            return min(nextPoll, freed)
        }.min()
        guard let next, requestsLeft(at: now) == 0 else { return next }
        // Nothing may go out before enough of the login's requests leave the 24-hour window.
        let limit = max(1, policy.totalBudget(meteringPoints: schedule.entries.count) - FetchPolicy.guardReserve)
        let recent = schedule.loginRequests.filter { now.timeIntervalSince($0) < FetchPolicy.day && $0 <= now }
        guard recent.count >= limit else { return next }
        return max(next, recent[recent.count - limit].addingTimeInterval(FetchPolicy.day))
    }

    // MARK: Rules

    private func isPollDue(_ entry: FetchSchedule.Entry, at now: Date) -> Bool {
        guard let last = entry.lastPollAt else { return true }
        return now >= last.addingTimeInterval(pollInterval.timeInterval)
    }

    private func isSweepDue(_ entry: FetchSchedule.Entry, at now: Date) -> Bool {
        guard let interval = policy.correctionSweepInterval else { return false }
        guard let last = entry.lastSweepAt, last <= now else { return true }
        return now >= last.addingTimeInterval(interval.timeInterval)
    }

    private func refreshCount(_ entry: FetchSchedule.Entry) -> Int {
        entry.recentRequests.count { $0.reason == .refresh }
    }

    /// `date` rounded down to the quarter-hour grid (UTC; CKW's intervals are aligned to it).
    public static func intervalBoundary(atOrBefore date: Date) -> Date {
        let slot = SeriesLedger.floorDivide(Int64(date.timeIntervalSince1970.rounded(.down)), SeriesLedger.intervalSeconds)
        return MeteringPointLedger.date(ofSlot: slot)
    }
}
