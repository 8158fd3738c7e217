import Foundation

/// Every topic ckw2mqtt publishes or listens to, derived from two configurable roots.
///
/// ```
/// ckw2mqtt/bridge/state                     online | offline (retained, also the MQTT will)
/// ckw2mqtt/bridge/info                      JSON: version, auth, rate limit, fetch times (retained)
/// ckw2mqtt/bridge/request/refresh           any payload: fetch now (still paced)
/// ckw2mqtt/<meteringPointId>/state          JSON with every value of the meter (retained)
/// ckw2mqtt/<meteringPointId>/availability   online | offline (retained)
/// homeassistant/device/<node id>/config     device-based discovery (retained)
/// homeassistant/status                      Home Assistant's birth (online) and will (offline)
/// ```
public struct Topics: Sendable, Hashable {
    /// Root of the topics for people and scripts, `ckw2mqtt` by default.
    public let baseTopic: String
    /// Home Assistant's discovery prefix, `homeassistant` by default.
    public let discoveryPrefix: String
    /// Where Home Assistant announces itself; `<discoveryPrefix>/status` by default.
    public let homeAssistantStatus: String

    public static let defaultBaseTopic = "ckw2mqtt"
    public static let defaultDiscoveryPrefix = "homeassistant"

    /// The defaults (`ckw2mqtt`, `homeassistant`, `homeassistant/status`).
    public static let `default` = Topics(
        validatedBaseTopic: defaultBaseTopic,
        discoveryPrefix: defaultDiscoveryPrefix,
        homeAssistantStatus: "\(defaultDiscoveryPrefix)/status"
    )

    /// Validates the roots: publishable MQTT topics without wildcards or empty levels at either end.
    public init(
        baseTopic: String = Topics.defaultBaseTopic,
        discoveryPrefix: String = Topics.defaultDiscoveryPrefix,
        homeAssistantStatus: String? = nil
    ) throws(TopicError) {
        let status = homeAssistantStatus ?? "\(discoveryPrefix)/status"
        try Self.validateRoot(baseTopic, role: "base topic")
        try Self.validateRoot(discoveryPrefix, role: "discovery prefix")
        try Self.validateRoot(status, role: "Home Assistant status topic")
        self.init(validatedBaseTopic: baseTopic, discoveryPrefix: discoveryPrefix, homeAssistantStatus: status)
    }

    private init(validatedBaseTopic: String, discoveryPrefix: String, homeAssistantStatus: String) {
        self.baseTopic = validatedBaseTopic
        self.discoveryPrefix = discoveryPrefix
        self.homeAssistantStatus = homeAssistantStatus
    }

    // MARK: Bridge

    /// `online` / `offline`, retained; the MQTT will sets `offline` when the bridge dies.
    public var bridgeState: String { "\(baseTopic)/bridge/state" }
    /// Retained JSON describing the bridge's health.
    public var bridgeInfo: String { "\(baseTopic)/bridge/info" }
    /// Publishing anything here asks the bridge to fetch now.
    public var refreshRequest: String { "\(baseTopic)/bridge/request/refresh" }
    /// `<prefix>/device/<bridge node id>/config`.
    public var bridgeDiscovery: String { discoveryTopic(nodeID: DeviceIdentity.bridgeNodeID(baseTopic: baseTopic)) }

    // MARK: Metering points

    /// Retained JSON with every value of the metering point.
    public func meterState(_ meteringPointID: String) -> String {
        "\(baseTopic)/\(TopicLevel.sanitized(meteringPointID))/state"
    }

    /// `online` / `offline`, retained: `offline` while the meter's data cannot be fetched.
    public func meterAvailability(_ meteringPointID: String) -> String {
        "\(baseTopic)/\(TopicLevel.sanitized(meteringPointID))/availability"
    }

    /// `<prefix>/device/ckw2mqtt_<meteringPointId>/config`.
    public func meterDiscovery(_ meteringPointID: String) -> String {
        discoveryTopic(nodeID: DeviceIdentity.meterNodeID(meteringPointID))
    }

    private func discoveryTopic(nodeID: String) -> String { "\(discoveryPrefix)/device/\(nodeID)/config" }

    /// The filter that matches every device discovery config, this bridge's and others'.
    public var discoveryConfigFilter: String { "\(discoveryPrefix)/device/+/config" }

    /// Whether a retained device discovery config was published by the bridge with these topics: its
    /// bridge device (named after the base topic) or a meter device connected via it. Another bridge on
    /// the same broker has another base topic and so another bridge device.
    public func ownsDiscoveryConfig(_ payload: [UInt8]) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let device = object["device"] as? [String: Any]
        else { return false }
        let bridge = DeviceIdentity.bridgeNodeID(baseTopic: baseTopic)
        return device["via_device"] as? String == bridge || (device["identifiers"] as? [String])?.contains(bridge) == true
    }

    // MARK: Validation

    private static func validateRoot(_ topic: String, role: String) throws(TopicError) {
        if topic.isEmpty { throw TopicError(topic: topic, role: role, reason: "must not be empty") }
        if topic.contains(where: { $0 == "+" || $0 == "#" }) {
            throw TopicError(topic: topic, role: role, reason: "must not contain the wildcards + or #")
        }
        if topic.hasPrefix("/") || topic.hasSuffix("/") {
            throw TopicError(topic: topic, role: role, reason: "must not start or end with /")
        }
        if topic.split(separator: "/", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw TopicError(topic: topic, role: role, reason: "must not contain empty levels (//)")
        }
        if topic.unicodeScalars.contains(where: { $0 == "\u{0}" }) {
            throw TopicError(topic: topic, role: role, reason: "must not contain NUL")
        }
    }
}

/// A configured topic root that MQTT or Home Assistant would not accept.
public struct TopicError: Error, Sendable, Equatable, CustomStringConvertible {
    public var topic: String
    /// Which setting it was, e.g. `base topic`.
    public var role: String
    public var reason: String

    public init(topic: String, role: String, reason: String) {
        self.topic = topic
        self.role = role
        self.reason = reason
    }

    public var description: String { "The \(role) '\(topic)' \(reason)." }
}

/// One topic level built from an outside id.
enum TopicLevel {
    /// Home Assistant accepts only `[a-zA-Z0-9_-]` in discovery node ids, and MQTT forbids `+ # /` in
    /// a level; CKW's ids are plain alphanumerics, so this is the identity for them and only
    /// defends against a surprising id.
    static func sanitized(_ id: String) -> String {
        String(id.unicodeScalars.map { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-": Character(scalar)
            default: "_"
            }
        })
    }
}
