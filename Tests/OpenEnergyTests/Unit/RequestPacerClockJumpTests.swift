import Foundation
import Testing

@testable import OpenEnergy

/// The pacer's waits while the wall clock is stepped (NTP setting a box's stale clock): they last
/// as long as they were meant to in real time, whichever way the wall clock moves.
@Suite("Request pacer: steps of the wall clock", .timeLimit(.minutes(1)))
struct RequestPacerClockJumpTests {
    typealias Reply = RequestPacerTests.Reply

    func run(_ pacer: RequestPacer, _ server: RequestPacerTests.ScriptedServer) async throws -> Reply {
        try await pacer.run(
            { try await server.answer() },
            classify: { .response(statusCode: $0.status, rateLimit: $0.rateLimit) },
            isRetryable: { $0 is RequestPacerTests.NetworkDown }
        )
    }

    /// Starts a call, lets it reach its wait and returns how long (wall-clock seconds, as asked)
    /// it waits; then lets that much time pass and checks the call completes.
    func waitOfNextCall(_ pacer: RequestPacer, _ server: RequestPacerTests.ScriptedServer, _ clock: ManualClock) async throws -> TimeInterval {
        let asked = clock.now
        let attemptsBefore = server.attempts
        let sleptBefore = clock.requestedDeadlines.count
        let call = Task { try await run(pacer, server) }
        // Either the call waits on the clock or it goes out at once (then it finishes on its own).
        while clock.sleeperCount == 0, server.attempts == attemptsBefore { try await Task.sleep(for: .milliseconds(1)) }
        guard clock.requestedDeadlines.count > sleptBefore else {
            _ = try await call.value
            return 0
        }
        let wait = try #require(clock.requestedDeadlines.last).timeIntervalSince(asked)
        clock.advance(by: wait)
        #expect(try await call.value.status == 200)
        return wait
    }

    @Test("the clock set back 3 h after a 429 with Retry-After 60 s: the next request waits 60 s, not 3 h")
    func stepBackDoesNotStretchRetryAfter() async throws {
        let clock = ManualClock()
        let start = clock.now
        let limited = RateLimitStatus(remaining: 0, resetAt: start.addingTimeInterval(600), retryAfter: start.addingTimeInterval(60), observedAt: start)
        let server = RequestPacerTests.ScriptedServer([.success(Reply(status: 429, rateLimit: limited))])
        let pacer = RequestPacer(policy: .init(maximumAttempts: 1), clock: clock, unitRandom: { 0.5 })
        #expect(try await run(pacer, server).status == 429)

        clock.step(by: -3 * 3600)
        // What the fetch loop reads to decide whether the quota pauses it.
        #expect(await pacer.nextRequestWait == .seconds(60))
        #expect(await pacer.nextRequestNotBefore == clock.now.addingTimeInterval(60))
        #expect(try await waitOfNextCall(pacer, server, clock) == 60)
        #expect(server.attempts == 2)
    }

    @Test("the clock set forward 2 days while the quota is spent: the next request still waits for the window's reset")
    func stepForwardDoesNotSkipTheQuotaWait() async throws {
        let clock = ManualClock()
        let start = clock.now
        // Down to the reserve: the next request waits for the reset, an hour away in real time.
        let spent = RateLimitStatus(limit: 100, remaining: 2, resetAt: start.addingTimeInterval(3600), observedAt: start)
        let server = RequestPacerTests.ScriptedServer([.success(Reply(status: 200, rateLimit: spent))])
        let pacer = RequestPacer(policy: .init(reserve: 2), clock: clock, unitRandom: { 0.5 })
        #expect(try await run(pacer, server).status == 200)

        clock.advance(by: 600)
        clock.step(by: 2 * 86_400)
        #expect(await pacer.nextRequestWait == .seconds(3000))
        #expect(try await waitOfNextCall(pacer, server, clock) == 3000)
    }

    @Test("a backoff after 5xx keeps its length when the clock is set back by a day in the middle of it")
    func stepBackDuringBackoff() async throws {
        let clock = ManualClock()
        let server = RequestPacerTests.ScriptedServer([.success(Reply(status: 502, rateLimit: RateLimitStatus(observedAt: clock.now)))])
        // 0.5 of a 4 s base: the first backoff is 2 s.
        let pacer = RequestPacer(policy: .init(maximumAttempts: 1, backoffBase: 4), clock: clock, unitRandom: { 0.5 })
        #expect(try await run(pacer, server).status == 502)
        clock.advance(by: 1)
        clock.step(by: -86_400)
        #expect(await pacer.nextRequestWait == .seconds(1))
        #expect(try await waitOfNextCall(pacer, server, clock) == 1)
    }
}
