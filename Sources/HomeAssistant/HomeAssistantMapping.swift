import Foundation
import Mosquitto

/// Turns meter values and bridge status into the MQTT messages Home Assistant and scripts read.
///
/// Pure: values in, messages out, no I/O and no state, so it is `Sendable` and cheap to call from
/// anywhere. Typical use by the bridge:
///
/// ```swift
/// let mapping = HomeAssistantMapping(configuration: .init(
///     topics: try Topics(baseTopic: settings.baseTopic),
///     origin: Origin(softwareVersion: version)))
/// client.will = mapping.bridgeAvailability(.offline)
/// publish(mapping.bridgeAvailability(.online))
/// publish(mapping.discoveryMessages(for: meters))        // on start, birth and reconnect
/// publish(mapping.meterState(snapshot, of: meter))
/// publish(mapping.meterAvailability(.online, meteringPointID: meter.meteringPointID))
/// ```
public struct HomeAssistantMapping: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var topics: Topics
        public var origin: Origin
        /// The production surplus turns on when export minus import, as average power over the last
        /// interval, exceeds this many watts.
        public var surplusThresholdWatts: Double
        /// QoS of every message; at least once by default, so the broker acknowledges each.
        public var qos: MQTTQoS

        public init(
            topics: Topics = .default,
            origin: Origin,
            surplusThresholdWatts: Double = 0,
            qos: MQTTQoS = .atLeastOnce
        ) {
            self.topics = topics
            self.origin = origin
            self.surplusThresholdWatts = surplusThresholdWatts
            self.qos = qos
        }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var topics: Topics { configuration.topics }

    // MARK: Discovery (all retained: Home Assistant reads them again after its own restart)

    /// The device-based discovery config of a metering point, on `<prefix>/device/ckw2mqtt_<id>/config`.
    ///
    /// Pass the description published before as `previous` when a meter changed (e.g. lost its
    /// export series): entities it had then and lacks now are removed.
    public func meterDiscovery(for meter: MeterDescription, replacing previous: MeterDescription? = nil) -> OutgoingMessage {
        retained(topics.meterDiscovery(meter.meteringPointID), meterDiscoveryJSON(for: meter, replacing: previous).encoded())
    }

    /// The bridge device's discovery config; publish it before the meters' (they name it `via_device`).
    public func bridgeDiscovery() -> OutgoingMessage {
        retained(topics.bridgeDiscovery, bridgeDiscoveryJSON().encoded())
    }

    /// Bridge first, then every meter: what to publish at start, on Home Assistant's birth message
    /// and after every reconnect.
    public func discoveryMessages(for meters: [MeterDescription]) -> [OutgoingMessage] {
        [bridgeDiscovery()] + meters.map { meterDiscovery(for: $0) }
    }

    // MARK: States

    /// `<base>/<id>/state`, retained: Home Assistant and late subscribers get the latest values.
    public func meterState(_ snapshot: MeterSnapshot, of meter: MeterDescription) -> OutgoingMessage {
        let readout = readout(of: snapshot, for: meter)
        return retained(topics.meterState(meter.meteringPointID), meterStateJSON(readout, of: meter).encoded())
    }

    /// The values `meterState` publishes, for logs and decisions in the bridge.
    public func readout(of snapshot: MeterSnapshot, for meter: MeterDescription) -> MeterReadout {
        MeterReadout(snapshot: snapshot, meter: meter, surplusThresholdWatts: configuration.surplusThresholdWatts)
    }

    /// `<base>/bridge/info`, retained.
    public func bridgeInfo(_ snapshot: BridgeSnapshot) -> OutgoingMessage {
        retained(topics.bridgeInfo, bridgeInfoJSON(snapshot).encoded())
    }

    // MARK: Availability

    /// `<base>/bridge/state`, retained. `.offline` is also the MQTT will: configure it on the client
    /// before connecting, and publish `.offline` yourself before a clean disconnect.
    public func bridgeAvailability(_ availability: Availability) -> OutgoingMessage {
        retained(topics.bridgeState, availability.payload)
    }

    /// `<base>/<id>/availability`, retained: `.offline` while the meter's data cannot be fetched
    /// (including while a login is required), `.online` once it can again.
    public func meterAvailability(_ availability: Availability, meteringPointID: String) -> OutgoingMessage {
        retained(topics.meterAvailability(meteringPointID), availability.payload)
    }

    // MARK: Removal

    /// Removes a metering point's device from Home Assistant and clears its retained topics. The
    /// config goes first so Home Assistant drops the entities before their states disappear.
    public func meterRemoval(meteringPointID: String) -> [OutgoingMessage] {
        [
            topics.meterDiscovery(meteringPointID),
            topics.meterState(meteringPointID),
            topics.meterAvailability(meteringPointID),
        ].map(retainedDeletion)
    }

    /// Removes the bridge device and clears the bridge's retained topics (for `ckw2mqtt purge`).
    public func bridgeRemoval() -> [OutgoingMessage] {
        [topics.bridgeDiscovery, topics.bridgeInfo, topics.bridgeState].map(retainedDeletion)
    }

    // MARK: Incoming

    /// Home Assistant's birth message: republish discovery, then states, after a short random delay.
    public func isHomeAssistantBirth(topic: String, payload: [UInt8]) -> Bool {
        topic == topics.homeAssistantStatus && payload.elementsEqual(Availability.online.payload)
    }

    /// A request to fetch now; the payload does not matter.
    public func isRefreshRequest(topic: String) -> Bool {
        topic == topics.refreshRequest
    }

    // MARK: Helpers

    private func retained(_ topic: String, _ payload: [UInt8]) -> OutgoingMessage {
        OutgoingMessage(topic: topic, payload: payload, retain: true, qos: configuration.qos)
    }

    private func retainedDeletion(_ topic: String) -> OutgoingMessage {
        retained(topic, [])
    }
}
