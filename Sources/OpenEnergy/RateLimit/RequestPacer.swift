import Foundation
import Logging
import Timestamps

/// Every API request of one login goes through here: one request in flight at a time, requests spaced so
/// that the quota lasts until the window resets, and retries with waits on 429, 503, other 5xx and network
/// errors.
public actor RequestPacer {
    public struct Policy: Sendable {
        /// Requests of the quota kept back; spacing treats `remaining - reserve` as usable.
        public var reserve: Int
        /// Attempts per call, the first included; then the last response or error surfaces.
        public var maximumAttempts: Int
        public var backoffBase: TimeInterval
        public var backoffCap: TimeInterval
        /// Caps every wait (tests and the demo); `nil`, the default, honours a reset however far
        /// away it is: once the quota is spent, no request goes out before the window resets.
        public var maximumWait: TimeInterval?
        /// Spreads the remaining quota evenly until the reset. Off for a handful of requests made
        /// by a person (`ckw2mqtt probe`): they only wait when the quota is down to the reserve.
        public var spreadsQuota: Bool

        public init(
            reserve: Int = 2,
            maximumAttempts: Int = 5,
            backoffBase: TimeInterval = 1,
            backoffCap: TimeInterval = 300,
            maximumWait: TimeInterval? = nil,
            spreadsQuota: Bool = true
        ) {
            self.spreadsQuota = spreadsQuota
            self.reserve = reserve
            self.maximumAttempts = max(1, maximumAttempts)
            self.backoffBase = backoffBase
            self.backoffCap = backoffCap
            self.maximumWait = maximumWait
        }
    }

    /// What one attempt produced, as far as pacing is concerned.
    public enum Outcome: Sendable {
        /// A response: its status code and its rate-limit headers.
        case response(statusCode: Int, rateLimit: RateLimitStatus)
        /// No response (connection refused, reset, timeout).
        case networkError
        /// 401: the token was refused. The first time the caller refreshes and the attempt is
        /// repeated at once; a 401 for a freshly refreshed token (`afterRefresh`) is the gateway's
        /// trouble (key cache, audience mapping), not the login's, and is retried with backoff.
        case rejectedToken(rateLimit: RateLimitStatus, afterRefresh: Bool)
    }

    public let policy: Policy
    private let clock: any OpenEnergyClock
    private let unitRandom: @Sendable () -> Double
    private let logger: Logger

    /// The earliest time the next request may start, on the monotonic clock: a step of the wall
    /// clock (NTP setting a stale clock) neither stretches nor skips a wait.
    private var notBefore: ContinuousClock.Instant?
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    public private(set) var lastStatus: RateLimitStatus?

    public init(
        policy: Policy = Policy(),
        clock: any OpenEnergyClock = SystemClock(),
        unitRandom: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "ckw2mqtt.openenergy.pacer")
    ) {
        self.policy = policy
        self.clock = clock
        self.unitRandom = unitRandom
        self.logger = logger
    }

    /// Runs `attempt` until it gives a response that is not retryable or the attempts are used up.
    ///
    /// `classify` tells the pacer what an attempt's result means; thrown errors count as network errors
    /// only when `isRetryable` says so, otherwise they surface at once.
    public func run<Result: Sendable>(
        _ attempt: @Sendable () async throws -> Result,
        classify: @Sendable (Result) -> Outcome,
        isRetryable: @Sendable (any Error) -> Bool
    ) async throws -> Result {
        await acquire()
        defer { release() }

        var attemptNumber = 0
        while true {
            if let notBefore, notBefore > clock.monotonicNow {
                try await clock.sleep(until: notBefore)
            }
            try Task.checkCancellation()
            let isLastAttempt = attemptNumber + 1 >= policy.maximumAttempts
            do {
                let result = try await attempt()
                let outcome = classify(result)
                let statusCode: Int
                let status: RateLimitStatus
                switch outcome {
                case .networkError:
                    scheduleBackoff(attempt: attemptNumber)
                    if isLastAttempt { return result }
                    attemptNumber += 1
                    continue
                case let .rejectedToken(rateLimit, afterRefresh):
                    record(rateLimit)
                    if afterRefresh {
                        logger.info("the API refused a freshly refreshed token; retrying with backoff", metadata: ["attempt": "\(attemptNumber + 1)"])
                        scheduleBackoff(attempt: attemptNumber)
                    } else {
                        scheduleSpacing(after: rateLimit)
                    }
                    if isLastAttempt { return result }
                    attemptNumber += 1
                    continue
                case let .response(code, rateLimit):
                    statusCode = code
                    status = rateLimit
                }
                record(status)
                // The wait is scheduled even after the last attempt: the next call must respect it too.
                if statusCode == 429 || statusCode == 503 {
                    if let retryDate = PacingArithmetic.retryDate(after: status, now: clock.now) {
                        let until = capped(clock.monotonicDeadline(for: retryDate))
                        notBefore = until
                        logger.info("rate limited or unavailable, waiting", metadata: ["status": "\(statusCode)", "until": "\(ISO8601Timestamp.format(clock.wallDate(for: until)))"])
                    } else {
                        scheduleBackoff(attempt: attemptNumber)
                    }
                    if isLastAttempt { return result }
                    attemptNumber += 1
                    continue
                }
                if (500...599).contains(statusCode) {
                    scheduleBackoff(attempt: attemptNumber)
                    if isLastAttempt { return result }
                    attemptNumber += 1
                    continue
                }
                scheduleSpacing(after: status)
                return result
            } catch {
                if error is CancellationError || !isRetryable(error) || isLastAttempt { throw error }
                logger.info("request failed, backing off", metadata: ["attempt": "\(attemptNumber + 1)"])
                scheduleBackoff(attempt: attemptNumber)
                attemptNumber += 1
            }
        }
    }

    private func record(_ status: RateLimitStatus) {
        guard !status.isEmpty else { return }
        lastStatus = status
    }

    /// After a successful response: spread the remaining quota over the time until the reset.
    private func scheduleSpacing(after status: RateLimitStatus) {
        guard let remaining = status.remaining, let resetAt = status.resetAt else {
            notBefore = nil
            return
        }
        if !policy.spreadsQuota, remaining > policy.reserve {
            notBefore = nil
            return
        }
        let spacing = PacingArithmetic.spacing(
            remaining: remaining,
            reserve: policy.reserve,
            secondsUntilReset: resetAt.timeIntervalSince(status.observedAt)
        )
        // The response was observed a moment ago: the spacing counts from now.
        let observed = clock.monotonicNow
        notBefore = spacing > 0 ? capped(observed + .seconds(spacing)) : nil
        if let notBefore, notBefore - observed >= .seconds(3_600) {
            logger.notice("the request quota is spent down to its reserve; the next request waits for the window to reset", metadata: [
                "remaining": "\(remaining)", "reserve": "\(policy.reserve)", "until": "\(ISO8601Timestamp.format(clock.wallDate(for: notBefore)))",
            ])
        }
    }

    private func capped(_ instant: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard let maximumWait = policy.maximumWait else { return instant }
        return min(instant, clock.monotonicNow + .seconds(maximumWait))
    }

    /// How long the next request has to wait, when it has to (a spent quota, a backoff).
    public var nextRequestWait: Duration? {
        guard let notBefore else { return nil }
        let wait = notBefore - clock.monotonicNow
        return wait > .zero ? wait : nil
    }

    /// When the next request may start on today's wall clock, when that is in the future.
    public var nextRequestNotBefore: Date? {
        nextRequestWait.map { clock.now.addingTimeInterval($0.openEnergySeconds) }
    }

    private func scheduleBackoff(attempt: Int) {
        let delay = PacingArithmetic.backoff(
            attempt: attempt, base: policy.backoffBase, cap: policy.backoffCap, unitRandom: unitRandom()
        )
        notBefore = clock.monotonicNow + .seconds(delay)
    }

    // MARK: One request in flight

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        // Ownership passes directly from the releasing call to the first waiter, so `busy` stays true.
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
