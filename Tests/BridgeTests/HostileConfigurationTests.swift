import Bridge
import Foundation
import Testing

/// Configuration input that is wrong in ways that could hang or exhaust the daemon instead of
/// failing with a message (the random ones are `openenergy-fuzz --target configuration`).
@Suite("Configuration: hostile input")
struct HostileConfigurationTests {
    @Test("a secret file that never ends (/dev/zero) is refused as too large, not read forever")
    func endlessSecretFile() throws {
        let environment = baseEnvironment.merging([
            "CKW2MQTT_MQTT_USERNAME": "bridge", "CKW2MQTT_MQTT_PASSWORD_FILE": "/dev/zero",
        ]) { $1 }
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: environment).load(yaml: requiredCKWYAML)
        }
        #expect(error?.description.contains("mqtt.password_file") == true, "\(String(describing: error))")
        #expect(error?.description.contains("too large") == true, "\(String(describing: error))")
    }

    @Test("a configuration file that never ends is refused as too large")
    func endlessConfigurationFile() throws {
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: baseEnvironment).load(file: "/dev/zero")
        }
        #expect(error?.description.contains("too large") == true, "\(String(describing: error))")
    }

    @Test("nesting far deeper than any configuration is a YAML error, not a stack overflow")
    func deepNesting() throws {
        let yaml = "mqtt: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: baseEnvironment).load(yaml: yaml)
        }
        #expect(error?.description.contains("not valid YAML") == true, "\(String(describing: error))")
    }
}
