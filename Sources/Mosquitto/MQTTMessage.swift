/// A message received on a subscription.
public struct MQTTMessage: Sendable, Hashable {
    /// The concrete topic the message was published to (never contains wildcards).
    public var topic: String
    public var payload: [UInt8]
    public var qos: MQTTQoS
    /// Whether the broker delivered this as a retained message (sent on subscribe rather than live).
    public var retain: Bool

    public init(topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }

    /// The payload decoded as UTF-8 (invalid sequences are replaced, never trapped on).
    public var payloadString: String { String(decoding: payload, as: UTF8.self) }
}
