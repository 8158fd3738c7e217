import Bridge
import Foundation
import HomeAssistant
import Testing

@Suite("Home Assistant automations and add-on")
struct HomeAssistantExampleTests {
    // MARK: Automations

    @Test func automationsAreWellFormed() throws {
        let automations = try #require(try RepositoryFiles.yaml("examples/home-assistant/automations.yaml") as? [[String: Any]])
        #expect(!automations.isEmpty)
        var ids: Set<String> = []
        for automation in automations {
            let id = try #require(automation["id"] as? String)
            #expect(ids.insert(id).inserted, "duplicate automation id \(id)")
            #expect(automation["alias"] is String, "\(id)")
            #expect((automation["triggers"] as? [Any])?.isEmpty == false, "\(id) has no triggers")
            #expect((automation["actions"] as? [Any])?.isEmpty == false, "\(id) has no actions")
        }
    }

    @Test func automationsUseEntityIdsTheBridgeAnnounces() throws {
        let text = try RepositoryFiles.text("examples/home-assistant/automations.yaml")
        let used = Set(text.matches(of: /\b(?:sensor|binary_sensor|button)\.ckw[a-z0-9_]*[a-z0-9]/).map { String($0.output) })
        #expect(used.contains("binary_sensor.ckw_1234567_production_surplus"))
        let announced = try Self.announcedEntityIDs(meterNumber: "1234567")
        #expect(used.subtracting(announced).isEmpty, "not announced by the bridge: \(used.subtracting(announced).sorted())")
    }

    /// The `default_entity_id`s of the real discovery configs of a two-way meter and of the bridge.
    private static func announcedEntityIDs(meterNumber: String) throws -> Set<String> {
        let mapping = HomeAssistantMapping(configuration: .init(origin: Origin(softwareVersion: "0.0.0")))
        let meter = MeterDescription(
            meteringPointID: "CH1008801234500000000000000012345", meterNumber: meterNumber,
            measuresImport: true, measuresExport: true)
        var ids: Set<String> = []
        for message in [mapping.meterDiscovery(for: meter), mapping.bridgeDiscovery()] {
            let config = try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any])
            let components = try #require(config["components"] as? [String: [String: Any]])
            ids.formUnion(components.values.compactMap { $0["default_entity_id"] as? String })
        }
        return ids
    }

    // MARK: Add-on

    private static let addOn = "home-assistant-addon"

    @Test func addOnConfigFollowsTheAddOnConventions() throws {
        let config = try #require(try RepositoryFiles.yaml("\(Self.addOn)/config.yaml") as? [String: Any])
        for key in ["name", "version", "slug", "description", "arch"] {
            #expect(config[key] != nil, "config.yaml lacks \(key)")
        }
        #expect(config["version"] is String, "the version must be a string")
        #expect(config["slug"] as? String == "ckw2mqtt")
        let arch = try #require(config["arch"] as? [String])
        #expect(Set(arch).isSubset(of: ["aarch64", "amd64", "armv7", "armhf", "i386"]))
        #expect((config["services"] as? [String])?.contains("mqtt:need") == true)

        let options = try #require(config["options"] as? [String: Any])
        let schema = try #require(config["schema"] as? [String: Any])
        // Every option is validated; a schema key missing from options must be optional (`?`).
        #expect(Set(options.keys).isSubset(of: Set(schema.keys)))
        for (key, rule) in schema where options[key] == nil {
            #expect("\(rule)".hasSuffix("?"), "\(key) is not in options, so its schema must end with ?")
        }

        let build = try #require(try RepositoryFiles.yaml("\(Self.addOn)/build.yaml") as? [String: Any])
        let bases = try #require(build["build_from"] as? [String: String])
        #expect(Set(bases.keys) == Set(arch), "build.yaml needs a base image for each architecture")
        let dockerfile = try RepositoryFiles.text("\(Self.addOn)/Dockerfile")
        #expect(dockerfile.contains("ARG BUILD_FROM") && Dockerfile(text: dockerfile).runtimeStage.first?.arguments == "${BUILD_FROM}")
    }

    @Test func addOnRunScriptMapsOptionsToVariablesTheLoaderAccepts() throws {
        let script = try RepositoryFiles.text("\(Self.addOn)/run.sh")
        let config = try #require(try RepositoryFiles.yaml("\(Self.addOn)/config.yaml") as? [String: Any])
        let schema = try #require(config["schema"] as? [String: Any])

        let read = Set(script.matches(of: /(?:bashio::config(?:\.has_value|\.true)?|from_option CKW2MQTT_[A-Z_]+) '([a-z_]+)'/).map { String($0.output.1) })
        #expect(read == Set(schema.keys), "options the script reads vs. the schema")

        let exported = Set(script.matches(of: /(?:export|from_option|from_service) (CKW2MQTT_[A-Z_]+)[= ]/).map { String($0.output.1) })
        #expect(exported.count >= 10)
        // Names only: values come from the Supervisor at run time, and an empty value means "not set".
        let environment = Dictionary(uniqueKeysWithValues: exported.map { ($0, "") })
        #expect(ConfigurationCheck.problems(environment: environment) == [])
    }

    @Test func addOnImageSettingsAreValidForTheBridge() throws {
        // The fixed settings of the image: the state in /data, the web page for ingress.
        let environment = Dockerfile(text: try RepositoryFiles.text("\(Self.addOn)/Dockerfile")).runtimeEnvironment
        #expect(environment["CKW2MQTT_BRIDGE_STATE_DIRECTORY"] == "/data")
        #expect(environment["CKW2MQTT_HTTP_ENABLED"] == "true")
        #expect(ConfigurationCheck.problems(environment: environment) == [])
    }
}
