import Foundation

/// Everything the bridge persists between runs: the ledger (intervals, registers, reported
/// totals), the planner's schedule (so a restart keeps the daily budget) and the last fetch.
public struct SavedBridgeState: Sendable, Equatable, Codable {
    /// Bumped whenever the encoding changes incompatibly; older bridges refuse newer files.
    public static let schemaVersion = 1

    public var ledger: MeterLedger
    public var schedule: FetchSchedule
    public var lastSuccessfulFetch: Date?

    public init(ledger: MeterLedger, schedule: FetchSchedule = FetchSchedule(), lastSuccessfulFetch: Date? = nil) {
        self.ledger = ledger
        self.schedule = schedule
        self.lastSuccessfulFetch = lastSuccessfulFetch
    }
}

/// The file's outer shape: the version first, so it can be checked before the rest is decoded.
struct StateFileEnvelope: Codable {
    var schemaVersion: Int
    var writtenAt: Date
    var state: SavedBridgeState
}

/// Only the version, decoded on its own so a newer file is recognised even if its `state` has a
/// shape this version cannot read.
struct StateFileVersion: Decodable {
    var schemaVersion: Int
}
