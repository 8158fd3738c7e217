/// The diagnostic entities of the bridge device. The raw value is the component key and the
/// `unique_id` suffix.
public enum BridgeEntity: String, Sendable, Hashable, CaseIterable {
    case connectionState = "connection_state"
    case authentication
    case lastSuccessfulFetch = "last_successful_fetch"
    case nextPlannedFetch = "next_planned_fetch"
    case apiRequestsRemaining = "api_requests_remaining"
    case version
    case refresh

    func component(topics: Topics) -> Component {
        switch self {
        case .connectionState:
            // Reads the bridge's state topic itself and has no availability: when the bridge dies,
            // its will turns this entity off instead of unavailable, which is what an automation
            // watching the bridge wants to see.
            Component(key: rawValue, platform: .binarySensor, name: "Connection state", options: [
                "device_class": .string("connectivity"),
                "entity_category": .string("diagnostic"),
                "state_topic": .string(topics.bridgeState),
                "payload_on": .string(Availability.online.rawValue),
                "payload_off": .string(Availability.offline.rawValue),
            ])
        case .authentication:
            Component(key: rawValue, platform: .binarySensor, name: "Authentication", options: [
                "device_class": .string("problem"),
                "entity_category": .string("diagnostic"),
                "state_topic": .string(topics.bridgeInfo),
                "availability": Self.bridgeAvailability(topics),
                // `unknown` (not checked yet) renders None, which Home Assistant shows as unknown.
                "value_template": .string(
                    "{% if value_json.auth == '\(AuthenticationState.loginRequired.rawValue)' %}ON"
                        + "{% elif value_json.auth == '\(AuthenticationState.ok.rawValue)' %}OFF"
                        + "{% else %}None{% endif %}"
                ),
            ])
        case .lastSuccessfulFetch:
            Self.infoTimestamp(key: rawValue, name: "Last successful fetch", topics: topics)
        case .nextPlannedFetch:
            Self.infoTimestamp(key: rawValue, name: "Next planned fetch", topics: topics)
        case .apiRequestsRemaining:
            Component(key: rawValue, platform: .sensor, name: "API requests remaining", options: [
                "entity_category": .string("diagnostic"),
                "icon": .string("mdi:api"),
                "state_class": .string("measurement"),
                "state_topic": .string(topics.bridgeInfo),
                "availability": Self.bridgeAvailability(topics),
                "value_template": .string("{{ value_json.rate_limit.remaining }}"),
            ])
        case .version:
            Component(key: rawValue, platform: .sensor, name: "Version", options: [
                "entity_category": .string("diagnostic"),
                "icon": .string("mdi:tag-outline"),
                "state_topic": .string(topics.bridgeInfo),
                "availability": Self.bridgeAvailability(topics),
                "value_template": Component.template(rawValue),
            ])
        case .refresh:
            // Home Assistant publishes `PRESS` (not retained); the bridge treats any payload as a
            // request, so `mosquitto_pub -t ckw2mqtt/bridge/request/refresh -n` works as well.
            Component(key: rawValue, platform: .button, name: "Refresh", options: [
                "entity_category": .string("config"),
                "icon": .string("mdi:refresh"),
                "command_topic": .string(topics.refreshRequest),
                "availability": Self.bridgeAvailability(topics),
            ])
        }
    }

    private static func infoTimestamp(key: String, name: String, topics: Topics) -> Component {
        Component(key: key, platform: .sensor, name: name, options: [
            "device_class": .string("timestamp"),
            "entity_category": .string("diagnostic"),
            "state_topic": .string(topics.bridgeInfo),
            "availability": bridgeAvailability(topics),
            "value_template": Component.template(key),
        ])
    }

    /// Per entity rather than once per device, because a device-level availability would also be
    /// inherited by the connection state entity, which must stay available.
    static func bridgeAvailability(_ topics: Topics) -> JSONValue {
        .array([AvailabilityTopic.json(topic: topics.bridgeState)])
    }
}

enum AvailabilityTopic {
    /// Payloads spelled out although they are Home Assistant's defaults: the config then documents
    /// itself for someone reading it with `mosquitto_sub`.
    static func json(topic: String) -> JSONValue {
        .object([
            "topic": .string(topic),
            "payload_available": .string(Availability.online.rawValue),
            "payload_not_available": .string(Availability.offline.rawValue),
        ])
    }
}
