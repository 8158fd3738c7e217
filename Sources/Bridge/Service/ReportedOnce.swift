import Synchronization

/// Remembers what was reported, so that a problem repeated at every poll is logged once.
final class ReportedOnce: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// True the first time `key` is seen.
    func isFirst(_ key: String) -> Bool {
        keys.withLock { $0.insert(key).inserted }
    }
}
