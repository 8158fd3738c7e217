import Mosquitto
import Testing
import TestSupport

@Suite("Reconnect policy")
struct ReconnectPolicyTests {
    @Test func capDoublesFromTheInitialDelayUpToTheMaximum() {
        let policy = MQTTClient.ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        let caps = (1...7).map { policy.cap(forAttempt: $0) }
        #expect(caps == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1), .seconds(1)])
        #expect(policy.cap(forAttempt: 10_000) == .seconds(1))
    }

    @Test func withoutJitterTheDelayIsTheCap() {
        let policy = MQTTClient.ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), fullJitter: false)
        var generator = SplitMix64(seed: 1)
        #expect(policy.delay(forAttempt: 3, using: &generator) == .milliseconds(400))
    }

    @Test func fullJitterSpreadsDelaysOverZeroToTheCap() {
        let policy = MQTTClient.ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(30))
        var generator = SplitMix64(seed: 42)
        let delays = (0..<1_000).map { _ in policy.delay(forAttempt: 4, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(800) })
        // Spread over the whole range rather than clustered: both quarters at the ends are used.
        #expect(delays.contains { $0 < .milliseconds(200) })
        #expect(delays.contains { $0 > .milliseconds(600) })
        #expect(Set(delays).count > 900)
    }
}
