

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
