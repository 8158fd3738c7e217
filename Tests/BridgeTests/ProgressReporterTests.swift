@testable import Bridge
import Foundation
import HomeAssistantRecorder
import Logging
import Synchronization
import Testing

/// What a terminal (or a log) receives, kept for inspection.
private final class Captured: Sendable {
    private let text = Mutex("")
    private let lines = Mutex<[String]>([])

    func write(_ bytes: String) { text.withLock { $0 += bytes } }
    func log(_ line: String) { lines.withLock { $0.append(line) } }

    var written: String { text.withLock { $0 } }
    var logged: [String] { lines.withLock { $0 } }

    /// What the terminal shows now: the lines left behind, and the status line after the last `\r`.
    var screen: [String] {
        var rows: [String] = []
        var current = ""
        var rest = Substring(written)
        while let character = rest.first {
            if rest.hasPrefix(TerminalStatusLine.clear) {
                current = ""
                rest = rest.dropFirst(TerminalStatusLine.clear.count)
                continue
            }
            if character == "\n" { rows.append(current); current = "" } else { current.append(character) }
            rest = rest.dropFirst()
        }
        return rows + [current]
    }

    func statusLine(interactive: Bool = true, width: Int? = nil) -> TerminalStatusLine {
        TerminalStatusLine(interactive: interactive, width: { width }, write: { self.write($0) })
    }

    func logger() -> Logger {
        Logger(label: "progress-test") { _ in CapturingLogHandler(captured: self) }
    }
}

private struct CapturingLogHandler: LogHandler {
    let captured: Captured
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        captured.log("\(event.level) \(event.message)")
    }
}

@Suite("Progress: the text, the terminal line and the log")
struct ProgressReporterTests {
    static let day: TimeInterval = 86_400
    static let now = Date(timeIntervalSince1970: 1_790_000_100)

    static func request(_ id: String, days: Double) -> FetchRequest {
        FetchRequest(meteringPointId: id, from: now.addingTimeInterval(-days * day), to: now, reason: .correctionSweep)
    }

