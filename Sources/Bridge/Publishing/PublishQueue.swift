import Synchronization

/// Hands `PublishWork` from the producers (fetch loop, connection events, Home Assistant's birth)
/// to the one publisher task, merging whatever arrives while it is busy.
final class PublishQueue: Sendable {
    private struct State {
        var pending = PublishWork()
        var waiter: CheckedContinuation<PublishWork?, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    func enqueue(_ work: PublishWork) {
        guard !work.isEmpty else { return }
        let handOver = state.withLock { state -> (CheckedContinuation<PublishWork?, Never>, PublishWork)? in
            guard !state.closed else { return nil }
            state.pending.merge(work)
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            defer { state.pending = PublishWork() }
            return (waiter, state.pending)
        }
        if let (waiter, work) = handOver { waiter.resume(returning: work) }
    }

    /// The work accumulated so far, waiting until there is some; `nil` once closed or cancelled.
    func next() async -> PublishWork? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<PublishWork?, Never>) in
                let immediate = state.withLock { state -> PublishWork?? in
                    if state.closed || Task.isCancelled { return .some(nil) }
                    if !state.pending.isEmpty {
                        defer { state.pending = PublishWork() }
                        return .some(state.pending)
                    }
                    state.waiter = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            close()
        }
    }

    /// Ends `next()`; later work is dropped.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<PublishWork?, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
