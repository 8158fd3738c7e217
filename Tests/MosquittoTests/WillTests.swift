import Foundation
import Mosquitto
import TestSupport
import Testing

@Suite("Will message")
struct WillTests {
    /// The connection breaks as when the client's process dies: a relay between client and broker
    /// is cut, so the broker sees the socket closed without DISCONNECT. (The real daemon killed with
    /// SIGKILL: `ProcessFaultTests/killedLeavesItsWill`.)
    @Test func willIsPublishedWhenTheConnectionBreaks() async throws {
        try await withBroker { broker in
            let statusTopic = "will/\(UUID().uuidString)/status"
            let observer = try await TestClient.connected(port: broker.port, name: "observer")
            let statuses = Recorder(try await observer.client.subscribe(to: statusTopic))

            let relay = try TCPRelay(toPort: broker.port)
            // Also when the test fails before the cut: the relay's threads live until it.
            defer { relay.cut() }
            var configuration = TestClient.configuration(port: relay.port, name: "broken")
            configuration.will = .init(topic: statusTopic, payload: "offline", qos: .atLeastOnce, retain: true)
            let client = try await TestClient.connected(configuration)
            try await client.client.publish(topic: statusTopic, payload: "online", qos: .atLeastOnce, retain: true)
            try await statuses.waitUntil("online") { $0.map(\.payloadString).contains("online") }

            relay.cut()

            let messages = try await statuses.waitUntil("the will") { $0.map(\.payloadString).contains("offline") }
            #expect(messages.map(\.payloadString) == ["online", "offline"])
            #expect(broker.log.range(of: #"Client \#(configuration.clientID) closed its connection"#) != nil, "\(broker.log)")
            await client.client.shutdown()
            await observer.client.shutdown()
        }
    }

    @Test func willIsNotPublishedAfterACleanShutdown() async throws {
        try await withBroker { broker in
            let statusTopic = "will/\(UUID().uuidString)/status"
            let observer = try await TestClient.connected(port: broker.port, name: "observer")
            let statuses = Recorder(try await observer.client.subscribe(to: statusTopic))

            var configuration = TestClient.configuration(port: broker.port, name: "clean")
            configuration.will = .init(topic: statusTopic, payload: "offline", qos: .atLeastOnce, retain: false)
            let client = try await TestClient.connected(configuration)
            try await client.client.publish(topic: statusTopic, payload: "online")
            await client.client.shutdown()
            let events = try await client.events.waitUntil("the end of the event sequence") { _ in client.events.isFinished }
            #expect(events.last == .disconnected(reason: .shutdown))

            // The broker handles the closed connection before a later client's message on the same
            // topic; had it published the will, it would arrive before this marker.
            let marker = try await TestClient.connected(port: broker.port, name: "marker")
            try await marker.client.publish(topic: statusTopic, payload: "marker")
            let messages = try await statuses.waitUntil("the marker") { $0.map(\.payloadString).contains("marker") }
            #expect(messages.map(\.payloadString) == ["online", "marker"])
            await marker.client.shutdown()
            await observer.client.shutdown()
        }
    }
}
