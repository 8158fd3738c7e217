import Foundation
import Yams

/// Loads the configuration: YAML file, then `CKW2MQTT_*` environment variables, then command-line
/// overrides (later wins), then secrets from files, defaults that depend on other keys, and checks
/// across keys. Every problem is collected and thrown together as a `ConfigurationError`.
///
/// Pure apart from reading the configuration file and secret files: the environment is a parameter.
public struct ConfigurationLoader: Sendable {
    /// Whether the CKW connection settings must be complete.
    public enum CKWRequirement: Sendable, Equatable {
        /// `run`, `login`, `check-config`: `ckw.api_base_url` and `ckw.client_id` are required.
        case required
        /// `demo`: the in-process simulator supplies the CKW side.
        case suppliedByCaller
    }

    /// Names the configuration file when no path is given explicitly.
    public static let configurationFileVariable = "CKW2MQTT_CONFIG"

    /// `CKW2MQTT_*` variables that are not configuration keys and therefore not "unknown".
    public static let nonKeyEnvironmentVariables: Set<String> = [configurationFileVariable]

    public var environment: [String: String]
    public var ckwRequirement: CKWRequirement

    /// Far beyond any real configuration or secret: a larger file is a mistake (`/dev/zero`), refused.
    static let largestConfigurationFile = 1 << 20
    static let largestSecretFile = 64 * 1024

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                ckwRequirement: CKWRequirement = .required) {
        self.environment = environment
        self.ckwRequirement = ckwRequirement
    }

    /// Loads from `file` (or `$CKW2MQTT_CONFIG`, or no file: defaults only), the environment and
    /// `overrides`, keyed by dotted path (`mqtt.host`), as the command-line flags pass them.
    public func load(file: String? = nil, overrides: [String: String] = [:]) throws(ConfigurationError) -> BridgeConfiguration {
        var builder = ConfigurationBuilder(environment: environment)
        if let path = file ?? environment[Self.configurationFileVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            let source = ConfigurationSource.file(path: path, line: nil)
            do {
                if let text = try FileReading.text(of: path, limit: Self.largestConfigurationFile) {
                    builder.applyYAML(text, fileName: path)
                } else {
                    builder.fileUnusable = true
                    builder.report(nil, source, "the configuration file is not UTF-8 text")
                }
            } catch {
                builder.fileUnusable = true
                builder.report(nil, source, "cannot read the configuration file: \(error.reason)")
            }
        }
        return try finish(builder, overrides: overrides)
    }

    /// Loads from YAML text (`fileName` appears in messages), the environment and `overrides`.
    public func load(yaml: String, fileName: String = "config.yaml", overrides: [String: String] = [:]) throws(ConfigurationError) -> BridgeConfiguration {
        var builder = ConfigurationBuilder(environment: environment)
        builder.applyYAML(yaml, fileName: fileName)
        return try finish(builder, overrides: overrides)
    }

    private func finish(_ builder: ConfigurationBuilder, overrides: [String: String]) throws(ConfigurationError) -> BridgeConfiguration {
        var builder = builder
        builder.applyEnvironment()
        builder.applyOverrides(overrides)
        builder.resolveDependentDefaults()
        builder.resolveSecrets()
        ConfigurationValidation.validate(&builder, ckwRequirement: ckwRequirement)
        guard builder.problems.isEmpty else { throw ConfigurationError(problems: builder.problems) }
        return builder.configuration
    }
}

/// The configuration being assembled, with where each key was set and the problems so far.
struct ConfigurationBuilder {
    /// Higher layers override lower ones.
    enum Layer: Int, Comparable {
        case file, environment, override
        static func < (lhs: Layer, rhs: Layer) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    struct Assignment {
        var layer: Layer
        var source: ConfigurationSource
    }

    let environment: [String: String]
    var configuration: BridgeConfiguration
    var assignments: [String: Assignment] = [:]
    var problems: [ConfigurationProblem] = []
    /// The file could not be read or parsed: checks for keys it may well contain are skipped, so
    /// the report is not buried under consequences of the one real problem.
    var fileUnusable = false

    init(environment: [String: String]) {
        self.environment = environment
        // An empty placeholder when there is no default; reported unless a layer sets the key.
        configuration = BridgeConfiguration(stateDirectory: BridgeSettings.defaultStateDirectory(environment: environment) ?? "")
    }

