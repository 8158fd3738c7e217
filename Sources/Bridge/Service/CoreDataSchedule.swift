import Foundation

/// When core data is read next: every `coreDataInterval` on the bridge's clock (at once while the
/// bridge has none), and after a failure not before growing waits of real time.
struct CoreDataSchedule: Sendable {
    /// The next regular read, on the bridge's clock.
    private(set) var due: Date
    private let interval: Duration
    private var retry: RetryDelay
    private var notBefore = ContinuousClock.now

    init(now: Date, options: BridgeOptions) {
        due = now
        interval = options.coreDataInterval
        retry = RetryDelay(initial: options.retryDelay, limit: options.retryDelayLimit)
    }

    func isDue(hasCoreData: Bool, now: Date) -> Bool {
        (!hasCoreData || now >= due) && ContinuousClock.now >= notBefore
    }

    mutating func succeeded(at now: Date) {
        due = now.addingTimeInterval(interval.timeInterval)
        retry.reset()
    }

    /// The wall clock was stepped: the next regular read moves with it.
    mutating func clockJumped(by seconds: TimeInterval) {
        due = due.addingTimeInterval(seconds)
    }

    /// Returns the real time to wait before the next try.
    mutating func failed() -> Duration {
        let delay = retry.next()
        notBefore = ContinuousClock.now + delay
        return delay
    }
}
