import HomeAssistant
import Logging
import Mosquitto
import OpenEnergy

/// What the bridge listens to: Home Assistant's birth message and the refresh command. Retained
/// messages are ignored: an `online` or a refresh someone left retained is not a live event.
struct IncomingCommands: Sendable {
    let client: MQTTClient
    let mapping: HomeAssistantMapping
    let bridgeState: BridgeState
    let queue: PublishQueue
    let wakeup: Wakeup
    let options: BridgeOptions
    let logger: Logger

    func listenForBirth() async {
        guard let subscription = await subscribe(mapping.topics.homeAssistantStatus) else { return }
        for await message in subscription where !message.retain {
            guard mapping.isHomeAssistantBirth(topic: message.topic, payload: message.payload) else { continue }
            let delay = options.randomBirthDelay
            logger.info("Home Assistant started: republishing discovery and states", metadata: ["delay": "\(delay)"])
            // Births arriving meanwhile queue up in the subscription and coalesce in the publish queue.
            try? await Task.sleep(for: delay)
            queue.enqueue(.discoveryAndStates)
        }
    }

    func listenForRefresh() async {
        guard let subscription = await subscribe(mapping.topics.refreshRequest) else { return }
        for await message in subscription where !message.retain {
            guard mapping.isRefreshRequest(topic: message.topic) else { continue }
            logger.info("refresh requested over MQTT")
            await bridgeState.requestRefresh(at: options.clock.now)
            wakeup.signal()
        }
    }

    private func subscribe(_ topic: String) async -> MQTTSubscription? {
        do {
            return try await client.subscribe(to: topic, qos: .atLeastOnce, bufferSize: 64)
        } catch is CancellationError {
            return nil
        } catch {
            logger.error("cannot subscribe to \(topic): \(error)")
            return nil
        }
    }
}
