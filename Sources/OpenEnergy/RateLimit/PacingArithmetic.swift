import Foundation

/// The pacer's arithmetic as pure functions, so that it can be property-tested.
public enum PacingArithmetic {
    /// How long to wait before the next request so that the remaining quota lasts until the reset,
    /// keeping `reserve` requests back (for retries, another process of the same login, a human).
    ///
    /// - `remaining > reserve`: the time until the reset spread evenly over the usable requests;
    /// - otherwise: until the reset itself.
    public static func spacing(remaining: Int, reserve: Int, secondsUntilReset: TimeInterval) -> TimeInterval {
        let untilReset = max(0, secondsUntilReset)
        let usable = remaining - max(0, reserve)
        guard usable > 0 else { return untilReset }
        return untilReset / Double(usable)
    }

    /// Exponential backoff with full jitter: a uniformly random delay in `[0, min(cap, base * 2^attempt))`.
    ///
    /// - Parameters:
    ///   - attempt: 0 for the first retry.
    ///   - unitRandom: a number in `[0, 1)`.
    public static func backoff(attempt: Int, base: TimeInterval, cap: TimeInterval, unitRandom: Double) -> TimeInterval {
        let ceiling = backoffCeiling(attempt: attempt, base: base, cap: cap)
        return ceiling * min(max(unitRandom, 0), 1)
    }

    /// The upper bound of the backoff for `attempt`: `min(cap, base * 2^attempt)`, without overflow.
    public static func backoffCeiling(attempt: Int, base: TimeInterval, cap: TimeInterval) -> TimeInterval {
        let exponent = min(max(attempt, 0), 62)
        return min(cap, base * pow(2, Double(exponent)))
    }

    /// When to retry after a 429 or 503: `Retry-After` if given, else the reset if it lies ahead, else `nil`
    /// (then the caller backs off).
    public static func retryDate(after status: RateLimitStatus, now: Date) -> Date? {
        if let retryAfter = status.retryAfter { return max(retryAfter, now) }
        if let resetAt = status.resetAt, resetAt > now { return resetAt }
        return nil
    }
}
