import Bridge
import Foundation
import Testing

/// Loads and returns the problems, failing the test if loading succeeded.
private func problems(yaml: String = requiredCKWYAML, environment: [String: String] = baseEnvironment,
                      overrides: [String: String] = [:], ckw: ConfigurationLoader.CKWRequirement = .required,
                      sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
    do {
        _ = try ConfigurationLoader(environment: environment, ckwRequirement: ckw).load(yaml: yaml, overrides: overrides)
        Issue.record("expected configuration problems", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite("Configuration: problems are reported with key, reason and suggestion")
struct ConfigurationProblemTests {
    @Test("A typo in a YAML key names the line and suggests the real key")
    func yamlTypo() {
        let found = problems(yaml: requiredCKWYAML + "mqtt:\n  hots: broker\n")
        #expect(found == ["config.yaml:5: unknown key `mqtt.hots`; did you mean `mqtt.host`?"])
    }

    @Test("Suggestions: dashes, a key in the wrong section, a misspelled section, nothing close", arguments: [
        ("mqtt:\n  client-id: x\n", "config.yaml:5: unknown key `mqtt.client-id`; did you mean `mqtt.client_id`?"),
        ("mqtt:\n  discovery_prefix: x\n", "config.yaml:5: unknown key `mqtt.discovery_prefix`; did you mean `homeassistant.discovery_prefix`?"),
        ("mqt:\n  host: x\n", "config.yaml:4: unknown key `mqt`; did you mean `mqtt`?"),
        ("mqtt:\n  tls:\n    enable: true\n", "config.yaml:6: unknown key `mqtt.tls.enable`; did you mean `mqtt.tls.enabled`?"),
        ("weather:\n  city: Luzern\n", "config.yaml:4: unknown key `weather`"),
    ])
    func suggestions(yaml: String, expected: String) {
        #expect(problems(yaml: requiredCKWYAML + yaml) == [expected])
    }

    @Test("Unknown CKW2MQTT_ variables are reported with a suggestion")
    func unknownEnvironmentVariable() {
        let environment = baseEnvironment.merging(["CKW2MQTT_MQTT_HOTS": "x", "CKW2MQTT_MQTT_HOST": "y"]) { $1 }
        #expect(problems(environment: environment) == [
            "environment variable CKW2MQTT_MQTT_HOTS: unknown variable `CKW2MQTT_MQTT_HOTS`; did you mean `CKW2MQTT_MQTT_HOST`?",
        ])
    }

    @Test("Unknown override keys are reported with a suggestion")
    func unknownOverride() {
        #expect(problems(overrides: ["bridge.poll_intervall": "20m"]) == [
            "command-line override bridge.poll_intervall: unknown key `bridge.poll_intervall`; did you mean `bridge.poll_interval`?",
        ])
    }

    @Test("Invalid values name the key, the reason and the value", arguments: [
        ("mqtt:\n  port: 70000\n", "config.yaml:2: mqtt.port: must be between 1 and 65535, got 70000"),
        ("mqtt:\n  port: eighteen\n", "config.yaml:2: mqtt.port: expected a whole number, got `eighteen`"),
        ("mqtt:\n  qos: 3\n", "config.yaml:2: mqtt.qos: expected one of `0`, `1`, `2`, got `3`"),
        ("mqtt:\n  protocol: 4\n", "config.yaml:2: mqtt.protocol: expected one of `5`, `5.0`, `3.1.1`, `311`, got `4`"),
        ("mqtt:\n  keepalive: 2s\n", "config.yaml:2: mqtt.keepalive: must be between 5s and 65535s, got 2s"),
        ("mqtt:\n  base_topic: home/#\n", "config.yaml:2: mqtt.base_topic: must not contain the MQTT wildcards `+` or `#`, got `home/#`"),
        ("mqtt:\n  base_topic: /ckw\n", "config.yaml:2: mqtt.base_topic: must not start or end with `/`, got `/ckw`"),
        ("mqtt:\n  host: [a, b]\n", "config.yaml:2: mqtt.host: expected a single value, not a list"),
        ("mqtt:\n  host:\n    name: x\n", "config.yaml:2: mqtt.host: expected a value, not a mapping"),
        ("mqtt: broker\n", "config.yaml:1: mqtt: expected a section (a mapping of keys)"),
        ("mqtt:\n  tls:\n    enabled: maybe\n", "config.yaml:3: mqtt.tls.enabled: expected true or false, got `maybe`"),
        ("homeassistant:\n  surplus_threshold_watts: -5\n", "config.yaml:2: homeassistant.surplus_threshold_watts: must be at least 0, got -5"),
        ("ckw:\n  mode: user\n", "config.yaml:2: ckw.mode: expected one of `client`, `backend`, `client_credentials`, got `user`"),
        ("ckw:\n  issuer: staging\n", "config.yaml:2: ckw.issuer: expected `production`, `test` or an https URL, got `staging`"),
        ("ckw:\n  issuer: http://idp.example.ch/realms/x\n", "config.yaml:2: ckw.issuer: must use https (plain http is only allowed for a loopback host), got `http://idp.example.ch/realms/x`"),
        ("ckw:\n  metering_points: [CH123, CH1008801234500000000000000012345]\n", "config.yaml:2: ckw.metering_points: metering point ids are `CH` followed by 31 letters or digits (33 characters), got `CH123`"),
        ("ckw:\n  metering_points: []\n", "config.yaml:2: ckw.metering_points: must list at least one metering point id, or be left out to bridge all"),
        ("ckw:\n  request_timeout: soon\n", "config.yaml:2: ckw.request_timeout: expected a duration such as `90s`, `20m`, `72h`, `3d` or a number of seconds, got `soon`"),
        ("bridge:\n  lookback: 40d\n", "config.yaml:2: bridge.lookback: must be between 15m and 31d, got 40d"),
        ("bridge:\n  state_directory: relative/dir\n", "config.yaml:2: bridge.state_directory: must be an absolute path, got `relative/dir`"),
        ("bridge:\n  correction_sweep: weekly\n", "config.yaml:2: bridge.correction_sweep: expected `daily`, `off` or a duration such as `12h`, got `weekly`"),
        ("logging:\n  level: verbose\n", "config.yaml:2: logging.level: expected one of `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`, got `verbose`"),
        ("http:\n  port: 0\n", "config.yaml:2: http.port: must be between 1 and 65535, got 0"),
    ])
    func invalidValues(yaml: String, expected: String) {
        // The CKW side is not required here, so the tested YAML stands alone and lines count from 1.
        #expect(problems(yaml: yaml, ckw: .suppliedByCaller) == [expected])
    }

    @Test("The poll interval is at least 15 minutes and at most a day, with the reason")
    func pollIntervalBounds() {
        #expect(problems(overrides: ["bridge.poll_interval": "10m"]) == [
            "command-line override bridge.poll_interval: must be at least 15m, got 10m: CKW's values arrive in 15-minute intervals, and the login's daily request quota is shared by all its metering points",
        ])
        #expect(problems(overrides: ["bridge.poll_interval": "2d"]) == [
            "command-line override bridge.poll_interval: must be at most 1d, got 2d",
        ])
    }

    @Test("Required CKW settings are reported unless the caller supplies the CKW side")
    func requiredCKW() {
        #expect(problems(yaml: "") == [
            "ckw.api_base_url: is required: the base URL of CKW's OpenEnergy API (https)",
            "ckw.client_id: is required: the client id CKW issued for this application",
        ])
        #expect(problems(yaml: requiredCKWYAML, overrides: ["ckw.mode": "client_credentials"]) == [
            "ckw.client_secret: is required in client_credentials mode (or `ckw.client_secret_file`): the secret of the Keycloak client",
        ])
        #expect(problems(yaml: requiredCKWYAML, overrides: ["ckw.mode": "backend"]) == [
            "ckw.app_client_id: is required in backend mode: the app credentials CKW generated for the Backend API "
                + "(for Keycloak's client credentials grant with ckw.client_id and ckw.client_secret, use `ckw.mode: client_credentials`)",
        ])
        #expect(problems(yaml: "", overrides: ["ckw.api_base_url": "http://api.example.ch"]).first
            == "command-line override ckw.api_base_url: must use https (plain http is only allowed for a loopback host), got `http://api.example.ch`")
    }

    @Test("A loopback API may use plain http (simulator)")
    func loopbackHTTP() throws {
        for host in ["127.0.0.1:8080", "localhost:9000", "[::1]:8443"] {
            let config = try ConfigurationLoader(environment: baseEnvironment)
                .load(yaml: "ckw:\n  client_id: app\n  api_base_url: http://\(host)/api\n")
            #expect(config.ckw.apiBaseURL?.absoluteString == "http://\(host)/api")
        }
    }

    @Test("Checks across keys")
    func crossKeyChecks() {
        #expect(problems(overrides: ["mqtt.password": "pw"]) == [
            "command-line override mqtt.password: needs `mqtt.username` as well: libmosquitto sends no password without a user name",
        ])
        #expect(problems(overrides: ["mqtt.tls.ca_file": "/etc/ssl/certs/ca-certificates.crt"]) == [
            "command-line override mqtt.tls.ca_file: is set but `mqtt.tls.enabled` is false; enable TLS or remove the key",
        ])
        #expect(problems(overrides: ["mqtt.tls.enabled": "true", "mqtt.tls.cert_file": "/nonexistent/client.crt"]) == [
            "command-line override mqtt.tls.cert_file: a client certificate needs both files; `mqtt.tls.key_file` is missing",
            "command-line override mqtt.tls.cert_file: the file `/nonexistent/client.crt` does not exist",
        ])
        #expect(problems(overrides: ["mqtt.tls.enabled": "true", "mqtt.tls.ca_path": "/nonexistent"]) == [
            "command-line override mqtt.tls.ca_path: the directory `/nonexistent` does not exist",
        ])
        #expect(problems(overrides: ["ckw.send_credential_headers": "true"]) == [
            "command-line override ckw.send_credential_headers: only applies to `ckw.mode: client_credentials` (backend mode always sends its app credentials)",
        ])
        #expect(problems(overrides: ["ckw.metering_points": "CH1008801234500000000000000012345,CH1008801234500000000000000012345"]) == [
            "command-line override ckw.metering_points: lists `CH1008801234500000000000000012345` more than once",
        ])
    }

    @Test("Without HOME or STATE_DIRECTORY the state directory must be given")
    func noDefaultStateDirectory() {
        #expect(problems(environment: [:]) == [
            "bridge.state_directory: has no default because neither STATE_DIRECTORY nor HOME is set; set it explicitly",
        ])
    }

    @Test("YAML syntax errors, duplicate keys and a non-mapping file are reported")
    func yamlErrors() {
        let syntax = problems(yaml: "mqtt:\n  host: [unclosed\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.hasPrefix("config.yaml:") == true && syntax.first?.contains("not valid YAML") == true)
        #expect(problems(yaml: requiredCKWYAML + "mqtt:\n  host: a\n  host: b\n")
            == ["config.yaml:5: not valid YAML: keys appear more than once in one section: `host`"])
        #expect(problems(yaml: "- a\n- b\n") == ["config.yaml:1: the file must be a mapping of sections such as `mqtt:` and `ckw:`"])
    }

    @Test("All problems are collected and reported together, one per line")
    func allTogether() {
        let yaml = """
        mqtt:
          hots: x
          port: 0
        bridge:
          poll_interval: 2d
        """
        let environment = baseEnvironment.merging(["CKW2MQTT_LOGGING_LEVL": "debug"]) { $1 }
        do {
            _ = try ConfigurationLoader(environment: environment).load(yaml: yaml)
            Issue.record("expected problems")
        } catch {
            #expect(error.problems.count == 6)
            let lines = error.description.split(separator: "\n")
            #expect(lines.first == "The configuration has 6 problems:")
            #expect(lines.count == 7)
            #expect(lines.contains("  config.yaml:2: unknown key `mqtt.hots`; did you mean `mqtt.host`?"))
            #expect(lines.contains("  environment variable CKW2MQTT_LOGGING_LEVL: unknown variable `CKW2MQTT_LOGGING_LEVL`; did you mean `CKW2MQTT_LOGGING_LEVEL`?"))
        }
    }

    @Test("A configuration file that cannot be read is a problem naming the file")
    func unreadableFile() {
        do {
            _ = try ConfigurationLoader(environment: baseEnvironment).load(file: "/nonexistent/ckw2mqtt.yaml")
            Issue.record("expected problems")
        } catch {
            // Only the file's problem: no "required key" noise for keys the file may well contain.
            #expect(error.problems.map(\.description) == [
                "/nonexistent/ckw2mqtt.yaml: cannot read the configuration file: no such file or directory",
            ])
        }
    }
}
