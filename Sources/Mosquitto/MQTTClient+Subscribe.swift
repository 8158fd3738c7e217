import Synchronization
import CMosquitto

extension MQTTClient {
    /// Subscribes to a topic filter and returns, once the broker granted it, the sequence of matching
    /// messages.
    ///
    /// The subscription is restored after every reconnect. While disconnected the call waits for the
    /// next connection. The sequence ends when the client shuts down; ending its iteration (or the
    /// consuming task) unsubscribes.
    ///
    /// - Parameter bufferSize: Messages kept for a slow consumer; beyond it the oldest are dropped.
    /// - Throws: `MQTTError.invalidTopic`, `.subscriptionRefused`, `.shutDown`, or `CancellationError`.
    public func subscribe(to filter: String, qos: MQTTQoS = .atLeastOnce, bufferSize: Int = 4_096) async throws
        -> MQTTSubscription
    {
        let topicFilter = try TopicFilter(filter)
        let id = makeToken()
        let (messages, sink) = AsyncStream.makeStream(
            of: MQTTMessage.self, bufferingPolicy: .bufferingNewest(max(1, bufferSize)))
        sink.onTermination = { [weak self] _ in self?.removeSubscription(id: id) }

        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: SubscriptionRegistry.Waiter) in
                let failure = state.withLock { state -> (any Error)? in
                    guard let handle = state.handle?.raw, state.lifecycle == .running || state.lifecycle == .idle else {
                        return MQTTError.shutDown
                    }
                    if Task.isCancelled { return CancellationError() }
                    let subscription = SubscriptionRegistry.Subscription(
                        filter: topicFilter, qos: qos, sink: sink, waiter: waiter)
                    let requestedQoS = state.subscriptions.add(id: id, subscription)
                    // While disconnected, the next CONNACK sends it.
                    if state.isConnected {
                        Self.sendSubscribe(handle: handle, filter: filter, qos: requestedQoS, state: &state, logger: logger)
                    }
                    return nil
                }
                // The connection thread sends the SUBSCRIBE (if it was queued).
                connectionThread.wake()
                if let failure {
                    waiter.resume(throwing: failure)
                    sink.finish()
                }
            }
        } onCancel: {
            removeSubscription(id: id)
        }
        return MQTTSubscription(filter: filter, messages: messages)
    }

    /// Forgets a subscription (its sequence ended or its `subscribe` call was cancelled) and sends
    /// UNSUBSCRIBE when no other subscription needs the filter.
    func removeSubscription(id: UInt64) {
        let removed = state.withLock { state -> SubscriptionRegistry.Subscription? in
            guard let (subscription, unusedFilter) = state.subscriptions.remove(id: id) else { return nil }
            if let unusedFilter, state.isConnected, let handle = state.handle?.raw {
                _ = mosquitto_unsubscribe(handle, nil, unusedFilter)
            }
            return subscription
        }
        connectionThread.wake()
        removed?.waiter?.resume(throwing: CancellationError())
        removed?.sink.finish()
    }
}

/// The messages of one subscription, in the order the broker delivered them.
public struct MQTTSubscription: AsyncSequence, Sendable {
    public typealias Element = MQTTMessage
    public typealias Failure = Never

    /// The topic filter subscribed to.
    public let filter: String
    let messages: AsyncStream<MQTTMessage>

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: messages.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<MQTTMessage>.AsyncIterator

        public mutating func next() async -> MQTTMessage? {
            await base.next()
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async -> MQTTMessage? {
            await base.next(isolation: actor)
        }
    }
}
