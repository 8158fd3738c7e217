/// Milestones of a running bridge: for tests and the benchmark (`BridgeOptions.observer`), and for the
/// services that follow the bridge (`BridgeService.events()`).
public struct BridgeEvent: Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Core data was read and applied; `meteringPoints` are bridged now.
        case coreDataApplied(meteringPoints: Int)
        /// A meter data response was filed into the ledger.
        case meterDataApplied(meteringPointId: String, added: Int, corrected: Int)
        /// The state file was written.
        case stateSaved
        /// Meter data of these metering points was filed and is saved (sent after `stateSaved`).
        case meterDataSaved(meteringPointIds: Set<String>)
        /// The broker acknowledged the discovery configs of `meters` metering points (and the bridge's).
        case discoveryAcknowledged(meters: Int)
        /// The broker acknowledged the states of these metering points; `sinceResponse` is the time
        /// from the oldest meter data response they contain to the acknowledgement.
        case statesAcknowledged(meteringPointIds: [String], sinceResponse: Duration?)
        /// A login is needed; the bridge waits for one.
        case loginRequired
        /// Start-up is over: core data is applied, the first round of requests (the look-back) is
        /// done, and the bridge waits for the next poll for the first time. Sent once.
        case caughtUp
        /// The wall clock was stepped by `seconds` (negative: back); the schedule moved with it.
        case clockJumped(seconds: Double)
    }

    public var kind: Kind
    public var at: ContinuousClock.Instant

    public init(_ kind: Kind, at: ContinuousClock.Instant = .now) {
        self.kind = kind
        self.at = at
    }

    public var description: String { "\(kind)" }
}
