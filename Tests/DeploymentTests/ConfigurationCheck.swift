import Bridge
import Foundation

/// Loads settings through the real configuration loader, so the deployment files are checked
/// against the keys and values ckw2mqtt accepts rather than against a copied list.
enum ConfigurationCheck {
    /// Problems the loader reports for these `CKW2MQTT_*` variables (and only those: the test
    /// process's own environment stays out).
    static func problems(
        environment: [String: String], ckw: ConfigurationLoader.CKWRequirement = .suppliedByCaller
    ) -> [String] {
        // A state directory the loader accepts, unless the variables name one.
        var environment = environment
        environment["STATE_DIRECTORY"] = FileManager.default.temporaryDirectory.path
        do {
            _ = try ConfigurationLoader(environment: environment, ckwRequirement: ckw).load()
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    /// The `CKW2MQTT_*` names among `names`.
    static func ckw2mqttNames(_ names: some Sequence<String>) -> [String] {
        names.filter { $0.hasPrefix("CKW2MQTT_") }.sorted()
    }
}
