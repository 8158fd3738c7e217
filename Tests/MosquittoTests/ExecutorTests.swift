import Foundation
import Mosquitto
import TestSupport
import Testing

/// `MQTTClient.executor`: tasks that prefer it run on the client's connection thread.
@Suite("The connection thread as a task executor")
struct ExecutorTests {
    @Test(arguments: MQTTQoS.allCases)
    func tasksPreferringTheExecutorPublishFromTheConnectionThread(qos: MQTTQoS) async throws {
        try await withBroker { broker in
            let subscriber = try await TestClient.connected(port: broker.port, name: "sub")
            let publisher = try await TestClient.connected(port: broker.port, name: "pub")
            let topic = "executor/\(qos.rawValue)/\(UUID().uuidString)"
            let received = Recorder(try await subscriber.client.subscribe(to: topic, qos: qos))

            let threadNames = try await withThrowingTaskGroup(of: String?.self) { group in
                for worker in 0..<4 {
                    group.addTask(executorPreference: publisher.client.executor) {
                        for index in 0..<50 {
                            try await publisher.client.publish(topic: topic, payload: "\(worker)/\(index)", qos: qos)
                        }
                        return currentThreadName()
                    }
                }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }

            #expect(threadNames == Array(repeating: publisher.client.connectionThreadName, count: 4))
            let messages = try await received.waitForCount(200)
            for worker in 0..<4 {
                // Per publisher, the order is kept.
                let own = messages.map(\.payloadString).filter { $0.hasPrefix("\(worker)/") }
                #expect(own == (0..<50).map { "\(worker)/\($0)" })
            }
            await publisher.client.shutdown()
            await subscriber.client.shutdown()
        }
    }

    @Test func jobsRunWhileTheBrokerIsDownAndQueuedMessagesFollowTheReconnect() async throws {
        let port = try FreePort.find()
        let client = try TestClient.started(TestClient.configuration(port: port, name: "down"))
        try await client.events.waitUntil("a failed attempt") { $0.contains { $0.connectionFailure != nil } }

        // Runs on the connection thread during its backoff: the message is queued, not lost.
        let queued = Task(executorPreference: client.client.executor) {
            let threadName = currentThreadName()
            try await client.client.publish(topic: "executor/late", payload: "queued", qos: .atLeastOnce)
            return threadName
        }
        try await waitUntil("the message is queued") { client.client.unacknowledgedMessageCount == 1 }

        let broker = try await TestBroker.start(port: port)
        try await client.waitUntilConnected()
        #expect(try await queued.value == client.client.connectionThreadName)
        #expect(client.client.unacknowledgedMessageCount == 0)
        await client.client.shutdown()
        await broker.shutdown()
    }

    @Test(.timeLimit(.minutes(1)))
    func tasksPreferringTheExecutorRunBeforeStartAndAfterShutdown() async throws {
        try await withBroker { broker in
            let client = try MQTTClient(configuration: TestClient.configuration(port: broker.port, name: "life"))
            let events = Recorder(client.events())

            // Before start there is no thread to run on: `run()` itself can be called from such a task.
            let running = Task(executorPreference: client.executor) { try await client.run() }
            try await events.waitUntil("connected") { $0.contains(where: \.isConnected) }

            running.cancel()
            try await running.value
            let answer = await Task(executorPreference: client.executor) { 42 }.value
            #expect(answer == 42)
            await #expect(throws: MQTTError.shutDown) {
                try await Task(executorPreference: client.executor) {
                    try await client.publish(topic: "executor/after", payload: "late")
                }.value
            }
        }
    }
}

private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(10)
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting until \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// The name of the thread running the caller (synchronous, so that async code may ask).
/// The system's name of the calling thread (`/proc`, not Foundation's `Thread.name`, which is
/// only what was set through Foundation).
private func currentThreadName() -> String? {
    guard let name = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8) else { return nil }
    return name.hasSuffix("\n") ? String(name.dropLast()) : name
}
