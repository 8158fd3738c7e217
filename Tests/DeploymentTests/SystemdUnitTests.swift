import Bridge
import Foundation
import Testing

@Suite("examples/systemd/ckw2mqtt.service")
struct SystemdUnitTests {
    /// Section name to key to values (a key may repeat, as `SystemCallFilter=` does).
    let sections: [String: [String: [String]]]

    init() throws {
        var sections: [String: [String: [String]]] = [:]
        var current: String?
        for line in try RepositoryFiles.text("examples/systemd/ckw2mqtt.service").split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                current = String(trimmed.dropFirst().dropLast())
                continue
            }
            let section = try #require(current, "`\(trimmed)` comes before any [Section]")
            let parts = trimmed.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            try #require(parts.count == 2, "`\(trimmed)` is not Key=Value")
            sections[section, default: [:]][parts[0], default: []].append(parts[1])
        }
        self.sections = sections
    }

    private func value(_ section: String, _ key: String) -> String? {
        sections[section]?[key]?.last
    }

    @Test func hasTheThreeSections() {
        #expect(Set(sections.keys) == ["Unit", "Service", "Install"])
        #expect(value("Install", "WantedBy") == "multi-user.target")
    }

    @Test func runsTheBridgeAsAnUnprivilegedUserWithAStateDirectory() {
        let start = value("Service", "ExecStart")?.split(separator: " ").map(String.init) ?? []
        #expect(start.first?.hasPrefix("/") == true, "systemd wants an absolute ExecStart")
        #expect(start.dropFirst().first == "run")
        let user = value("Service", "User")
        #expect(value("Service", "DynamicUser") == "yes" || (user != nil && user != "root"))
        #expect(value("Service", "StateDirectory") == "ckw2mqtt")
        // SIGHUP reloads the login.
        #expect(value("Service", "ExecReload")?.contains("-HUP") == true)
    }

    @Test func isHardened() {
        let expected = [
            "NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
            "PrivateDevices": "yes", "RestrictSUIDSGID": "yes", "CapabilityBoundingSet": "",
        ]
        for (key, wanted) in expected {
            #expect(value("Service", key) == wanted, "\(key)")
        }
        #expect(value("Service", "RestrictAddressFamilies")?.contains("AF_INET") == true)
    }

    @Test func itsEnvironmentIsOneTheLoaderAccepts() throws {
        var environment: [String: String] = [:]
        for assignment in sections["Service"]?["Environment"] ?? [] {
            for pair in assignment.split(separator: " ") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                environment[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
        }
        #expect(!ConfigurationCheck.ckw2mqttNames(environment.keys).isEmpty)
        #expect(ConfigurationCheck.problems(environment: environment) == [])
    }
}
