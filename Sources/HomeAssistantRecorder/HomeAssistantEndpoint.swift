import Foundation

/// Where Home Assistant's websocket API is, derived from the URL a user knows
/// (`http://homeassistant.local:8123`): `ws://homeassistant.local:8123/api/websocket`.
public struct HomeAssistantEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The URL as configured, for messages.
    public let url: URL
    /// `ws://` or `wss://` URL of `/api/websocket`.
    public let webSocketURL: String

    /// Accepts `http`, `https`, `ws` and `wss` URLs; a path other than `/api/websocket` is kept as
    /// a prefix (Home Assistant behind a reverse proxy under a sub-path).
    public init(url: URL) throws(HomeAssistantConnectionError) {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty
        else { throw .invalidURL(url.absoluteString, reason: "expected e.g. http://homeassistant.local:8123") }
        switch scheme {
        case "http", "ws": components.scheme = "ws"
        case "https", "wss": components.scheme = "wss"
        default: throw .invalidURL(url.absoluteString, reason: "the scheme must be http, https, ws or wss")
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/api/websocket") { path += "/api/websocket" }
        components.path = path
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        guard let webSocketURL = components.string else {
            throw .invalidURL(url.absoluteString, reason: "cannot form the websocket URL")
        }
        self.url = url
        self.webSocketURL = webSocketURL
    }

    public var description: String { url.absoluteString }
}
