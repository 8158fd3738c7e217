import Foundation
import Mosquitto
import TestSupport
import Testing

@Suite("Interoperability")
struct InteroperabilityTests {
    @Test func mosquittoSubReceivesWhatTheWrapperPublishes() async throws {
        let mosquittoSub = try RequiredProgram.path("mosquitto_sub", package: "mosquitto-clients")
        try await withBroker { broker in
            let publisher = try await TestClient.connected(port: broker.port, name: "interop")
            let topic = "interop/\(UUID().uuidString)"
            // A retained first message proves mosquitto_sub's subscription is active before the rest.
            try await publisher.client.publish(topic: topic, payload: "ready", qos: .atLeastOnce, retain: true)

            let subscriber = try ChildProcess(
                executable: mosquittoSub,
                arguments: ["-h", "127.0.0.1", "-p", "\(broker.port)", "-t", topic, "-q", "1", "-v", "-C", "4"])
            try await subscriber.waitForLine("the retained message") { $0 == "\(topic) ready" }

            try await publisher.client.publish(topic: topic, payload: "qos 0", qos: .atMostOnce)
            try await publisher.client.publish(topic: topic, payload: "qos 1", qos: .atLeastOnce)
            try await publisher.client.publish(topic: topic, payload: "qos 2 ünïcødé", qos: .exactlyOnce)

            try await subscriber.waitForExit()
            #expect(subscriber.terminationStatus == 0)
            #expect(subscriber.lines == ["ready", "qos 0", "qos 1", "qos 2 ünïcødé"].map { "\(topic) \($0)" })
            await publisher.client.shutdown()
        }
    }
}
