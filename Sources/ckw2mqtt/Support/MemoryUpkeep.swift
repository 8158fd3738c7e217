import Bridge
import Logging
import Synchronization

/// Keeps `ckw2mqtt run`'s resident memory at what the steady state uses, driven by the bridge's
/// events: once caught up, the pages only start-up used are given back; a few seconds after each
/// state save (the end of a burst of work), the heap's free pages are.
final class MemoryUpkeep: Sendable {
    /// Long enough for the publisher to finish the states of the first round.
    static let releaseDelay: Duration = .seconds(10)
    /// Saves within this window share one trim; the publisher finishes meanwhile.
    static let trimDelay: Duration = .seconds(5)

    private let logger: Logger
    private let trimPending = Mutex(false)

    init(logger: Logger) {
        self.logger = logger
    }

    func observe(_ event: BridgeEvent) {
        switch event.kind {
        case .caughtUp:
            // Sent once per run.
            Task { [logger] in
                try? await Task.sleep(for: Self.releaseDelay)
                StartupPageRelease.release(logger: logger)
            }
        case .stateSaved:
            let alreadyPending = trimPending.withLock { pending in
                defer { pending = true }
                return pending
            }
            guard !alreadyPending else { return }
            Task { [self] in
                try? await Task.sleep(for: Self.trimDelay)
                trimPending.withLock { $0 = false }
                MemoryTuning.trim()
            }
        default:
            break
        }
    }
}
