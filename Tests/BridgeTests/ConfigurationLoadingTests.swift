import Bridge
import Foundation
import Logging
import Mosquitto
import Testing
import TestSupport

@Suite("Configuration: defaults, layers and overrides")
struct ConfigurationLoadingTests {
    @Test("Without a file, every default applies and the demo needs nothing else")
    func defaults() throws {
        let loader = ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller)
        let config = try loader.load()
        #expect(config.mqtt.host == "localhost")
        #expect(config.mqtt.port == 1883)
        #expect(config.mqtt.clientID == "ckw2mqtt")
        #expect(config.mqtt.username == nil && config.mqtt.password == nil)
        #expect(config.mqtt.keepalive == .seconds(60))
        #expect(config.mqtt.protocolVersion == .v5)
        #expect(config.mqtt.baseTopic == "ckw2mqtt")
        #expect(config.mqtt.qos == .atLeastOnce)
        #expect(config.mqtt.tls == MQTTTLSSettings())
        #expect(config.mqtt.offlineQueueLimit == 1000)
        #expect(config.homeAssistant.discovery)
        #expect(config.homeAssistant.discoveryPrefix == "homeassistant")
        #expect(config.homeAssistant.statusTopic == "homeassistant/status")
        #expect(config.homeAssistant.surplusThresholdWatts == 0)
        #expect(config.ckw.mode == .client)
        #expect(config.ckw.issuer.url.absoluteString == "https://idp.ckw.ch/auth/realms/CKW")
        #expect(config.ckw.redirectURI.absoluteString == "http://127.0.0.1/callback")
        #expect(config.ckw.scopes == ["openid", "offline_access"])
        #expect(config.ckw.meteringPoints == nil)
        #expect(config.ckw.requestTimeout == .seconds(30))
        #expect(config.bridge.stateDirectory == "/home/anna/.local/state/ckw2mqtt")
        #expect(config.bridge.lookback == .seconds(3 * 86_400))
        #expect(config.bridge.pollInterval == .seconds(20 * 60))
        #expect(config.bridge.correctionSweep == .every(.seconds(86_400)))
        #expect(config.logging.level == .info)
        #expect(config.logging.format == .text)
        #expect(config.http == HTTPSettings())
        #expect(config.http.host == "127.0.0.1" && config.http.port == 9465 && !config.http.enabled)
    }

    @Test("systemd's STATE_DIRECTORY (first entry) wins over HOME")
    func systemdStateDirectory() throws {
        let environment = ["HOME": "/home/anna", "STATE_DIRECTORY": "/var/lib/ckw2mqtt:/var/lib/other"]
        let config = try ConfigurationLoader(environment: environment, ckwRequirement: .suppliedByCaller).load()
        #expect(config.bridge.stateDirectory == "/var/lib/ckw2mqtt")
    }

    @Test("A full YAML file is read with every key")
    func fullFile() throws {
        let yaml = """
        mqtt:
          host: broker.lan
          port: 1884
          client_id: house-bridge
          username: bridge
          password: "s3cret "
          keepalive: 2m
          protocol: 3.1.1
          base_topic: home/ckw
          qos: 2
          offline_queue_limit: 50
          tls:
            enabled: false
        homeassistant:
          discovery: no
          discovery_prefix: ha
          status_topic: ha/status
          surplus_threshold_watts: 250.5
        ckw:
          mode: client_credentials
          issuer: test
          api_base_url: https://api.example.ch/openenergy
          client_id: app
          client_secret: app-secret
          redirect_uri: https://example.ch/callback
          scopes: [openid]
          send_credential_headers: true
          metering_points:
            - CH1008801234500000000000000012345
          request_timeout: 45s
        bridge:
          state_directory: ~/ckw-state
          lookback: 72h
          poll_interval: 15m
          correction_sweep: 12h
        logging:
          level: debug
          format: json
        http:
          enabled: true
          host: 0.0.0.0
          port: 9100
        """
        let config = try ConfigurationLoader(environment: baseEnvironment).load(yaml: yaml)
        #expect(config.mqtt.host == "broker.lan")
        #expect(config.mqtt.port == 1884)
        #expect(config.mqtt.clientID == "house-bridge")
        #expect(config.mqtt.username == "bridge")
        #expect(config.mqtt.password?.plaintext == "s3cret ")
        #expect(config.mqtt.keepalive == .seconds(120))
        #expect(config.mqtt.protocolVersion == .v311)
        #expect(config.mqtt.baseTopic == "home/ckw")
        #expect(config.mqtt.qos == .exactlyOnce)
        #expect(config.mqtt.offlineQueueLimit == 50)
        #expect(!config.homeAssistant.discovery)
        #expect(config.homeAssistant.discoveryPrefix == "ha")
        #expect(config.homeAssistant.statusTopic == "ha/status")
        #expect(config.homeAssistant.surplusThresholdWatts == 250.5)
        #expect(config.ckw.mode == .clientCredentials)
        #expect(config.ckw.issuer == .test)
        #expect(config.ckw.apiBaseURL?.absoluteString == "https://api.example.ch/openenergy")
        #expect(config.ckw.clientID == "app")
        #expect(config.ckw.clientSecret?.plaintext == "app-secret")
        #expect(config.ckw.redirectURI.absoluteString == "https://example.ch/callback")
        #expect(config.ckw.scopes == ["openid"])
        #expect(config.ckw.sendCredentialHeaders)
        #expect(config.ckw.meteringPoints == ["CH1008801234500000000000000012345"])
        #expect(config.ckw.requestTimeout == .seconds(45))
        #expect(config.bridge.stateDirectory == "/home/anna/ckw-state")
        #expect(config.bridge.lookback == .seconds(72 * 3600))
        #expect(config.bridge.pollInterval == .seconds(15 * 60))
        #expect(config.bridge.correctionSweep == .every(.seconds(12 * 3600)))
        #expect(config.logging.level == .debug)
        #expect(config.logging.format == .json)
        #expect(config.http.enabled && config.http.host == "0.0.0.0" && config.http.port == 9100)
    }

    @Test("Environment variables override the file; command-line overrides win over both")
    func layering() throws {
        let yaml = requiredCKWYAML + """
        mqtt:
          host: from-file
          port: 1884
          username: file-user
        """
        let environment = baseEnvironment.merging([
            "CKW2MQTT_MQTT_HOST": "from-env",
            "CKW2MQTT_MQTT_PORT": "1885",
            "CKW2MQTT_MQTT_TLS_ENABLED": "true",
            "CKW2MQTT_CKW_METERING_POINTS": "CH1008801234500000000000000012345, CH1008801234500000000000000067890",
            "CKW2MQTT_MQTT_USERNAME": "",  // empty means "not set": the file's value stays
            "UNRELATED": "ignored",
        ]) { $1 }
        let config = try ConfigurationLoader(environment: environment)
            .load(yaml: yaml, overrides: ["mqtt.port": "1886", "logging.level": "trace"])
        #expect(config.mqtt.host == "from-env")
        #expect(config.mqtt.port == 1886)
        #expect(config.mqtt.tls.enabled)
        #expect(config.mqtt.username == "file-user")
        #expect(config.logging.level == .trace)
        #expect(config.ckw.meteringPoints == ["CH1008801234500000000000000012345", "CH1008801234500000000000000067890"])
    }

    @Test("Enabling TLS changes the default port to 8883, but not an explicit one")
    func tlsDefaultPort() throws {
        let loader = ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller)
        #expect(try loader.load(overrides: ["mqtt.tls.enabled": "true"]).mqtt.port == 8883)
        #expect(try loader.load(overrides: ["mqtt.tls.enabled": "true", "mqtt.port": "1883"]).mqtt.port == 1883)
        #expect(try loader.load(overrides: ["mqtt.tls.enabled": "false"]).mqtt.port == 1883)
    }

    @Test("Durations accept 72h, 3d, 90m, combinations and plain seconds", arguments: [
        ("72h", 72 * 3600), ("3d", 3 * 86_400), ("90m", 90 * 60), ("1d12h", 36 * 3600), ("3600", 3600), ("1h30m", 5400),
    ])
    func durations(text: String, seconds: Int) throws {
        let config = try ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller)
            .load(overrides: ["bridge.lookback": text])
        #expect(config.bridge.lookback == .seconds(seconds))
    }

    @Test("Issuer presets and custom URLs; correction sweep spellings")
    func issuerAndSweep() throws {
        let loader = ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller)
        #expect(try loader.load(overrides: ["ckw.issuer": "TEST"]).ckw.issuer.url.absoluteString == "https://idp-int.ckw.ch/auth/realms/CKW")
        let custom = try loader.load(overrides: ["ckw.issuer": "http://127.0.0.1:8080/auth/realms/CKW"]).ckw.issuer
        #expect(custom == .custom(URL(string: "http://127.0.0.1:8080/auth/realms/CKW")!))
        #expect(try loader.load(overrides: ["bridge.correction_sweep": "off"]).bridge.correctionSweep == .off)
        #expect(try loader.load(overrides: ["bridge.correction_sweep": "daily"]).bridge.correctionSweep == .every(.seconds(86_400)))
    }

    @Test("The configuration file can be named by CKW2MQTT_CONFIG")
    func configFileFromEnvironment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try directory.write("config.yaml", requiredCKWYAML + "mqtt:\n  host: named-by-env\n")
        let environment = baseEnvironment.merging(["CKW2MQTT_CONFIG": path]) { $1 }
        #expect(try ConfigurationLoader(environment: environment).load().mqtt.host == "named-by-env")
    }

    @Test("An empty file or an empty section means defaults")
    func emptyFile() throws {
        let loader = ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller)
        #expect(try loader.load(yaml: "") == loader.load())
        #expect(try loader.load(yaml: "mqtt:\nlogging:\n  level:\n") == loader.load())
    }
}
