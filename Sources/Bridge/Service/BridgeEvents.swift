import Synchronization

/// Where the bridge's events go: to `BridgeOptions.observer` as they happen (tests, the
/// benchmark), and to every stream taken with `stream()` (the statistics output, memory upkeep).
final class BridgeEvents: Sendable {
    private let observer: (@Sendable (BridgeEvent) -> Void)?
    private let subscribers = Mutex<Subscribers>(Subscribers())

    private struct Subscribers {
        var next = 0
        var continuations: [Int: AsyncStream<BridgeEvent>.Continuation] = [:]
        var finished = false
    }

    init(observer: (@Sendable (BridgeEvent) -> Void)?) {
        self.observer = observer
    }

    func emit(_ kind: BridgeEvent.Kind) {
        let event = BridgeEvent(kind)
        observer?(event)
        for continuation in subscribers.withLock({ Array($0.continuations.values) }) {
            continuation.yield(event)
        }
    }

    /// Every event from now on, until the bridge stops; nothing is dropped, so a subscriber taken
    /// before the bridge runs misses none.
    func stream() -> AsyncStream<BridgeEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: BridgeEvent.self, bufferingPolicy: .unbounded)
        let id: Int? = subscribers.withLock { subscribers in
            guard !subscribers.finished else { return nil }
            defer { subscribers.next += 1 }
            subscribers.continuations[subscribers.next] = continuation
            return subscribers.next
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    /// The bridge stopped: every stream ends.
    func finish() {
        let continuations = subscribers.withLock { subscribers in
            subscribers.finished = true
            defer { subscribers.continuations = [:] }
            return Array(subscribers.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
