import Foundation
import PropertyBased
import Testing

@testable import OpenEnergy

@Suite("Pacing arithmetic")
struct PacingArithmeticTests {
    @Test("spacing spreads the usable quota evenly over the time until the reset")
    func spacingSpreadsQuota() async {
        await propertyCheck(input: Gen.int(in: 0...10_000), Gen.int(in: 0...20), Gen.double(in: 0...86_400)) { remaining, reserve, untilReset in
            let spacing = PacingArithmetic.spacing(remaining: remaining, reserve: reserve, secondsUntilReset: untilReset)
            #expect(spacing >= 0)
            #expect(spacing <= untilReset)
            let usable = remaining - reserve
            if usable > 0 {
                // Sending `usable` requests at this spacing ends exactly at the reset.
                #expect(abs(spacing * Double(usable) - untilReset) <= untilReset * 1e-12 + 1e-9)
            } else {
                // Nothing left to spend but the reserve: wait for the reset.
                #expect(spacing == untilReset)
            }
        }
    }

    @Test("more remaining quota never means longer spacing")
    func spacingMonotone() async {
        await propertyCheck(input: Gen.int(in: 0...1_000), Gen.int(in: 0...1_000), Gen.double(in: 0...3_600)) { a, b, untilReset in
            let (fewer, more) = (min(a, b), max(a, b))
            #expect(PacingArithmetic.spacing(remaining: more, reserve: 2, secondsUntilReset: untilReset)
                <= PacingArithmetic.spacing(remaining: fewer, reserve: 2, secondsUntilReset: untilReset))
        }
    }

    @Test("a reset in the past means no spacing")
    func pastReset() async {
        await propertyCheck(input: Gen.int(in: 0...1_000), Gen.double(in: -86_400 ... -0.001)) { remaining, untilReset in
            #expect(PacingArithmetic.spacing(remaining: remaining, reserve: 2, secondsUntilReset: untilReset) == 0)
        }
    }

    @Test("full-jitter backoff stays within [0, min(cap, base * 2^attempt)]")
    func backoffBounds() async {
        await propertyCheck(input: Gen.int(in: 0...200), Gen.double(in: 0..<1)) { attempt, random in
            let ceiling = min(300, 1 * pow(2, Double(min(attempt, 62))))
            let delay = PacingArithmetic.backoff(attempt: attempt, base: 1, cap: 300, unitRandom: random)
            #expect(delay >= 0)
            #expect(delay <= ceiling)
            #expect(delay == ceiling * random)
        }
    }

    @Test("the backoff ceiling doubles per attempt until the cap")
    func backoffCeilingDoubles() async {
        await propertyCheck(input: Gen.int(in: 0...100)) { attempt in
            let this = PacingArithmetic.backoffCeiling(attempt: attempt, base: 1, cap: 300)
            let next = PacingArithmetic.backoffCeiling(attempt: attempt + 1, base: 1, cap: 300)
            #expect(next == min(300, this * 2))
        }
    }

    @Test("retry date: Retry-After first, then a future reset, else none")
    func retryDatePreference() async {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        await propertyCheck(input: Gen.double(in: 0...600).optional, Gen.double(in: -600...600).optional) { retryAfter, reset in
            let status = RateLimitStatus(
                resetAt: reset.map { now.addingTimeInterval($0) },
                retryAfter: retryAfter.map { now.addingTimeInterval($0) },
                observedAt: now
            )
            let date = PacingArithmetic.retryDate(after: status, now: now)
            if let retryAfter {
                #expect(date == now.addingTimeInterval(retryAfter))
            } else if let reset, reset > 0 {
                #expect(date == now.addingTimeInterval(reset))
            } else {
                #expect(date == nil)
            }
        }
    }
}
