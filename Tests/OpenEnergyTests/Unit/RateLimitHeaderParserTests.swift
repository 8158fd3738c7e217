import Foundation
import PropertyBased
import Testing

@testable import OpenEnergy
import Timestamps

@Suite("Rate-limit header parsing")
struct RateLimitHeaderParserTests {
    let now = Date(timeIntervalSince1970: 1_795_734_000)

    /// Writes a header name in random upper/lower case, as gateways do.
    static let casings = Gen.bool.array(of: 30)

    static func recase(_ name: String, _ pattern: [Bool]) -> String {
        String(name.enumerated().map { index, character in
            pattern[index % pattern.count] ? Character(character.uppercased()) : Character(character.lowercased())
        })
    }

    @Test("MuleSoft headers in any case; reset is milliseconds until the window resets")
    func muleSoftHeaders() async {
        await propertyCheck(input: Gen.int(in: 0...100_000), Gen.int(in: 0...100_000), Gen.int(in: 0...999_999_999), Self.casings) { limit, remaining, resetMs, casing in
            let headers = [
                (name: Self.recase("X-Ratelimit-Limit", casing), value: "\(limit)"),
                (name: Self.recase("X-Ratelimit-Remaining", casing), value: " \(remaining) "),
                (name: Self.recase("X-Ratelimit-Reset", casing), value: "\(resetMs)"),
            ]
            let status = RateLimitHeaderParser.parse(headers: headers, receivedAt: now)
            #expect(status.limit == limit)
            #expect(status.remaining == remaining)
            // A common window length in seconds (86400: a day) is read as seconds; see `secondsWindow`.
            let expected = RateLimitHeaderParser.commonWindowSeconds.contains(Double(resetMs))
                ? now.addingTimeInterval(Double(resetMs)) : now.addingTimeInterval(Double(resetMs) / 1_000)
            #expect(abs(status.resetAt!.timeIntervalSince(expected)) < 0.000_5)
            #expect(status.retryAfter == nil)
        }
    }

    @Test("a reset that is an epoch time in seconds is recognised")
    func epochSeconds() async {
        await propertyCheck(input: Gen.int(in: 0...(300 * 86_400))) { ahead in
            let reset = Int(now.timeIntervalSince1970) + ahead
            let date = RateLimitHeaderParser.parseReset("\(reset)", now: now)
            #expect(date == Date(timeIntervalSince1970: TimeInterval(reset)))
        }
    }

    @Test("a reset that is an epoch time in milliseconds is recognised")
    func epochMilliseconds() async {
        await propertyCheck(input: Gen.int(in: 0...(300 * 86_400 * 1_000))) { aheadMs in
            let reset = Int(now.timeIntervalSince1970) * 1_000 + aheadMs
            let date = try #require(RateLimitHeaderParser.parseReset("\(reset)", now: now))
            #expect(abs(date.timeIntervalSince1970 - Double(reset) / 1_000) < 0.000_5)
        }
    }

    @Test("an absolute reset in the recent past means now")
    func pastResetIsNow() {
        let past = Int(now.timeIntervalSince1970) - 30
        #expect(RateLimitHeaderParser.parseReset("\(past)", now: now) == now)
        #expect(RateLimitHeaderParser.parseReset("\(past * 1_000)", now: now) == now)
    }

    @Test("Retry-After as delta seconds")
    func retryAfterSeconds() async {
        await propertyCheck(input: Gen.int(in: 0...86_400)) { seconds in
            #expect(RateLimitHeaderParser.parseRetryAfter("\(seconds)", now: now) == now.addingTimeInterval(TimeInterval(seconds)))
        }
    }

    @Test("Retry-After as HTTP date")
    func retryAfterDate() async {
        await propertyCheck(input: Gen.int(in: 1...86_400)) { seconds in
            let date = now.addingTimeInterval(TimeInterval(seconds))
            #expect(RateLimitHeaderParser.parseRetryAfter(HTTPDate.format(date), now: now) == date)
        }
    }

