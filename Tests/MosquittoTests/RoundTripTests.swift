import Foundation
import Mosquitto
import TestSupport
import Testing

@Suite("Publishing and receiving through a real broker")
struct RoundTripTests {
    @Test(arguments: MQTTQoS.allCases)
    func messagesArriveInOrderAtEachQoS(qos: MQTTQoS) async throws {
        try await withBroker { broker in
            let subscriber = try await TestClient.connected(port: broker.port, name: "sub")
            let publisher = try await TestClient.connected(port: broker.port, name: "pub")
            let topic = "roundtrip/\(qos.rawValue)/\(UUID().uuidString)"
            let received = Recorder(try await subscriber.client.subscribe(to: topic, qos: qos))

            for index in 0..<20 {
                try await publisher.client.publish(topic: topic, payload: "message \(index)", qos: qos)
            }

            let messages = try await received.waitForCount(20)
            #expect(messages.map(\.payloadString) == (0..<20).map { "message \($0)" })
            #expect(messages.allSatisfy { $0.topic == topic && $0.qos == qos && !$0.retain })
            await publisher.client.shutdown()
            await subscriber.client.shutdown()
        }
    }

    @Test func retainedMessageReachesALaterSubscriber() async throws {
        try await withBroker { broker in
            let publisher = try await TestClient.connected(port: broker.port, name: "pub")
            let topic = "retained/\(UUID().uuidString)"
            try await publisher.client.publish(topic: topic, payload: "kept", qos: .atLeastOnce, retain: true)

            let subscriber = try await TestClient.connected(port: broker.port, name: "late")
            let received = Recorder(try await subscriber.client.subscribe(to: "retained/+"))
            let messages = try await received.waitForCount(1)
            #expect(messages.first == MQTTMessage(topic: topic, payload: Array("kept".utf8), qos: .atLeastOnce, retain: true))
            await publisher.client.shutdown()
            await subscriber.client.shutdown()
        }
    }

    @Test func payloadOf256KiBArrivesIntact() async throws {
        try await withBroker { broker in
            let client = try await TestClient.connected(port: broker.port)
            let topic = "large/\(UUID().uuidString)"
            let received = Recorder(try await client.client.subscribe(to: topic))
            var generator = SystemRandomNumberGenerator()
            let payload = (0..<262_144).map { _ in UInt8.random(in: .min ... .max, using: &generator) }

            try await client.client.publish(topic: topic, payload: payload, qos: .exactlyOnce)

            let messages = try await received.waitForCount(1)
            #expect(messages.first?.payload == payload)
            await client.client.shutdown()
        }
    }

    @Test func severalSubscriptionsToOverlappingFiltersEachGetTheMessage() async throws {
        try await withBroker { broker in
            let client = try await TestClient.connected(port: broker.port)
            let base = "overlap/\(UUID().uuidString)"
            let exact = Recorder(try await client.client.subscribe(to: "\(base)/a"))
            let wildcard = Recorder(try await client.client.subscribe(to: "\(base)/+"))
            let other = Recorder(try await client.client.subscribe(to: "\(base)/b"))

            try await client.client.publish(topic: "\(base)/a", payload: "for a")
            try await client.client.publish(topic: "\(base)/b", payload: "for b")

            #expect(try await exact.waitForCount(1).map(\.payloadString) == ["for a"])
            #expect(try await wildcard.waitForCount(2).map(\.payloadString) == ["for a", "for b"])
            #expect(try await other.waitForCount(1).map(\.payloadString) == ["for b"])
            await client.client.shutdown()
        }
    }

    @Test func endingASubscriptionUnsubscribes() async throws {
        try await withBroker { broker in
            let client = try await TestClient.connected(port: broker.port)
            let topic = "unsubscribe/\(UUID().uuidString)"
            let subscription = try await client.client.subscribe(to: topic)
            let consumer = Task { () -> [MQTTMessage] in
                var seen: [MQTTMessage] = []
                for await message in subscription { seen.append(message) }
                return seen
            }
            consumer.cancel()
            let seenBeforeCancellation = await consumer.value
            #expect(seenBeforeCancellation.isEmpty)

            // A second subscriber on the same connection proves messages still flow; the cancelled
            // subscription's sequence stays finished.
            let control = Recorder(try await client.client.subscribe(to: "\(topic)/control"))
            try await client.client.publish(topic: topic, payload: "after cancel")
            try await client.client.publish(topic: "\(topic)/control", payload: "control")
            _ = try await control.waitForCount(1)
            var iterator = subscription.makeAsyncIterator()
            #expect(await iterator.next() == nil)
            await client.client.shutdown()
        }
    }
}
