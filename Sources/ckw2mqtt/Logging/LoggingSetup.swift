import Bridge
import Logging

/// Installs the log handler the configuration asks for; called once, before anything logs.
enum LoggingSetup {
    static func bootstrap(_ settings: LoggingSettings) {
        let level = settings.level
        switch settings.format {
        case .text: LoggingSystem.bootstrap { TextLogHandler(label: $0, level: level) }
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        }
    }

    /// For commands that run before (or without) a configuration.
    static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { TextLogHandler(label: $0, level: level) }
    }
}
