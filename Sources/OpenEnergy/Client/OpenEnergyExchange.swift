import Foundation

/// One HTTP exchange with the API as it happened. The request's token is not kept.
public struct OpenEnergyExchange: Sendable {
    public init(endpoint: String, url: String, sentAt: Date, duration: TimeInterval, statusCode: Int,
                headers: [(name: String, value: String)], body: Data, rateLimit: RateLimitStatus) {
        self.endpoint = endpoint
        self.url = url
        self.sentAt = sentAt
        self.duration = duration
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.rateLimit = rateLimit
    }

    /// `GET v1/coredata`
    public var endpoint: String
    /// The full URL, query included.
    public var url: String
    public var sentAt: Date
    /// Real time from sending to the whole body.
    public var duration: TimeInterval
    public var statusCode: Int
    public var headers: [(name: String, value: String)]
    public var body: Data
    public var rateLimit: RateLimitStatus
}