    @Test("Retry-After in the obsolete date forms", arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
    ])
    func obsoleteDates(text: String) {
        let then = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.parse(text) == then)
        // A date in the past means: retry now.
        #expect(RateLimitHeaderParser.parseRetryAfter(text, now: now) == now)
    }

    @Test("IETF RateLimit header of the earlier drafts, and separate RateLimit-* fields")
    func ietfEarlyDraft() async {
        await propertyCheck(input: Gen.int(in: 0...10_000), Gen.int(in: 0...10_000), Gen.int(in: 0...3_600)) { limit, remaining, reset in
            let combined = RateLimitHeaderParser.parse(
                headers: [(name: "RateLimit", value: "limit=\(limit), remaining=\(remaining), reset=\(reset)")], receivedAt: now)
            let separate = RateLimitHeaderParser.parse(
                headers: [(name: "RateLimit-Limit", value: "\(limit)"), (name: "ratelimit-remaining", value: "\(remaining)"),
                          (name: "RATELIMIT-RESET", value: "\(reset)")], receivedAt: now)
            for status in [combined, separate] {
                #expect(status.limit == limit)
                #expect(status.remaining == remaining)
                #expect(status.resetAt == now.addingTimeInterval(TimeInterval(reset)))
            }
        }
    }

    @Test("IETF RateLimit structured field with RateLimit-Policy; the tightest policy counts")
    func ietfStructuredField() {
        let status = RateLimitHeaderParser.parse(
            headers: [
                (name: "RateLimit-Policy", value: "\"burst\";q=100;w=60, \"daily\";q=1000;w=86400"),
                (name: "RateLimit", value: "\"burst\";r=40;t=30, \"daily\";r=12;t=5000"),
            ],
            receivedAt: now
        )
        #expect(status.limit == 100)
        #expect(status.remaining == 12)
        #expect(status.resetAt == now.addingTimeInterval(5_000))
    }

    @Test("MuleSoft headers win over IETF ones")
    func muleSoftWins() {
        let status = RateLimitHeaderParser.parse(
            headers: [(name: "RateLimit", value: "limit=5, remaining=1, reset=9"), (name: "x-ratelimit-remaining", value: "3")],
            receivedAt: now
        )
        #expect(status.remaining == 3)
        #expect(status.limit == 5)
    }

    @Test("garbage values are ignored, not misread")
    func garbageIgnored() async {
        let garbage = Gen.element(of: ["", "-1", "abc", "1e5", "0x10", "NaN", "12 13", "Tomorrow", "+5"]).compactMap { $0 }
        await propertyCheck(input: garbage) { value in
            let status = RateLimitHeaderParser.parse(
                headers: [(name: "x-ratelimit-limit", value: value), (name: "x-ratelimit-remaining", value: value),
                          (name: "x-ratelimit-reset", value: value), (name: "retry-after", value: value)],
                receivedAt: now)
            #expect(status.isEmpty)
        }
    }
}

/// Found by `openenergy-fuzz`: a reset or `Retry-After` absurdly far ahead was kept, and printing it
/// (the rate-limited error, `status`, `bridge/info`) trapped converting it to an integer.
@Suite("Rate-limit headers from a hostile server")
struct HostileRateLimitHeaderTests {
    let now = Date(timeIntervalSince1970: 1_795_677_600)

    @Test("a wait further ahead than a year is ignored", arguments: [
        ("Retry-After", "99999999999999999999999999"),
        ("X-Ratelimit-Reset", "3099999999999999999999999999"),
        ("RateLimit", "limit=100, remaining=5, reset=9223372036854775808"),
        ("RateLimit-Reset", "40000000"),
        ("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"),
    ])
    func absurdWaitIgnored(_ header: (String, String)) {
        let status = RateLimitHeaderParser.parse(headers: [(name: header.0, value: header.1)], receivedAt: now)
        #expect(status.resetAt == nil)
        #expect(status.retryAfter == nil)
    }

    @Test("a wait within a year is kept")
    func yearKept() {
        let status = RateLimitHeaderParser.parse(headers: [(name: "Retry-After", value: "\(365 * 86_400)")], receivedAt: now)
        #expect(status.retryAfter == now.addingTimeInterval(365 * 86_400))
    }

    @Test("an instant beyond four-digit years is printed at the nearest end instead of trapping")
    func formatClamps() {
        let status = RateLimitStatus(resetAt: Date(timeIntervalSince1970: 3.1e27), observedAt: now)
        #expect(OpenEnergyError.rateLimited(endpoint: "GET x", status: status).description.hasSuffix("9999-12-31T23:59:59Z"))
        #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: -1e20)) == "0000-01-01T00:00:00Z")
    }
}
