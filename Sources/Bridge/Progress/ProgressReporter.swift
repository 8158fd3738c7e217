import Logging

/// Progress of one long operation (`Backfill: 12/31 days (39%), meter CH1…`): an updating line on an
/// interactive terminal, log lines elsewhere, or nothing.
public struct ProgressReporter: Sendable {
    public enum Display: Sendable {
        /// A line updated in place; at most one redraw per `redrawInterval`, the total always.
        case terminal(TerminalStatusLine, redrawInterval: Duration = .milliseconds(100))
        /// One log line per step, at most one per `interval` (the last step always): a
        /// self-overwriting line would be garbage in a log file or a pipe.
        case log(Logger, interval: Duration = .seconds(5))
        case none

        /// The terminal line when it is interactive, else `otherwise`.
        public static func interactive(_ statusLine: TerminalStatusLine?, otherwise: Display) -> Display {
            guard let statusLine, statusLine.isInteractive else { return otherwise }
            return .terminal(statusLine)
        }
    }

    public let label: String
    public let total: Int
    /// What is counted (`days`); `nil` for plain counts.
    public let unit: String?
    private let display: Display
    private var lastShown: (at: ContinuousClock.Instant, done: Int)?

    public init(_ label: String, total: Int, unit: String? = nil, display: Display) {
        self.label = label
        self.total = total
        self.unit = unit
        self.display = display
    }

    /// `done` of `total` are done; `detail` says what is being worked on.
    public mutating func update(_ done: Int, detail: String? = nil) {
        let now = ContinuousClock.now
        let text = Self.text(label: label, done: done, total: total, unit: unit, detail: detail)
        switch display {
        case .terminal(let line, let interval):
            guard isDue(done, at: now, interval: interval) else { return }
            line.show(text, for: label)
        case .log(let logger, let interval):
            guard isDue(done, at: now, interval: interval) else { return }
            logger.info("\(text)")
        case .none:
            return
        }
        lastShown = (now, done)
    }

    /// The operation ended (completed or stopped) at `done`: the terminal keeps the final line, a log
    /// gets it unless it was the last one logged.
    public mutating func finish(_ done: Int, detail: String? = nil) {
        let text = Self.text(label: label, done: done, total: total, unit: unit, detail: detail)
        switch display {
        case .terminal(let line, _):
            line.complete(text, for: label)
        case .log(let logger, _):
            if lastShown?.done != done { logger.info("\(text)") }
        case .none:
            return
        }
        lastShown = (.now, done)
    }

    private func isDue(_ done: Int, at now: ContinuousClock.Instant, interval: Duration) -> Bool {
        guard let lastShown else { return true }
        guard done != lastShown.done else { return false }
        return done >= total || now - lastShown.at >= interval
    }

    /// `Label: done/total unit (percent%), detail`; the percentage is rounded down, so 100% means done.
    public static func text(label: String, done: Int, total: Int, unit: String? = nil, detail: String? = nil) -> String {
        let percent = total > 0 ? min(100, max(0, done) * 100 / total) : 100
        var text = "\(label): \(done)/\(total)"
        if let unit { text += " \(unit)" }
        text += " (\(percent)%)"
        if let detail, !detail.isEmpty { text += ", \(detail)" }
        return text
    }
}
