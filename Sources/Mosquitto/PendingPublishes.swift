/// Publications handed to libmosquitto whose completion (write for QoS 0, acknowledgement for QoS 1/2)
/// has not been reported yet, keyed by libmosquitto's message id.
///
/// `publish` calls libmosquitto without holding the client's lock, so a call first *reserves* its
/// place (counted against the bounds), then hands the message over, then *registers* the message id.
/// A completion can beat the registration; it is kept as early and settles the registration at once.
///
/// An entry outlives a cancelled `publish` call: the message is still in libmosquitto's queue, so it
/// keeps counting against the queue bound until the broker acknowledges it.
struct PendingPublishes {
    /// Unsafe (unchecked) because this is the per-message hot path; single resumption is guaranteed by
    /// construction: a waiter is resumed only after being removed from (or never stored in) this
    /// structure under the client's lock.
    typealias Waiter = UnsafeContinuation<Void, any Error>

    struct Entry {
        let token: UInt64
        let qos: MQTTQoS
        var waiter: Waiter?
    }

    /// All pending publications of any QoS, below the 65,535 message ids libmosquitto cycles through.
    static let capacity = 60_000

    private var entries: [Int32: Entry] = [:]
    /// Completions whose `publish` call has not registered its message id yet: id → reason code.
    private var earlyCompletions: [Int32: Int32] = [:]
    private var reservations = 0
    /// QoS 1/2 messages reserved or registered: the ones bounded by `maxQueuedMessages`.
    private(set) var awaitingAcknowledgement = 0

    var count: Int { entries.count + reservations }

    mutating func reserve(qos: MQTTQoS) {
        reservations += 1
        if qos != .atMostOnce { awaitingAcknowledgement += 1 }
    }

    /// The message never reached libmosquitto's queue.
    mutating func releaseReservation(qos: MQTTQoS) {
        reservations -= 1
        if qos != .atMostOnce { awaitingAcknowledgement -= 1 }
    }

    /// Turns a reservation into an entry. Returns the reason code when the message has completed
    /// already; the call is then finished and nothing is stored.
    mutating func register(messageID: Int32, token: UInt64, qos: MQTTQoS, waiter: Waiter?) -> Int32? {
        reservations -= 1
        if let reasonCode = earlyCompletions.removeValue(forKey: messageID) {
            if qos != .atMostOnce { awaitingAcknowledgement -= 1 }
            return reasonCode
        }
        let previous = entries.updateValue(Entry(token: token, qos: qos, waiter: waiter), forKey: messageID)
        precondition(previous == nil, "libmosquitto reused message id \(messageID) while it was still pending")
        return nil
    }

    /// Removes the entry the broker (or the socket write) just completed. An unknown id belongs to a
    /// call between hand-over and registration (if any is under way) and is kept for it.
    mutating func complete(messageID: Int32, reasonCode: Int32) -> Entry? {
        guard let entry = entries.removeValue(forKey: messageID) else {
            if reservations > 0 { earlyCompletions[messageID] = reasonCode }
            return nil
        }
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

    /// At shutdown. Calls still between hand-over and registration notice the shutdown themselves.
    mutating func removeAll() -> [Waiter] {
        let waiters = entries.values.compactMap(\.waiter)
        entries.removeAll()
        earlyCompletions.removeAll()
        awaitingAcknowledgement = 0
        return waiters
    }
}
