import Foundation
import OpenEnergy
import Testing

@Suite("Clock jump detector")
struct ClockJumpDetectorTests {
    @Test("time passing is no jump; a step either way is seen once, in words, with the era it ends")
    func stepsAreSeenOnce() throws {
        let clock = ManualClock()
        let start = clock.now
        var detector = ClockJumpDetector(clock: clock)
        clock.advance(by: 5 * 86_400)
        #expect(detector.check(clock) == nil)
        // NTP's slewing between two looks is far below the threshold.
        clock.step(by: 0.4)
        #expect(detector.check(clock) == nil)

        clock.step(by: -3 * 3600)
        let seenBack = detector.check(clock)
        let back = try #require(seenBack)
        #expect(back.description == "the system clock jumped back 3 h 0 min")
        #expect(abs(back.seconds + 3 * 3600) < 0.001)
        #expect(back.to == clock.now && abs(back.from.timeIntervalSince(clock.now) - 3 * 3600) < 0.001)
        #expect(abs(back.epochStart.timeIntervalSince(start)) < 0.001)
        #expect(detector.check(clock) == nil)

        clock.advance(by: 60)
        clock.step(by: 2 * 86_400 + 4 * 60)
        let seenForward = detector.check(clock)
        let forward = try #require(seenForward)
        #expect(forward.description == "the system clock jumped forward 2 d 0 h 4 min")
        // Dates recorded before moved back with the clock: the era that ended began 3 h before the start.
        #expect(abs(forward.epochStart.timeIntervalSince(start) + 3 * 3600) < 0.001)
        #expect(!detector.hasJumped(clock))
        clock.step(by: -90)
        #expect(detector.hasJumped(clock))
        #expect(detector.check(clock)?.description == "the system clock jumped back 1 min 30 s")
    }
}
