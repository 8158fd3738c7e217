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
