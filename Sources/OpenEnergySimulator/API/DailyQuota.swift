import Foundation
import Synchronization

/// A daily quota per login on the simulated clock: a fixed 24-hour window that starts with the
/// login's first request; once it is used up, 429 until the window ends.
final class DailyQuota: Sendable {
    private struct Window {
        var start: Date
        var used: Int
    }

    private let windows = Mutex([String: Window]())
    static let window: TimeInterval = 86_400

    /// Counts one request of `user` at `now`; `nil` when there is no daily quota.
    func admit(user: String, limit: Int?, now: Date) -> RateLimiter.Decision? {
        guard let limit else { return nil }
        return windows.withLock { windows in
            var window = windows[user] ?? Window(start: now, used: 0)
            if now.timeIntervalSince(window.start) >= Self.window { window = Window(start: now, used: 0) }
            let allowed = window.used < limit
            if allowed { window.used += 1 }
            windows[user] = window
            let left = window.start.addingTimeInterval(Self.window).timeIntervalSince(now)
            return RateLimiter.Decision(
                allowed: allowed, limit: limit, remaining: limit - window.used, resetMilliseconds: max(0, Int(left * 1000)))
        }
    }
}
