extension HomeAssistantMapping {
    /// A metering point's device with one component per entity it has.
    ///
    /// All its entities read one JSON topic, `<base>/<id>/state`, through `value_template`s rather
    /// than a topic per value: one retained message is one consistent set of values (the powers,
    /// net power and surplus of the same interval arrive together, never half-updated), `mosquitto_sub`
    /// shows a meter in one line, and 1,000 meters cost 1,000 retained messages instead of 10,000.
    func meterDiscoveryJSON(for meter: MeterDescription, replacing previous: MeterDescription?) -> JSONValue {
        let nodeID = DeviceIdentity.meterNodeID(meter.meteringPointID)
        let objectIDPrefix = "ckw_" + DeviceIdentity.slug(meter.meterNumber ?? meter.meteringPointID)
        let current = MeterEntity.entities(of: meter)
        var components: [String: JSONValue] = [:]
        for entity in current {
            components[entity.rawValue] = entity.component.json(nodeID: nodeID, objectIDPrefix: objectIDPrefix)
        }
        // Entities of a direction the meter no longer has are removed explicitly; merely leaving
        // them out would keep them in Home Assistant.
        for entity in previous.map(MeterEntity.entities(of:)) ?? [] where !current.contains(entity) {
            components[entity.rawValue] = entity.component.removal
        }

        var device: [String: JSONValue] = [
            "identifiers": .array([.string(nodeID)]),
            "name": .string(meter.label ?? Self.defaultMeterName(meter)),
            "manufacturer": .string("CKW"),
            "model": .string("Smart meter"),
            "via_device": .string(DeviceIdentity.bridgeNodeID(baseTopic: topics.baseTopic)),
        ]
        if let meterNumber = meter.meterNumber { device["serial_number"] = .string(meterNumber) }

        return .object([
            "device": .object(device),
            "origin": configuration.origin.json,
            "components": .object(components),
            // Shared by every component: values go stale both when the bridge is gone and when this
            // meter's data cannot be fetched, hence both topics and mode `all`.
            "state_topic": .string(topics.meterState(meter.meteringPointID)),
            "availability": .array([
                AvailabilityTopic.json(topic: topics.bridgeState),
                AvailabilityTopic.json(topic: topics.meterAvailability(meter.meteringPointID)),
            ]),
            "availability_mode": .string("all"),
        ])
    }

    /// The bridge device: the parent (`via_device`) of every meter, with diagnostic entities.
    func bridgeDiscoveryJSON() -> JSONValue {
        let nodeID = DeviceIdentity.bridgeNodeID(baseTopic: topics.baseTopic)
        var components: [String: JSONValue] = [:]
        for entity in BridgeEntity.allCases {
            components[entity.rawValue] = entity.component(topics: topics).json(nodeID: nodeID, objectIDPrefix: nodeID)
        }
        return .object([
            "device": .object([
                "identifiers": .array([.string(nodeID)]),
                "name": .string("ckw2mqtt bridge"),
                "manufacturer": .string("ckw2mqtt"),
                "model": .string("CKW to MQTT bridge"),
                "sw_version": .string(configuration.origin.softwareVersion),
            ]),
            "origin": configuration.origin.json,
            "components": .object(components),
        ])
    }

    /// "CKW meter 71234567", or the end of the metering point id when the meter number is unknown.
    static func defaultMeterName(_ meter: MeterDescription) -> String {
        "CKW meter \(meter.meterNumber ?? String(meter.meteringPointID.suffix(8)))"
    }
}
