import Synchronization
import CMosquitto
import Foundation
import Logging

extension MQTTClient {
    /// Starts the connection thread. Returns at once; the first connection attempt happens on that
    /// thread, and a broker that is down is retried according to the reconnect policy.
    public func start() throws(MQTTError) {
        try state.withLock { state throws(MQTTError) in
            switch state.lifecycle {
            case .idle: state.lifecycle = .running
            case .running: throw .alreadyStarted
            case .shuttingDown, .terminated: throw .shutDown
            }
        }
        // A real thread: the loop blocks in poll() and connect(), which must stay off Swift's
        // cooperative pool. The closure keeps the client alive until the thread ends.
        let thread = Thread { self.runConnectionThread() }
        thread.start()
    }

    /// Runs the client until it is shut down, tied to the calling task: cancelling the task shuts the
    /// client down (sending DISCONNECT) and `run()` returns once everything is released.
    public func run() async throws {
        try start()
        await withTaskCancellationHandler {
            await waitUntilTerminated()
        } onCancel: {
            beginShutdown()
        }
    }

    /// Sends DISCONNECT (so the broker discards the will), stops the connection thread and frees the
    /// libmosquitto handle. Pending publications fail with `MQTTError.shutDown`; subscriptions and event
    /// sequences end. Safe to call more than once and from several tasks.
    public func shutdown() async {
        beginShutdown()
        await waitUntilTerminated()
    }

    /// Asks the connection thread to stop, waking it wherever it waits.
    func beginShutdown() {
        let neverStarted = state.withLock { state -> Bool in
            switch state.lifecycle {
            case .idle:
                state.lifecycle = .shuttingDown
                return true
            case .running:
                state.lifecycle = .shuttingDown
                // Queues DISCONNECT; without a socket it returns MOSQ_ERR_NO_CONN.
                if let handle = state.handle?.raw { _ = mosquitto_disconnect(handle) }
                return false
            case .shuttingDown, .terminated:
                return false
            }
        }
        connectionThread.wake()
        if neverStarted { tearDown() }
    }

    var isShuttingDown: Bool {
        state.withLock { $0.lifecycle != .running }
    }

    func waitUntilTerminated() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let terminated = state.withLock { state -> Bool in
                guard state.lifecycle != .terminated else { return true }
                state.terminationWaiters.append(waiter)
                return false
            }
            if terminated { waiter.resume() }
        }
    }

    /// Releases everything once no connection thread uses the handle any more: fails what still
    /// waits, ends all sequences and destroys the handle.
    func tearDown() {
        let (handle, leftovers) = state.withLock { state in
            let handle = state.handle
            state.handle = nil
            state.lifecycle = .terminated
            state.isConnected = false
            let leftovers = Leftovers(
                publishWaiters: state.publishes.removeAll(),
                subscriptions: state.subscriptions.removeAll(),
                eventSinks: Array(state.eventSinks.values),
                terminationWaiters: state.terminationWaiters)
            state.eventSinks.removeAll()
            state.terminationWaiters.removeAll()
            return (handle, leftovers)
        }
        if let handle {
            // A `publish` may still be inside libmosquitto (it found the handle before it was taken).
            while state.withLock({ $0.callersInLibrary }) > 0 { sched_yield() }
            mosquitto_destroy(handle.raw)
        }
        for waiter in leftovers.publishWaiters { waiter.resume(throwing: MQTTError.shutDown) }
        for subscription in leftovers.subscriptions {
            subscription.waiter?.resume(throwing: MQTTError.shutDown)
            subscription.sink.finish()
        }
        for sink in leftovers.eventSinks { sink.finish() }
        for waiter in leftovers.terminationWaiters { waiter.resume() }
        logger.debug("MQTT client shut down", metadata: ["client": "\(configuration.clientID)"])
    }

    private struct Leftovers {
        var publishWaiters: [PendingPublishes.Waiter]
        var subscriptions: [SubscriptionRegistry.Subscription]
        var eventSinks: [AsyncStream<MQTTConnectionEvent>.Continuation]
        var terminationWaiters: [CheckedContinuation<Void, Never>]
    }
}
