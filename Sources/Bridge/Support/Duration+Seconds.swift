import Foundation

extension Duration {
    /// The duration in seconds as a `TimeInterval`, for `Date` arithmetic.
    ///
    /// Attosecond precision is irrelevant at the scales the bridge deals in (seconds to days).
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }

    /// Whole seconds, rounding down; configuration durations are whole seconds by construction.
    var wholeSeconds: Int64 { components.seconds }
}
