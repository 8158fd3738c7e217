import Bridge
import Foundation
import TestSupport
import Testing

@Suite("Configuration: secrets from files, redaction and the effective configuration")
struct ConfigurationSecretTests {
    @Test("Secrets come from *_file keys with the trailing newline trimmed")
    func secretFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let mqttPassword = try directory.write("mqtt_password", "broker pass\n")
        let clientSecret = try directory.write("client_secret", "app-secret\r\n")
        let environment = baseEnvironment.merging([
            "CKW2MQTT_MQTT_USERNAME": "bridge",
            "CKW2MQTT_MQTT_PASSWORD_FILE": mqttPassword,
            "CKW2MQTT_CKW_CLIENT_SECRET_FILE": clientSecret,
        ]) { $1 }
        let config = try ConfigurationLoader(environment: environment).load(yaml: requiredCKWYAML, overrides: ["ckw.mode": "client_credentials"])
        #expect(config.mqtt.password?.plaintext == "broker pass")
        #expect(config.mqtt.passwordFile == mqttPassword)
        #expect(config.ckw.clientSecret?.plaintext == "app-secret")
    }

    @Test("A secret file given in a higher layer replaces an inline secret from the file, and vice versa")
    func secretLayers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("pw", "from-file\n")
        let yaml = requiredCKWYAML + "mqtt:\n  username: u\n  password: inline\n"
        let environment = baseEnvironment.merging(["CKW2MQTT_MQTT_PASSWORD_FILE": path]) { $1 }
        let fromFile = try ConfigurationLoader(environment: environment).load(yaml: yaml)
        #expect(fromFile.mqtt.password?.plaintext == "from-file")
        let inline = try ConfigurationLoader(environment: environment).load(yaml: yaml, overrides: ["mqtt.password": "override"])
        #expect(inline.mqtt.password?.plaintext == "override")
        #expect(inline.mqtt.passwordFile == nil)
    }

    @Test("Secret file problems name the key and the path", arguments: [
        ("missing", "no such file or directory"), ("empty", "is empty"), ("directory", "is a directory"),
    ])
    func secretFileProblems(kind: String, expectedFragment: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path: String
        switch kind {
        case "missing": path = directory.file("nope")
        case "empty": path = try directory.write("empty", "\n")
        default: path = directory.path
        }
        do {
            _ = try ConfigurationLoader(environment: baseEnvironment)
                .load(yaml: requiredCKWYAML + "mqtt:\n  username: u\n  password_file: \(path)\n")
            Issue.record("expected a problem")
        } catch {
            let line = try #require(error.problems.first?.description)
            #expect(error.problems.count == 1)
            #expect(line.hasPrefix("config.yaml:6: mqtt.password_file: "), "\(line)")
            #expect(line.contains(path))
            #expect(line.lowercased().contains(expectedFragment), "\(line)")
        }
    }

    @Test("An inline secret and a secret file in the same layer conflict")
    func conflictingSecret() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("pw", "x")
        do {
            _ = try ConfigurationLoader(environment: baseEnvironment)
                .load(yaml: requiredCKWYAML + "mqtt:\n  username: u\n  password: a\n  password_file: \(path)\n")
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.map(\.description) == [
                "config.yaml:7: mqtt.password_file: set either `mqtt.password` or `mqtt.password_file`, not both",
            ])
        }
    }

    @Test("An invalid environment value names the variable and the key")
    func invalidEnvironmentValue() {
        let environment = baseEnvironment.merging(["CKW2MQTT_MQTT_PORT": "x"]) { $1 }
        do {
            _ = try ConfigurationLoader(environment: environment).load(yaml: requiredCKWYAML)
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.map(\.description) == [
                "environment variable CKW2MQTT_MQTT_PORT (mqtt.port): expected a whole number, got `x`",
            ])
        }
    }

    @Test("Secrets never appear in descriptions; the effective configuration loads back identically")
    func redactedRendering() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secretFile = try directory.write("client_secret", "file-secret-value\n")
        let yaml = requiredCKWYAML.replacingOccurrences(of: "ckw:\n", with: "ckw:\n  mode: client_credentials\n  client_secret_file: \(secretFile)\n") + """
        mqtt:
          username: bridge
          password: "mqtt-secret-value"
          protocol: "3.1.1"
        bridge:
          lookback: 90m
          correction_sweep: 12h
        """
        let config = try ConfigurationLoader(environment: baseEnvironment).load(yaml: yaml)
        let rendered = config.description
        for text in [rendered, String(describing: config), String(reflecting: config.mqtt.password as Any)] {
            #expect(!text.contains("mqtt-secret-value"))
            #expect(!text.contains("file-secret-value"))
        }
        #expect(rendered.contains("  password: \"<redacted>\""))
        #expect(rendered.contains("  client_secret: null"))
        #expect(rendered.contains("  client_secret_file: \"\(secretFile)\""))
        #expect(rendered.contains("  lookback: 90m"))
        #expect(rendered.contains("  tls:\n    enabled: false"))

        // Reading the printout back gives the same configuration, apart from the redacted inline secret.
        let reloaded = try ConfigurationLoader(environment: baseEnvironment).load(yaml: rendered)
        var expected = config
        expected.mqtt.password = Secret("<redacted>")
        #expect(reloaded == expected)
    }
}
