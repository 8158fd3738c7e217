import OpenEnergy
import Synchronization

/// The queue of injected API faults: each entry spoils the next `count` fitting responses.
final class FaultInjector: Sendable {
    private struct Entry {
        var fault: APIFault
        var remaining: Int
    }

    private let queue = Mutex([Entry]())
    /// Quarter hours (start, epoch seconds) left out of every meter data answer, for good.
    private let omitted = Mutex(Set<Int>())

    func omitInterval(startingAt epochSeconds: Int) {
        _ = omitted.withLock { $0.insert(epochSeconds) }
    }

    /// Removes the omitted quarter hours from the interval series of an answer.
    func omitIntervals(from meterData: inout OpenEnergyWire.MeterData) {
        let starts = omitted.withLock { $0 }
        guard !starts.isEmpty else { return }
        let texts = Set(starts.map { UTCTimestamp.format($0) })
        for index in meterData.series.indices where meterData.series[index].resolution == "PT15M" {
            meterData.series[index].values.removeAll { texts.contains($0.start) }
        }
    }

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
