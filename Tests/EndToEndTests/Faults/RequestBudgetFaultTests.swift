import Foundation
import OpenEnergySimulator
import Testing
import TestSupport

/// The login's daily budget (`ckw.api.daily_request_limit`) counts every request: meter data of all
/// metering points, core data and the retries after 5xx and 429. Judged by the simulator's own log
/// of the requests it received per login, not by the bridge's counter.
@Suite("Faults: the request budget", .timeLimit(.minutes(3)))
struct RequestBudgetFaultTests {
    static let limit = 30
    static let user = SimulatorConfiguration.User().username

    @Test("two simulated days of 5xx and 429 bursts and hourly core data: never more than the budget in any 24 hours; bridge/info says what the simulator counted")
    func budgetHoldsUnderFaults() async throws {
        var settings = BridgeHarness.Settings()
        settings.meters = 2
        settings.dailyRequestLimit = Self.limit
        try await withHarness(settings) { harness in
            let watcher = try await MQTTWatcher(port: harness.broker.port)
            do {
                // Core data every hour: 24 of them a day would spend most of the budget alone.
                try harness.startBridge(coreDataInterval: .seconds(3600))
                let controls = harness.simulator.controls
                let started = ContinuousClock.now
                var injected = 0
                for step in 0..<(2 * 24 * 3) {
                    // Every two hours a burst, in turn: 5xx the retries absorb, 429 with and without headers.
                    // The next burst once the last one was met (with the budget spent, requests wait).
                    if step % 6 == 0, await controls.pendingFaults.isEmpty {
                        switch (step / 6) % 3 {
                        case 0: await controls.failNextRequests(3, status: 503)
                        case 1: await controls.tooManyRequests(2, withHeaders: true, reset: .milliseconds(200))
                        default: await controls.tooManyRequests(2, withHeaders: false)
                        }
                        injected += 1
                    }
                    harness.advanceClock(by: 20 * 60)
                    try await Task.sleep(for: .milliseconds(100))
                }
                // Quiet: nothing in flight, nothing due before the clock moves again.
                try await Task.sleep(for: .seconds(2))
                let requests = await controls.apiRequests(ofUser: Self.user)
                // The simulator stamps a request when it arrives, the bridge when it sends it, and the
                // clock moves 20 minutes at a time meanwhile: an arrival is up to one step later than
                // its sending. So any window one step shorter than a day holds only requests the bridge
                // sent within 24 hours of each other, which the budget limits.
                let busiest = Self.busiest(requests, within: 86_400 - 20 * 60)
                print("budget: \(requests.count) requests in two days, at most \(busiest) in 23 h 40 min of arrivals, \(injected) bursts, \(ContinuousClock.now - started)")
                #expect(busiest <= Self.limit, "\(busiest) requests arrived within 23 h 40 min")
                // The faults were met (their retries are among the requests counted).
                #expect(await controls.pendingFaults.count <= 3)
                #expect(injected >= 6, "only \(injected) bursts were met")
                #expect(requests.count >= 2 * Self.limit - 10, "the bridge kept using its budget: \(requests.count)")

                // bridge/info counts what the simulator received in the last 24 hours. Arrivals are up
                // to one 20-minute step later than sendings (see above): the bridge's count lies
                // between the simulator's arrivals of the last 23 h 40 min and of the last 24 hours.
                let now = harness.simulator.clock.now
                func arrivals(within window: TimeInterval) -> Int { requests.count { now.timeIntervalSince($0) < window } }
                let surely = arrivals(within: 86_400 - 20 * 60), atMost = arrivals(within: 86_400)
                let info = try #require(watcher.messages.last { $0.topic == "ckw2mqtt/bridge/info" }.flatMap { MQTTWatcher.object($0.payload) })
                let rate = try #require(info["rate_limit"] as? [String: Any])
                let used = try #require(rate["used_today"] as? Int, "\(rate)")
                #expect((surely...atMost).contains(used), "\(rate), the simulator counted \(surely) to \(atMost)")
                #expect(rate["left_today"] as? Int == max(0, Self.limit - 2 - used), "\(rate)")
            } catch {
                await watcher.stop()
                throw error
            }
            await watcher.stop()
        }
    }

    /// The most requests within any `window` seconds (a window ending at each request).
    static func busiest(_ requests: [Date], within window: TimeInterval) -> Int {
        let sorted = requests.sorted()
        var busiest = 0, first = 0
        for last in sorted.indices {
            while sorted[last].timeIntervalSince(sorted[first]) >= window { first += 1 }
            busiest = max(busiest, last - first + 1)
        }
        return busiest
    }
}
