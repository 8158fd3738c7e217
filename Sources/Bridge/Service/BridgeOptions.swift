import Foundation
import OpenEnergy

/// How the bridge runs, apart from what the configuration file says: the clock, randomness and the
/// timings that tests and the demo shorten.
public struct BridgeOptions: Sendable {
    public var version: String
    /// The time of the data: when intervals end, when the next poll is due. The simulator's clock in
    /// the demo; API tokens and rate limits always use real time.
    public var clock: any OpenEnergyClock
    /// A number in `0..<1`; decides the delay before republishing after Home Assistant's birth.
    public var randomUnit: @Sendable () -> Double
    /// Republish this long after Home Assistant's birth message (random within the range), so that
    /// many bridges do not all answer at the same instant.
    public var birthDelay: ClosedRange<Duration>
    /// Core data is read again this often (on `clock`) to notice metering points that come and go.
    public var coreDataInterval: Duration
    /// While a login is needed, the token file is checked this often (real time).
    public var tokenCheckInterval: Duration
    /// First wait (real time) after core data could not be read; doubles up to `retryDelayLimit`.
    public var retryDelay: Duration
    public var retryDelayLimit: Duration
    /// During a long round of requests (many metering points), state is saved and published at
    /// least this often (real time) rather than only at the end.
    public var flushInterval: Duration
    /// The state file is written, the offline message published and DISCONNECT sent within this.
    public var shutdownTimeout: Duration
    /// Retries and backoff of API requests (real time); tests shorten the waits.
    public var pacing: RequestPacer.Policy
    public var observer: (@Sendable (BridgeEvent) -> Void)?
    /// Where the first backfill shows its progress when run in a terminal (`nil`: in the log).
    public var statusLine: TerminalStatusLine?
    /// While the fetch loop waits, it looks this often (real time) whether the wall clock was stepped.
    public var clockJumpCheckInterval: Duration = .seconds(10)

    public init(
        version: String = BridgeVersion.current,
        clock: any OpenEnergyClock = SystemClock(),
        randomUnit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        birthDelay: ClosedRange<Duration> = .seconds(1) ... .seconds(5),
        coreDataInterval: Duration = .seconds(6 * 3600),
        tokenCheckInterval: Duration = .seconds(5),
        retryDelay: Duration = .seconds(30),
        retryDelayLimit: Duration = .seconds(15 * 60),
        flushInterval: Duration = .seconds(2),
        shutdownTimeout: Duration = .seconds(5),
        pacing: RequestPacer.Policy = RequestPacer.Policy(),
        observer: (@Sendable (BridgeEvent) -> Void)? = nil,
        statusLine: TerminalStatusLine? = nil
    ) {
        self.version = version
        self.clock = clock
        self.randomUnit = randomUnit
        self.birthDelay = birthDelay
        self.coreDataInterval = coreDataInterval
        self.tokenCheckInterval = tokenCheckInterval
        self.retryDelay = retryDelay
        self.retryDelayLimit = retryDelayLimit
        self.flushInterval = flushInterval
        self.shutdownTimeout = shutdownTimeout
        self.pacing = pacing
        self.observer = observer
        self.statusLine = statusLine
    }

    /// A delay in `birthDelay` drawn with `randomUnit`.
    var randomBirthDelay: Duration {
        let span = birthDelay.upperBound - birthDelay.lowerBound
        return birthDelay.lowerBound + span * min(max(randomUnit(), 0), 1)
    }
}
