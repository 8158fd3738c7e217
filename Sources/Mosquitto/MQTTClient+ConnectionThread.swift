import Synchronization
import CMosquitto
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The connection thread: connect, run `mosquitto_loop` while connected, back off and reconnect,
/// forever until shutdown. libmosquitto's own threaded loop is not used because in 2.0.11 it never
/// retries a failed first connect, stops for good on TLS or authentication errors, and has no jitter.
extension MQTTClient {
    /// How long one `mosquitto_loop` call may wait for traffic. Publishing, subscribing and shutting
    /// down wake it at once through libmosquitto's internal socket pair; this only bounds keep-alive
    /// bookkeeping latency.
    private static let loopTimeoutMilliseconds: Int32 = 1_000
    /// How long a shutdown waits for DISCONNECT to be written before closing anyway.
    private static let disconnectGracePeriod: Duration = .seconds(3)
    private static let invalidSocket: Int32 = -1

    func runConnectionThread() {
        guard let handle = state.withLock({ $0.handle })?.raw else { return }
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        var isFirstAttempt = true

        while !isShuttingDown {
            prepareAttempt()
            // The first call also hands libmosquitto the host, port and CONNECT properties, which
            // every later mosquitto_reconnect reuses.
            let connectCode = isFirstAttempt ? connectFirstTime(handle) : mosquitto_reconnect(handle)
            let connectErrno = errno
            isFirstAttempt = false

            var wasEstablished = false
            if connectCode == MOSQ_ERR_SUCCESS.rawValue {
                guard let endCode = serviceConnection(handle) else { break }
                wasEstablished = connectionEnded(code: endCode.code, errnoValue: endCode.errnoValue)
            } else {
                reportFailedAttempt(code: connectCode, errnoValue: connectErrno)
            }
            if isShuttingDown { break }

            attempt = wasEstablished ? 1 : attempt + 1
            let delay = configuration.reconnect.delay(forAttempt: attempt, using: &generator)
            emit(.reconnectScheduled(attempt: attempt, delay: delay))
            let nanoseconds = Int(ReconnectPolicy.nanoseconds(delay))
            _ = wakeUp.wait(timeout: .now() + .nanoseconds(nanoseconds))
        }
        disconnectGracefully(handle)
        deliverCompletedPublishes()
        tearDown()
    }

    private func prepareAttempt() {
        state.withLock { state in
            state.refusal = nil
            state.connectedThisAttempt = false
        }
        lastLoggedError.withLock { $0 = nil }
    }

    /// `mosquitto_connect_bind_v5` stores the CONNECT properties (session expiry) for reconnects too.
    private func connectFirstTime(_ handle: OpaquePointer) -> Int32 {
        var properties: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&properties) }
        if let expiry = configuration.sessionExpiry {
            let seconds = UInt32(clamping: expiry.components.seconds)
            _ = mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), seconds)
        }
        return mosquitto_connect_bind_v5(
            handle, configuration.host, Int32(configuration.port),
            Int32(configuration.keepAlive.components.seconds), nil, properties)
    }

    /// Runs the loop until the connection (or the attempt) ends, returning libmosquitto's code, or
    /// `nil` when a shutdown was requested.
    private func serviceConnection(_ handle: OpaquePointer) -> (code: Int32, errnoValue: Int32)? {
        while true {
            if isShuttingDown { return nil }
            let code = mosquitto_loop(handle, Self.loopTimeoutMilliseconds, 1)
            let errnoValue = errno
            deliverCompletedPublishes()
            if code != MOSQ_ERR_SUCCESS.rawValue { return (code, errnoValue) }
        }
    }

    /// Reports the end of a connection whose attempt succeeded at the TCP level. Returns whether the
    /// broker had accepted it (which resets the backoff).
    private func connectionEnded(code: Int32, errnoValue: Int32) -> Bool {
        let failure = classifyFailure(code: code, errnoValue: errnoValue)
        let (established, droppedWaiters) = state.withLock { state in
            var dropped: [PendingPublishes.Waiter] = []
            // Normally the disconnect callback has reported it already; some paths (TLS) skip it.
            if state.isConnected {
                state.isConnected = false
                state.connectionEpoch += 1
                state.subscriptions.connectionLost()
                dropped = state.publishes.removeAtMostOnce()
                state.emit(.disconnected(reason: .connectionLost(failure.description)), logger: logger)
            }
            if !state.connectedThisAttempt {
                state.emit(.connectionFailed(state.refusal ?? failure), logger: logger)
            }
            return (state.connectedThisAttempt, dropped)
        }
        for waiter in droppedWaiters { waiter.resume(throwing: MQTTError.connectionLostBeforeSending) }
        return established
    }

    private func reportFailedAttempt(code: Int32, errnoValue: Int32) {
        let failure = classifyFailure(code: code, errnoValue: errnoValue)
        emit(.connectionFailed(failure))
    }

    /// Turns a libmosquitto code from a failed connection into an error a person can act on.
    private func classifyFailure(code: Int32, errnoValue: Int32) -> MQTTError {
        let logged = lastLoggedError.withLock { $0 }
        switch code {
        case MOSQ_ERR_TLS.rawValue, MOSQ_ERR_TLS_HANDSHAKE.rawValue:
            return .tlsFailure(logged ?? MosquittoLibrary.describe(code))
        case MOSQ_ERR_ERRNO.rawValue:
            if configuration.tls != nil, let logged { return .tlsFailure(logged) }
            let reason = String(cString: strerror(errnoValue))
            return .networkFailure("\(configuration.host):\(configuration.port): \(reason)")
        case MOSQ_ERR_EAI.rawValue, MOSQ_ERR_LOOKUP.rawValue:
            return .networkFailure("cannot resolve host '\(configuration.host)'")
        default:
            if configuration.tls != nil, let logged { return .tlsFailure(logged) }
            return .networkFailure("\(configuration.host):\(configuration.port): \(MosquittoLibrary.describe(code))")
        }
    }

    /// Sends DISCONNECT if a connection (or attempt) exists and runs the loop until it is written, so
    /// that the broker discards the will.
    private func disconnectGracefully(_ handle: OpaquePointer) {
        guard mosquitto_socket(handle) != Self.invalidSocket else { return }
        _ = mosquitto_disconnect(handle)
        let deadline = ContinuousClock.now + Self.disconnectGracePeriod
        while mosquitto_socket(handle) != Self.invalidSocket && ContinuousClock.now < deadline {
            let code = mosquitto_loop(handle, 100, 1)
            deliverCompletedPublishes()
            if code != MOSQ_ERR_SUCCESS.rawValue { break }
        }
    }
}
