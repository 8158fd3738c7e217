import Foundation

/// One planned meter data request: `GET meterdata/{id}?from=&to=`.
public struct FetchRequest: Sendable, Equatable {
    public var meteringPointId: String
    /// On the quarter-hour grid, inclusive.
    public var from: Date
    /// On the quarter-hour grid, exclusive: the end of the newest complete interval.
    public var to: Date
    public var reason: FetchReason

    public init(meteringPointId: String, from: Date, to: Date, reason: FetchReason) {
        self.meteringPointId = meteringPointId
        self.from = from
        self.to = to
        self.reason = reason
    }
}
