import Foundation
import HomeAssistantRecorder
import Synchronization

/// Shows the statistics catch-up (`homeassistant.statistics.backfill`, up to a year per metering
/// point) on the terminal line, in days. Off a terminal it shows nothing: the importer logs a line
/// per chunk there already.
final class StatisticsBackfillProgress: Sendable {
    static let label = "Statistics backfill"
    private static let day: TimeInterval = 86_400

    private let display: ProgressReporter.Display
    private let reporters = Mutex<[String: ProgressReporter]>([:])

    init(display: ProgressReporter.Display) {
        self.display = display
    }

    func report(_ step: StatisticsImporter.CatchUpProgress) {
        let total = max(1, Int((step.to.timeIntervalSince(step.from) / Self.day).rounded(.up)))
        let done = step.through >= step.to ? total : min(total, Int(step.through.timeIntervalSince(step.from) / Self.day))
        let detail = "meter \(step.meteringPointID)"
        reporters.withLock { reporters in
            var reporter = reporters[step.meteringPointID]
                ?? ProgressReporter(Self.label, total: total, unit: "days", display: display)
            if step.isOver {
                reporter.finish(done, detail: detail)
                reporters[step.meteringPointID] = nil
            } else {
                reporter.update(done, detail: detail)
                reporters[step.meteringPointID] = reporter
            }
        }
    }
}
