import Mosquitto
import Testing

@Suite("Reconnect policy")
struct ReconnectPolicyTests {
    /// A deterministic generator (SplitMix64), so jitter can be checked without flakiness.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func capDoublesFromTheInitialDelayUpToTheMaximum() {
        let policy = MQTTClient.ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        let caps = (1...7).map { policy.cap(forAttempt: $0) }
        #expect(caps == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1), .seconds(1)])
        #expect(policy.cap(forAttempt: 10_000) == .seconds(1))
    }

    @Test func withoutJitterTheDelayIsTheCap() {
        let policy = MQTTClient.ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1), fullJitter: false)
        var generator = SeededGenerator(state: 1)
        #expect(policy.delay(forAttempt: 3, using: &generator) == .milliseconds(400))
    }

    @Test func fullJitterSpreadsDelaysOverZeroToTheCap() {
        let policy = MQTTClient.ReconnectPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(30))
        var generator = SeededGenerator(state: 42)
        let delays = (0..<1_000).map { _ in policy.delay(forAttempt: 4, using: &generator) }
        #expect(delays.allSatisfy { $0 >= .zero && $0 <= .milliseconds(800) })
        // Spread over the whole range rather than clustered: both quarters at the ends are used.
        #expect(delays.contains { $0 < .milliseconds(200) })
        #expect(delays.contains { $0 > .milliseconds(600) })
        #expect(Set(delays).count > 900)
    }
}
