import Foundation
import Synchronization
import Testing

@testable import OpenEnergy

/// The pacer's behaviour with a manual clock: it never sleeps for real, so each test advances time itself.
@Suite("Request pacer")
struct RequestPacerTests {
    struct Reply: Sendable {
        var status: Int
        var rateLimit: RateLimitStatus
    }

    struct NetworkDown: Error {}

    /// Answers attempts from a script and records how many ran at once.
    final class ScriptedServer: Sendable {
        private struct State {
            var replies: [Result<Reply, NetworkDown>]
            var attempts = 0
            var inFlight = 0
            var maximumInFlight = 0
        }

        private let state: Mutex<State>

        init(_ replies: [Result<Reply, NetworkDown>]) {
            state = Mutex(State(replies: replies))
        }

        var attempts: Int { state.withLock { $0.attempts } }
        var maximumInFlight: Int { state.withLock { $0.maximumInFlight } }

        func answer() async throws -> Reply {
            let reply = state.withLock { state in
                state.attempts += 1
                state.inFlight += 1
                state.maximumInFlight = max(state.maximumInFlight, state.inFlight)
                return state.replies.isEmpty ? .success(Reply(status: 200, rateLimit: RateLimitStatus(observedAt: .distantPast))) : state.replies.removeFirst()
            }
            // Give other tasks a chance to start an overlapping attempt, if the pacer allowed one.
            for _ in 0..<20 { await Task.yield() }
            state.withLock { $0.inFlight -= 1 }
            return try reply.get()
        }
    }

    func makePacer(_ clock: ManualClock, maximumAttempts: Int = 5, random: Double = 0.5) -> RequestPacer {
        RequestPacer(policy: .init(reserve: 2, maximumAttempts: maximumAttempts), clock: clock, unitRandom: { random })
    }

    func run(_ pacer: RequestPacer, _ server: ScriptedServer) async throws -> Reply {
        try await pacer.run(
            { try await server.answer() },
            classify: { .response(statusCode: $0.status, rateLimit: $0.rateLimit) },
            isRetryable: { $0 is NetworkDown }
        )
    }

