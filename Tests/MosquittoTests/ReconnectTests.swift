import Foundation
import Mosquitto
import Synchronization
import TestSupport
import Testing

@Suite("Staying connected")
struct ReconnectTests {
    @Test func connectsOnceABrokerThatWasDownAtStartUpComesUp() async throws {
        let port = try FreePort.find()
        let client = try TestClient.started(TestClient.configuration(port: port))
        // Queued while no broker exists at all.
        let queued = Task { try await client.client.publish(topic: "late/broker", payload: "queued", qos: .atLeastOnce) }

        // `attempt >= 2`, not `== 2`: a slow consumer (sanitizers, load) may see the event stream's
        // buffer drop the earliest events.
        let failures = try await client.events.waitUntil("two failed attempts with backoff") { events in
            events.filter { $0.connectionFailure != nil }.count >= 2
                && events.contains { if case .reconnectScheduled(let attempt, _) = $0 { attempt >= 2 } else { false } }
        }
        #expect(failures.compactMap(\.connectionFailure).allSatisfy {
            if case .networkFailure(let detail) = $0 { detail.contains("Connection refused") } else { false }
        })

        let broker = try await TestBroker.start(port: port)
        try await client.waitUntilConnected()
        try await queued.value
        await client.client.shutdown()
        await broker.shutdown()
    }

    @Test func subscriptionsAreRestoredAfterTheBrokerRestarts() async throws {
        try await withBroker { broker in
            let subscriber = try await TestClient.connected(port: broker.port, name: "restore")
            let topic = "restore/\(UUID().uuidString)"
            let received = Recorder(try await subscriber.client.subscribe(to: topic))

            // Without persistence the restarted broker has forgotten the subscription.
            await broker.stop()
            try await subscriber.events.waitUntil("disconnection") { $0.contains(where: \.isDisconnected) }
            try await broker.restart()
            try await subscriber.waitUntilConnected(count: 2)

            let publisher = try await TestClient.connected(port: broker.port, name: "pub")
            // The restored SUBSCRIBE may still be on its way; publish until it has taken effect.
            var attempt = 0
            while received.items.isEmpty {
                attempt += 1
                try await publisher.client.publish(topic: topic, payload: "after restart \(attempt)")
                try await Task.sleep(for: .milliseconds(20))
                if attempt > 500 { throw TestFailure("subscription not restored: \(subscriber.events.items)") }
            }
            #expect(received.items.first?.payloadString.hasPrefix("after restart") == true)
            await publisher.client.shutdown()
            await subscriber.client.shutdown()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func everyQoS1MessageArrivesAcrossABrokerRestart() async throws {
        var options = TestBroker.Options()
        options.persistence = true
        try await withBroker(options) { broker in
            let topic = "stream/\(UUID().uuidString)"
            var subscriberConfiguration = TestClient.configuration(port: broker.port, name: "persistent-sub")
            subscriberConfiguration.cleanStart = false
            let subscriber = try await TestClient.connected(subscriberConfiguration)
            let received = Recorder(try await subscriber.client.subscribe(to: topic, qos: .atLeastOnce, bufferSize: 10_000))

            let publisher = try await TestClient.connected(port: broker.port, name: "stream-pub")
            let total = 1_000
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<total {
                    group.addTask {
                        try await publisher.client.publish(topic: topic, payload: "\(index)", qos: .atLeastOnce)
                    }
                    if index == 300 {
                        // Stop mid-stream; messages 300... are then published while disconnected.
                        await broker.stop()
                        try await publisher.events.waitUntil("publisher disconnected") { $0.contains(where: \.isDisconnected) }
                    }
                    if index == 600 {
                        try await broker.restart()
                    }
                }
                try await group.waitForAll()
            }

            let expected = Set((0..<total).map(String.init))
            do {
                try await received.waitUntil("all \(total) messages") { messages in
                    Set(messages.map(\.payloadString)).isSuperset(of: expected)
                }
            } catch {
                let missing = expected.subtracting(received.items.map(\.payloadString)).sorted { Int($0)! < Int($1)! }
                Issue.record("missing \(missing.count) messages: \(missing.prefix(50))\nsubscriber: \(subscriber.events.items)\npublisher: \(publisher.events.items)\nbroker log:\n\(broker.log)")
            }
            let subscriberEvents = subscriber.events.items
            #expect(subscriberEvents.contains(.connected(sessionPresent: true)), "the broker kept the session: \(subscriberEvents)\n\(broker.log)")
            await publisher.client.shutdown()
            await subscriber.client.shutdown()
        }
    }

    @Test func cancellingTheRunningTaskShutsTheClientDown() async throws {
        try await withBroker { broker in
            let client = try MQTTClient(configuration: TestClient.configuration(port: broker.port))
            let events = Recorder(client.events())
            let running = Task { try await client.run() }
            try await events.waitUntil("connection") { $0.contains(where: \.isConnected) }

            running.cancel()
            try await running.value

            let seen = try await events.waitUntil("the end of the event sequence") { _ in events.isFinished }
            #expect(seen.last == .disconnected(reason: .shutdown))
            await #expect(throws: MQTTError.shutDown) {
                try await client.publish(topic: "after", payload: "x", qos: .atLeastOnce)
            }
        }
    }
}
