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

/// Every API request the simulator received with a user's valid token, by login (the token's
/// subject's user name), at simulated instants: what a gateway counts against a quota, whatever it
/// answered (a 429, a 5xx, a 401 for a fresh token).
final class RequestLog: Sendable {
    private let requests = Mutex([String: [Date]]())
    private static let limitPerLogin = 100_000

    func record(login: String, at instant: Date) {
        requests.withLock { requests in
            requests[login, default: []].append(instant)
            if requests[login]!.count > Self.limitPerLogin { requests[login]!.removeFirst(Self.limitPerLogin / 10) }
        }
    }

    func requests(of login: String) -> [Date] {
        requests.withLock { $0[login] ?? [] }
    }
}
