import Foundation

/// What the API's rate-limit headers said last; each field is `nil` when the server did not say.
public struct RateLimitSnapshot: Sendable, Equatable {
    /// Requests allowed per window.
    public var limit: Int?
    /// Requests left in the current window.
    public var remaining: Int?
    /// When the current window ends.
    public var resetAt: Date?
    /// Requests the login sent in the last 24 hours (all metering points, core data, retries).
    public var usedToday: Int?
    /// Requests the bridge may still send within the daily budget.
    public var leftToday: Int?
    /// When the bridge sends nothing before the quota's window resets (the reserve is reached).
    public var pausedUntil: Date?

    public init(limit: Int? = nil, remaining: Int? = nil, resetAt: Date? = nil,
                usedToday: Int? = nil, leftToday: Int? = nil, pausedUntil: Date? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.resetAt = resetAt
        self.usedToday = usedToday
        self.leftToday = leftToday
        self.pausedUntil = pausedUntil
    }
}
