import HomeAssistant
import Logging
import Mosquitto
import Synchronization

/// Publishes messages through the MQTT client, many at once but never more than `window`
/// unacknowledged (the client refuses work beyond its queue limit), and reports failures instead of
/// throwing: a message that did not make it is republished with everything after the next connect.
struct MessagePublisher: Sendable {
    let client: MQTTClient
    let window: Int
    let logger: Logger
    /// Topics whose messages the broker refuses (ACL, size limit), said once each.
    private let refusedTopics = RefusedTopics()

    init(client: MQTTClient, logger: Logger) {
        self.client = client
        // Half the queue, so that a few messages published elsewhere still fit.
        self.window = max(1, min(256, client.configuration.maxQueuedMessages / 2))
        self.logger = logger
    }

    /// Returns once every message is acknowledged (QoS 1/2) or written (QoS 0), or failed; returns
    /// the number of failures.
    @discardableResult
    func publish(_ messages: [OutgoingMessage]) async -> Int {
        if messages.count == 1 { return await publish(messages[0]) ? 0 : 1 }
        return await withTaskGroup(of: Bool.self) { group in
            var failures = 0
            var running = 0
            for message in messages {
                if running >= window, let succeeded = await group.next() {
                    running -= 1
                    if !succeeded { failures += 1 }
                }
                group.addTask { await publish(message) }
                running += 1
            }
            for await succeeded in group where !succeeded { failures += 1 }
            return failures
        }
    }

    /// A message the broker refuses counts as done: publishing it again after a reconnect would be
    /// refused again, and the other messages must not wait for it. It is said once per topic (again
    /// only after the broker has accepted that topic in between).
    private func publish(_ message: OutgoingMessage) async -> Bool {
        do {
            try await client.publish(
                topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain)
            refusedTopics.accepted(message.topic)
            return true
        } catch is CancellationError {
            return false
        } catch let error as MQTTError where error.isRefusalOfTheMessage {
            if refusedTopics.isFirstRefusal(of: message.topic) {
                logger.error(
                    "the broker refuses messages on this topic; the bridge goes on with the others (check the broker's ACL and its message size limit)",
                    metadata: ["topic": "\(message.topic)", "error": "\(error)", "bytes": "\(message.payload.count)"])
            }
            return true
        } catch {
            logger.warning("cannot publish", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
            return false
        }
    }
}

/// The topics the broker refused last time, so that each refusal is said once.
private final class RefusedTopics: Sendable {
    private let topics = Mutex<Set<String>>([])

    func isFirstRefusal(of topic: String) -> Bool {
        topics.withLock { $0.insert(topic).inserted }
    }

    func accepted(_ topic: String) {
        _ = topics.withLock { $0.remove(topic) }
    }
}
