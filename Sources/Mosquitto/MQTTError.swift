/// Everything that can go wrong in the wrapper, with text a person can act on.
public enum MQTTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The topic or filter was rejected before anything was sent.
    case invalidTopic(String, problem: TopicProblem)
    /// The configuration cannot work; nothing was started.
    case invalidConfiguration(String)
    /// The payload exceeds what MQTT (or the broker's maximum packet size) allows.
    case payloadTooLarge(size: Int)
    /// An MQTT 5 broker acknowledged the publication with a failure reason code (128 or more).
    case publishRefused(reasonCode: Int, reason: String)
    /// A QoS 0 message cannot be sent while disconnected (QoS 1 and 2 messages are queued instead).
    case notConnected
    /// The connection broke before a QoS 0 message was written to the socket.
    case connectionLostBeforeSending
    /// Too many QoS 1/2 messages await acknowledgement (see `Configuration.maxQueuedMessages`).
    case queueFull(limit: Int)
    /// The client has been shut down.
    case shutDown
    /// `start()` or `run()` was called on a client that was already started.
    case alreadyStarted
    /// The broker refused the connection in its CONNACK (bad credentials, not authorised, ...).
    case connectionRefused(code: Int, reason: String)
    /// The TLS handshake or TLS set-up failed (certificate not trusted, bad key, ...).
    case tlsFailure(String)
    /// The TCP connection could not be established or broke during the handshake.
    case networkFailure(String)
    /// The broker refused a subscription in its SUBACK.
    case subscriptionRefused(filter: String, reasonCode: Int, reason: String)
    /// Any other libmosquitto failure.
    case library(operation: String, code: Int, reason: String)

    /// Why a topic or topic filter is not acceptable.
    public enum TopicProblem: Sendable, Equatable, CustomStringConvertible {
        case empty
        /// Longer than the 65,535 UTF-8 bytes an MQTT string can hold.
        case tooLong(utf8Length: Int)
        /// A topic name (for publishing) contains `+` or `#`.
        case containsWildcard
        /// A filter has `#` somewhere other than alone in the last level, or `+` not alone in a level.
        case misplacedWildcard
        /// MQTT forbids U+0000 in topics.
        case containsNullCharacter

        public var description: String {
            switch self {
            case .empty: "it is empty"
            case .tooLong(let length): "it is \(length) bytes long, MQTT allows at most 65535"
            case .containsWildcard: "a topic to publish to must not contain the wildcards '+' or '#'"
            case .misplacedWildcard: "'#' must be alone in the last level and '+' alone in its level"
            case .containsNullCharacter: "it contains the null character U+0000"
            }
        }
    }

    /// The broker (or its announced limits) refuses this message itself; sending it again would be
    /// refused again. Connection trouble is not such a refusal.
    public var isRefusalOfTheMessage: Bool {
        switch self {
        case .payloadTooLarge, .publishRefused: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .invalidTopic(let topic, let problem):
            "invalid topic '\(topic.prefix(100))': \(problem)"
        case .invalidConfiguration(let detail):
            "invalid MQTT configuration: \(detail)"
        case .payloadTooLarge(let size):
            "payload of \(size) bytes is too large for MQTT or for the broker's maximum packet size"
        case .publishRefused(let code, let reason):
            "broker refused the message: \(reason) (reason code \(code))"
        case .notConnected:
            "not connected to the broker; QoS 0 messages are not queued"
        case .connectionLostBeforeSending:
            "the connection was lost before the QoS 0 message was sent"
        case .queueFull(let limit):
            "\(limit) QoS 1/2 messages already await acknowledgement; the queue is full"
        case .shutDown:
            "the MQTT client has been shut down"
        case .alreadyStarted:
            "the MQTT client was already started"
        case .connectionRefused(let code, let reason):
            "broker refused the connection: \(reason) (code \(code))"
        case .tlsFailure(let detail):
            "TLS failure: \(detail)"
        case .networkFailure(let detail):
            "network failure: \(detail)"
        case .subscriptionRefused(let filter, let code, let reason):
            "broker refused the subscription to '\(filter)': \(reason) (reason code \(code))"
        case .library(let operation, let code, let reason):
            "\(operation) failed: \(reason) (libmosquitto error \(code))"
        }
    }
}
