import Foundation
import Synchronization

/// The time sources of the pacer, the token logic and the bridge, injectable so that tests never
/// sleep for real and can step the wall clock.
///
/// Two readings, because a small box's wall clock is stepped (a stale clock at boot that NTP sets
/// hours or days later, an operator's `date -s`): the wall clock (`now`) answers calendar
/// questions (which intervals exist, rate-limit resets and `Retry-After` dates, token dates), and
/// the monotonic clock (`monotonicNow`, never stepped) measures every wait and every elapsed time.
public protocol OpenEnergyClock: Sendable {
    /// The wall clock.
    var now: Date { get }
    /// A clock that only moves forward at the rate time passes; steps of the wall clock leave it alone.
    var monotonicNow: ContinuousClock.Instant { get }
    /// Suspends until `deadline` of the monotonic clock; returns at once when it has passed.
    /// Throws `CancellationError` on cancellation.
    func sleep(until deadline: ContinuousClock.Instant) async throws
}

extension OpenEnergyClock {
    public func sleep(for duration: Duration) async throws {
        try await sleep(until: monotonicNow + duration)
    }

    public func sleep(for seconds: TimeInterval) async throws {
        try await sleep(for: .seconds(seconds))
    }

    /// Waits as long as the wall clock says `date` is away now; a later step of the wall clock does
    /// not stretch or shorten the wait.
    public func sleep(until date: Date) async throws {
        try await sleep(until: monotonicDeadline(for: date))
    }

    /// The monotonic instant that is as far away as `date` is on the wall clock now.
    public func monotonicDeadline(for date: Date) -> ContinuousClock.Instant {
        monotonicNow + .seconds(date.timeIntervalSince(now))
    }

    /// The wall-clock date that is as far away as the monotonic `instant` (for messages and displays).
    public func wallDate(for instant: ContinuousClock.Instant) -> Date {
        now.addingTimeInterval((instant - monotonicNow).openEnergySeconds)
    }

    /// How far the wall clock is ahead of the monotonic one; changes only when the wall clock is stepped.
    public var wallClockOffset: TimeInterval {
        now.timeIntervalSince1970 - (monotonicNow - ClockOrigin.instant).openEnergySeconds
    }
}

/// A fixed monotonic instant of this process, the zero of `wallClockOffset`.
enum ClockOrigin {
    static let instant = ContinuousClock.now
}

extension Duration {
    /// Seconds as a `TimeInterval`, for arithmetic with `Date`.
    var openEnergySeconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) * 1e-18
    }
}

/// The real clocks: `Date()` and `ContinuousClock` (which keeps counting while the box is suspended).
public struct SystemClock: OpenEnergyClock {
    public init() {}

    public var now: Date { Date() }

    public var monotonicNow: ContinuousClock.Instant { .now }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        if deadline > .now {
            try await Task.sleep(until: deadline, clock: .continuous)
        } else {
            try Task.checkCancellation()
        }
    }
}

/// A clock that moves only when told to: sleepers wake when `advance(by:)` passes their deadline;
/// `step(by:)` sets the wall clock without time passing, as NTP or `date -s` does.
public final class ManualClock: OpenEnergyClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var monotonic: ContinuousClock.Instant
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        /// Every deadline anyone slept until (as a wall-clock date at the time of asking), in
        /// order, so tests can check the pacer's arithmetic.
        var requestedDeadlines: [Date] = []
    }

    private let state: Mutex<State>

    public init(now: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        state = Mutex(State(now: now, monotonic: ClockOrigin.instant))
    }

    public var now: Date { state.withLock { $0.now } }

    public var monotonicNow: ContinuousClock.Instant { state.withLock { $0.monotonic } }

    /// Number of tasks currently suspended in `sleep(until:)`.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Deadlines passed to `sleep(until:)` that lay in the future when asked, as wall-clock dates then.
    public var requestedDeadlines: [Date] { state.withLock { $0.requestedDeadlines } }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        let id: UInt64? = state.withLock { state in
            guard deadline > state.monotonic else { return nil }
            state.nextID += 1
            state.requestedDeadlines.append(state.now.addingTimeInterval((deadline - state.monotonic).openEnergySeconds))
            return state.nextID
        }
        guard let id else {
            try Task.checkCancellation()
            return
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    if Task.isCancelled || deadline <= state.monotonic { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Lets time pass: both clocks move forward, and every sleeper whose deadline is reached wakes.
    public func advance(by seconds: TimeInterval) {
        guard seconds > 0 else { return }
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.addingTimeInterval(seconds)
            state.monotonic = state.monotonic + .seconds(seconds)
            let due = state.sleepers.filter { $0.deadline <= state.monotonic }
            state.sleepers.removeAll { $0.deadline <= state.monotonic }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Lets time pass until the wall clock shows `date` (nothing happens when it already does).
    public func advance(to date: Date) {
        advance(by: date.timeIntervalSince(now))
    }

    /// Sets the wall clock forward (positive) or back (negative) without any time passing: no
    /// sleeper wakes.
    public func step(by seconds: TimeInterval) {
        state.withLock { $0.now = $0.now.addingTimeInterval(seconds) }
    }

    /// Suspends (in real time, briefly) until at least `count` tasks sleep on this clock; for tests.
    public func waitForSleepers(_ count: Int = 1) async {
        while sleeperCount < count {
            await Task.yield()
            try? await Task.sleep(for: .milliseconds(1))
        }
    }
}
