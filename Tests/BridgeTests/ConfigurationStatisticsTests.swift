import Bridge
import Foundation
import TestSupport
import Testing

@Suite("Configuration: homeassistant.statistics")
struct ConfigurationStatisticsTests {
    @Test("Off by default, with a year of backfill")
    func defaults() throws {
        let config = try ConfigurationLoader(environment: baseEnvironment).load(yaml: requiredCKWYAML)
        #expect(!config.homeAssistant.statistics.enabled)
        #expect(config.homeAssistant.statistics.url == nil)
        #expect(config.homeAssistant.statistics.backfill == .seconds(365 * 86_400))
    }

    @Test("Enabled with a URL and a token file; the token is read, trimmed and redacted")
    func enabled() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tokenFile = try directory.write("ha_token", "abc.def.ghi\n")
        let yaml = requiredCKWYAML + """
        homeassistant:
          statistics:
            enabled: true
            url: http://homeassistant.local:8123
            token_file: \(tokenFile)
            backfill: 90d

        """
        let config = try ConfigurationLoader(environment: baseEnvironment).load(yaml: yaml)
        let statistics = config.homeAssistant.statistics
        #expect(statistics.enabled)
        #expect(statistics.url == URL(string: "http://homeassistant.local:8123"))
        #expect(statistics.token?.plaintext == "abc.def.ghi")
        #expect(statistics.backfill == .seconds(90 * 86_400))
        #expect(!config.description.contains("abc.def.ghi"))
        #expect(config.description.contains("token_file"))
    }

    @Test("Environment variables reach the nested keys")
    func environment() throws {
        let environment = baseEnvironment.merging([
            "CKW2MQTT_HOMEASSISTANT_STATISTICS_ENABLED": "true",
            "CKW2MQTT_HOMEASSISTANT_STATISTICS_URL": "https://ha.example.ch",
            "CKW2MQTT_HOMEASSISTANT_STATISTICS_TOKEN": "inline-token",
            "CKW2MQTT_HOMEASSISTANT_STATISTICS_BACKFILL": "0",
        ]) { $1 }
        let statistics = try ConfigurationLoader(environment: environment).load(yaml: requiredCKWYAML).homeAssistant.statistics
        #expect(statistics.enabled && statistics.token?.plaintext == "inline-token" && statistics.backfill == .zero)
    }

    @Test("Enabled without URL or token names both keys")
    func enabledNeedsURLAndToken() throws {
        do {
            _ = try ConfigurationLoader(environment: baseEnvironment)
                .load(yaml: requiredCKWYAML, overrides: ["homeassistant.statistics.enabled": "true"])
            Issue.record("expected problems")
        } catch {
            let lines = error.problems.map(\.description)
            #expect(lines.count == 2, "\(lines)")
            #expect(lines.contains { $0.contains("homeassistant.statistics.url") && $0.contains("required") })
            #expect(lines.contains { $0.contains("homeassistant.statistics.token_file") && $0.contains("long-lived access token") })
        }
    }

    @Test("A URL that is not http(s) and a negative backfill are refused", arguments: [
        ("homeassistant.statistics.url", "homeassistant.local:8123"),
        ("homeassistant.statistics.backfill", "-3d"),
    ])
    func invalidValues(key: String, value: String) throws {
        do {
            _ = try ConfigurationLoader(environment: baseEnvironment).load(yaml: requiredCKWYAML, overrides: [key: value])
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.description.contains(key) == true)
        }
    }
}
