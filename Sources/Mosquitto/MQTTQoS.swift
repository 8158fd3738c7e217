/// The MQTT quality-of-service level of a message or subscription.
public enum MQTTQoS: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    /// Fire and forget: delivered at most once, never acknowledged.
    case atMostOnce = 0
    /// Acknowledged by the broker (PUBACK); may be delivered more than once.
    case atLeastOnce = 1
    /// Four-way handshake (PUBREC/PUBREL/PUBCOMP); delivered exactly once.
    case exactlyOnce = 2

    public static func < (lhs: MQTTQoS, rhs: MQTTQoS) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "QoS \(rawValue)" }
}