    /// Runs `operation` while advancing the clock whenever the pacer sleeps, until it finishes.
    func drive<T: Sendable>(_ clock: ManualClock, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await operation() }
        let driver = Task {
            while !Task.isCancelled {
                if clock.sleeperCount > 0 {
                    let deadline = clock.requestedDeadlines.last!
                    clock.advance(to: deadline)
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        defer { driver.cancel() }
        return try await task.value
    }

    @Test("on 429 it waits until Retry-After, then retries")
    func waitsForRetryAfter() async throws {
        let clock = ManualClock()
        let start = clock.now
        let limited = RateLimitStatus(remaining: 0, resetAt: start.addingTimeInterval(60), retryAfter: start.addingTimeInterval(7), observedAt: start)
        let server = ScriptedServer([.success(Reply(status: 429, rateLimit: limited))])
        let reply = try await drive(clock) { try await run(makePacer(clock), server) }
        #expect(reply.status == 200)
        #expect(server.attempts == 2)
        #expect(clock.requestedDeadlines == [start.addingTimeInterval(7)])
    }

    @Test("on 429 without Retry-After it waits for the reset")
    func waitsForReset() async throws {
        let clock = ManualClock()
        let start = clock.now
        let limited = RateLimitStatus(limit: 10, remaining: 0, resetAt: start.addingTimeInterval(42), observedAt: start)
        let server = ScriptedServer([.success(Reply(status: 429, rateLimit: limited))])
        _ = try await drive(clock) { try await run(makePacer(clock), server) }
        #expect(clock.requestedDeadlines == [start.addingTimeInterval(42)])
    }

    @Test("on a bare 429 it backs off exponentially with jitter")
    func backsOffWithoutHeaders() async throws {
        let clock = ManualClock()
        let start = clock.now
        let bare = Reply(status: 429, rateLimit: RateLimitStatus(observedAt: start))
        let server = ScriptedServer([.success(bare), .success(bare), .success(bare)])
        _ = try await drive(clock) { try await run(makePacer(clock, random: 0.5), server) }
        // Attempts 0, 1, 2 wait 0.5 * 1 s, 0.5 * 2 s, 0.5 * 4 s after one another.
        let waits = zip([start] + clock.requestedDeadlines, clock.requestedDeadlines).map { $1.timeIntervalSince($0) }
        #expect(waits == [0.5, 1, 2])
        #expect(server.attempts == 4)
    }

    @Test("5xx and network errors are retried, then surface after the last attempt")
    func boundedRetries() async throws {
        let clock = ManualClock()
        let server = ScriptedServer([.failure(NetworkDown()), .success(Reply(status: 502, rateLimit: RateLimitStatus(observedAt: clock.now))), .failure(NetworkDown())])
        await #expect(throws: NetworkDown.self) {
            try await drive(clock) { try await run(makePacer(clock, maximumAttempts: 3), server) }
        }
        #expect(server.attempts == 3)

        let failing = ScriptedServer(Array(repeating: .success(Reply(status: 500, rateLimit: RateLimitStatus(observedAt: clock.now))), count: 5))
        let reply = try await drive(clock) { try await run(makePacer(clock, maximumAttempts: 3), failing) }
        #expect(reply.status == 500)
        #expect(failing.attempts == 3)
    }

    @Test("errors that are not retryable surface at once")
    func nonRetryableErrors() async {
        struct Fatal: Error {}
        let clock = ManualClock()
        let pacer = makePacer(clock)
        let attempts = Atomic<Int>(0)
        await #expect(throws: Fatal.self) {
            try await pacer.run(
                { () async throws -> Reply in
                    attempts.add(1, ordering: .relaxed)
                    throw Fatal()
                },
                classify: { .response(statusCode: $0.status, rateLimit: $0.rateLimit) },
                isRetryable: { $0 is NetworkDown }
            )
        }
        #expect(attempts.load(ordering: .relaxed) == 1)
    }

    @Test("after a success the next request waits so the remaining quota lasts until the reset")
    func spacesRequests() async throws {
        let clock = ManualClock()
        let start = clock.now
        // 12 left, 2 kept in reserve, 100 s to go: one request per 10 s.
        let status = RateLimitStatus(limit: 100, remaining: 12, resetAt: start.addingTimeInterval(100), observedAt: start)
        let server = ScriptedServer([.success(Reply(status: 200, rateLimit: status))])
        let pacer = makePacer(clock)
        _ = try await drive(clock) { try await run(pacer, server) }
        #expect(clock.requestedDeadlines.isEmpty)
        _ = try await drive(clock) { try await run(pacer, server) }
        #expect(clock.requestedDeadlines == [start.addingTimeInterval(10)])
    }

    @Test("only one request is in flight at a time")
    func oneInFlight() async throws {
        let clock = ManualClock()
        let server = ScriptedServer([])
        let pacer = makePacer(clock)
        try await withThrowingTaskGroup(of: Reply.self) { group in
            for _ in 0..<8 {
                group.addTask { try await run(pacer, server) }
            }
            for try await reply in group {
                #expect(reply.status == 200)
            }
        }
        #expect(server.attempts == 8)
        #expect(server.maximumInFlight == 1)
    }

    @Test("the last status with rate-limit information is kept")
    func keepsLastStatus() async throws {
        let clock = ManualClock()
        let status = RateLimitStatus(limit: 100, remaining: 99, resetAt: clock.now.addingTimeInterval(1), observedAt: clock.now)
        let server = ScriptedServer([.success(Reply(status: 200, rateLimit: status))])
        let pacer = makePacer(clock)
        _ = try await drive(clock) { try await run(pacer, server) }
        #expect(await pacer.lastStatus == status)
    }
}