    @Test("text: count, unit, rounded-down percentage and what is being worked on")
    func text() {
        #expect(ProgressReporter.text(label: "Backfill", done: 12, total: 31, unit: "days", detail: "meter CH1")
            == "Backfill: 12/31 days (38%), meter CH1")
        #expect(ProgressReporter.text(label: "Removing retained messages", done: 120, total: 450) == "Removing retained messages: 120/450 (26%)")
        // 99.9 % is not done yet; nothing to do counts as done.
        #expect(ProgressReporter.text(label: "x", done: 999, total: 1000) == "x: 999/1000 (99%)")
        #expect(ProgressReporter.text(label: "x", done: 0, total: 0) == "x: 0/0 (100%)")
    }

    @Test("terminal: the line is redrawn in place and left behind, with a newline, when finished")
    func terminalLine() {
        let captured = Captured()
        var reporter = ProgressReporter("Backfill", total: 4, unit: "days", display: .terminal(captured.statusLine(), redrawInterval: .zero))
        reporter.update(1, detail: "meter A")
        #expect(captured.screen == ["Backfill: 1/4 days (25%), meter A"])
        reporter.update(3, detail: "meter B")
        #expect(captured.screen == ["Backfill: 3/4 days (75%), meter B"])
        #expect(captured.written.hasPrefix(TerminalStatusLine.clear), "every redraw starts at the line start")
        reporter.finish(4)
        #expect(captured.screen == ["Backfill: 4/4 days (100%)", ""])
    }

    @Test("terminal: redraws within the interval are skipped, but the total always shows")
    func terminalThrottle() {
        let captured = Captured()
        var reporter = ProgressReporter("Purge", total: 3, display: .terminal(captured.statusLine(), redrawInterval: .seconds(3600)))
        reporter.update(1)
        reporter.update(2)
        #expect(captured.screen == ["Purge: 1/3 (33%)"])
        reporter.update(3)
        #expect(captured.screen == ["Purge: 3/3 (100%)"])
    }

    @Test("a log line goes above the status line, which is drawn again below it")
    func logLineAboveStatus() {
        let captured = Captured()
        let line = captured.statusLine()
        var reporter = ProgressReporter("Backfill", total: 2, unit: "days", display: .terminal(line, redrawInterval: .zero))
        reporter.update(1)
        line.print("warning: something")
        #expect(captured.screen == ["warning: something", "Backfill: 1/2 days (50%)"])
    }

    @Test("two operations share the line side by side; finishing one leaves the other")
    func twoReporters() {
        let captured = Captured()
        let line = captured.statusLine()
        var backfill = ProgressReporter("Backfill", total: 2, display: .terminal(line, redrawInterval: .zero))
        var statistics = ProgressReporter("Statistics backfill", total: 10, display: .terminal(line, redrawInterval: .zero))
        backfill.update(1)
        statistics.update(5)
        #expect(captured.screen == ["Backfill: 1/2 (50%) | Statistics backfill: 5/10 (50%)"])
        backfill.finish(2)
        #expect(captured.screen == ["Backfill: 2/2 (100%)", "Statistics backfill: 5/10 (50%)"])
    }

    @Test("a status line wider than the terminal is cut, since a wrapped line cannot be redrawn")
    func narrowTerminal() {
        let captured = Captured()
        var reporter = ProgressReporter("Backfill", total: 31, unit: "days", display: .terminal(captured.statusLine(width: 20), redrawInterval: .zero))
        reporter.update(12, detail: "meter CH1008801234500000000000000000001")
        #expect(captured.screen == ["Backfill: 12/31 da…"])
        #expect(captured.screen[0].count < 20)
    }

    @Test("not a terminal: the status line writes nothing but passes other lines through")
    func notInteractive() {
        let captured = Captured()
        let line = captured.statusLine(interactive: false)
        #expect(ProgressReporter.Display.interactive(line, otherwise: .none).isNone)
        line.show("Backfill: 1/2", for: "Backfill")
        line.complete("Backfill: 2/2", for: "Backfill")
        line.print("a log line")
        #expect(captured.written == "a log line\n")
        #expect(!ProgressReporter.Display.interactive(captured.statusLine(), otherwise: .none).isNone)
        #expect(ProgressReporter.Display.interactive(nil, otherwise: .none).isNone)
    }

    @Test("log: one line per step, the final count once")
    func logLines() {
        let captured = Captured()
        var reporter = ProgressReporter("Backfill", total: 6, unit: "days", display: .log(captured.logger(), interval: .zero))
        reporter.update(3, detail: "meter A")
        reporter.update(6, detail: "meter B")
        reporter.finish(6)
        #expect(captured.logged == ["info Backfill: 3/6 days (50%), meter A", "info Backfill: 6/6 days (100%), meter B"])
    }

    @Test("log: a stopped operation says where it stopped")
    func logStopped() {
        let captured = Captured()
        var reporter = ProgressReporter("Backfill", total: 6, unit: "days", display: .log(captured.logger(), interval: .seconds(3600)))
        reporter.update(1)
        reporter.update(2)  // within the interval: not logged
        reporter.finish(2)
        #expect(captured.logged == ["info Backfill: 1/6 days (16%)", "info Backfill: 2/6 days (33%)"])
    }

    @Test("backfill: days of meter data over all metering points, shown only for rounds longer than a day")
    func backfillDays() {
        let captured = Captured()
        let display = ProgressReporter.Display.terminal(captured.statusLine(), redrawInterval: .zero)
        #expect(BackfillProgress(requests: [Self.request("A", days: 0.5), Self.request("B", days: 0.5)], display: display) == nil)

        let requests = [Self.request("A", days: 3), Self.request("B", days: 3), Self.request("C", days: 3)]
        var progress = BackfillProgress(requests: requests, display: display)
        #expect(progress != nil)
        progress?.requestDone(requests[0])
        #expect(captured.screen == ["Backfill: 3/9 days (33%), meter A"])
        progress?.requestDone(requests[1])
        progress?.requestDone(requests[2])
        progress?.finish()
        #expect(captured.screen == ["Backfill: 9/9 days (100%)", ""])
    }

    @Test("backfill: partial days count down to whole days until the last request")
    func backfillPartialDays() {
        let captured = Captured()
        let requests = [Self.request("A", days: 1.25), Self.request("B", days: 1.25)]
        var progress = BackfillProgress(requests: requests, display: .log(captured.logger(), interval: .zero))
        progress?.requestDone(requests[0])
        progress?.requestDone(requests[1])
        #expect(captured.logged == ["info Backfill: 1/3 days (33%), meter A", "info Backfill: 3/3 days (100%), meter B"])
    }

    @Test("statistics backfill: one line per metering point, in days, gone from the status line when over")
    func statisticsBackfill() {
        let captured = Captured()
        let progress = StatisticsBackfillProgress(display: .terminal(captured.statusLine(), redrawInterval: .zero))
        let from = Self.now.addingTimeInterval(-62 * Self.day)
        func step(through days: Double, isOver: Bool = false) -> StatisticsImporter.CatchUpProgress {
            .init(meteringPointID: "CH1", from: from, through: from.addingTimeInterval(days * Self.day), to: Self.now, isOver: isOver)
        }
        progress.report(step(through: 0))
        #expect(captured.screen == ["Statistics backfill: 0/62 days (0%), meter CH1"])
        progress.report(step(through: 31))
        #expect(captured.screen == ["Statistics backfill: 31/62 days (50%), meter CH1"])
        progress.report(step(through: 62, isOver: true))
        #expect(captured.screen == ["Statistics backfill: 62/62 days (100%), meter CH1", ""])
    }
}

extension ProgressReporter.Display {
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }
}
