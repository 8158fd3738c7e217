import Foundation

/// The bridge's own health, published on `<base>/bridge/info` and shown by the bridge device.
public struct BridgeSnapshot: Sendable, Equatable {
    /// The running ckw2mqtt version.
    public var version: String
    public var authentication: AuthenticationState
    /// When meter data was last fetched without error.
    public var lastSuccessfulFetch: Date?
    /// When the scheduler will fetch next.
    public var nextPlannedFetch: Date?
    public var rateLimit: RateLimitSnapshot
    /// A one-line description of the last failure, without secrets; `nil` after a success.
    public var lastError: String?
    /// The metering points this bridge serves, so scripts can find their topics.
    public var meteringPointIDs: [String]
    /// Where the last API response that could not be decoded is kept (masked), if there was one.
    public var lastUndecodableResponse: String?

    public init(
        version: String,
        authentication: AuthenticationState,
        lastSuccessfulFetch: Date? = nil,
        nextPlannedFetch: Date? = nil,
        rateLimit: RateLimitSnapshot = RateLimitSnapshot(),
        lastError: String? = nil,
        meteringPointIDs: [String] = [],
        lastUndecodableResponse: String? = nil
    ) {
        self.lastUndecodableResponse = lastUndecodableResponse
        self.version = version
        self.authentication = authentication
        self.lastSuccessfulFetch = lastSuccessfulFetch
        self.nextPlannedFetch = nextPlannedFetch
        self.rateLimit = rateLimit
        self.lastError = lastError
        self.meteringPointIDs = meteringPointIDs
    }
}

/// Whether the bridge can call the CKW API with its credentials.
public enum AuthenticationState: String, Sendable, Hashable, CaseIterable {
    /// The last token request or API call was accepted.
    case ok
    /// The login was rejected or has expired: a person has to run `ckw2mqtt login`.
    case loginRequired = "login_required"
    /// Not checked yet (just started).
    case unknown
}

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
