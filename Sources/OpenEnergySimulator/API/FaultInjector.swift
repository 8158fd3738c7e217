import Synchronization

/// The queue of injected API faults: each entry spoils the next `count` fitting responses.
final class FaultInjector: Sendable {
    private struct Entry {
        var fault: APIFault
        var remaining: Int
    }

    private let queue = Mutex([Entry]())

    func inject(_ fault: APIFault, count: Int) {
        guard count > 0 else { return }
        queue.withLock { $0.append(Entry(fault: fault, remaining: count)) }
    }

    func clear() {
        queue.withLock { $0.removeAll() }
    }

    /// Faults still queued, with how many responses each will spoil.
    var pending: [(fault: APIFault, remaining: Int)] {
        queue.withLock { $0.map { ($0.fault, $0.remaining) } }
    }

    /// Takes the fault for the next response (first in, first out), if any applies to it.
    func next(isCoreData: Bool) -> APIFault? {
        queue.withLock { queue in
            guard let index = queue.firstIndex(where: { !isCoreData || $0.fault.appliesToCoreData }) else { return nil }
            let fault = queue[index].fault
            queue[index].remaining -= 1
            if queue[index].remaining == 0 { queue.remove(at: index) }
            return fault
        }
    }
}
