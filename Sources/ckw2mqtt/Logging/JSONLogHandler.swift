import Logging

/// One JSON object per line for log collectors: `time`, `level`, `logger`, `message` and the
/// metadata as further string fields.
struct JSONLogHandler: LogHandler {
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
        var fields: [(String, String)] = [
            ("time", LogTimestamp.now()),
            ("level", event.level.rawValue),
            ("logger", label),
            ("message", "\(event.message)"),
        ]
        let merged = LogMetadata.merge(metadata, metadataProvider?.get(), event.metadata)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !["time", "level", "logger", "message"].contains(key) {
            fields.append((key, "\(value)"))
        }
        LogOutput.standardError.write("{" + fields.map { "\(Self.quoted($0.0)):\(Self.quoted($0.1))" }.joined(separator: ",") + "}")
    }

    /// A JSON string literal (RFC 8259 escaping).
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
