import Foundation
import OpenEnergy
import Synchronization

/// Wakes the fetch loop early: a refresh command, a reloaded login, new core data. Signals that
/// arrive while nobody waits are kept (coalesced into one), so none is lost between two waits.
final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at `deadline` on `clock`, after `realTimeLimit` of real time (if given), on a signal,
    /// when `jumps` sees the wall clock stepped (looking every `jumpCheckInterval` of real time) or
    /// on cancellation, whichever comes first. The wait runs on the monotonic clock: it lasts as
    /// long as `deadline` is away when it begins. One waiter at a time.
    func wait(
        until deadline: Date, on clock: any OpenEnergyClock, realTimeLimit: Duration? = nil,
        returningOnJumpOf jumps: ClockJumpDetector? = nil, jumpCheckInterval: Duration = .seconds(10)
    ) async {
        let monotonicDeadline = clock.monotonicDeadline(for: deadline)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(until: monotonicDeadline) }
            if let realTimeLimit {
                group.addTask { try? await Task.sleep(for: realTimeLimit) }
            }
            if let jumps {
                group.addTask {
                    while !Task.isCancelled, !jumps.hasJumped(clock) {
                        try? await Task.sleep(for: jumpCheckInterval)
                    }
                }
            }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
