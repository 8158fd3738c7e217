import Foundation
import Mosquitto
import TestSupport
import Testing

@Suite("Publish errors are typed and readable")
struct PublishErrorTests {
    @Test func invalidTopicsAreRejectedBeforeAnythingIsSent() async throws {
        // Never started: nothing could be sent even if validation let it through.
        let client = try MQTTClient(configuration: TestClient.configuration(port: 1))
        for (topic, problem) in [("", MQTTError.TopicProblem.empty), ("a/+/b", .containsWildcard), ("#", .containsWildcard),
                                 (String(repeating: "t", count: 70_000), .tooLong(utf8Length: 70_000))] {
            await #expect(throws: MQTTError.invalidTopic(topic, problem: problem)) {
                try await client.publish(topic: topic, payload: "x", qos: .atLeastOnce)
            }
        }
        await #expect(throws: MQTTError.invalidTopic("a/#/b", problem: .misplacedWildcard)) {
            _ = try await client.subscribe(to: "a/#/b")
        }
        #expect(MQTTError.invalidTopic("a/+/b", problem: .containsWildcard).description.contains("wildcard"))
        await client.shutdown()
    }

    @Test func qos0WhileDisconnectedFailsAsNotConnected() async throws {
        let client = try MQTTClient(configuration: TestClient.configuration(port: 1))
        await #expect(throws: MQTTError.notConnected) {
            try await client.publish(topic: "status", payload: "x", qos: .atMostOnce)
        }
        await client.shutdown()
    }

    @Test func queuedMessagesAreBoundedAndFailWhenTheClientShutsDown() async throws {
        var configuration = TestClient.configuration(port: 1)
        configuration.maxQueuedMessages = 3
        // Never started, so nothing is ever acknowledged: every QoS 1 message stays queued.
        let client = try MQTTClient(configuration: configuration)
        let queued = (0..<3).map { index in
            Task { try await client.publish(topic: "queued", payload: "\(index)", qos: .atLeastOnce) }
        }
        while client.unacknowledgedMessageCount < 3 { try await Task.sleep(for: .milliseconds(5)) }

        await #expect(throws: MQTTError.queueFull(limit: 3)) {
            try await client.publish(topic: "queued", payload: "overflow", qos: .atLeastOnce)
        }
        await client.shutdown()
        for task in queued {
            await #expect(throws: MQTTError.shutDown) { try await task.value }
        }
        await #expect(throws: MQTTError.shutDown) {
            try await client.publish(topic: "queued", payload: "late", qos: .atLeastOnce)
        }
    }

    @Test func cancellingAWaitingPublishEndsTheCall() async throws {
        let client = try MQTTClient(configuration: TestClient.configuration(port: 1))
        let waiting = Task { try await client.publish(topic: "cancel", payload: "x", qos: .atLeastOnce) }
        while client.unacknowledgedMessageCount < 1 { try await Task.sleep(for: .milliseconds(5)) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        // The message itself stays queued (it would still be delivered), so it keeps counting.
        #expect(client.unacknowledgedMessageCount == 1)
        await client.shutdown()
    }

    @Test func payloadOverTheBrokersMaximumPacketSizeIsTooLarge() async throws {
        var options = TestBroker.Options()
        options.maxPacketSize = 2_000
        try await withBroker(options) { broker in
            var configuration = TestClient.configuration(port: broker.port)
            configuration.protocolVersion = .v5
            let client = try await TestClient.connected(configuration)
            await #expect(throws: MQTTError.payloadTooLarge(size: 4_000)) {
                try await client.client.publish(topic: "big", payload: [UInt8](repeating: 1, count: 4_000))
            }
            try await client.client.publish(topic: "small", payload: [UInt8](repeating: 1, count: 100))
            await client.client.shutdown()
        }
    }

    @Test func brokerRefusalCarriesTheMQTT5ReasonCode() async throws {
        var options = TestBroker.Options()
        options.aclLines = ["topic readwrite allowed/#"]
        try await withBroker(options) { broker in
            var configuration = TestClient.configuration(port: broker.port)
            configuration.protocolVersion = .v5
            let client = try await TestClient.connected(configuration)

            try await client.client.publish(topic: "allowed/x", payload: "ok", qos: .atLeastOnce)
            let error = await #expect(throws: MQTTError.self) {
                try await client.client.publish(topic: "denied/x", payload: "no", qos: .atLeastOnce)
            }
            #expect(error == .publishRefused(reasonCode: 0x87, reason: "Not authorized"))
            #expect(error?.description == "broker refused the message: Not authorized (reason code 135)")
            await client.client.shutdown()
        }
    }
}
