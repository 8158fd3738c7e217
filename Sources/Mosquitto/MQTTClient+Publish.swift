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
            try await withUnsafeThrowingContinuation { (waiter: PendingPublishes.Waiter) in
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

    /// Hands the message to libmosquitto and registers its waiter. The lock is held only to reserve
    /// and to register, not while libmosquitto copies and queues the message, so publishers and the
    /// connection thread hardly contend. Returns the error to fail the call with, or `nil` when the
    /// waiter was registered or resumed.
    private func hand(
        topic: String, payload: [UInt8], qos: MQTTQoS, retain: Bool, token: UInt64, waiter: PendingPublishes.Waiter
    ) -> (any Error)? {
        let reservation = state.withLock { state -> Result<(MosquittoHandle, epoch: Int), any Error> in
            guard let handle = state.handle, state.lifecycle == .running || state.lifecycle == .idle else {
                return .failure(MQTTError.shutDown)
            }
            if Task.isCancelled { return .failure(CancellationError()) }
            if qos == .atMostOnce {
                // libmosquitto drops QoS 0 messages while disconnected.
                guard state.isConnected else { return .failure(MQTTError.notConnected) }
            } else if state.publishes.awaitingAcknowledgement >= configuration.maxQueuedMessages {
                return .failure(MQTTError.queueFull(limit: configuration.maxQueuedMessages))
            }
            // Message ids are 16 bits; keeping well below that rules out reuse of a pending id.
            guard state.publishes.count < PendingPublishes.capacity else {
                return .failure(MQTTError.queueFull(limit: PendingPublishes.capacity))
            }
            state.publishes.reserve(qos: qos)
            state.callersInLibrary += 1
            return .success((handle, state.connectionEpoch))
        }
        guard case .success(let (handle, epoch)) = reservation else {
            if case .failure(let error) = reservation { return error }
            return nil
        }

        var messageID: Int32 = 0
        let code = payload.withUnsafeBytes { bytes in
            mosquitto_publish_v5(
                handle.raw, &messageID, topic, Int32(bytes.count), bytes.baseAddress, Int32(qos.rawValue), retain, nil)
        }
        // The connection thread writes the packet; a no-op when it is awake (or this is that thread).
        connectionThread.wake()

        let outcome = state.withLock { state -> RegistrationOutcome in
            state.callersInLibrary -= 1
            guard state.lifecycle != .terminated else { return .failed(MQTTError.shutDown) }
            switch code {
            case MOSQ_ERR_SUCCESS.rawValue:
                break
            case MOSQ_ERR_NO_CONN.rawValue where qos != .atMostOnce:
                // libmosquitto has queued it and sends it after reconnecting: never publish it again.
                break
            default:
                state.publishes.releaseReservation(qos: qos)
                return .failed(Self.publishError(code: code, qos: qos, payloadSize: payload.count))
            }
            // Registered under the same lock the cancellation handler takes: either it ran before
            // (the flag is set, so fail now) or it will find the entry.
            let cancelled = Task.isCancelled
            let connectionEnded = qos == .atMostOnce && state.connectionEpoch != epoch
            let keptWaiter = cancelled || connectionEnded ? nil : waiter
            if let reasonCode = state.publishes.register(messageID: messageID, token: token, qos: qos, waiter: keptWaiter) {
                return .completed(reasonCode)
            }
            if cancelled { return .failed(CancellationError()) }
            // The connection this QoS 0 message was queued on ended before it was written.
            if connectionEnded { return .failed(MQTTError.connectionLostBeforeSending) }
            return .registered
        }
        switch outcome {
        case .registered: return nil
        case .completed(let reasonCode):
            Self.finishPublish(waiter, reasonCode: reasonCode)
            return nil
        case .failed(let error): return error
        }
    }

    private enum RegistrationOutcome {
        case registered
        case completed(Int32)
        case failed(any Error)
    }

    private static func publishError(code: Int32, qos: MQTTQoS, payloadSize: Int) -> MQTTError {
        switch code {
        case MOSQ_ERR_NO_CONN.rawValue:
            .notConnected
        case MOSQ_ERR_PAYLOAD_SIZE.rawValue, MOSQ_ERR_OVERSIZE_PACKET.rawValue:
            .payloadTooLarge(size: payloadSize)
        default:
            .library(operation: "mosquitto_publish", code: Int(code), reason: MosquittoLibrary.describe(code))
        }
    }
}
