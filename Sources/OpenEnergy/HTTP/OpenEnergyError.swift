import Foundation
import Timestamps

/// Errors of the OpenEnergy API calls. None of them carries a token.
public enum OpenEnergyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an error status; `error`/`message` are from its JSON body when it had one.
    case httpStatus(endpoint: String, status: Int, error: String?, message: String?)
    /// Still rate limited (429) after the pacer's retries.
    case rateLimited(endpoint: String, status: RateLimitStatus?)
    /// The body could not be decoded: the JSON path, what was expected and what was found there.
    case decoding(OpenEnergyDecodingError)
    /// No answer in time (connect or read timeout, or the request deadline).
    case timeout(endpoint: String)
    /// The connection failed or broke.
    case transport(endpoint: String, reason: String)
    /// The call's arguments cannot make a valid request.
    case invalidRequest(String)
    /// Not sent: the login's daily request budget is used up (`limit` requests in the last 24 hours);
    /// `until` is when the oldest of them leaves the window.
    case budgetSpent(endpoint: String, limit: Int, until: Date)

    public var description: String {
        switch self {
        case let .httpStatus(endpoint, status, error, message):
            var text = "OpenEnergy \(endpoint) answered HTTP \(status)"
            if let error { text += " (\(error))" }
            if let message, !message.isEmpty { text += ": \(message)" }
            return text
        case let .rateLimited(endpoint, status):
            var text = "OpenEnergy \(endpoint) is still rate limited after retrying"
            if let reset = status?.resetAt { text += "; the quota resets at \(ISO8601Timestamp.format(reset))" }
            return text
        case let .decoding(error):
            return error.description
        case let .timeout(endpoint):
            return "OpenEnergy \(endpoint): no answer in time"
        case let .transport(endpoint, reason):
            return "OpenEnergy \(endpoint): connection failed: \(reason)"
        case let .invalidRequest(reason):
            return "Invalid OpenEnergy request: \(reason)"
        case let .budgetSpent(endpoint, limit, until):
            return "OpenEnergy \(endpoint) not asked: this login sent its \(limit) requests of the last 24 hours (ckw.api.daily_request_limit); the next one may go out at \(ISO8601Timestamp.format(until))"
        }
    }

    /// The HTTP status, when the error is one.
    public var httpStatus: Int? {
        if case let .httpStatus(_, status, _, _) = self { return status }
        if case .rateLimited = self { return 429 }
        return nil
    }
}
