extension MQTTClient {
    /// Exponential backoff between connection attempts, by default with "full jitter": each delay is
    /// drawn uniformly from zero to the exponential cap, so that many clients that lost the same broker
    /// do not reconnect in lockstep.
    public struct ReconnectPolicy: Sendable, Hashable {
        /// The cap for the first retry; it doubles with every further failed attempt.
        public var initialDelay: Duration
        /// The cap never grows beyond this.
        public var maximumDelay: Duration
        /// `true` draws each delay from `0...cap`; `false` waits the cap itself.
        public var fullJitter: Bool

        public init(initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60), fullJitter: Bool = true) {
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.fullJitter = fullJitter
        }

        /// The delay before attempt number `attempt` (1 for the first retry after a failure).
        public func delay(forAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
            let cap = self.cap(forAttempt: attempt)
            guard fullJitter else { return cap }
            let capNanoseconds = Self.nanoseconds(cap)
            guard capNanoseconds > 0 else { return .zero }
            return .nanoseconds(Int64.random(in: 0...capNanoseconds, using: &generator))
        }

        /// `min(maximumDelay, initialDelay * 2^(attempt - 1))`, without overflowing for large attempts.
        public func cap(forAttempt attempt: Int) -> Duration {
            let exponent = max(0, attempt - 1)
            var cap = initialDelay
            for _ in 0..<min(exponent, 62) {
                if cap >= maximumDelay { break }
                cap = cap * 2
            }
            return min(cap, maximumDelay)
        }

        static func nanoseconds(_ duration: Duration) -> Int64 {
            let (seconds, attoseconds) = duration.components
            return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        }
    }
}
