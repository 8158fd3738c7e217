import Foundation
import Synchronization

/// MuleSoft's rate-limiting policy per user: a fixed window that starts with the user's first request;
/// when the quota is used up, 429 without `Retry-After` until the window ends. Real time.
final class RateLimiter: Sendable {
    struct Decision: Sendable, Equatable {
        let allowed: Bool
        let limit: Int
        let remaining: Int
        /// Milliseconds until the window resets (MuleSoft's `X-Ratelimit-Reset`).
        let resetMilliseconds: Int
    }

    private struct Window {
        var start: ContinuousClock.Instant
        var used: Int
    }

    private struct State {
        var settings: SimulatorConfiguration.RateLimit?
        var windows: [String: Window] = [:]
    }

    private let state: Mutex<State>

    init(settings: SimulatorConfiguration.RateLimit?) {
        self.state = Mutex(State(settings: settings))
    }

    var settings: SimulatorConfiguration.RateLimit? {
        state.withLock { $0.settings }
    }

    /// Changes (or with `nil` switches off) the limit; running windows start over.
    func configure(_ settings: SimulatorConfiguration.RateLimit?) {
        state.withLock { state in
            state.settings = settings
            state.windows = [:]
        }
    }

    /// Counts one request of `user`; `nil` when rate limiting is off.
    func admit(user: String, now: ContinuousClock.Instant = .now) -> Decision? {
        state.withLock { state in
            guard let settings = state.settings else { return nil }
            var window = state.windows[user] ?? Window(start: now, used: 0)
            if now - window.start >= settings.window {
                window = Window(start: now, used: 0)
            }
            let allowed = window.used < settings.limit
            if allowed { window.used += 1 }
            state.windows[user] = window
            let left = settings.window - (now - window.start)
            let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            return Decision(
                allowed: allowed,
                limit: settings.limit,
                remaining: settings.limit - window.used,
                resetMilliseconds: max(0, Int(milliseconds))
            )
        }
    }
}
