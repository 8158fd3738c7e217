import Foundation
import OpenEnergy
import OpenEnergySimulator
import Testing

/// The user's login while the wall clock is stepped (a box that booted with a stale clock, set by
/// NTP later): a token is refreshed when it really nears its end, not hours late or days early, and
/// never in a storm.
@Suite("Tokens across steps of the wall clock")
struct TokenClockJumpTests {
    @Test("the clock set back 3 h: the token is still refreshed at 75 % of its real lifetime, once")
    func stepBack() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let first = try await harness.loginAndStore()
            let lifetime = first.accessTokenExpiresAt.timeIntervalSince(first.obtainedAt)
            let clock = ManualClock(now: first.obtainedAt)
            let manager = try await harness.tokenManager(clock: clock)
            #expect(try await manager.accessToken() == first.accessToken)

            clock.step(by: -3 * 3600)
            clock.advance(by: lifetime * 0.7)
            #expect(try await manager.accessToken() == first.accessToken)
            // Past 75 % in real time, though the wall clock shows hours before the token was issued.
            clock.advance(by: lifetime * 0.1)
            let second = try await manager.accessToken()
            #expect(second != first.accessToken)
            for _ in 1...5 { #expect(try await manager.accessToken() == second) }
            #expect(try harness.tokenStore.load()?.accessToken == second)
        }
    }

    @Test("the clock set forward 2 days: the live token is kept until 75 % of its real lifetime, then refreshed once")
    func stepForward() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let first = try await harness.loginAndStore()
            let lifetime = first.accessTokenExpiresAt.timeIntervalSince(first.obtainedAt)
            let clock = ManualClock(now: first.obtainedAt)
            let manager = try await harness.tokenManager(clock: clock)
            #expect(try await manager.accessToken() == first.accessToken)

            clock.step(by: 2 * 86_400)
            #expect(try await manager.accessToken() == first.accessToken)
            clock.advance(by: lifetime * 0.7)
            #expect(try await manager.accessToken() == first.accessToken)
            clock.advance(by: lifetime * 0.1)
            let second = try await manager.accessToken()
            #expect(second != first.accessToken)
            for _ in 1...5 { #expect(try await manager.accessToken() == second) }
            // The new token's dates are on the new clock: it lives its full lifetime from here.
            clock.advance(by: lifetime * 0.7)
            #expect(try await manager.accessToken() == second)
        }
    }

    @Test("tokens written when the clock was a day ahead of ours (booted stale): refreshed at first use, once")
    func writtenOnALaterClock() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let first = try await harness.loginAndStore()
            let clock = ManualClock(now: first.obtainedAt.addingTimeInterval(-86_400))
            let manager = try await harness.tokenManager(clock: clock)
            let second = try await manager.accessToken()
            #expect(second != first.accessToken)
            for _ in 1...5 { #expect(try await manager.accessToken() == second) }
        }
    }
}