    mutating func report(_ key: String?, _ source: ConfigurationSource?, _ reason: String, suggestion: String? = nil) {
        problems.append(ConfigurationProblem(key: key, source: source, reason: reason, suggestion: suggestion))
    }

    mutating func assign(_ key: ConfigurationKey, _ raw: RawConfigurationValue, layer: Layer, source: ConfigurationSource) {
        do {
            try key.apply(&configuration, raw)
            assignments[key.path] = Assignment(layer: layer, source: source)
        } catch {
            report(key.path, source, error.reason)
        }
    }

    // MARK: Layers

    mutating func applyYAML(_ text: String, fileName: String) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            let (line, reason) = Self.describe(yamlError: error)
            fileUnusable = true
            report(nil, .file(path: fileName, line: line), "not valid YAML: \(reason)")
            return
        }
        guard let root, root.null == nil else { return }  // An empty file means "all defaults".
        guard case .mapping(let mapping) = root else {
            fileUnusable = true
            report(nil, .file(path: fileName, line: root.mark?.line),
                   "the file must be a mapping of sections such as `mqtt:` and `ckw:`")
            return
        }
        walk(mapping, prefix: "", fileName: fileName)
    }

    private mutating func walk(_ mapping: Node.Mapping, prefix: String, fileName: String) {
        for (keyNode, valueNode) in mapping {
            let source = ConfigurationSource.file(path: fileName, line: keyNode.mark?.line)
            guard case .scalar(let keyScalar) = keyNode else {
                report(nil, source, "keys must be plain names")
                continue
            }
            let path = prefix.isEmpty ? keyScalar.string : "\(prefix).\(keyScalar.string)"
            if let key = ConfigurationSchema.keysByPath[path] {
                guard valueNode.null == nil else { continue }  // `key:` with no value keeps the default.
                switch valueNode {
                case .scalar(let scalar):
                    assign(key, .scalar(scalar.string), layer: .file, source: source)
                case .sequence(let sequence):
                    let items = sequence.compactMap { node -> String? in
                        if case .scalar(let scalar) = node { scalar.string } else { nil }
                    }
                    if items.count == sequence.count {
                        assign(key, .sequence(items), layer: .file, source: source)
                    } else {
                        report(path, source, "expected a list of plain values")
                    }
                case .mapping, .alias:
                    report(path, source, "expected a value, not a mapping")
                }
            } else if ConfigurationSchema.sections.contains(path) {
                if case .mapping(let nested) = valueNode {
                    walk(nested, prefix: path, fileName: fileName)
                } else if valueNode.null == nil {
                    report(path, source, "expected a section (a mapping of keys)")
                }
            } else {
                report(nil, source, "unknown key `\(path)`",
                       suggestion: KeySuggestion.suggestion(for: path, among: Self.knownPaths))
            }
        }
    }

    mutating func applyEnvironment() {
        let prefix = ConfigurationSchema.environmentPrefix
        for (variable, value) in environment.sorted(by: { $0.key < $1.key })
        where variable.hasPrefix(prefix) && !ConfigurationLoader.nonKeyEnvironmentVariables.contains(variable) {
            let source = ConfigurationSource.environment(variable: variable)
            guard let key = ConfigurationSchema.keysByEnvironmentVariable[variable] else {
                let known = Array(ConfigurationSchema.keysByEnvironmentVariable.keys) + ConfigurationLoader.nonKeyEnvironmentVariables
                report(nil, source, "unknown variable `\(variable)`",
                       suggestion: KeySuggestion.suggestion(for: variable, among: known))
                continue
            }
            // Compose files often pass `VAR=` for "not set".
            guard !value.isEmpty else { continue }
            assign(key, .scalar(value), layer: .environment, source: source)
        }
    }

    mutating func applyOverrides(_ overrides: [String: String]) {
        for (path, value) in overrides.sorted(by: { $0.key < $1.key }) {
            let source = ConfigurationSource.override(key: path)
            guard let key = ConfigurationSchema.keysByPath[path] else {
                report(nil, source, "unknown key `\(path)`",
                       suggestion: KeySuggestion.suggestion(for: path, among: Self.knownPaths))
                continue
            }
            guard !value.isEmpty else { continue }
            assign(key, .scalar(value), layer: .override, source: source)
        }
    }

    private static let knownPaths = ConfigurationSchema.keys.map(\.path) + ConfigurationSchema.sections

    // MARK: Derived values

    mutating func resolveDependentDefaults() {
        if assignments["mqtt.port"] == nil, configuration.mqtt.tls.enabled {
            configuration.mqtt.port = 8883
        }
        let directory = configuration.bridge.stateDirectory
        if let assignment = assignments["bridge.state_directory"] {
            if directory == "~" || directory.hasPrefix("~/") {
                guard let home = environment["HOME"], !home.isEmpty else {
                    report("bridge.state_directory", assignment.source, "starts with `~` but HOME is not set; give an absolute path")
                    return
                }
                configuration.bridge.stateDirectory = home + directory.dropFirst()
            }
            if !configuration.bridge.stateDirectory.hasPrefix("/") {
                report("bridge.state_directory", assignment.source, "must be an absolute path, got `\(directory)`")
            }
        } else if directory.isEmpty {
            report("bridge.state_directory", nil, "has no default because neither STATE_DIRECTORY nor HOME is set; set it explicitly")
        }
    }

    mutating func resolveSecrets() {
        resolveSecret(value: "mqtt.password", file: "mqtt.password_file", \.mqtt.password, \.mqtt.passwordFile)
        resolveSecret(value: "ckw.client_secret", file: "ckw.client_secret_file", \.ckw.clientSecret, \.ckw.clientSecretFile)
        resolveSecret(value: "ckw.app_client_secret", file: "ckw.app_client_secret_file", \.ckw.appClientSecret, \.ckw.appClientSecretFile)
        resolveSecret(value: "homeassistant.statistics.token", file: "homeassistant.statistics.token_file",
                      \.homeAssistant.statistics.token, \.homeAssistant.statistics.tokenFile)
        resolveSecret(value: "http.auth.password", file: "http.auth.password_file", \.http.auth.password, \.http.auth.passwordFile)
    }

    /// A secret may be given inline or as a file (Docker secrets). Set in different layers, the
    /// higher layer wins like any other key; set in the same layer, that is a mistake to report.
    private mutating func resolveSecret(value valueKey: String, file fileKey: String,
                                        _ valueField: WritableKeyPath<BridgeConfiguration, Secret?>,
                                        _ fileField: WritableKeyPath<BridgeConfiguration, String?>) {
        if let valueAssignment = assignments[valueKey], let fileAssignment = assignments[fileKey] {
            if valueAssignment.layer == fileAssignment.layer {
                report(fileKey, fileAssignment.source, "set either `\(valueKey)` or `\(fileKey)`, not both")
                return
            }
            if valueAssignment.layer > fileAssignment.layer {
                configuration[keyPath: fileField] = nil
                assignments[fileKey] = nil
                return
            }
            configuration[keyPath: valueField] = nil
        }
        guard let path = configuration[keyPath: fileField], let source = assignments[fileKey]?.source else { return }
        do {
            guard let contents = try FileReading.text(of: path, limit: ConfigurationLoader.largestSecretFile) else {
                report(fileKey, source, "the secret file `\(path)` is not UTF-8 text")
                return
            }
            // Files written with `echo` or an editor end in a newline that is not part of the secret.
            var secret = Substring(contents)
            while let last = secret.last, last == "\n" || last == "\r\n" || last == "\r" { secret = secret.dropLast() }
            guard !secret.isEmpty else {
                report(fileKey, source, "the secret file `\(path)` is empty")
                return
            }
            configuration[keyPath: valueField] = Secret(String(secret))
            assignments[valueKey] = assignments[fileKey]
        } catch {
            report(fileKey, source, "cannot read the secret file `\(path)`: \(error.reason)")
        }
    }

    // MARK: Helpers

    private static func describe(yamlError error: any Error) -> (line: Int?, reason: String) {
        guard let yamlError = error as? YamlError else { return (nil, "\(error)") }
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return (mark.line, problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return (context.mark.line > 0 ? context.mark.line : nil, "keys appear more than once in one section: \(duplicates.sorted().map { "`\($0)`" }.joined(separator: ", "))")
        default:
            // The first line of Yams' description carries the position and the problem.
            return (nil, String(yamlError.description.split(separator: "\n").first ?? ""))
        }
    }
}
