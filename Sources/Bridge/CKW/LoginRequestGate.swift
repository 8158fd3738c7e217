import Foundation
import OpenEnergy
import Synchronization

/// The hard limit of a login's daily quota (`ckw.api.daily_request_limit`): every request of the
/// login (meter data, core data, retries, statistics) passes here, and none goes out once the
/// last 24 hours hold `limit` of them. The planner plans within the budget less a reserve; this
/// holds even when retries and core data come on top. Times are on the bridge's clock, as the
/// planner counts them.
final class LoginRequestGate: Sendable {
    private let limit: Int
    private let clock: any OpenEnergyClock
    private let sent = Mutex<[Date]>([])

    init(limit: Int, clock: any OpenEnergyClock) {
        self.limit = limit
        self.clock = clock
    }

    /// The requests the saved state knows (sent before this start).
    func remember(_ dates: [Date]) {
        sent.withLock { $0 = ($0 + dates).sorted() }
    }

    /// Lets one request go out and counts it, or throws `OpenEnergyError.budgetSpent`.
    func admit(endpoint: String) throws {
        let now = clock.now
        try sent.withLock { (sent: inout [Date]) throws(OpenEnergyError) in
            sent.removeAll { now.timeIntervalSince($0) >= 86_400 || $0 > now.addingTimeInterval(86_400) }
            let recent = sent.filter { $0 <= now }
            if recent.count >= limit, let oldest = recent.min() {
                throw OpenEnergyError.budgetSpent(endpoint: endpoint, limit: limit, until: oldest.addingTimeInterval(86_400))
            }
            sent.append(now)
        }
    }

    /// A step of the wall clock: the times recorded before it move with it (see `FetchPlanner`).
    func clockJumped(by seconds: TimeInterval, recorded: ClosedRange<Date>) {
        sent.withLock { sent in
            sent = sent.map { recorded.contains($0) ? $0.addingTimeInterval(seconds) : $0 }.sorted()
        }
    }
}
