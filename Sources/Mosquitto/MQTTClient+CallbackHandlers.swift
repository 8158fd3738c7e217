import Synchronization
import CMosquitto
import Logging

/// What the C callbacks do, on the connection thread. libmosquitto holds its callback mutex while
/// calling them; they take `state` and may call publish/subscribe-style functions, never
/// destroy or callback setters.
extension MQTTClient {
    func handleConnack(code: Int32, flags: Int32) {
        guard code == 0 else {
            let reason = configuration.protocolVersion == .v5
                ? MosquittoLibrary.describeReason(code) : MosquittoLibrary.describeConnack(code)
            state.withLock { $0.refusal = .connectionRefused(code: Int(code), reason: reason) }
            return
        }
        let sessionPresent = flags & 0x01 != 0
        state.withLock { state in
            state.isConnected = true
            state.connectedThisAttempt = true
            state.emit(.connected(sessionPresent: sessionPresent), logger: logger)
            guard let handle = state.handle?.raw else { return }
            for (filter, qos) in state.subscriptions.filtersToRestore(sessionPresent: sessionPresent) {
                Self.sendSubscribe(handle: handle, filter: filter, qos: qos, state: &state, logger: logger)
            }
        }
    }

    /// Also called for attempts the broker refused; those are reported by the connection thread.
    func handleDisconnect(code: Int32) {
        // QoS 0 messages written before the connection broke are done, not lost.
        deliverCompletedPublishes()
        let droppedWaiters = state.withLock { state -> [PendingPublishes.Waiter] in
            state.connectionEpoch += 1
            state.subscriptions.connectionLost()
            let dropped = state.publishes.removeAtMostOnce()
            guard state.isConnected else { return dropped }
            state.isConnected = false
            state.emit(.disconnected(reason: disconnectReason(code: code, lifecycle: state.lifecycle)), logger: logger)
            return dropped
        }
        for waiter in droppedWaiters { waiter.resume(throwing: MQTTError.connectionLostBeforeSending) }
    }

    private func disconnectReason(code: Int32, lifecycle: Lifecycle) -> MQTTDisconnectReason {
        if code == 0 && lifecycle != .running { return .shutdown }
        // With MQTT 5 the code is the broker's DISCONNECT reason code when the broker sent one
        // (always 128 or more for errors); libmosquitto's own error codes are small.
        if configuration.protocolVersion == .v5 && (code == 0 || code >= 0x80) {
            return .disconnectedByBroker(reasonCode: Int(code), reason: MosquittoLibrary.describeReason(code))
        }
        return .connectionLost(MosquittoLibrary.describe(code))
    }

    /// PUBACK/PUBCOMP for QoS 1/2 (with an MQTT 5 reason code), or the socket write for QoS 0.
    /// Recorded only; `deliverCompletedPublishes()` resumes the callers after the loop call.
    func handlePublishCompleted(messageID: Int32, reasonCode: Int32) {
        completions.append(messageID: messageID, reasonCode: reasonCode)
    }

    /// Resumes the callers of the publications completed since the last call, under one lock.
    /// Connection thread only.
    func deliverCompletedPublishes() {
        guard !completions.isEmpty else { return }
        state.withLock { state in
            for completion in completions.completions {
                let entry = state.publishes.complete(messageID: completion.messageID, reasonCode: completion.reasonCode)
                if let waiter = entry?.waiter { completions.finished.append((waiter, completion.reasonCode)) }
            }
        }
        for (waiter, reasonCode) in completions.finished {
            Self.finishPublish(waiter, reasonCode: reasonCode)
        }
        completions.removeAll()
    }

    static func finishPublish(_ waiter: PendingPublishes.Waiter, reasonCode: Int32) {
        if reasonCode >= 0x80 {
            let reason = MosquittoLibrary.describeReason(reasonCode)
            waiter.resume(throwing: MQTTError.publishRefused(reasonCode: Int(reasonCode), reason: reason))
        } else {
            waiter.resume()
        }
    }

    /// Copies the message (its buffer is freed when the callback returns) and hands it to every
    /// subscription whose filter matches.
    func handleMessage(_ message: mosquitto_message) {
        guard let topicPointer = message.topic else { return }
        let topic = String(cString: topicPointer)
        let payload: [UInt8] =
            message.payloadlen > 0 && message.payload != nil
            ? Array(UnsafeRawBufferPointer(start: message.payload, count: Int(message.payloadlen))) : []
        let received = MQTTMessage(
            topic: topic, payload: payload,
            qos: MQTTQoS(rawValue: UInt8(clamping: message.qos)) ?? .atMostOnce, retain: message.retain)
        let sinks = state.withLock { $0.subscriptions.sinks(matching: topic) }
        for sink in sinks { sink.yield(received) }
    }

    func handleSubscribeAcknowledged(messageID: Int32, grantedCode: Int) {
        let outcome = state.withLock { $0.subscriptions.acknowledge(messageID: messageID, grantedCode: grantedCode) }
        for waiter in outcome.granted { waiter.resume() }
        if !outcome.refused.isEmpty, let filter = outcome.filter {
            let reason = MosquittoLibrary.describeReason(Int32(grantedCode))
            for (waiter, sink) in outcome.refused {
                waiter.resume(throwing: MQTTError.subscriptionRefused(filter: filter, reasonCode: grantedCode, reason: reason))
                sink.finish()
            }
        }
    }

    /// Never takes `state`: libmosquitto also logs from inside calls we make while holding it.
    func handleLibraryLog(level: Int32, text: UnsafePointer<CChar>) {
        let isError = level == MOSQ_LOG_ERR
        guard isError || logger.logLevel <= .debug else { return }
        let line = String(cString: text)
        if isError { lastLoggedError.withLock { $0 = line } }
        logger.log(level: Self.logLevel(for: level), "libmosquitto: \(line)")
    }

    private static func logLevel(for mosquittoLevel: Int32) -> Logger.Level {
        switch mosquittoLevel {
        case MOSQ_LOG_ERR: .error
        case MOSQ_LOG_WARNING: .warning
        case MOSQ_LOG_NOTICE: .notice
        case MOSQ_LOG_INFO: .info
        default: .debug
        }
    }

    /// Sends SUBSCRIBE and remembers its message id for the SUBACK. A failure (for example no
    /// connection) is fine: the filter stays unacknowledged and is sent again after reconnecting.
    static func sendSubscribe(
        handle: OpaquePointer, filter: String, qos: MQTTQoS, state: inout State, logger: Logger
    ) {
        var messageID: Int32 = 0
        let code = mosquitto_subscribe(handle, &messageID, filter, Int32(qos.rawValue))
        if code == MOSQ_ERR_SUCCESS.rawValue {
            state.subscriptions.recordRequest(messageID: messageID, filter: filter)
        } else {
            logger.debug("SUBSCRIBE to '\(filter)' deferred: \(MosquittoLibrary.describe(code))")
        }
    }
}
