import Bridge
import Foundation
import Synchronization

/// Standard error, one whole line per write, so lines from several threads never interleave.
final class LogOutput: Sendable {
    static let standardError = LogOutput()

    private let lock = Mutex(())

    func write(_ line: String) {
        // On a terminal a progress line may be showing: the log line goes above it.
        if TerminalStatusLine.standardError.isInteractive {
            return TerminalStatusLine.standardError.print(line)
        }
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 {
                        if written < 0 && errno == EINTR { continue }
                        return
                    }
                    offset += written
                }
            }
        }
    }
}

/// `2026-11-27T12:00:00.123Z` without Foundation's formatters (which load ICU data: memory the
/// daemon does not need to spend).
enum LogTimestamp {
    static func now() -> String {
        let now = Date().timeIntervalSince1970
        var seconds = time_t(now.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = min(999, Int((now - now.rounded(.down)) * 1000))
        return "\(parts.tm_year + 1900)-\(pad(Int(parts.tm_mon) + 1))-\(pad(Int(parts.tm_mday)))T\(pad(Int(parts.tm_hour))):\(pad(Int(parts.tm_min))):\(pad(Int(parts.tm_sec))).\(pad(milliseconds, width: 3))Z"
    }

    private static func pad(_ value: Int, width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
