import Foundation

/// Why talking to Home Assistant failed, worded for the operator: each case says what to check.
/// The access token never appears in any of them.
public enum HomeAssistantConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured URL cannot be a Home Assistant URL.
    case invalidURL(String, reason: String)
    /// No connection: refused, name not resolved, timed out, or cut while connecting.
    case unreachable(HomeAssistantEndpoint, reason: String)
    /// Something answered, but not with Home Assistant's websocket API.
    case notHomeAssistant(HomeAssistantEndpoint, reason: String)
    /// `auth_invalid`: the token is wrong, expired or revoked.
    case authenticationFailed(HomeAssistantEndpoint, message: String)
    /// The `recorder` integration is not loaded, so there is nowhere to store statistics.
    case recorderNotLoaded(HomeAssistantEndpoint)
    /// The token's user is no administrator; importing statistics needs one.
    case notAdministrator(HomeAssistantEndpoint, command: String)
    /// Home Assistant answered a command with an error.
    case commandFailed(command: String, code: String, message: String)
    /// No answer to a command in time.
    case timedOut(command: String, after: Duration)
    /// The connection closed (Home Assistant restarted or went away) before the answer came.
    case connectionClosed(HomeAssistantEndpoint, reason: String)
    /// An answer that does not have the documented shape.
    case unexpectedResponse(command: String, reason: String)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            "Home Assistant URL `\(url)` is not usable: \(reason)."
        case .unreachable(let endpoint, let reason):
            "Home Assistant is unreachable at \(endpoint) (\(reason)). Check homeassistant.statistics.url and that Home Assistant is running."
        case .notHomeAssistant(let endpoint, let reason):
            "\(endpoint) does not offer Home Assistant's websocket API (\(reason)). Check homeassistant.statistics.url: it is the address you open Home Assistant at, e.g. http://homeassistant.local:8123."
        case .authenticationFailed(let endpoint, let message):
            "Home Assistant at \(endpoint) rejected the access token (\(message)). Create a long-lived access token (your Home Assistant profile, Security tab) and put it in the file homeassistant.statistics.token_file names."
        case .recorderNotLoaded(let endpoint):
            "Home Assistant at \(endpoint) has no recorder, so it cannot keep long-term statistics. Enable `recorder:` (part of `default_config:`) or switch homeassistant.statistics off."
        case .notAdministrator(let endpoint, let command):
            "Home Assistant at \(endpoint) refused `\(command)`: the access token's user must be an administrator to import statistics."
        case .commandFailed(let command, let code, let message):
            "Home Assistant refused `\(command)`: \(code): \(message)"
        case .timedOut(let command, let after):
            "Home Assistant did not answer `\(command)` within \(after)."
        case .connectionClosed(let endpoint, let reason):
            "The connection to Home Assistant at \(endpoint) closed (\(reason)); the next cycle reconnects."
        case .unexpectedResponse(let command, let reason):
            "Home Assistant's answer to `\(command)` was not understood: \(reason)"
        }
    }
}
