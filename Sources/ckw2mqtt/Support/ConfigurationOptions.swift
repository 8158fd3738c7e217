import ArgumentParser
import Bridge
import Foundation
import Logging

/// The options of every command that reads the configuration. Flags override `CKW2MQTT_*`
/// variables, which override the YAML file.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("The YAML configuration file (default: $CKW2MQTT_CONFIG).", valueName: "path"))
    var configFile: String?

    @Option(help: ArgumentHelp("Where state and login live (default: $STATE_DIRECTORY, else ~/.local/state/ckw2mqtt).", valueName: "path"))
    var stateDirectory: String?

    @Option(help: ArgumentHelp("The MQTT broker's host.", valueName: "host"))
    var mqttHost: String?

    @Option(help: ArgumentHelp("The MQTT broker's port.", valueName: "port"))
    var mqttPort: Int?

    @Option(help: ArgumentHelp("The MQTT user name.", valueName: "user"))
    var mqttUsername: String?

    @Option(help: ArgumentHelp("A file holding the MQTT password.", valueName: "path"))
    var mqttPasswordFile: String?

    @Option(help: ArgumentHelp("Root of the topics for people and scripts (default: ckw2mqtt).", valueName: "topic"))
    var baseTopic: String?

    @Option(help: ArgumentHelp("Home Assistant's discovery prefix (default: homeassistant).", valueName: "prefix"))
    var discoveryPrefix: String?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("text (for people) or json (for log collectors).", valueName: "format"))
    var logFormat: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Any configuration key, e.g. --set bridge.poll_interval=15m (repeatable).", valueName: "key=value"))
    var settings: [String] = []

    /// The flags as dotted configuration keys, as the loader takes them.
    func overrides() throws -> [String: String] {
        var overrides: [String: String] = [:]
        for setting in settings {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw ValidationError("--set expects key=value, e.g. --set bridge.poll_interval=15m; got `\(setting)`")
            }
            overrides[String(setting[..<equals])] = String(setting[setting.index(after: equals)...])
        }
        let flags: [(String, String?)] = [
            ("bridge.state_directory", stateDirectory.map(Self.absolute)),
            ("mqtt.host", mqttHost),
            ("mqtt.port", mqttPort.map(String.init)),
            ("mqtt.username", mqttUsername),
            ("mqtt.password_file", mqttPasswordFile),
            ("mqtt.base_topic", baseTopic),
            ("homeassistant.discovery_prefix", discoveryPrefix),
            ("logging.level", logLevel),
            ("logging.format", logFormat),
        ]
        for case let (key, value?) in flags { overrides[key] = value }
        return overrides
    }

    /// Whether the broker was named on the command line or in the environment (the demo then uses it
    /// instead of starting its own).
    var namesBroker: Bool {
        let environment = ProcessInfo.processInfo.environment
        return mqttHost != nil || mqttPort != nil
            || settings.contains { $0.hasPrefix("mqtt.host=") || $0.hasPrefix("mqtt.port=") }
            || environment["CKW2MQTT_MQTT_HOST"].map { !$0.isEmpty } == true
            || environment["CKW2MQTT_MQTT_PORT"].map { !$0.isEmpty } == true
    }

    /// Whether the state directory was chosen on the command line or in the environment.
    var namesStateDirectory: Bool {
        stateDirectory != nil || settings.contains { $0.hasPrefix("bridge.state_directory=") }
            || ProcessInfo.processInfo.environment["CKW2MQTT_BRIDGE_STATE_DIRECTORY"].map { !$0.isEmpty } == true
    }

    /// Loads and validates; on problems prints them and exits with status 1.
    func load(ckw: ConfigurationLoader.CKWRequirement = .required) throws -> BridgeConfiguration {
        let loader = ConfigurationLoader(ckwRequirement: ckw)
        do {
            return try loader.load(file: configFile, overrides: try overrides())
        } catch let error as ConfigurationError {
            Terminal.error(error.description)
            throw ExitCode.failure
        }
    }

    /// A relative path from the command line means relative to where the command was started.
    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") || path.hasPrefix("~") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }
}
