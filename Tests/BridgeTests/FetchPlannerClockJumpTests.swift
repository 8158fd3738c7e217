import Bridge
import Foundation
import OpenEnergy
import Testing

/// The planner while the wall clock is stepped, as the fetch loop drives it: it waits on the
/// monotonic clock, and at a step moves the times it recorded with the clock
/// (`moveRecordedTimes`, what `BridgeRuntime.clockJumped` does). Real time is simulated here; the
/// wall clock is real time plus an offset that the steps change. "CKW" has every interval that
/// has ended in real time.
@Suite("FetchPlanner: steps of the wall clock")
struct FetchPlannerClockJumpTests {
    /// A run of the planner against "CKW", with the bridge's reactions to steps.
    struct Run {
        var planner = FetchPlanner(policy: FetchPolicy())
        let realStart: Date
        var real: Date
        var offset: TimeInterval = 0
        /// Where the current era of the wall clock began: the start, moved by every step (as `ClockJumpDetector` does).
        var epochStart: Date
        /// Slots filed (quarter-hour indexes since 1970), with how often a poll or refresh (not the
        /// daily sweep, which asks for the whole look-back again on purpose) delivered each.
        var filed: [Int64: Int] = [:]
        /// Real times at which the planner polled (whether or not there was anything to ask for).
        var polls: [Date] = []
        /// Every request: the real time it went out, the wall time it was issued at, and what it asked for.
        var requests: [(real: Date, wall: Date, request: FetchRequest)] = []

        init(start: Date) {
            realStart = start
            real = start
            epochStart = start
            planner.track(meter)
        }

        var wall: Date { real.addingTimeInterval(offset) }

        static func slot(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 900).rounded(.down)) }

        /// Polls what is due now and files CKW's answers (intervals that have ended in real time).
        mutating func decide() {
            let now = wall
            let due = planner.dueRequests(at: now) { _, from, to in
                var slot = Self.slot(from)
                while slot < Self.slot(to) {
                    if filed[slot] == nil { return Date(timeIntervalSince1970: Double(slot) * 900) }
                    slot += 1
                }
                return nil
            }
            planner.noteRequestsSent(due.map { _ in now })
            if planner.schedule.entries[meter]?.lastPollAt == now { polls.append(real) }
            for request in due {
                requests.append((real, now, request))
                let available = Self.slot(real)  // the interval ending at `real` is complete
                var slot = Self.slot(request.from)
                while slot < min(Self.slot(request.to), available) {
                    filed[slot, default: 0] += request.reason == .correctionSweep ? 0 : 1
                    if filed[slot] == 0 { filed[slot] = 1 }
                    slot += 1
                }
            }
        }

        /// Waits (monotonic: real time passes) until the planner's next decision, at most `limit`.
        mutating func waitForNextDecision(limit: Date) {
            let next = planner.nextDecisionDate(after: wall)!
            let wait = max(0, next.timeIntervalSince(wall))
            real = min(real.addingTimeInterval(wait), limit)
        }

        /// The wall clock is set by `seconds`; the bridge notices and moves its recorded times.
        mutating func step(by seconds: TimeInterval) {
            let before = wall
            offset += seconds
            planner.moveRecordedTimes(by: seconds, recorded: epochStart...before)
            epochStart = epochStart.addingTimeInterval(seconds)
        }

        /// Runs in real time until `end`, deciding whenever the planner says.
        mutating func run(until end: Date) {
            while real < end {
                decide()
                waitForNextDecision(limit: end)
            }
        }

        /// Requests that went out in the 24 real hours before now.
        var requestsInLastRealDay: Int { requests.count { real.timeIntervalSince($0.real) < 86_400 } }
    }

    private let start = quarterHour(4 * 24 * 10).addingTimeInterval(7)

    @Test("stepped back 3 h and forward again, forward 2 days and back: every interval filed, polls 20 real minutes apart, the budget counts real requests")
    func stepsBothWays() {
        var run = Run(start: start)
        var stepsAt: [Int] = []
        // Six minutes past the hour: between two polls.
        for (hours, step) in [(5.1, -3 * 3600.0), (9.1, 3 * 3600.0), (12.1, 2 * 86_400.0), (16.1, -2 * 86_400.0)] {
            run.run(until: start.addingTimeInterval(hours * 3600))
            stepsAt.append(run.requests.count)
            let countedBefore = run.planner.loginRequestCount(inDayBefore: run.wall)
            run.step(by: step)
            // What `bridge/info` shows as used today does not change with the clock: the same requests went out.
            #expect(run.planner.loginRequestCount(inDayBefore: run.wall) == countedBefore, "after a step of \(step) s")
            #expect(run.planner.loginRequestCount(inDayBefore: run.wall) == run.requestsInLastRealDay, "after a step of \(step) s")
        }
        run.run(until: start.addingTimeInterval(30 * 3600))

        // Polls keep their real spacing across every step: no storm, no stall.
        let gaps = zip(run.polls, run.polls.dropFirst()).map { ($1.timeIntervalSince($0) / 60).rounded() }
        #expect(gaps.allSatisfy { $0 == 20 }, "real minutes between polls: \(gaps)")
        // No extra sweep forced by a step: the first request and one a day later, on the real clock.
        let sweeps = run.requests.filter { $0.request.reason == .correctionSweep }.map { $0.real.timeIntervalSince(start) / 3600 }
        #expect(sweeps == [0, 24], "sweeps at real hours \(sweeps)")

        // Interval by interval: every quarter hour from three days before the start to the last
        // one that had ended at the last poll is filed, and no poll delivered one a second time.
        let first = Run.slot(start) - 3 * 96
        let last = Run.slot(run.polls.last!) - 1
        let missing = (first...last).filter { run.filed[$0] == nil }
        #expect(missing.isEmpty, "missing intervals: \(missing.prefix(5).map { Date(timeIntervalSince1970: Double($0) * 900) })")
        let twice = run.filed.filter { $0.value > 1 }.keys.sorted()
        #expect(twice.isEmpty, "delivered twice by polls: \(twice.prefix(5).map { Date(timeIntervalSince1970: Double($0) * 900) })")
        // While the clock was 3 h behind, intervals it did not know of yet were not asked for; the
        // first poll after the clock was right again asked for all of them, at its usual time.
        // Behind from 5:06 to 9:06 (real time): the poll at 9:00 (6:00 on the clock) had every
        // interval up to 6:00; the first poll after the clock was right again, at its usual time
        // (9:20), asked for 6:00 to 9:15.
        if let corrected = run.requests.dropFirst(stepsAt[1]).first {
            let minutes = Int((corrected.real.timeIntervalSince(start) / 60).rounded())
            #expect(minutes == 9 * 60 + 20)
            #expect(Run.slot(corrected.request.from) - Run.slot(start) == 24)
            #expect(Run.slot(corrected.request.to) - Run.slot(start) == 37)
        } else {
            Issue.record("no request after the clock was set right")
        }
        // While the clock was 2 days ahead, requests asked for intervals that far ahead; CKW had only the past ones.
        let ahead = run.requests[stepsAt[2]..<stepsAt[3]].map { $0.request.to.timeIntervalSince($0.real) }
        #expect(!ahead.isEmpty && ahead.allSatisfy { $0 > 86_400 }, "ends of the requests ahead of real time: \(ahead)")
    }
}
