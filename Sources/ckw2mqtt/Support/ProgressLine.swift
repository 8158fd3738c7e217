#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One self-overwriting line on standard error (`Removing retained messages: 120/450`), only when
/// standard error is a terminal: in logs and pipes it would be noise, so it prints nothing there.
struct ProgressLine {
    private let label: String
    private let total: Int
    private let isInteractive: Bool
    private var lastDrawn = ContinuousClock.now - .seconds(1)

    init(_ label: String, total: Int, interactive: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.total = total
        self.isInteractive = interactive
    }

    /// Redraws at most ten times a second; the final count is always drawn by `finish`.
    mutating func update(_ done: Int) {
        guard isInteractive, ContinuousClock.now - lastDrawn >= .milliseconds(100) else { return }
        lastDrawn = .now
        draw(done)
    }

    func finish(_ done: Int) {
        guard isInteractive else { return }
        draw(done)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private func draw(_ done: Int) {
        let percent = total > 0 ? done * 100 / total : 100
        // \r back to the line start, ESC[K clears what a longer previous line left.
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(done)/\(total) (\(percent)%)".utf8))
    }
}
