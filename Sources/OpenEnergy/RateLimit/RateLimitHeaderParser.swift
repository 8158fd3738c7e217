import Foundation

/// Reads rate-limit information from response headers. Pure: the receive time is passed in.
///
/// Understood, with names matched case-insensitively:
/// - MuleSoft style `X-Ratelimit-Limit`, `-Remaining`, `-Reset` (names in `OpenEnergyWire.RateLimitHeaders`).
///   Reset is milliseconds until the window resets (MuleSoft); values that are plausibly absolute epoch
///   seconds (GitHub style) or epoch milliseconds are recognised as such.
/// - IETF `RateLimit` (`limit=, remaining=, reset=` of the earlier drafts, or `"policy";r=;t=` of the later
///   ones) with `RateLimit-Policy` (`q=` quota), and `RateLimit-Limit/-Remaining/-Reset`; reset in delta seconds.
/// - `Retry-After`: delta seconds or an HTTP date.
/// Where several sources say the same thing, the MuleSoft headers win (that is what CKW's gateway sends).
public enum RateLimitHeaderParser {
    /// How far from `now` an absolute reset may be and still be taken as one.
    static let plausibleAbsoluteWindow: ClosedRange<TimeInterval> = -86_400...(366 * 86_400)

    /// Resets and `Retry-After`s further ahead than this are not believed: a quota window is a day
    /// or a month, and an absurd value (`Retry-After: 99999999999999`) must not reach date arithmetic
    /// that cannot represent it.
    public static let longestPlausibleWait: TimeInterval = 366 * 86_400

    /// - Parameter resetUnit: how `X-Ratelimit-Reset` is read (`ckw.api.rate_limit_reset_unit`).
    public static func parse(
        headers: some Sequence<(name: String, value: String)>, receivedAt now: Date, resetUnit: RateLimitResetUnit = .auto
    ) -> RateLimitStatus {
        var status = RateLimitStatus(observedAt: now)
        var ietf = (limit: Int?.none, remaining: Int?.none, reset: Date?.none)
        for (name, rawValue) in headers {
            let value = rawValue.trimmingSpacesAndTabs()
            switch name.lowercased() {
            case OpenEnergyWire.RateLimitHeaders.limit:
                status.limit = nonNegativeInteger(value) ?? status.limit
            case OpenEnergyWire.RateLimitHeaders.remaining:
                status.remaining = nonNegativeInteger(value) ?? status.remaining
            case OpenEnergyWire.RateLimitHeaders.reset:
                status.resetAt = parseReset(value, now: now, unit: resetUnit) ?? status.resetAt
            case "retry-after":
                status.retryAfter = parseRetryAfter(value, now: now) ?? status.retryAfter
            case "ratelimit":
                let parsed = parseIETFRateLimit(value)
                ietf.limit = parsed.limit ?? ietf.limit
                ietf.remaining = parsed.remaining ?? ietf.remaining
                ietf.reset = parsed.resetSeconds.flatMap { plausible(now.addingTimeInterval($0), now: now) } ?? ietf.reset
            case "ratelimit-policy":
                ietf.limit = ietf.limit ?? parseIETFRateLimitPolicy(value)
            case "ratelimit-limit":
                ietf.limit = leadingInteger(value) ?? ietf.limit
            case "ratelimit-remaining":
                ietf.remaining = nonNegativeInteger(value) ?? ietf.remaining
            case "ratelimit-reset":
                ietf.reset = nonNegativeNumber(value).flatMap { plausible(now.addingTimeInterval($0), now: now) } ?? ietf.reset
            default:
                continue
            }
        }
        status.limit = status.limit ?? ietf.limit
        status.remaining = status.remaining ?? ietf.remaining
        status.resetAt = status.resetAt ?? ietf.reset
        return status
    }

    /// Window lengths in seconds that `auto` reads as seconds: in milliseconds they would be windows
    /// of a fraction of a second to a few minutes that no quota uses, while a fresh window of a day
    /// announces exactly `86400` in seconds.
    static let commonWindowSeconds: Set<Double> = [
        60, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 604_800,
    ]

    /// The raw number of `X-Ratelimit-Reset`, for learning its unit from consecutive responses.
    public static func rawReset(headers: some Sequence<(name: String, value: String)>) -> Double? {
        for (name, value) in headers where name.lowercased() == OpenEnergyWire.RateLimitHeaders.reset {
            return nonNegativeNumber(value.trimmingSpacesAndTabs())
        }
        return nil
    }

