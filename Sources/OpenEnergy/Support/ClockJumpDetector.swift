import Foundation

/// Notices steps of the wall clock by comparing it with the monotonic clock at every look: their
/// difference changes only when the wall clock is set. Looks are frequent (seconds apart), so the
/// slow slewing of NTP never adds up to a step; a change of more than `threshold` between two
/// looks is one.
public struct ClockJumpDetector: Sendable {
    /// NTP steps rather than slews from 128 ms; a minute keeps jitter of slow looks out.
    public static let defaultThreshold: TimeInterval = 60

    public let threshold: TimeInterval
    /// `wallClockOffset` at the last look.
    public private(set) var offset: TimeInterval
    private var epochStart: Date

    public init(clock: any OpenEnergyClock, threshold: TimeInterval = Self.defaultThreshold) {
        self.threshold = threshold
        offset = clock.wallClockOffset
        epochStart = clock.now
    }

    /// Whether the wall clock was stepped since the last look (by more than the threshold).
    public func hasJumped(_ clock: any OpenEnergyClock) -> Bool {
        abs(clock.wallClockOffset - offset) > threshold
    }

    /// Looks at the clock: the step since the last look, if there was one.
    public mutating func check(_ clock: any OpenEnergyClock) -> ClockJump? {
        let now = clock.now
        let current = clock.wallClockOffset
        let change = current - offset
        offset = current
        guard abs(change) > threshold else { return nil }
        let jump = ClockJump(seconds: change, from: now.addingTimeInterval(-change), to: now, epochStart: epochStart)
        // What was recorded since the era began moves with the clock, the era's start with it.
        epochStart = epochStart.addingTimeInterval(change)
        return jump
    }
}
