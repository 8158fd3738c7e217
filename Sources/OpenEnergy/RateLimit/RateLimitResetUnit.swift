/// How `X-Ratelimit-Reset` is to be read. MuleSoft sends milliseconds until the reset; other gateways
/// send seconds until the reset or an absolute epoch time. Configurable because a value such as
/// `86400` is a day in seconds but 86 s in milliseconds, and guessing wrong either spends the quota
/// too fast or waits a thousand times too long.
public enum RateLimitResetUnit: String, Sendable, Equatable, CaseIterable {
    /// Absolute epoch times are recognised; a value that is exactly a common window length in
    /// seconds (a minute, an hour, a day, ...) is read as seconds; other values are milliseconds
    /// until the reset, unless consecutive responses showed that the value counts down in seconds.
    case auto
    /// Milliseconds until the reset (MuleSoft).
    case milliseconds = "ms"
    /// Seconds until the reset (IETF drafts and many gateways).
    case seconds = "s"
    /// An absolute time in seconds since 1970 (GitHub); values beyond year 5000 are taken as milliseconds.
    case epoch
}

/// Tells, from two responses in the same window, whether the reset counts down in seconds or in
/// milliseconds: between two responses `t` seconds apart the value drops by about `t` or `1000 t`.
/// Used for `RateLimitResetUnit.auto` once the first reading cannot tell.
struct ResetUnitLearner: Sendable {
    private var previous: (value: Double, at: Double)?
    private(set) var learned: RateLimitResetUnit?

    /// Notes one raw reset value received at `at` (seconds since 1970, real time).
    mutating func observe(_ value: Double, at: Double) {
        defer { previous = (value, at) }
        guard learned == nil, let previous else { return }
        let elapsed = at - previous.at
        let drop = previous.value - value
        // Too close together to tell, or a new window started (the value went up).
        guard elapsed >= 1, drop > 0 else { return }
        let ratio = drop / elapsed
        if (0.5...2).contains(ratio) {
            learned = .seconds
        } else if (500...2_000).contains(ratio) {
            learned = .milliseconds
        }
    }
}
