/// Publications handed to libmosquitto whose completion (write for QoS 0, acknowledgement for QoS 1/2)
/// has not been reported yet, keyed by libmosquitto's message id.
///
/// An entry outlives a cancelled `publish` call: the message is still in libmosquitto's queue, so it
/// keeps counting against the queue bound until the broker acknowledges it.
struct PendingPublishes {
    typealias Waiter = CheckedContinuation<Void, any Error>

    struct Entry {
        let token: UInt64
        let qos: MQTTQoS
        var waiter: Waiter?
    }

    /// All pending publications of any QoS, below the 65,535 message ids libmosquitto cycles through.
    static let capacity = 60_000

    private var entries: [Int32: Entry] = [:]
    /// QoS 1/2 entries, the ones bounded by `maxQueuedMessages`.
    private(set) var awaitingAcknowledgement = 0

    var count: Int { entries.count }

    mutating func insert(messageID: Int32, token: UInt64, qos: MQTTQoS, waiter: Waiter) {
        let previous = entries.updateValue(Entry(token: token, qos: qos, waiter: waiter), forKey: messageID)
        precondition(previous == nil, "libmosquitto reused message id \(messageID) while it was still pending")
        if qos != .atMostOnce { awaitingAcknowledgement += 1 }
    }

    /// Removes the entry the broker (or the socket write) just completed.
    mutating func complete(messageID: Int32) -> Entry? {
        guard let entry = entries.removeValue(forKey: messageID) else { return nil }
        if entry.qos != .atMostOnce { awaitingAcknowledgement -= 1 }
        return entry
    }

    /// Detaches the waiter of a cancelled call; the entry stays until the message completes. Linear,
    /// but only cancellation pays for it.
    mutating func detachWaiter(token: UInt64) -> Waiter? {
        guard let index = entries.firstIndex(where: { $0.value.token == token }) else { return nil }
        let waiter = entries.values[index].waiter
        entries.values[index].waiter = nil
        return waiter
    }

    /// QoS 0 messages die with the connection: libmosquitto drops unsent packets when it closes the
    /// socket and never reports them.
    mutating func removeAtMostOnce() -> [Waiter] {
        var waiters: [Waiter] = []
        entries = entries.filter { _, entry in
            guard entry.qos == .atMostOnce else { return true }
            if let waiter = entry.waiter { waiters.append(waiter) }
            return false
        }
        return waiters
    }

    mutating func removeAll() -> [Waiter] {
        let waiters = entries.values.compactMap(\.waiter)
        entries.removeAll()
        awaitingAcknowledgement = 0
        return waiters
    }
}
