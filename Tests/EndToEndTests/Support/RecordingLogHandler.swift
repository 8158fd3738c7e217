import Logging
import Synchronization

/// Keeps every line a logger writes (level, message, metadata), so a test can look for a warning
/// or make sure that something never appears.
final class LogRecording: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }

    /// A logger at `level` that records here.
    func logger(label: String = "ckw2mqtt", level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { _ in RecordingLogHandler(recording: self) }
        logger.logLevel = level
        return logger
    }

    /// Waits until a recorded line satisfies `predicate`.
    @discardableResult
    func waitForLine(
        _ description: String, timeout: Duration = .seconds(20), where predicate: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = all.first(where: predicate) { return line }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RecordingTimeout(description: "no log line \(description) within \(timeout); log:\n\(all.joined(separator: "\n"))")
    }
}

struct RecordingTimeout: Error, CustomStringConvertible {
    var description: String
}

struct RecordingLogHandler: LogHandler {
    let recording: LogRecording
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let suffix = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        recording.append("\(event.level) \(event.message)\(suffix)")
    }
}
