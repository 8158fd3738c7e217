import Foundation

/// What the planner remembers per metering point, persisted in the state file so that a restart
/// neither resets the daily budget nor forgets when the last sweep ran.
public struct FetchSchedule: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        /// The last poll or refresh (or a poll that found nothing to fetch); the next poll is due
        /// one poll interval later.
        public var lastPollAt: Date?
        public var lastSweepAt: Date?
        /// A refresh command not yet served; several commands coalesce into this one.
        public var refreshRequestedAt: Date?
        /// Requests of the last 24 hours, oldest first: the budget's ledger.
        public var recentRequests: [IssuedRequest] = []

        public init() {}
    }

    public struct IssuedRequest: Sendable, Equatable, Codable {
        public var at: Date
        public var reason: FetchReason

        public init(at: Date, reason: FetchReason) {
            self.at = at
            self.reason = reason
        }
    }

    public var entries: [String: Entry] = [:]
    /// Every request the login sent in the last 24 hours, oldest first: meter data of every
    /// metering point, core data, retries and the statistics import alike. The quota is per login.
    public var loginRequests: [Date] = []

    public init() {}

    private enum CodingKeys: String, CodingKey { case entries, loginRequests }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entries = try container.decode([String: Entry].self, forKey: .entries)
        // State files written before the login-wide count have none.
        loginRequests = try container.decodeIfPresent([Date].self, forKey: .loginRequests) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(loginRequests, forKey: .loginRequests)
    }
}
