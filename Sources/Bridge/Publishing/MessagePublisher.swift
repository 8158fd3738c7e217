import HomeAssistant
import Logging
import Mosquitto

/// Publishes messages through the MQTT client, many at once but never more than `window`
/// unacknowledged (the client refuses work beyond its queue limit), and reports failures instead of
/// throwing: a message that did not make it is republished with everything after the next connect.
struct MessagePublisher: Sendable {
    let client: MQTTClient
    let window: Int
    let logger: Logger

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

    private func publish(_ message: OutgoingMessage) async -> Bool {
        do {
            try await client.publish(
                topic: message.topic, payload: message.payload, qos: MQTTClientSettings.qos(message.qos), retain: message.retain)
            return true
        } catch is CancellationError {
            return false
        } catch {
            logger.warning("cannot publish", metadata: ["topic": "\(message.topic)", "error": "\(error)"])
            return false
        }
    }
}
