import Synchronization
import CMosquitto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The connection thread: connect, service the socket while connected, back off and reconnect,
/// forever until shutdown. libmosquitto's own threaded loop is not used because in 2.0.11 it never
/// retries a failed first connect, stops for good on TLS or authentication errors, and has no jitter.
/// `mosquitto_loop` is not used either: its `pselect` cannot also wait for the jobs of the thread's
/// executor, so the thread polls itself and calls libmosquitto's read, write and keep-alive steps.
extension MQTTClient {
    /// How long one wait may last without traffic. Publishing, subscribing, jobs and shutting down
    /// wake it at once; this only bounds keep-alive bookkeeping latency.
    private static let loopTimeoutMilliseconds: Int32 = 1_000
    /// How long a shutdown waits for DISCONNECT to be written before closing anyway.
    private static let disconnectGracePeriod: Duration = .seconds(3)
    private static let invalidSocket: Int32 = -1

    /// The name of the connection thread (as `top -H` and debuggers show it): "MQTT " and the
    /// client id, cut to the 15 bytes Linux keeps.
    public var connectionThreadName: String {
        ThreadName.make("MQTT \(configuration.clientID)")
    }

    func runConnectionThread() {
        ThreadName.setCurrent(connectionThreadName)
        connectionThread.beginServing()
        guard let handle = state.withLock({ $0.handle })?.raw else {
            connectionThread.endServing()
            return
        }
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
            waitBeforeReconnecting(.nanoseconds(Int64(ReconnectPolicy.nanoseconds(delay))))
        }
        disconnectGracefully(handle)
        deliverCompletedPublishes()
        // Jobs enqueued from here on (the waiters resumed by tearDown) run elsewhere.
        connectionThread.endServing()
        tearDown()
    }

    /// The backoff: runs jobs, ends early on shutdown.
    private func waitBeforeReconnecting(_ delay: Duration) {
        let deadline = ContinuousClock.now + delay
        while !isShuttingDown {
            connectionThread.runQueuedJobs()
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return }
            let milliseconds = Int32(min((remaining / .milliseconds(1)).rounded(.up), Double(Int32.max)))
            _ = connectionThread.wait(
                socket: nil, wantsWrite: { false }, isInterrupted: { isShuttingDown }, timeoutMilliseconds: milliseconds)
        }
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
            let (code, errnoValue) = serviceSocketOnce(
                handle, timeoutMilliseconds: Self.loopTimeoutMilliseconds, isInterrupted: { isShuttingDown })
            if code != MOSQ_ERR_SUCCESS.rawValue { return (code, errnoValue) }
        }
    }

    /// One round of what `mosquitto_loop` does, plus the executor's jobs: run the queued jobs, wait for
    /// the socket, read, write, keep-alive, then resume the callers of completed publications.
    private func serviceSocketOnce(
        _ handle: OpaquePointer, timeoutMilliseconds: Int32, isInterrupted: () -> Bool
    ) -> (code: Int32, errnoValue: Int32) {
        connectionThread.runQueuedJobs()
        let socket = mosquitto_socket(handle)
        guard socket != Self.invalidSocket else { return (MOSQ_ERR_NO_CONN.rawValue, 0) }
        let readiness = connectionThread.wait(
            socket: socket, wantsWrite: { mosquitto_want_write(handle) }, isInterrupted: isInterrupted,
            timeoutMilliseconds: timeoutMilliseconds)
        var code = MOSQ_ERR_SUCCESS.rawValue
        // max_packets is not used by libmosquitto 2.0 for reading (it reads as many as are queued).
        if readiness.readable {
            code = mosquitto_loop_read(handle, 1)
        }
        if code == MOSQ_ERR_SUCCESS.rawValue && readiness.writable && mosquitto_socket(handle) != Self.invalidSocket {
            // One call writes every queued packet until the socket would block.
            code = mosquitto_loop_write(handle, 1)
        }
        if code == MOSQ_ERR_SUCCESS.rawValue {
            code = mosquitto_loop_misc(handle)
        }
        let errnoValue = errno
        deliverCompletedPublishes()
        return (code, errnoValue)
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
            // Not interrupted by the shutdown under way: it waits for the DISCONNECT to be written.
            let (code, _) = serviceSocketOnce(handle, timeoutMilliseconds: 100, isInterrupted: { false })
            if code != MOSQ_ERR_SUCCESS.rawValue { break }
        }
    }
}
