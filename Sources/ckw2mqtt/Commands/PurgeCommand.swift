import ArgumentParser
import Bridge
import Foundation
import HomeAssistant
import Logging
import Mosquitto
import Synchronization

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove ckw2mqtt's discovery configs and retained messages from the broker.",
        discussion: """
            Home Assistant then removes the devices and entities ckw2mqtt created. Stop the bridge \
            first: a running bridge publishes them again.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Purge even though the bridge reports itself online.")
    var force = false

    @Option(help: "Seconds without a new retained message after which the collection ends.")
    var quietSeconds: Double = 1

    func run() async throws {
        let configuration = try options.load(ckw: .suppliedByCaller)
        LoggingSetup.bootstrap(level: configuration.logging.level > .notice ? configuration.logging.level : .notice)
        let topics = try Topics(
            baseTopic: configuration.mqtt.baseTopic, discoveryPrefix: configuration.homeAssistant.discoveryPrefix,
            homeAssistantStatus: configuration.homeAssistant.statusTopic)
        var mqtt = configuration.mqtt
        mqtt.clientID += "-purge-\(UInt32.random(in: 0...UInt32.max))"
        let settings = MQTTClientSettings.configuration(mqtt, will: nil)
        let client = try MQTTClient(configuration: settings, logger: Logger(label: "mqtt"))
        let events = client.events()
        try client.start()
        do {
            try await waitForConnection(events, configuration: configuration)
            let owned = try await collectOwnedRetainedTopics(client: client, topics: topics)
            if owned[topics.bridgeState] == "online", !force {
                Terminal.error("the bridge reports itself online on \(topics.bridgeState); stop it first (or use --force)")
                await client.shutdown()
                throw ExitCode.failure
            }
            // Discovery configs first, so Home Assistant drops the entities before their states vanish.
            let ordered = owned.keys.sorted { ($0.hasPrefix(topics.discoveryPrefix + "/") ? 0 : 1, $0) < ($1.hasPrefix(topics.discoveryPrefix + "/") ? 0 : 1, $1) }
            // Off a terminal, one line per message would only bury the result.
            var progress = ProgressReporter(
                "Removing retained messages", total: ordered.count,
                display: .interactive(TerminalStatusLine.standardError, otherwise: .none))
            for (index, topic) in ordered.enumerated() {
                try await client.publish(topic: topic, payload: [], qos: .atLeastOnce, retain: true)
                progress.update(index + 1)
            }
            progress.finish(ordered.count)
            await client.shutdown()
            Terminal.print("Removed \(ordered.count) retained message(s) from \(configuration.mqtt.host):\(configuration.mqtt.port).")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            await client.shutdown()
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
    }

    private func waitForConnection(_ events: AsyncStream<MQTTConnectionEvent>, configuration: BridgeConfiguration) async throws {
        let connected = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await event in events {
                    if case .connected = event { return true }
                }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(10))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard connected else {
            throw PurgeFailure(description: "cannot connect to the broker at \(configuration.mqtt.host):\(configuration.mqtt.port) within 10 seconds")
        }
    }

    /// The retained topics under the base topic and the discovery configs of this bridge's devices
    /// (never another bridge's on the same broker), with their payloads, gathered until the broker
    /// has been quiet for `quietSeconds`.
    private func collectOwnedRetainedTopics(client: MQTTClient, topics: Topics) async throws -> [String: String] {
        let collected = RetainedCollection()
        let filters = ["\(topics.baseTopic)/#", topics.discoveryConfigFilter]
        var subscriptions: [MQTTSubscription] = []
        for filter in filters { subscriptions.append(try await client.subscribe(to: filter)) }
        let basePrefix = topics.baseTopic + "/"
        let discoveryPrefix = topics.discoveryPrefix + "/device/"
        await withTaskGroup(of: Void.self) { group in
            for subscription in subscriptions {
                group.addTask {
                    for await message in subscription where message.retain && !message.payload.isEmpty {
                        let owned = message.topic.hasPrefix(basePrefix)
                            || (message.topic.hasPrefix(discoveryPrefix) && topics.ownsDiscoveryConfig(message.payload))
                        collected.arrived()
                        guard owned else { continue }
                        collected.add(message.topic, message.payloadString)
                    }
                }
            }
            let quiet = Duration.milliseconds(Int64(max(0.1, quietSeconds) * 1000))
            while ContinuousClock.now - collected.lastArrival < quiet {
                try? await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
        return collected.messages
    }

    struct PurgeFailure: Error, CustomStringConvertible {
        var description: String
    }
}

/// Retained messages as they arrive from several subscriptions.
private final class RetainedCollection: Sendable {
    private let state = Mutex<(messages: [String: String], lastArrival: ContinuousClock.Instant)>(([:], .now))

    func add(_ topic: String, _ payload: String) {
        state.withLock { $0.messages[topic] = payload }
    }

    /// Any retained message, ours or not, means the broker is still sending.
    func arrived() {
        state.withLock { $0.lastArrival = .now }
    }

    var messages: [String: String] { state.withLock { $0.messages } }
    var lastArrival: ContinuousClock.Instant { state.withLock { $0.lastArrival } }
}
