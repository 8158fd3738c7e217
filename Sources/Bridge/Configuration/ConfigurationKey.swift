import Foundation

/// One configuration key: its dotted path, how a raw value is parsed into the configuration, and
/// how the effective value is rendered back. The table of keys (`ConfigurationSchema`) is the single
/// source of truth for YAML keys, environment variable names, overrides, typo suggestions and the
/// redacted rendering.
struct ConfigurationKey: Sendable {
    typealias Apply = @Sendable (inout BridgeConfiguration, RawConfigurationValue) throws(ValueProblem) -> Void
    typealias Render = @Sendable (BridgeConfiguration) -> String?

    /// `mqtt.tls.ca_file`.
    let path: String
    /// Secrets render as `<redacted>`.
    let isSecret: Bool
    let apply: Apply
    /// The effective value as a YAML scalar or flow sequence; `nil` when unset.
    let render: Render

    init(_ path: String, secret: Bool = false, apply: @escaping Apply, render: @escaping Render) {
        self.path = path
        self.isSecret = secret
        self.apply = apply
        self.render = render
    }

    /// `CKW2MQTT_MQTT_TLS_CA_FILE` for `mqtt.tls.ca_file`.
    var environmentVariable: String {
        ConfigurationSchema.environmentPrefix + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// `mqtt.tls` for `mqtt.tls.ca_file`.
    var section: String {
        path.split(separator: ".").dropLast().joined(separator: ".")
    }

    var name: String {
        String(path.split(separator: ".").last ?? "")
    }
}

// MARK: - Constructors for the common kinds of keys

extension ConfigurationKey {
    typealias Path<Value> = any WritableKeyPath<BridgeConfiguration, Value> & Sendable

    static func string(_ path: String, _ field: Path<String>,
                       parse: @escaping @Sendable (RawConfigurationValue) throws(ValueProblem) -> String = ConfigurationValueParsing.nonEmptyString) -> Self {
        Self(path, apply: { config, raw throws(ValueProblem) in config[keyPath: field] = try parse(raw) },
             render: { YAMLRendering.string($0[keyPath: field]) })
    }

    static func optionalString(_ path: String, _ field: Path<String?>) -> Self {
        Self(path, apply: { config, raw throws(ValueProblem) in
            config[keyPath: field] = try ConfigurationValueParsing.nonEmptyString(raw)
        }, render: { $0[keyPath: field].map(YAMLRendering.string) })
    }

    /// `fileField` is the matching `*_file` key: a secret read from a file renders as unset, so the
    /// printout names the file once and could be loaded again without a conflict.
    static func secret(_ path: String, _ field: Path<Secret?>, readFrom fileField: Path<String?>) -> Self {
        // Not trimmed: a password may legitimately begin or end with a space.
        Self(path, secret: true, apply: { config, raw throws(ValueProblem) in
            let text = try ConfigurationValueParsing.scalar(raw)
            guard !text.isEmpty else { throw ValueProblem("must not be empty") }
            config[keyPath: field] = Secret(text)
        }, render: { config in
            guard config[keyPath: fileField] == nil, let secret = config[keyPath: field] else { return nil }
            return YAMLRendering.string(secret.description)
        })
    }

    static func bool(_ path: String, _ field: Path<Bool>) -> Self {
        Self(path, apply: { config, raw throws(ValueProblem) in
            config[keyPath: field] = try ConfigurationValueParsing.bool(raw)
        }, render: { String($0[keyPath: field]) })
    }

    static func integer(_ path: String, _ field: Path<Int>, in range: ClosedRange<Int>) -> Self {
        Self(path, apply: { config, raw throws(ValueProblem) in
            config[keyPath: field] = try ConfigurationValueParsing.integer(raw, in: range)
        }, render: { String($0[keyPath: field]) })
    }

    static func duration(_ path: String, _ field: Path<Duration>, in range: ClosedRange<Duration>) -> Self {
        Self(path, apply: { config, raw throws(ValueProblem) in
            config[keyPath: field] = try ConfigurationValueParsing.duration(raw, in: range)
        }, render: { ConfigurationValueParsing.render($0[keyPath: field]) })
    }

    static func choice<Value: RawRepresentable & CaseIterable & Sendable>(_ path: String, _ field: Path<Value>) -> Self
    where Value.RawValue == String {
        Self(path, apply: { config, raw throws(ValueProblem) in
            config[keyPath: field] = try ConfigurationValueParsing.choice(raw, Value.allCases.map { ($0.rawValue, $0) })
        }, render: { YAMLRendering.string($0[keyPath: field].rawValue) })
    }

    static func url(_ path: String, _ field: Path<URL>, httpsRequired: Bool) -> Self {
        Self(path, apply: { config, raw throws(ValueProblem) in
            config[keyPath: field] = try ConfigurationValueParsing.url(raw, httpsRequired: httpsRequired)
        }, render: { YAMLRendering.string($0[keyPath: field].absoluteString) })
    }
}

/// Just enough YAML emitting for the effective-configuration printout.
enum YAMLRendering {
    /// Double-quoted, so values such as `yes`, `5` or `3.1.1` stay strings when read back.
    static func string(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            default:
                if scalar.value < 0x20 {
                    escaped += String(format: "\\x%02X", scalar.value)
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return "\"\(escaped)\""
    }

    static func list(_ items: [String]) -> String {
        "[" + items.map(string).joined(separator: ", ") + "]"
    }
}
