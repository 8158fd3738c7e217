/// The subscriptions handed out by `subscribe`, the broker-side filters they need, and which of those
/// the broker has acknowledged in the current session.
///
/// Several subscriptions may share a filter: the broker sees one subscription at the highest QoS asked
/// for, and every matching message is delivered to each of them.
struct SubscriptionRegistry {
    typealias Waiter = CheckedContinuation<Void, any Error>
    typealias MessageSink = AsyncStream<MQTTMessage>.Continuation

    struct Subscription {
        let filter: TopicFilter
        let qos: MQTTQoS
        let sink: MessageSink
        /// The `subscribe` call waiting for the broker's SUBACK.
        var waiter: Waiter?
    }

    private struct FilterState {
        var qos: MQTTQoS
        var acknowledged: Bool
    }

    private var subscriptions: [UInt64: Subscription] = [:]
    private var filters: [String: FilterState] = [:]
    /// SUBSCRIBE packets in flight: message id → filter.
    private var requests: [Int32: String] = [:]

    var isEmpty: Bool { subscriptions.isEmpty }

    /// Registers a subscription and returns the QoS the broker should be asked for on its filter.
    mutating func add(id: UInt64, _ subscription: Subscription) -> MQTTQoS {
        subscriptions[id] = subscription
        let text = subscription.filter.text
        var state = filters[text] ?? FilterState(qos: subscription.qos, acknowledged: false)
        state.qos = max(state.qos, subscription.qos)
        filters[text] = state
        return state.qos
    }

    mutating func recordRequest(messageID: Int32, filter: String) {
        requests[messageID] = filter
    }

    /// The filters to send SUBSCRIBE for after the broker accepted a connection: all of them for a
    /// fresh session, only those never acknowledged when the broker resumed the session (re-subscribing
    /// would make it resend retained messages for no reason).
    mutating func filtersToRestore(sessionPresent: Bool) -> [(filter: String, qos: MQTTQoS)] {
        requests.removeAll()
        if !sessionPresent {
            for key in filters.keys { filters[key]?.acknowledged = false }
        }
        return filters.filter { !$0.value.acknowledged }.map { (filter: $0.key, qos: $0.value.qos) }
    }

    /// The SUBSCRIBE packets in flight died with the connection; their filters stay unacknowledged
    /// and are sent again after reconnecting.
    mutating func connectionLost() {
        requests.removeAll()
    }

    struct AcknowledgementOutcome {
        var granted: [Waiter] = []
        var refused: [(waiter: Waiter, sink: MessageSink)] = []
        var filter: String?
    }

    /// Handles a SUBACK: a granted QoS (0...2) completes the waiting calls; a failure code (128 or
    /// more) fails them and drops their subscriptions.
    mutating func acknowledge(messageID: Int32, grantedCode: Int) -> AcknowledgementOutcome {
        var outcome = AcknowledgementOutcome()
        guard let filter = requests.removeValue(forKey: messageID) else { return outcome }
        outcome.filter = filter
        let refused = grantedCode >= 0x80
        for (id, subscription) in subscriptions where subscription.filter.text == filter {
            guard let waiter = subscription.waiter else { continue }
            if refused {
                subscriptions[id] = nil
                outcome.refused.append((waiter, subscription.sink))
            } else {
                subscriptions[id]?.waiter = nil
                outcome.granted.append(waiter)
            }
        }
        if refused {
            if !subscriptions.values.contains(where: { $0.filter.text == filter }) { filters[filter] = nil }
        } else {
            filters[filter]?.acknowledged = true
        }
        return outcome
    }

    /// Removes a subscription; returns it, and its filter if no other subscription uses that filter any
    /// more (so the caller can UNSUBSCRIBE).
    mutating func remove(id: UInt64) -> (subscription: Subscription, unusedFilter: String?)? {
        guard let subscription = subscriptions.removeValue(forKey: id) else { return nil }
        let text = subscription.filter.text
        if subscriptions.values.contains(where: { $0.filter.text == text }) {
            return (subscription, nil)
        }
        filters[text] = nil
        return (subscription, text)
    }

    /// The sinks of every subscription whose filter matches `topic`.
    func sinks(matching topic: String) -> [MessageSink] {
        subscriptions.values.compactMap { $0.filter.matches(topic) ? $0.sink : nil }
    }

    mutating func removeAll() -> [Subscription] {
        let all = Array(subscriptions.values)
        subscriptions.removeAll()
        filters.removeAll()
        requests.removeAll()
        return all
    }
}
