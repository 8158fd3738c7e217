/// A change of the client's connection, in the order it happened.
public enum MQTTConnectionEvent: Sendable, Equatable, CustomStringConvertible {
    /// The broker accepted the connection (CONNACK). `sessionPresent` tells whether the broker
    /// resumed a stored session, i.e. kept subscriptions and queued messages.
    case connected(sessionPresent: Bool)
    /// An established connection ended.
    case disconnected(reason: MQTTDisconnectReason)
    /// A connection attempt failed before the broker accepted it: network, TLS or a refusal
    /// (for example bad credentials). The client backs off and tries again.
    case connectionFailed(MQTTError)
    /// The next connection attempt will start after `delay`. `attempt` counts the attempts since the
    /// last successful connection, starting at 1.
    case reconnectScheduled(attempt: Int, delay: Duration)

    public var description: String {
        switch self {
        case .connected(let sessionPresent):
            "connected (session present: \(sessionPresent))"
        case .disconnected(let reason):
            "disconnected: \(reason)"
        case .connectionFailed(let error):
            "connection attempt failed: \(error)"
        case .reconnectScheduled(let attempt, let delay):
            "reconnect attempt \(attempt) scheduled in \(delay)"
        }
    }
}

/// Why an established connection ended.
public enum MQTTDisconnectReason: Sendable, Equatable, CustomStringConvertible {
    /// The client shut down and sent DISCONNECT, so the broker does not publish the will.
    case shutdown
    /// The connection broke: socket closed or reset, keep-alive timeout, protocol error.
    case connectionLost(String)
    /// An MQTT 5 broker closed the session with a DISCONNECT reason code.
    case disconnectedByBroker(reasonCode: Int, reason: String)

    public var description: String {
        switch self {
        case .shutdown:
            "client shut down"
        case .connectionLost(let detail):
            "connection lost: \(detail)"
        case .disconnectedByBroker(let code, let reason):
            "broker disconnected the client: \(reason) (reason code \(code))"
        }
    }
}
