import Foundation
import OpenEnergy
import Timestamps

/// The rate-limit headers of any response, parsed and then used the way the pacer, the error
/// messages and `ckw2mqtt status` use them. Headers cannot be "rejected": unusable values are
/// ignored, and whatever is kept must be a sane instant or count.
extension FuzzTarget {
    /// The receive time of every fuzzed response.
    static let fuzzNow = Date(timeIntervalSince1970: 1_795_677_600)

    static let rateLimitHeaders = FuzzTarget(
        name: "rate-limit-headers",
        seeds: [
            "X-Ratelimit-Limit: 100\nX-Ratelimit-Remaining: 42\nX-Ratelimit-Reset: 30000",
            "x-ratelimit-reset: 1795677660\nretry-after: 120",
            "X-RateLimit-Reset: 1795677660000\nRetry-After: Fri, 27 Nov 2026 07:21:00 GMT",
            "RateLimit: limit=100, remaining=50, reset=30\nRateLimit-Policy: 100;w=60",
            "RateLimit: \"default\";r=5;t=30, \"burst\";r=1;t=2\nRateLimit-Policy: \"default\";q=100;w=3600",
            "RateLimit-Limit: 10\nRateLimit-Remaining: 0\nRateLimit-Reset: 1.5\nRetry-After: Friday, 27-Nov-26 07:21:00 GMT",
            "Retry-After: Fri Nov 27 07:21:00 2026",
        ],
        tokens: ["X-Ratelimit-Reset: ", "Retry-After: ", "RateLimit: ", "RateLimit-Policy: ", "X-Ratelimit-Remaining: ",
                 ";r=", ";t=", ";q=", "reset=", "GMT", "Feb 29", "31 Dec 9999", "01 Jan 0001", "\n"]
    ) { bytes in
        let headers = String(decoding: bytes, as: UTF8.self).split(separator: "\n").compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...]))
        }
        let now = fuzzNow
        let status = RateLimitHeaderParser.parse(headers: headers, receivedAt: now)
        if let limit = status.limit, limit < 0 { return .finding("negative limit \(limit)") }
        if let remaining = status.remaining, remaining < 0 { return .finding("negative remaining \(remaining)") }
        for (name, date) in [("reset", status.resetAt), ("retry-after", status.retryAfter)] {
            guard let date else { continue }
            let ahead = date.timeIntervalSince(now)
            guard ahead.isFinite, ahead >= 0, ahead <= RateLimitHeaderParser.longestPlausibleWait else {
                return .finding("\(name) \(ahead) s ahead is kept")
            }
            // `status`, `bridge/info` and the rate-limited error print it.
            _ = ISO8601Timestamp.format(date)
        }
        _ = OpenEnergyError.rateLimited(endpoint: "fuzz", status: status).description
        if let remaining = status.remaining, let reset = status.resetAt {
            let spacing = PacingArithmetic.spacing(remaining: remaining, reserve: 2, secondsUntilReset: reset.timeIntervalSince(now))
            guard spacing.isFinite, spacing >= 0 else { return .finding("spacing \(spacing)") }
        }
        if let retry = PacingArithmetic.retryDate(after: status, now: now), retry < now {
            return .finding("a retry before now")
        }
        return .accepted
    }
}
