/// When to try a failed save again: soon at first (writing the state file is cheap and local),
/// then less often, at most once per `limit`.
struct SaveRetry: Sendable {
    static let firstDelay: Duration = .seconds(5)

    private var delay: RetryDelay
    private(set) var due: ContinuousClock.Instant?

    init(limit: Duration) {
        delay = RetryDelay(initial: min(Self.firstDelay, limit), limit: limit)
    }

    /// After a failed save, or when one is pending and none is planned yet.
    mutating func schedule() {
        due = ContinuousClock.now + delay.next()
    }

    mutating func succeeded() {
        delay.reset()
        due = nil
    }
}
