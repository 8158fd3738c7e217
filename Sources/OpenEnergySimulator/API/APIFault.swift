/// A misbehaviour of the API, injected at runtime by tests (in-process or via `/_sim/faults`).
public enum APIFault: Sendable, Hashable, Codable {
    /// Answer with this 5xx status and a JSON error body.
    case serverError(status: Int)
    /// Answer 429; with headers: `X-Ratelimit-*` (remaining 0, reset in `resetMilliseconds`) and, if
    /// given, `Retry-After` in seconds; without: a bare 429.
    case tooManyRequests(withHeaders: Bool, resetMilliseconds: Int, retryAfterSeconds: Int?)
    /// Answer correctly, but only after this many milliseconds.
    case slow(milliseconds: Int)
    /// Answer 200 with a body that is not valid JSON.
    case malformedJSON
    /// Declare the full body's `Content-Length`, send half of it and close the connection.
    case truncatedBody
    /// Meter data of another metering point than the one asked for.
    case wrongMeteringPoint
    /// Meter data with an interval before and one after the asked range.
    case valuesOutsideRange
    /// Meter data with some intervals repeated and the series in reverse order.
    case repeatedAndReorderedIntervals

    /// Faults that only make sense for meter data leave core data alone.
    var appliesToCoreData: Bool {
        switch self {
        case .wrongMeteringPoint, .valuesOutsideRange, .repeatedAndReorderedIntervals: false
        default: true
        }
    }
}
