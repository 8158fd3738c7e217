import Synchronization
import CMosquitto

extension MQTTClient {
    /// Publishes a message and returns when it is done: for QoS 1 and 2 when the broker acknowledged
    /// it, for QoS 0 when it was written to the socket.
    ///
    /// QoS 1/2 messages published while disconnected are queued (up to
    /// `Configuration.maxQueuedMessages`) and sent after reconnecting; this call then returns after
    /// that acknowledgement. Cancelling the calling task stops the waiting, not the message: once
    /// queued, it is still delivered.
    ///
    /// - Throws: `MQTTError` (`.invalidTopic`, `.payloadTooLarge`, `.publishRefused`, `.notConnected`,
    ///   `.connectionLostBeforeSending`, `.queueFull`, `.shutDown`), or `CancellationError`.
    public func publish(topic: String, payload: [UInt8], qos: MQTTQoS = .atLeastOnce, retain: Bool = false) async throws {
        try TopicValidation.validateTopicName(topic)
        guard payload.count <= Int(MQTT_MAX_PAYLOAD) else { throw MQTTError.payloadTooLarge(size: payload.count) }
        let token = makeToken()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: PendingPublishes.Waiter) in
                if let failure = hand(topic: topic, payload: payload, qos: qos, retain: retain, token: token, waiter: waiter) {
                    waiter.resume(throwing: failure)
                }
            }
        } onCancel: {
            let waiter = state.withLock { $0.publishes.detachWaiter(token: token) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Publishes UTF-8 text.
    public func publish(topic: String, payload: String, qos: MQTTQoS = .atLeastOnce, retain: Bool = false) async throws {
        try await publish(topic: topic, payload: Array(payload.utf8), qos: qos, retain: retain)
    }

    /// Hands the message to libmosquitto and registers its waiter in one critical section, so the
    /// acknowledgement (which takes the same lock on the connection thread) cannot arrive first.
    /// Returns the error to fail the call with, or `nil` when the waiter was registered.
    private func hand(
        topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool, token: UInt64, waiter: PendingPublishes.Waiter
    ) -> (any Error)? {
        state.withLock { state -> (any Error)? in
            guard let handle = state.handle?.raw, state.lifecycle == .running || state.lifecycle == .idle else {
                return MQTTError.shutDown
            }
            // Checked here, under the lock, so a cancellation either happens before (nothing is sent)
            // or after registration (the cancellation handler finds the waiter).
            if Task.isCancelled { return CancellationError() }
            if qos == .atMostOnce {
                // libmosquitto drops QoS 0 messages while disconnected.
                guard state.isConnected else { return MQTTError.notConnected }
            } else if state.publishes.awaitingAcknowledgement >= configuration.maxQueuedMessages {
                return MQTTError.queueFull(limit: configuration.maxQueuedMessages)
            }
            // Message ids are 16 bits; keeping well below that rules out reuse of a pending id.
            guard state.publishes.count < PendingPublishes.capacity else {
                return MQTTError.queueFull(limit: PendingPublishes.capacity)
            }
            var messageID: Int32 = 0
            let code = payload.withUnsafeBytes { bytes in
                mosquitto_publish_v5(
                    handle, &messageID, topic, Int32(bytes.count), bytes.baseAddress, Int32(qos.rawValue), retain, nil)
            }
            switch code {
            case MOSQ_ERR_SUCCESS.rawValue:
                break
            case MOSQ_ERR_NO_CONN.rawValue where qos != .atMostOnce:
                // libmosquitto has queued it and sends it after reconnecting: never publish it again.
                break
            case MOSQ_ERR_NO_CONN.rawValue:
                return MQTTError.notConnected
            case MOSQ_ERR_PAYLOAD_SIZE.rawValue, MOSQ_ERR_OVERSIZE_PACKET.rawValue:
                return MQTTError.payloadTooLarge(size: payload.count)
            default:
                return MQTTError.library(
                    operation: "mosquitto_publish", code: Int(code), reason: MosquittoLibrary.describe(code))
            }
            state.publishes.insert(messageID: messageID, token: token, qos: qos, waiter: waiter)
            return nil
        }
    }
}
