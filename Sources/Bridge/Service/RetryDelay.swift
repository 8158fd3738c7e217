/// Exponential waits after failures: `initial`, twice that, ..., at most `limit`.
struct RetryDelay: Sendable {
    let initial: Duration
    let limit: Duration
    private var current: Duration?

    init(initial: Duration, limit: Duration) {
        self.initial = initial
        self.limit = limit
    }

    mutating func next() -> Duration {
        let delay = current.map { min($0 * 2, limit) } ?? initial
        current = delay
        return delay
    }

    mutating func reset() { current = nil }
}
