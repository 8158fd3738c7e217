import Synchronization
import Logging

extension MQTTClient {
    /// A new sequence of connection events from now on; each call gets its own sequence. It ends when
    /// the client shuts down. Create it before `start()` to see the first connection.
    ///
    /// - Parameter limit: Events kept for a slow consumer; older ones are dropped first.
    public func events(bufferingNewest limit: Int = 256) -> AsyncStream<MQTTConnectionEvent> {
        let (stream, sink) = AsyncStream.makeStream(
            of: MQTTConnectionEvent.self, bufferingPolicy: .bufferingNewest(max(1, limit)))
        let token = makeToken()
        sink.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.eventSinks.removeValue(forKey: token) }
        }
        let registered = state.withLock { state -> Bool in
            guard state.lifecycle != .terminated else { return false }
            state.eventSinks[token] = sink
            return true
        }
        if !registered { sink.finish() }
        return stream
    }

    func emit(_ event: MQTTConnectionEvent) {
        state.withLock { $0.emit(event, logger: logger) }
    }
}

extension MQTTClient.State {
    /// Yields under the lock so that every observer sees events in the order they happened.
    func emit(_ event: MQTTConnectionEvent, logger: Logger) {
        switch event {
        case .connected: logger.info("MQTT \(event)")
        case .disconnected, .connectionFailed: logger.warning("MQTT \(event)")
        case .reconnectScheduled: logger.debug("MQTT \(event)")
        }
        for sink in eventSinks.values { sink.yield(event) }
    }
}
