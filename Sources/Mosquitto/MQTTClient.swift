import CMosquitto
import Logging
import Synchronization

/// An MQTT client over libmosquitto that stays connected: it connects even when the broker is down
/// at start-up, reconnects after every loss with exponential backoff and full jitter, restores its
/// subscriptions, and queues QoS 1/2 messages while disconnected.
///
/// All network work runs on a dedicated thread of the client (never on Swift's cooperative pool).
/// Use it either tied to a task with `run()` (cancelling the task shuts it down) or with `start()`
/// and `shutdown()`.
///
/// ```swift
/// let client = try MQTTClient(configuration: .init(host: "127.0.0.1", clientID: "ckw2mqtt"))
/// try client.start()
/// try await client.publish(topic: "ckw2mqtt/status", payload: "online", retain: true)
/// await client.shutdown()
/// ```
public final class MQTTClient: Sendable {
    public let configuration: Configuration
    let logger: Logger
    let state: Mutex<State>
    /// The connection thread's waiting and jobs; see `executor`.
    let connectionThread: ConnectionThreadExecutor
    /// Identifies `publish` and `subscribe` calls for cancellation, and observers for removal.
    private let nextToken = Atomic<UInt64>(1)
    /// The latest error line libmosquitto logged: the OpenSSL details of a TLS failure exist only
    /// there. A lock of its own because libmosquitto also logs from inside calls made under `state`.
    let lastLoggedError = Mutex<String?>(nil)
    /// Completed publications of the current loop call (connection thread only).
    let completions = CompletionBuffer()

    /// Mutable state shared by callers and the connection thread, always accessed under `state`.
    struct State {
        /// The libmosquitto handle; `nil` once destroyed. Every use outside the connection thread
        /// happens under the lock while it is non-nil, so destroying it cannot race with a caller.
        var handle: MosquittoHandle?
        var lifecycle: Lifecycle = .idle
        var isConnected = false
        /// Set by a CONNACK that refused the current attempt.
        var refusal: MQTTError?
        /// Counts connections that ended; a QoS 0 message handed over in an earlier one may be lost.
        var connectionEpoch = 0
        /// `publish` calls inside libmosquitto without the lock; the handle lives until they are out.
        var callersInLibrary = 0
        /// Whether the broker accepted the current connection attempt at some point.
        var connectedThisAttempt = false
        var publishes = PendingPublishes()
        var subscriptions = SubscriptionRegistry()
        var eventSinks: [UInt64: AsyncStream<MQTTConnectionEvent>.Continuation] = [:]
        var terminationWaiters: [CheckedContinuation<Void, Never>] = []
    }

    enum Lifecycle {
        case idle, running, shuttingDown, terminated
    }

    /// Creates the client and its libmosquitto handle. Nothing connects until `start()` or `run()`.
    ///
    /// - Throws: `MQTTError.invalidConfiguration` when the configuration cannot work (for example an
    ///   unreadable CA file or an invalid will topic).
    public init(configuration: Configuration, logger: Logger = Logger(label: "Mosquitto", factory: { _ in SwiftLogNoOpLogHandler() })) throws {
        MosquittoLibrary.initializeOnce()
        try configuration.validate()
        let handle = try HandleFactory.makeHandle(for: configuration)
        do {
            self.connectionThread = try ConnectionThreadExecutor()
        } catch {
            mosquitto_destroy(handle)
            throw error
        }
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(handle: MosquittoHandle(raw: handle)))
        let userData = Unmanaged.passUnretained(self).toOpaque()
        state.withLock { state in
            guard let handle = state.handle?.raw else { return }
            mosquitto_user_data_set(handle, userData)
            // libmosquitto formats a log line for every packet once a log callback is set; only pay for
            // it when the lines are wanted (TLS failures are explained only in the log).
            Callbacks.install(on: handle, forwardingLogs: configuration.tls != nil || logger.logLevel <= .debug)
        }
    }

    deinit {
        // Only reachable when the connection thread never ran or has finished (it holds a strong
        // reference while running), so nobody else can be using the handle.
        state.withLock { state in
            if let handle = state.handle?.raw { mosquitto_destroy(handle) }
        }
    }

    /// The client's connection thread as a task executor. A task that publishes at a high rate can
    /// prefer it (`withTaskExecutorPreference(client.executor) { ... }`, or
    /// `group.addTask(executorPreference: client.executor)`): its publications and their completions
    /// then happen on one thread, without a hand-off between threads per message.
    ///
    /// Work on it must be short and must not block: while a job runs, the connection does no I/O, and
    /// during a connection attempt jobs wait. Before `start()` and after shutdown, jobs run on the
    /// global concurrent executor instead.
    public var executor: some TaskExecutor { connectionThread }

    /// Whether the broker has accepted the current connection.
    public var isConnected: Bool { state.withLock { $0.isConnected } }

    /// QoS 1/2 messages handed to libmosquitto and not yet acknowledged, including those queued while
    /// disconnected; bounded by `Configuration.maxQueuedMessages`.
    public var unacknowledgedMessageCount: Int { state.withLock { $0.publishes.awaitingAcknowledgement } }

    func makeToken() -> UInt64 { nextToken.wrappingAdd(1, ordering: .relaxed).oldValue }
}
