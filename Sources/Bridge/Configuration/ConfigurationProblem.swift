/// Where a configuration value came from; problems name it so the user knows what to edit.
public enum ConfigurationSource: Sendable, Equatable, CustomStringConvertible {
    /// The YAML file, with the line when Yams knows it.
    case file(path: String, line: Int?)
    /// A `CKW2MQTT_*` environment variable.
    case environment(variable: String)
    /// A command-line override (`mqtt.host` and so on).
    case override(key: String)

    public var description: String {
        switch self {
        case .file(let path, let line?): "\(path):\(line)"
        case .file(let path, nil): path
        case .environment(let variable): "environment variable \(variable)"
        case .override(let key): "command-line override \(key)"
        }
    }
}

/// One thing wrong with the configuration.
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The dotted key path (`mqtt.port`), when the problem concerns one key.
    public var key: String?
    public var source: ConfigurationSource?
    public var reason: String
    /// A likely intended key for a typo (`mqtt.host` for `mqtt.hots`).
    public var suggestion: String?

    public init(key: String?, source: ConfigurationSource?, reason: String, suggestion: String? = nil) {
        self.key = key
        self.source = source
        self.reason = reason
        self.suggestion = suggestion
    }

    /// One line: `config.yaml:3: mqtt.port: must be between 1 and 65535, got 70000`,
    /// `environment variable CKW2MQTT_MQTT_PORT (mqtt.port): ...`, `command-line override mqtt.port: ...`.
    public var description: String {
        var line: String
        switch (source, key) {
        case (.override(let overridden)?, let key?) where overridden == key:
            line = "\(source!): "
        case (.environment(let variable)?, let key?)
            where ConfigurationSchema.keysByPath[key]?.environmentVariable == variable:
            line = "\(source!) (\(key)): "
        case (let source?, let key?):
            line = "\(source): \(key): "
        case (let source?, nil):
            line = "\(source): "
        case (nil, let key?):
            line = "\(key): "
        case (nil, nil):
            line = ""
        }
        line += reason
        if let suggestion { line += "; did you mean `\(suggestion)`?" }
        return line
    }
}

/// Every problem found while loading, reported together so one run of `check-config` shows all.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]

    public init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    public var description: String {
        let heading = problems.count == 1
            ? "The configuration has 1 problem:" : "The configuration has \(problems.count) problems:"
        return ([heading] + problems.map { "  \($0)" }).joined(separator: "\n")
    }
}
