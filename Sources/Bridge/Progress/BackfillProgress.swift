import Foundation

/// Progress of a round of meter data requests that reaches days back — the look-back backfill on a
/// first start — counted in days of meter data over all its metering points.
struct BackfillProgress: Sendable {
    static let label = "Backfill"
    private static let day: TimeInterval = 86_400

    private var reporter: ProgressReporter
    private let totalSeconds: TimeInterval
    private var doneSeconds: TimeInterval = 0

    /// `nil` when the round covers no more than a day: an ordinary poll, over before a line would help.
    init?(requests: [FetchRequest], display: ProgressReporter.Display) {
        totalSeconds = requests.reduce(0) { $0 + $1.to.timeIntervalSince($1.from) }
        guard totalSeconds > Self.day else { return nil }
        reporter = ProgressReporter(Self.label, total: Self.days(totalSeconds), unit: "days", display: display)
    }

    /// `request` was answered (or failed: its days are behind us either way).
    mutating func requestDone(_ request: FetchRequest) {
        doneSeconds += request.to.timeIntervalSince(request.from)
        reporter.update(doneDays, detail: "meter \(request.meteringPointId)")
    }

    /// The round is over, completely or stopped by a failure.
    mutating func finish() {
        reporter.finish(doneDays)
    }

    /// Whole days, so that the count reaches the total exactly when every request is done.
    private var doneDays: Int {
        doneSeconds >= totalSeconds ? reporter.total : min(reporter.total, Int(doneSeconds / Self.day))
    }

    private static func days(_ seconds: TimeInterval) -> Int {
        max(1, Int((seconds / day).rounded()))
    }
}
