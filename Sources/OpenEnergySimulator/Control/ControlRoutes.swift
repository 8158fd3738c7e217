import Foundation
import Hummingbird

/// The runtime switches over HTTP, for tests that drive the simulator from another process.
///
/// - `POST /_sim/faults` `{"fault": <APIFault>, "count": 2}` where a fault is e.g.
///   `{"serverError":{"status":503}}`, `{"slow":{"milliseconds":2000}}`, `{"malformedJSON":{}}`;
///   `DELETE /_sim/faults` clears them.
/// - `POST /_sim/tokens/expire`, `POST /_sim/users/{username}/revoke`,
///   `POST /_sim/login/tamper` `{"tampering":"wrongNonce"}`, `POST /_sim/login/deny`.
/// - `PUT /_sim/ratelimit` `{"limit":100,"windowMilliseconds":60000}` or `{}` to switch it off.
/// - `GET /_sim/clock`, `PUT /_sim/clock` `{"now":"2026-11-27T06:00:00Z","speed":60,"advanceSeconds":3600}`
///   (each field optional; applied as speed, now, advance). `"stepBridgeClockSeconds":-10800` steps
///   the clock of the bridge's box (`bridgeClockErrorSeconds` in the answer), not CKW's time.
struct ControlRoutes: Sendable {
    let controls: SimulatorControls
    let clock: SimulatedClock

    struct FaultRequest: Codable {
        var fault: APIFault
        var count: Int?
    }

    struct TamperRequest: Codable {
        var tampering: IDTokenTampering
    }

    struct RateLimitRequest: Codable {
        var limit: Int?
        var windowMilliseconds: Int?
    }

    struct ClockState: Codable {
        var now: String?
        var speed: Double?
        var advanceSeconds: Double?
        var stepBridgeClockSeconds: Double?
        var bridgeClockErrorSeconds: Double?
    }

    struct Done: Codable {
        var ok = true
        var count: Int?
    }

    func addRoutes(to router: Router<SimulatorRequestContext>) {
        let group = router.group("_sim")
        group.post("faults") { request, context in
            let body = try await request.decode(as: FaultRequest.self, context: context)
            await controls.inject(body.fault, count: body.count ?? 1)
            return Responses.json(Done())
        }
        group.delete("faults") { _, _ in
            await controls.clearFaults()
            return Responses.json(Done())
        }
        group.post("tokens/expire") { _, _ in
            await controls.expireAllAccessTokens()
            return Responses.json(Done())
        }
        group.post("users/:username/revoke") { _, context in
            let username = try context.parameters.require("username")
            return Responses.json(Done(count: await controls.revokeSessions(ofUser: username)))
        }
        group.post("login/tamper") { request, context in
            let body = try await request.decode(as: TamperRequest.self, context: context)
            await controls.tamperNextIDToken(body.tampering)
            return Responses.json(Done())
        }
        group.post("login/deny") { _, _ in
            await controls.denyNextLogin()
            return Responses.json(Done())
        }
        group.put("ratelimit") { request, context in
            let body = try await request.decode(as: RateLimitRequest.self, context: context)
            if let limit = body.limit {
                let window = Duration.milliseconds(body.windowMilliseconds ?? 60_000)
                await controls.setRateLimit(.init(limit: limit, window: window))
            } else {
                await controls.setRateLimit(nil)
            }
            return Responses.json(Done())
        }
        group.get("clock") { _, _ in
            Responses.json(clockState())
        }
        group.put("clock") { request, context in
            let body = try await request.decode(as: ClockState.self, context: context)
            // Speed first, so that a stopped clock shows exactly the instant set next.
            var instant: Date?
            if let now = body.now {
                guard let seconds = UTCTimestamp.parse(now) else {
                    return Responses.json(Done(ok: false), status: .badRequest)
                }
                instant = Date(timeIntervalSince1970: TimeInterval(seconds))
            }
            if let speed = body.speed {
                guard speed >= 0 else { return Responses.json(Done(ok: false), status: .badRequest) }
                clock.setSpeed(speed)
            }
            if let instant {
                clock.set(to: instant)
            }
            if let advance = body.advanceSeconds {
                clock.advance(by: .milliseconds(Int64(advance * 1000)))
            }
            if let step = body.stepBridgeClockSeconds {
                clock.stepBridgeClock(by: .milliseconds(Int64(step * 1000)))
            }
            return Responses.json(clockState())
        }
    }

    private func clockState() -> ClockState {
        ClockState(now: UTCTimestamp.format(clock.now), speed: clock.speed, advanceSeconds: nil, bridgeClockErrorSeconds: clock.bridgeClockError)
    }
}
