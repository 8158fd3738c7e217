/// The Home Assistant platforms ckw2mqtt creates entities on.
enum Platform: String, Sendable {
    case sensor
    case binarySensor = "binary_sensor"
    case button
}

/// One entry of a device discovery config's `components`.
struct Component {
    /// The key in `components`; Home Assistant uses it (with the node id) as the discovery id.
    var key: String
    var platform: Platform
    /// Everything but `platform`, `unique_id` and the entity-id hints, which `json(nodeID:objectIDPrefix:)` adds.
    var options: [String: JSONValue]

    /// `name`: the entity's name below its device ("Energy imported" on device "CKW meter 71234567").
    init(key: String, platform: Platform, name: String, options: [String: JSONValue]) {
        self.key = key
        self.platform = platform
        self.options = options.merging(["name": .string(name)]) { _, name in name }
    }

    /// `objectIDPrefix` makes readable entity ids: `sensor.<prefix>_<key>`.
    func json(nodeID: String, objectIDPrefix: String) -> JSONValue {
        let objectID = "\(objectIDPrefix)_\(key)"
        var config = options
        config["platform"] = .string(platform.rawValue)
        config["unique_id"] = .string(DeviceIdentity.uniqueID(nodeID: nodeID, key: key))
        // Home Assistant 2025.4 sets the entity id from `object_id`; 2025.10 deprecated it for
        // `default_entity_id` (a full entity id) and stops reading `object_id` in 2026.4. Older
        // releases drop the unknown key (their discovery schemas use REMOVE_EXTRA), newer ones skip the
        // deprecation warning when both are present, so sending both works everywhere.
        config["object_id"] = .string(objectID)
        config["default_entity_id"] = .string("\(platform.rawValue).\(objectID)")
        return .object(config)
    }

    /// What removes a previously discovered entity: the component reduced to its platform.
    var removal: JSONValue { .object(["platform": .string(platform.rawValue)]) }
}

extension Component {
    /// A value read from the device's shared JSON state topic.
    static func template(_ key: String) -> JSONValue { .string("{{ value_json.\(key) }}") }
}
