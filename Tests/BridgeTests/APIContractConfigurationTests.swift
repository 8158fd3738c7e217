import Bridge
import Foundation
import OpenEnergy
import Testing

@Suite("Configuration: the adaptable API contract (ckw.api.*)")
struct APIContractConfigurationTests {
    private func load(_ overrides: [String: String]) throws -> BridgeConfiguration {
        try ConfigurationLoader(environment: baseEnvironment).load(yaml: requiredCKWYAML, overrides: overrides)
    }

    private func problems(_ overrides: [String: String]) -> [String] {
        do {
            _ = try load(overrides)
            Issue.record("expected configuration problems")
            return []
        } catch let error as ConfigurationError {
            return error.problems.map(\.description)
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test("The defaults are today's contract")
    func defaults() throws {
        let contract = try load([:]).ckw.contract
        #expect(contract.resolvedCoreDataPath == "v1/coredata")
        #expect(contract.resolvedMeterDataPath(meteringPointId: "CH1") == "v1/meterdata/CH1")
        #expect([contract.fromParameter, contract.toParameter, contract.obisParameter] == ["from", "to", "obis"])
        #expect(contract.timeFormat == .utc && contract.maximumRange == 31 * 86_400 && contract.resetUnit == .auto)
        #expect(contract.timeZone.identifier == "Europe/Zurich")
        #expect(try load([:]).ckw.dailyRequestLimit == 100)
    }

    @Test("Every key is read, rendered by check-config and read back the same")
    func everyKey() throws {
        let configuration = try load([
            "ckw.api.version": "v2", "ckw.api.core_data_path": "api/{version}/customer/core",
            "ckw.api.meter_data_path": "api/{version}/points/{meteringPointId}/readings",
            "ckw.api.from_parameter": "start", "ckw.api.to_parameter": "end", "ckw.api.obis_parameter": "register",
            "ckw.api.time_format": "date_only", "ckw.timezone": "Europe/Berlin", "ckw.api.longest_range": "7d",
            "ckw.api.rate_limit_reset_unit": "s", "ckw.api.daily_request_limit": "500", "bridge.poll_interval": "3h",
        ])
        let contract = configuration.ckw.contract
        #expect(contract.resolvedCoreDataPath == "api/v2/customer/core")
        #expect(contract.resolvedMeterDataPath(meteringPointId: "CH9") == "api/v2/points/CH9/readings")
        #expect([contract.fromParameter, contract.toParameter, contract.obisParameter] == ["start", "end", "register"])
        #expect(contract.timeFormat == .dateOnly && contract.timeZone.identifier == "Europe/Berlin")
        #expect(contract.maximumRange == 7 * 86_400 && contract.resetUnit == .seconds)
        #expect(configuration.ckw.dailyRequestLimit == 500 && configuration.bridge.pollInterval == .seconds(3 * 3600))
        let printed = configuration.description
        #expect(printed.contains("  api:\n    version: \"v2\"\n"))
        let reloaded = try ConfigurationLoader(environment: baseEnvironment).load(yaml: printed)
        #expect(reloaded.ckw.contract == contract)
    }

    @Test("Unusable values name the key and what to write instead")
    func problemsAreExplained() {
        #expect(problems(["ckw.api.core_data_path": "/v2/coredata"]) == [
            "command-line override ckw.api.core_data_path: is relative to `ckw.api_base_url` and must not start with `/` (write `v2/coredata`); got `/v2/coredata`",
        ])
        #expect(problems(["ckw.api.meter_data_path": "v2/meterdata"]) == [
            "command-line override ckw.api.meter_data_path: must contain `{meteringPointId}` exactly once, where the metering point id goes; got `v2/meterdata`",
        ])
        #expect(problems(["ckw.api.meter_data_path": "v2/{mpid}/data?from=x"]).first?.contains("query parameters are named by") == true)
        #expect(problems(["ckw.api.meter_data_path": "v2/{mpid}/{meteringPointId}"]) == [
            "command-line override ckw.api.meter_data_path: has the unknown placeholder `{mpid}`; known are `{version}` and `{meteringPointId}`; got `v2/{mpid}/{meteringPointId}`",
        ])
        #expect(problems(["ckw.api.to_parameter": "from"]) == [
            "command-line override ckw.api.to_parameter: names the same query parameter `from` as `ckw.api.from_parameter`",
        ])
        #expect(problems(["ckw.api.time_format": "date_only", "ckw.api.longest_range": "12h"]) == [
            "command-line override ckw.api.longest_range: must be at least 1d with `ckw.api.time_format: date_only`: a request asks for whole days",
        ])
        #expect(problems(["ckw.api.rate_limit_reset_unit": "minutes"]) == [
            "command-line override ckw.api.rate_limit_reset_unit: expected one of `auto`, `ms`, `s`, `epoch`, got `minutes`",
        ])
        #expect(problems(["ckw.timezone": "Mars/Olympus"]) == [
            "command-line override ckw.timezone: expected a time zone name of the tz database such as `Europe/Zurich`, got `Mars/Olympus`",
        ])
        #expect(problems(["ckw.api.from_parameter": "from date"]).count == 1)
    }
}
