/// The ids Home Assistant keys devices and entities on. They must never change for an existing
/// installation: a new id is a new device, and history stays with the old one.
enum DeviceIdentity {
    static let prefix = "ckw2mqtt"

    /// Node id (discovery topic level) and device identifier of a metering point: `ckw2mqtt_<id>`.
    static func meterNodeID(_ meteringPointID: String) -> String {
        "\(prefix)_\(TopicLevel.sanitized(meteringPointID))"
    }

    /// `ckw2mqtt_bridge` for the default base topic. A second bridge on the same Home Assistant needs
    /// another base topic anyway, and gets a bridge device of its own from it.
    static func bridgeNodeID(baseTopic: String) -> String {
        if baseTopic == Topics.defaultBaseTopic { return "\(prefix)_bridge" }
        return "\(prefix)_bridge_\(slug(baseTopic))"
    }

    /// `ckw2mqtt_<meteringPointId>_<key>` and `ckw2mqtt_bridge_<key>`.
    static func uniqueID(nodeID: String, key: String) -> String { "\(nodeID)_\(key)" }

    /// Lower-case `[a-z0-9_]`, as Home Assistant's entity ids are.
    static func slug(_ text: String) -> String {
        var result = ""
        var pendingSeparator = false
        for scalar in text.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9":
                if pendingSeparator, !result.isEmpty { result.append("_") }
                pendingSeparator = false
                result.unicodeScalars.append(scalar)
            default:
                pendingSeparator = true
            }
        }
        return result
    }
}
