import Bridge
import Foundation

/// The configuration loader with any YAML: a configuration, or a `ConfigurationError` whose
/// problems each say what is wrong. The environment is empty so that the machine's does not
/// change the outcome.
extension FuzzTarget {
    static let configuration = FuzzTarget(
        name: "configuration",
        seeds: [
            """
            mqtt:
              host: broker.local
              port: 8883
              username: ckw2mqtt
              password: secret
              tls:
                enabled: true
                ca_file: /etc/ssl/certs/ca-certificates.crt
            homeassistant:
              discovery_prefix: homeassistant
              surplus_threshold_watts: 50
            ckw:
              api_base_url: https://api.ckw.example/openenergy/
              client_id: ckw2mqtt
              scopes: [openid, offline_access]
              metering_points: [CH1008801234500000000000000012345]
              request_timeout: 30s
            bridge:
              state_directory: /tmp/ckw2mqtt-fuzz-state
              poll_interval: 20m
              lookback: 3d
              correction_sweep: daily
            logging: {level: info, format: json}
            http: {enabled: false, port: 9465}

            """,
            "ckw:\n  mode: client_credentials\n  api_base_url: https://a.example/\n  client_id: app\n  client_secret: s\n",
            "mqtt: {host: 127.0.0.1, qos: 2, protocol: '3.1.1', keepalive: 90s}\nckw: {api_base_url: 'http://127.0.0.1:8080/api/client/', client_id: c}\n",
        ],
        tokens: ["&a ", "*a", "<<: *a", "!!binary ", "!!int ", "!!float ", "? ", "- ", ": ", "|\n", ">\n", "'", "\"", "#",
                 "~", "0x7fffffffffffffff", "1e400", ".inf", ".nan", "99999999999999999999d", "-1s", "1ms", "password_file: /dev/zero\n",
                 "ca_file: /nonexistent\n", "    ", "\t", "---\n", "...\n", "%YAML 1.2\n"]
    ) { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        do throws(ConfigurationError) {
            _ = try ConfigurationLoader(environment: [:]).load(yaml: text)
            return .accepted
        } catch {
            guard !error.problems.isEmpty else { return .finding("a ConfigurationError without problems") }
            for problem in error.problems where problem.description.trimmingCharacters(in: .whitespaces).isEmpty {
                return .finding("a problem without a message")
            }
            return .rejected
        }
    }
}
