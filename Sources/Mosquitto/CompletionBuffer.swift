/// Publications completed during one round of the connection thread (read, write, keep-alive),
/// collected without locking and handed over in one batch afterwards: taking the client's lock once
/// per round instead of once per message keeps the connection thread from contending with
/// publishers message by message.
///
/// Only the connection thread touches it (libmosquitto calls `on_publish` on the thread that runs the
/// loop), which is what makes the unchecked `Sendable` sound.
final class CompletionBuffer: @unchecked Sendable {
    struct Completion {
        let messageID: Int32
        let reasonCode: Int32
    }

    private(set) var completions: [Completion] = []
    /// The callers to resume for `completions`, found under the client's lock and resumed after it.
    /// Kept here so that neither array is reallocated per loop round.
    var finished: [(waiter: PendingPublishes.Waiter, reasonCode: Int32)] = []

    init() {
        completions.reserveCapacity(1_024)
        finished.reserveCapacity(1_024)
    }

    var isEmpty: Bool { completions.isEmpty }

    func append(messageID: Int32, reasonCode: Int32) {
        completions.append(Completion(messageID: messageID, reasonCode: reasonCode))
    }

    func removeAll() {
        completions.removeAll(keepingCapacity: true)
        finished.removeAll(keepingCapacity: true)
    }
}
