import Foundation

/// What the last response said about the login's request quota. Every field is optional: servers send
/// some, all or none of the headers.
public struct RateLimitStatus: Sendable, Equatable, CustomStringConvertible {
    /// Requests allowed per window.
    public var limit: Int?
    /// Requests left in the current window.
    public var remaining: Int?
    /// When the current window ends and `remaining` is back at `limit`.
    public var resetAt: Date?
    /// When the server asked us to try again (`Retry-After`).
    public var retryAfter: Date?
    /// When the response carrying this status arrived.
    public var observedAt: Date

    public init(limit: Int? = nil, remaining: Int? = nil, resetAt: Date? = nil, retryAfter: Date? = nil, observedAt: Date) {
        self.limit = limit
        self.remaining = remaining
        self.resetAt = resetAt
        self.retryAfter = retryAfter
        self.observedAt = observedAt
    }

    /// True when the response said anything at all about limits.
    public var isEmpty: Bool { limit == nil && remaining == nil && resetAt == nil && retryAfter == nil }

    public var description: String {
        var parts: [String] = []
        if let remaining { parts.append("remaining \(remaining)" + (limit.map { "/\($0)" } ?? "")) }
        if let resetAt { parts.append("reset in \(Int(resetAt.timeIntervalSince(observedAt).rounded(.up))) s") }
        if let retryAfter { parts.append("retry after \(Int(retryAfter.timeIntervalSince(observedAt).rounded(.up))) s") }
        return parts.isEmpty ? "no rate-limit information" : parts.joined(separator: ", ")
    }
}
