import Mosquitto

/// One MQTT publication: what the bridge hands to its MQTT client, unchanged.
public struct OutgoingMessage: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    /// UTF-8 JSON, a plain word such as `online`, or empty (which deletes a retained message).
    public var payload: [UInt8]
    /// Retained messages are what a subscriber (Home Assistant after a restart, `mosquitto_sub`) sees
    /// first; every message this module makes describes a current state, so nearly all are retained.
    public var retain: Bool
    public var qos: MQTTQoS

    public init(topic: String, payload: [UInt8], retain: Bool, qos: MQTTQoS) {
        self.topic = topic
        self.payload = payload
        self.retain = retain
        self.qos = qos
    }

    /// The payload as text, for logs and tests.
    public var payloadString: String { String(decoding: payload, as: UTF8.self) }

    /// An empty retained payload: the broker drops the retained message of `topic`.
    public var isRetainedDeletion: Bool { retain && payload.isEmpty }

    public var description: String {
        "\(topic) \(retain ? "retained " : "")\(qos): \(payload.isEmpty ? "<empty>" : payloadString)"
    }
}

/// The two payloads of every availability topic (Home Assistant's defaults, spelled out in the
/// discovery configs too).
public enum Availability: String, Sendable, Hashable, CaseIterable {
    case online
    case offline

    public var payload: [UInt8] { Array(rawValue.utf8) }
}
