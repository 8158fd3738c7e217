import Bridge
import Foundation
import Testing

/// Home Assistant's token over plain http to another machine earns a warning at every start.
@Suite("Warning: Home Assistant's token over plain http")
struct PlainHomeAssistantWarningTests {
    static func warnings(url: String, enabled: Bool = true) -> [String] {
        var configuration = BridgeConfiguration(stateDirectory: "/tmp/unused")
        configuration.homeAssistant.statistics.enabled = enabled
        configuration.homeAssistant.statistics.url = URL(string: url)
        return InsecureTLSWarning.warnings(for: configuration)
    }

    @Test("plain http to another host is named with the host", arguments: ["http://homeassistant.local:8123", "http://192.0.2.10:8123"])
    func warned(url: String) throws {
        let warning = try #require(Self.warnings(url: url).first)
        #expect(warning.contains("plain http to \(URL(string: url)!.host!)"))
        #expect(warning.contains("token travels unencrypted"))
    }

    @Test("https, loopback, the Supervisor's proxy and disabled statistics are quiet", arguments: [
        ("https://homeassistant.example.org", true), ("http://127.0.0.1:8123", true), ("http://localhost:8123", true),
        ("http://supervisor/core", true), ("http://homeassistant.local:8123", false),
    ])
    func quiet(url: String, enabled: Bool) {
        #expect(Self.warnings(url: url, enabled: enabled).isEmpty)
    }
}
