import Logging

/// Lines for people: `2026-11-27T12:00:00.123Z info  [ckw2mqtt] metering point added meteringPoint=CH10…`.
struct TextLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "\(LogTimestamp.now()) \(Self.padded(event.level.rawValue))[\(label)] \(event.message)"
        let merged = LogMetadata.merge(metadata, metadataProvider?.get(), event.metadata)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        LogOutput.standardError.write(line)
    }
}

extension TextLogHandler {
    /// Levels in a column of their own, so messages line up.
    static func padded(_ level: String) -> String {
        level + String(repeating: " ", count: max(1, 9 - level.count))
    }
}

enum LogMetadata {
    static func merge(_ layers: Logger.Metadata?...) -> Logger.Metadata {
        var merged: Logger.Metadata = [:]
        for layer in layers {
            guard let layer else { continue }
            merged.merge(layer) { _, new in new }
        }
        return merged
    }
}
