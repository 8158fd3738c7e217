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
                let busiest = Self.busiestDay(requests)
                print("budget: \(requests.count) requests in two days, at most \(busiest) in 24 hours, \(injected) bursts, \(ContinuousClock.now - started)")
                #expect(busiest <= Self.limit, "\(busiest) requests in 24 hours")
                // The faults were met (their retries are among the requests counted).
                #expect(await controls.pendingFaults.count <= 3)
                #expect(injected >= 6, "only \(injected) bursts were met")
                #expect(requests.count >= 2 * Self.limit - 10, "the bridge kept using its budget: \(requests.count)")

                // bridge/info counts what the simulator received in the last 24 hours.
                let now = harness.simulator.clock.now
                let lastDay = requests.filter { now.timeIntervalSince($0) < 86_400 }.count
                let info = try #require(watcher.messages.last { $0.topic == "ckw2mqtt/bridge/info" }.flatMap { MQTTWatcher.object($0.payload) })
                let rate = try #require(info["rate_limit"] as? [String: Any])
                #expect(rate["used_today"] as? Int == lastDay, "\(rate), the simulator counted \(lastDay)")
                #expect(rate["left_today"] as? Int == max(0, Self.limit - 2 - lastDay), "\(rate)")
            } catch {
                await watcher.stop()
                throw error
            }
            await watcher.stop()
        }
    }

    /// The most requests in any 24 hours (a window starting at each request).
    static func busiestDay(_ requests: [Date]) -> Int {
        let sorted = requests.sorted()
        var busiest = 0, first = 0
        for last in sorted.indices {
            while sorted[last].timeIntervalSince(sorted[first]) >= 86_400 { first += 1 }
            busiest = max(busiest, last - first + 1)
        }
        return busiest
    }
}
