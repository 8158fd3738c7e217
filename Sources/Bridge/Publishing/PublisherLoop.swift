import Logging
import Mosquitto

/// The one task that publishes: takes the accumulated work, builds the messages from the bridge's
/// current state and publishes them phase by phase.
struct PublisherLoop: Sendable {
    let bridgeState: BridgeState
    let queue: PublishQueue
    let client: MQTTClient
    let publisher: MessagePublisher
    let events: BridgeEvents
    let logger: Logger

    func run() async {
        while let work = await queue.next() {
            // Nothing is lost: every connection starts with a republication of everything.
            guard client.isConnected else { continue }
            for phase in await bridgeState.phases(for: work) {
                if Task.isCancelled { return }
                let failures = await publisher.publish(phase.messages)
                guard failures == 0 else {
                    logger.warning("\(failures) of \(phase.messages.count) messages were not published; they go out again after the next connect")
                    continue
                }
                report(phase, work: work)
            }
        }
    }

    private func report(_ phase: PublishPhase, work: PublishWork) {
        switch phase.kind {
        case .discovery:
            logger.debug("discovery published", metadata: ["meters": "\(phase.meteringPointIds.count)"])
            events.emit(.discoveryAcknowledged(meters: phase.meteringPointIds.count))
        case .states:
            logger.debug("states published", metadata: ["meters": "\(phase.meteringPointIds.count)"])
            let sinceResponse = work.responseReceivedAt.map { ContinuousClock.now - $0 }
            events.emit(.statesAcknowledged(meteringPointIds: phase.meteringPointIds, sinceResponse: sinceResponse))
            if let sinceResponse { BridgeMetrics.published(sinceResponse: sinceResponse) }
        case .removals:
            logger.info("removed devices from Home Assistant", metadata: ["meters": "\(phase.meteringPointIds.joined(separator: ","))"])
        case .bridgeOnline, .availability, .info:
            break
        }
    }
}
