import Bridge
import Logging

/// Writes one line per log event to standard error, in the configured format:
/// - `text`, for people: `2026-11-27T12:00:00.123Z info     [ckw2mqtt] metering point added meteringPoint=CH10…`;
/// - `json`, for log collectors: one object with `time`, `level`, `logger`, `message` and the
///   metadata as further string fields.
struct LineLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged: Logger.Metadata = metadata
        for layer in [metadataProvider?.get(), event.metadata] {
            guard let layer else { continue }
            merged.merge(layer) { _, new in new }
        }
        let fields = merged.sorted(by: { $0.key < $1.key })
        let line = switch format {
        case .text: Self.textLine(event, label: label, fields: fields)
        case .json: Self.jsonLine(event, label: label, fields: fields)
        }
        LogOutput.standardError.write(line)
    }

    private static func textLine(_ event: LogEvent, label: String, fields: [(key: String, value: Logger.MetadataValue)]) -> String {
        // Levels in a column of their own, so messages line up.
        let level = event.level.rawValue
        var line = "\(LogTimestamp.now()) \(level + String(repeating: " ", count: max(1, 9 - level.count)))[\(label)] \(event.message)"
        for (key, value) in fields {
            line += " \(key)=\(value)"
        }
        return line
    }

    private static let reservedJSONKeys: Set<String> = ["time", "level", "logger", "message"]

    private static func jsonLine(_ event: LogEvent, label: String, fields: [(key: String, value: Logger.MetadataValue)]) -> String {
        var pairs: [(String, String)] = [
            ("time", LogTimestamp.now()),
            ("level", event.level.rawValue),
            ("logger", label),
            ("message", "\(event.message)"),
        ]
        for (key, value) in fields where !reservedJSONKeys.contains(key) {
            pairs.append((key, "\(value)"))
        }
        return "{" + pairs.map { "\(quoted($0.0)):\(quoted($0.1))" }.joined(separator: ",") + "}"
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
