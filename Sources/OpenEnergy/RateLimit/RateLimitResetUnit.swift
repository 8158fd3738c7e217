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
