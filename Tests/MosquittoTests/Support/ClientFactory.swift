import Foundation
import Mosquitto

/// Clients for tests: a unique client id, fast reconnects, and a recorder of connection events that
/// exists before the client starts (so the first connection is never missed).
struct TestClient: Sendable {
    let client: MQTTClient
    let events: Recorder<MQTTConnectionEvent>

    static func configuration(port: Int, name: String = "test") -> MQTTClient.Configuration {
        MQTTClient.Configuration(
            host: "127.0.0.1", port: port, clientID: "\(name)-\(UUID().uuidString.prefix(8))",
            reconnect: .init(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(200)))
    }

    static func started(_ configuration: MQTTClient.Configuration) throws -> TestClient {
        let client = try MQTTClient(configuration: configuration)
        let events = Recorder(client.events())
        try client.start()
        return TestClient(client: client, events: events)
    }

    static func connected(_ configuration: MQTTClient.Configuration) async throws -> TestClient {
        let testClient = try started(configuration)
        try await testClient.waitUntilConnected()
        return testClient
    }

    static func connected(port: Int, name: String = "test") async throws -> TestClient {
        try await connected(configuration(port: port, name: name))
    }

    func waitUntilConnected(count: Int = 1) async throws {
        try await events.waitUntil("\(count) connection(s)") { events in
            events.count { if case .connected = $0 { true } else { false } } >= count
        }
    }
}

extension MQTTConnectionEvent {
    var isConnected: Bool { if case .connected = self { true } else { false } }
    var isDisconnected: Bool { if case .disconnected = self { true } else { false } }
    var connectionFailure: MQTTError? { if case .connectionFailed(let error) = self { error } else { nil } }
}
