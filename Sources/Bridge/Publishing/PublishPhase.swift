import HomeAssistant

/// Messages that go out together; the next phase starts once the broker acknowledged these.
struct PublishPhase: Sendable {
    enum Kind: Sendable, Equatable {
        case bridgeOnline, removals, discovery, availability, states, info
    }

    var kind: Kind
    var messages: [OutgoingMessage]
    /// The metering points the messages are about.
    var meteringPointIds: [String] = []
}
