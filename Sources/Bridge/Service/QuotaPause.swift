import Foundation
import OpenEnergy

/// Whether the pacer holds every request back for more than a minute: the quota is spent until its
/// reset, and the fetch loop waits for it where refresh commands and shutdown are heard.
struct QuotaPause: Sendable {
    let ckw: CKWConnection
    let clock: any OpenEnergyClock

    /// The pacer keeps real time: only comparable when the bridge does too (not in the demo).
    func pausedUntil() async -> Date? {
        guard clock is SystemClock, let wait = await ckw.api.nextRequestWait, wait > .seconds(60) else { return nil }
        return clock.now.addingTimeInterval(wait.timeInterval)
    }
}
