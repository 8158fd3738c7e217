import Foundation
import Synchronization

/// The simulator's notion of "now" for data delivery: it can start at any instant, run faster than real
/// time and jump ahead, so that a day of deliveries can be exercised in seconds. Tokens, codes and rate
/// limit windows run on real time and ignore it.
public final class SimulatedClock: Sendable {
    private struct Anchor {
        /// Simulated instant at `real`.
        var simulated: Date
        var real: ContinuousClock.Instant
        var speed: Double
    }

    private let anchor: Mutex<Anchor>
    private let bridgeClock = Mutex<TimeInterval>(0)

    /// - Parameters:
    ///   - start: the simulated instant now.
    ///   - speed: simulated seconds per real second (0 stops the clock).
    public init(start: Date = Date(), speed: Double = 1) {
        precondition(speed >= 0, "a clock cannot run backwards")
        self.anchor = Mutex(Anchor(simulated: start, real: .now, speed: speed))
    }

    public var now: Date {
        anchor.withLock { Self.now(of: $0, at: .now) }
    }

    public var speed: Double {
        anchor.withLock { $0.speed }
    }

    /// How far the clock of the box a bridge runs on is off (seconds; negative: behind), for a
    /// bridge that follows this clock over `GET /_sim/clock`. A test steps it as NTP steps a
    /// box's stale clock; the simulated time of CKW's data stays as it is.
    public var bridgeClockError: TimeInterval {
        bridgeClock.withLock { $0 }
    }

    public func stepBridgeClock(by interval: Duration) {
        bridgeClock.withLock { $0 += interval.timeInterval }
    }

    /// Jumps ahead (or back, with a negative interval) without changing the speed.
    public func advance(by interval: Duration) {
        anchor.withLock { anchor in
            anchor.simulated = Self.now(of: anchor, at: .now).addingTimeInterval(interval.timeInterval)
            anchor.real = .now
        }
    }

    public func set(to instant: Date) {
        anchor.withLock { anchor in
            anchor.simulated = instant
            anchor.real = .now
        }
    }

    public func setSpeed(_ speed: Double) {
        precondition(speed >= 0, "a clock cannot run backwards")
        anchor.withLock { anchor in
            let real = ContinuousClock.Instant.now
            anchor.simulated = Self.now(of: anchor, at: real)
            anchor.real = real
            anchor.speed = speed
        }
    }

    private static func now(of anchor: Anchor, at real: ContinuousClock.Instant) -> Date {
        anchor.simulated.addingTimeInterval((real - anchor.real).timeInterval * anchor.speed)
    }
}

extension Duration {
    /// Seconds as a `TimeInterval`, for arithmetic with `Date`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) * 1e-18
    }
}
