import Bridge
import Logging

/// Installs the log handler the configuration asks for; called once, before anything logs.
enum LoggingSetup {
    static func bootstrap(_ settings: LoggingSettings) {
        let (format, level) = (settings.format, settings.level)
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: format, level: level) }
    }

    /// For commands that run before (or without) a configuration.
    static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: .text, level: level) }
    }
}
