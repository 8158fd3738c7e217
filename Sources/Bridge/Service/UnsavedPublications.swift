import Synchronization

/// What could not be published because the state it shows could not be saved (a read-only or full
/// state directory): published right after the next save that works, instead of at the next poll or
/// core data read that happens to touch the same metering points.
final class UnsavedPublications: Sendable {
    private let work = Mutex<PublishWork?>(nil)

    var isPending: Bool { work.withLock { $0 != nil } }

    func add(_ more: PublishWork) {
        work.withLock { work in
            if work == nil { work = more } else { work!.merge(more) }
        }
    }

    /// The collected work, now that the state is on disk; `nil` when there is none.
    func take() -> PublishWork? {
        work.withLock { work in
            defer { work = nil }
            return work
        }
    }
}
