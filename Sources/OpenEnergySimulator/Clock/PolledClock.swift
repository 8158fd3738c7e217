import Foundation
import OpenEnergy

/// A clock whose time someone else owns and may change at any moment (the simulator's fast clock
/// in `ckw2mqtt demo` and in tests): `sleep(until:)` re-reads it in short real-time slices, so
/// jumps and speed changes are noticed within one slice.
public struct PolledClock: OpenEnergyClock {
    private let read: @Sendable () -> Date
    private let readMonotonic: @Sendable () -> ContinuousClock.Instant
    private let slice: Duration

    /// - Parameters:
    ///   - slice: Real time between two looks at the clock while sleeping.
    ///   - now: Reads the current instant.
    ///   - monotonic: Reads the owner's monotonic clock (time that passed, at the owner's speed,
    ///     without the steps of `now`). Without it, every change of `now` counts as time passing:
    ///     such a clock is never seen to jump.
    public init(
        slice: Duration = .milliseconds(50), now: @escaping @Sendable () -> Date,
        monotonic: (@Sendable () -> ContinuousClock.Instant)? = nil
    ) {
        self.read = now
        self.slice = slice
        if let monotonic {
            self.readMonotonic = monotonic
        } else {
            let origin = ContinuousClock.now
            let start = now()
            self.readMonotonic = { origin + .seconds(now().timeIntervalSince(start)) }
        }
    }

    public var now: Date { read() }

    public var monotonicNow: ContinuousClock.Instant { readMonotonic() }

    public func sleep(until deadline: ContinuousClock.Instant) async throws {
        while readMonotonic() < deadline {
            try await Task.sleep(for: slice)
        }
        try Task.checkCancellation()
    }
}
