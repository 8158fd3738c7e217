import Foundation
import OpenEnergy

/// A clock whose time someone else owns and may change at any moment (the simulator's fast clock
/// in `ckw2mqtt demo` and in tests): `sleep(until:)` re-reads it in short real-time slices, so
/// jumps and speed changes are noticed within one slice.
public struct PolledClock: OpenEnergyClock {
    private let read: @Sendable () -> Date
    private let slice: Duration

    /// - Parameters:
    ///   - slice: Real time between two looks at the clock while sleeping.
    ///   - now: Reads the current instant.
    public init(slice: Duration = .milliseconds(50), now: @escaping @Sendable () -> Date) {
        self.read = now
        self.slice = slice
    }

    public var now: Date { read() }

    public func sleep(until deadline: Date) async throws {
        while read() < deadline {
            try await Task.sleep(for: slice)
        }
        try Task.checkCancellation()
    }
}
