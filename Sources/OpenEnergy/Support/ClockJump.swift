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
