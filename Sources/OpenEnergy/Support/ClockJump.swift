import Foundation

/// A step of the wall clock: the wall clock moved by `seconds` more than the monotonic clock did
/// (positive: forward). A box that boots with a stale clock and is set by NTP later sees one.
public struct ClockJump: Sendable, Equatable, CustomStringConvertible {
    /// How far the wall clock moved beyond the time that passed; negative when it went back.
    public var seconds: TimeInterval
    /// The wall clock just before the step (as far as the last look tells) and just after it.
    public var from: Date
    public var to: Date
    /// Where the wall-clock era that ended began: the process start, moved by every earlier step.
    /// Dates in `epochStart...from` were read from this process's clock before the step (or moved
    /// with it); earlier ones were written by an earlier process, on a clock of its own.
    public var epochStart: Date

    public init(seconds: TimeInterval, from: Date, to: Date, epochStart: Date) {
        self.seconds = seconds
        self.from = from
        self.to = to
        self.epochStart = epochStart
    }

    /// "the system clock jumped back 3 h 0 min"
    public var description: String {
        "the system clock jumped \(seconds < 0 ? "back" : "forward") \(Self.words(abs(seconds)))"
    }

    /// A duration for a log line: "2 d 3 h 0 min", "3 h 0 min", "4 min 10 s".
    static func words(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded())
        let days = total / 86_400, hours = total % 86_400 / 3_600, minutes = total % 3_600 / 60, rest = total % 60
        if days > 0 { return "\(days) d \(hours) h \(minutes) min" }
        if hours > 0 { return "\(hours) h \(minutes) min" }
        return "\(minutes) min \(rest) s"
    }
}

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
