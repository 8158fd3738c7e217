import Bridge
import Foundation
import Testing

/// `ckw.timezone` and `ckw.max_interval_kwh_without_unit`: how bodies are read where the contract is silent.
@Suite("Configuration: decoding keys")
struct DecodingConfigurationTests {
    private func load(_ yaml: String) throws -> BridgeConfiguration {
        try ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller).load(yaml: yaml, overrides: [:])
    }

    private func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigurationLoader(environment: baseEnvironment, ckwRequirement: .suppliedByCaller).load(yaml: yaml, overrides: [:])
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("defaults: Swiss time and 50 kWh")
    func defaults() throws {
        let configuration = try load("")
        #expect(configuration.ckw.timeZone.identifier == "Europe/Zurich")
        #expect(configuration.ckw.maximumIntervalKilowattHoursWithoutUnit == 50)
    }

    @Test("values are read and shown in the effective configuration")
    func values() throws {
        let configuration = try load("ckw:\n  timezone: America/New_York\n  max_interval_kwh_without_unit: 12.5\n")
        #expect(configuration.ckw.timeZone.identifier == "America/New_York")
        #expect(configuration.ckw.maximumIntervalKilowattHoursWithoutUnit == 12.5)
        #expect(configuration.description.contains(#"timezone: "America/New_York""#))
        #expect(configuration.description.contains("max_interval_kwh_without_unit: 12.5"))
    }

    @Test("invalid values name the key, the reason and the value", arguments: [
        ("ckw:\n  timezone: Europe/Luzern\n", "config.yaml:2: ckw.timezone: expected a time zone name of the tz database such as `Europe/Zurich`, got `Europe/Luzern`"),
        ("ckw:\n  max_interval_kwh_without_unit: 0\n", "config.yaml:2: ckw.max_interval_kwh_without_unit: must be more than 0 kWh, got `0`"),
        ("ckw:\n  max_interval_kwh_without_unit: lots\n", "config.yaml:2: ckw.max_interval_kwh_without_unit: expected a number, got `lots`"),
    ])
    func invalid(yaml: String, expected: String) {
        #expect(problems(yaml) == [expected])
    }
}
