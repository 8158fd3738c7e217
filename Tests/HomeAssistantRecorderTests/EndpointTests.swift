import Foundation
import HomeAssistantRecorder
import Testing

/// The websocket URL derived from the URL a user types.
@Suite struct EndpointTests {
    @Test(arguments: [
        ("http://homeassistant.local:8123", "ws://homeassistant.local:8123/api/websocket"),
        ("http://homeassistant.local:8123/", "ws://homeassistant.local:8123/api/websocket"),
        ("https://ha.example.ch", "wss://ha.example.ch/api/websocket"),
        ("https://example.ch/ha/", "wss://example.ch/ha/api/websocket"),
        ("ws://127.0.0.1:8123/api/websocket", "ws://127.0.0.1:8123/api/websocket"),
        ("http://user:secret@127.0.0.1:8123?x=1", "ws://127.0.0.1:8123/api/websocket"),
    ])
    func websocketURL(configured: String, expected: String) throws {
        #expect(try HomeAssistantEndpoint(url: #require(URL(string: configured))).webSocketURL == expected)
    }

    @Test(arguments: ["ftp://example.ch", "homeassistant.local:8123", "/api/websocket"])
    func refusesWhatCannotBeHomeAssistant(configured: String) throws {
        #expect(throws: HomeAssistantConnectionError.self) {
            try HomeAssistantEndpoint(url: #require(URL(string: configured)))
        }
    }
}