    /// An `X-Ratelimit-Reset` value read in `unit`. With `.auto`: an absolute epoch time (seconds or
    /// milliseconds) when the number lands plausibly close to `now` read as one, seconds when it is
    /// exactly a common window length in seconds, otherwise milliseconds until the reset.
    /// Resets in the past mean now.
    public static func parseReset(_ value: String, now: Date, unit: RateLimitResetUnit = .auto) -> Date? {
        guard let number = nonNegativeNumber(value) else { return nil }
        let nowSeconds = now.timeIntervalSince1970
        switch unit {
        case .milliseconds:
            return plausible(now.addingTimeInterval(number / 1_000), now: now)
        case .seconds:
            return plausible(now.addingTimeInterval(number), now: now)
        case .epoch:
            // Epoch milliseconds have 13 digits today; epoch seconds stay below 1e11 until year 5138.
            let seconds = number >= 100_000_000_000 ? number / 1_000 : number
            return plausible(Date(timeIntervalSince1970: max(seconds, nowSeconds)), now: now)
        case .auto:
            if plausibleAbsoluteWindow.contains(number / 1_000 - nowSeconds) {
                return Date(timeIntervalSince1970: max(number / 1_000, nowSeconds))
            }
            if plausibleAbsoluteWindow.contains(number - nowSeconds) {
                return Date(timeIntervalSince1970: max(number, nowSeconds))
            }
            if commonWindowSeconds.contains(number) {
                return plausible(now.addingTimeInterval(number), now: now)
            }
            return plausible(now.addingTimeInterval(number / 1_000), now: now)
        }
    }

    /// `Retry-After`: delta seconds, or an HTTP date (IMF-fixdate, RFC 850 or asctime). Dates in the past mean now.
    public static func parseRetryAfter(_ value: String, now: Date) -> Date? {
        let value = value.trimmingSpacesAndTabs()
        if let seconds = nonNegativeNumber(value) {
            return plausible(now.addingTimeInterval(seconds), now: now)
        }
        guard let date = HTTPDate.parse(value) else { return nil }
        return plausible(max(date, now), now: now)
    }

    /// `date`, unless it lies further ahead than ``longestPlausibleWait`` (then the header is ignored
    /// like any other unusable value).
    private static func plausible(_ date: Date, now: Date) -> Date? {
        date.timeIntervalSince(now) <= longestPlausibleWait ? date : nil
    }

    /// The IETF `RateLimit` field: `limit=100, remaining=50, reset=30` or `"default";r=50;t=30`
    /// (several policies: the most constraining one, i.e. the least remaining).
    public static func parseIETFRateLimit(_ value: String) -> (limit: Int?, remaining: Int?, resetSeconds: TimeInterval?) {
        var result: (limit: Int?, remaining: Int?, resetSeconds: TimeInterval?) = (nil, nil, nil)
        let items = value.split(separator: ",")
        // The earlier draft spreads one policy's parameters over comma-separated items.
        let flat = parameters(items.joined(separator: ";"))
        if flat["limit"] != nil || flat["remaining"] != nil || flat["reset"] != nil {
            result.limit = flat["limit"].flatMap(leadingInteger)
            result.remaining = flat["remaining"].flatMap(nonNegativeInteger)
            result.resetSeconds = flat["reset"].flatMap(nonNegativeNumber)
            return result
        }
        for item in items {
            let parameters = parameters(String(item))
            guard let remaining = parameters["r"].flatMap(nonNegativeInteger) else { continue }
            if result.remaining == nil || remaining < result.remaining! {
                result.remaining = remaining
                result.resetSeconds = parameters["t"].flatMap(nonNegativeNumber)
            }
        }
        return result
    }

    /// The quota of `RateLimit-Policy` (`"default";q=100;w=60`, or `100;w=60` of the earlier drafts).
    public static func parseIETFRateLimitPolicy(_ value: String) -> Int? {
        let first = value.split(separator: ",").first.map(String.init) ?? value
        if let quota = parameters(first)["q"].flatMap(nonNegativeInteger) { return quota }
        return leadingInteger(first)
    }

    // MARK: Small parsers

    /// `key=value` pairs of a structured-field item, split on `;`; keys lowercased, quotes removed.
    private static func parameters(_ item: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in item.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingSpacesAndTabs().lowercased()
            let value = pair[1].trimmingSpacesAndTabs().trimming { $0 == "\"" }
            result[key] = value
        }
        return result
    }

    /// Digits only (`1*DIGIT` as in RFC 9110): no sign, no exponent.
    private static func nonNegativeInteger(_ text: String) -> Int? {
        let text = text.trimmingSpacesAndTabs()
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    /// The integer a value starts with (`100;w=60` -> 100).
    private static func leadingInteger(_ text: String) -> Int? {
        let digits = text.trimmingSpacesAndTabs().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(digits)
    }

    private static func nonNegativeNumber(_ text: String) -> Double? {
        let text = text.trimmingSpacesAndTabs()
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let number = Double(text), number.isFinite
        else { return nil }
        return number
    }
}
