import Synchronization
import TestSupport

/// Consumes an async sequence in the background and remembers everything it produced, so a test can
/// wait for a condition on what arrived so far (connection events, received messages).
final class Recorder<Element: Sendable>: Sendable {
    private final class Storage: Sendable {
        let items = Mutex<[Element]>([])
        let finished = Mutex(false)
    }

    private let storage = Storage()
    private let task: Task<Void, Never>

    init<Sequence: AsyncSequence & Sendable>(_ sequence: Sequence) where Sequence.Element == Element {
        let storage = storage
        task = Task {
            do {
                for try await item in sequence {
                    storage.items.withLock { $0.append(item) }
                }
            } catch {}
            storage.finished.withLock { $0 = true }
        }
    }

    deinit { task.cancel() }

    var items: [Element] { storage.items.withLock { $0 } }
    var isFinished: Bool { storage.finished.withLock { $0 } }

    /// Waits until `predicate` holds for the items so far and returns them. The timeout only keeps a
    /// broken test from hanging; the tests assert what arrived, never how fast.
    @discardableResult
    func waitUntil(
        _ description: String, timeout: Duration = .seconds(20), _ predicate: ([Element]) -> Bool
    ) async throws -> [Element] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let items = self.items
            if predicate(items) { return items }
            if ContinuousClock.now >= deadline {
                throw TestFailure("timed out waiting for \(description); received \(items.count) so far, the last: \(items.suffix(5))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func waitForCount(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [Element] {
        try await waitUntil("\(count) items", timeout: timeout) { $0.count >= count }
    }
}
