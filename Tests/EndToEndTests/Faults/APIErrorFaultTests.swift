import Foundation
import OpenEnergySimulator
import Testing
import TestSupport

/// The API fails as a whole: server errors, rate limits, hangs, broken bodies. Each test lets the
/// bridge publish its first values, injects the fault in the simulator, makes the next poll due,
/// watches what the bridge does, and ends with the broker holding exactly what an undisturbed run
/// holds for the same simulated instant.
@Suite("Faults: API errors", .timeLimit(.minutes(2)))
struct APIErrorFaultTests {
    @Test("a short burst of 5xx is absorbed by the retries; a long one turns the meter unavailable until the next poll")
    func serverErrorBursts() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            // Shorter than the pacer's five attempts: nobody notices.
            var mark = scene.mark
            await scene.harness.simulator.controls.failNextRequests(2, status: 502)
            await scene.harness.simulator.controls.failNextRequests(2, status: 503)
            scene.advance()
            try await scene.expectUndisturbed(id)
            scene.expectAbsorbed(since: mark)

            // Longer than the attempts: the error shows, the meter is unavailable, nothing is filed.
            mark = scene.mark
            await scene.harness.simulator.controls.failNextRequests(7, status: 500)
            scene.advance()
            try await scene.info("the server error", after: mark) { lastError($0, contains: "HTTP 500") }
            try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline", after: mark) { $0.payload == "offline" }
            scene.expectStateUnchanged(of: id, since: mark)

            // The next poll meets the burst's last two errors, retries past them and fetches the gap.
            let errorShown = scene.mark
            scene.advance(by: 20 * 60)
            try await scene.expectUndisturbed(id)
            try await scene.info("the error cleared", after: errorShown) { $0["last_error"] is NSNull && $0["auth"] as? String == "ok" }
        }
    }

    @Test("429 with rate-limit headers: the bridge waits for the reset, shows the spent quota, and catches up")
    func tooManyRequestsWithHeaders() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            var mark = scene.mark
            await scene.harness.simulator.controls.tooManyRequests(3, withHeaders: true, reset: .milliseconds(200))
            scene.advance()
            try await scene.expectUndisturbed(id)
            scene.expectAbsorbed(since: mark)

            mark = scene.mark
            await scene.harness.simulator.controls.tooManyRequests(6, withHeaders: true, reset: .milliseconds(200))
            scene.advance()
            let limited = try await scene.info("rate limited") { lastError($0, contains: "rate limited") }
            // The quota the headers announced, for the API requests sensor.
            #expect((limited["rate_limit"] as? [String: Any])?["remaining"] as? Int == 0)
            try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
            scene.expectStateUnchanged(of: id, since: mark)

            scene.advance(by: 20 * 60)
            try await scene.expectUndisturbed(id)
        }
    }

    @Test("429 without any header: the bridge backs off on its own and catches up")
    func tooManyRequestsWithoutHeaders() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            var mark = scene.mark
            await scene.harness.simulator.controls.tooManyRequests(3, withHeaders: false)
            scene.advance()
            try await scene.expectUndisturbed(id)
            scene.expectAbsorbed(since: mark)

            mark = scene.mark
            await scene.harness.simulator.controls.tooManyRequests(8, withHeaders: false)
            scene.advance()
            try await scene.info("rate limited") { lastError($0, contains: "rate limited") }
            try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
            scene.expectStateUnchanged(of: id, since: mark)

            // Three bare 429s are left: the next poll backs off past them.
            scene.advance(by: 20 * 60)
            try await scene.expectUndisturbed(id)
        }
    }

    @Test("an answer that hangs past ckw.request_timeout is abandoned and asked again")
    func hangPastTimeout() async throws {
        try await FaultScene.run(.init(requestTimeout: .seconds(1))) { scene in
            let id = scene.ids[0]
            let mark = scene.mark
            await scene.harness.simulator.controls.slowDown(1, by: .seconds(4))
            scene.advance()
            try await scene.expectUndisturbed(id)
            scene.expectAbsorbed(since: mark)

            // Hanging every time: the timeout shows, then the next poll catches up.
            await scene.harness.simulator.controls.slowDown(5, by: .seconds(2))
            scene.advance()
            try await scene.info("the timeout") { lastError($0, contains: "no answer in time") }
            try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
            scene.advance(by: 20 * 60)
            try await scene.expectUndisturbed(id)
        }
    }

    @Test("a body cut off mid-way is a broken connection: retried, nothing half-read is filed")
    func truncatedBody() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            let mark = scene.mark
            await scene.harness.simulator.controls.inject(.truncatedBody, count: 2)
            scene.advance()
            try await scene.expectUndisturbed(id)
            scene.expectAbsorbed(since: mark)
        }
    }

    @Test("malformed JSON turns the meter unavailable with the decoding error; the next poll recovers")
    func malformedJSON() async throws {
        try await FaultScene.run { scene in
            let id = scene.ids[0]
            let mark = scene.mark
            await scene.harness.simulator.controls.inject(.malformedJSON)
            scene.advance()
            try await scene.info("the decoding error") { lastError($0, contains: "cannot decode") }
            try await scene.watcher.waitFor("ckw2mqtt/\(id)/availability", "offline") { $0.payload == "offline" }
            scene.expectStateUnchanged(of: id, since: mark)

            scene.advance(by: 20 * 60)
            try await scene.expectUndisturbed(id)
        }
    }
}
