/// What needs publishing, as flags rather than messages: the publisher builds the messages from the
/// bridge's state when it gets to them, so work that piles up (a slow broker, a reconnect) coalesces
/// and the newest values go out once.
struct PublishWork: Sendable, Equatable {
    var bridgeOnline = false
    var bridgeDiscovery = false
    /// Meter discovery of every current metering point.
    var allMeterDiscovery = false
    var meterDiscovery: Set<String> = []
    /// Metering points to remove from Home Assistant (configs and retained topics cleared).
    var removals: Set<String> = []
    var allAvailability = false
    var availability: Set<String> = []
    var allStates = false
    var states: Set<String> = []
    var bridgeInfo = false
    /// When the oldest meter data response behind `states` arrived, to measure the way to the broker.
    var responseReceivedAt: ContinuousClock.Instant?

    var isEmpty: Bool { self == PublishWork() }

    /// After every (re)connection: the broker may have lost retained messages, and Home Assistant
    /// may have restarted meanwhile.
    static let everything = PublishWork(
        bridgeOnline: true, bridgeDiscovery: true, allMeterDiscovery: true,
        allAvailability: true, allStates: true, bridgeInfo: true)

    /// After Home Assistant's birth message: discovery, then states (and what they depend on).
    static let discoveryAndStates = PublishWork(
        bridgeDiscovery: true, allMeterDiscovery: true, allAvailability: true, allStates: true, bridgeInfo: true)

    static let info = PublishWork(bridgeInfo: true)

    /// The values of some metering points changed.
    static func states(of ids: Set<String>, responseReceivedAt: ContinuousClock.Instant? = nil) -> PublishWork {
        PublishWork(availability: ids, states: ids, bridgeInfo: true, responseReceivedAt: responseReceivedAt)
    }

    mutating func merge(_ other: PublishWork) {
        bridgeOnline = bridgeOnline || other.bridgeOnline
        bridgeDiscovery = bridgeDiscovery || other.bridgeDiscovery
        allMeterDiscovery = allMeterDiscovery || other.allMeterDiscovery
        meterDiscovery.formUnion(other.meterDiscovery)
        removals.formUnion(other.removals)
        // A metering point that comes back after its removal was queued is published again.
        removals.subtract(other.meterDiscovery)
        allAvailability = allAvailability || other.allAvailability
        availability.formUnion(other.availability)
        allStates = allStates || other.allStates
        states.formUnion(other.states)
        bridgeInfo = bridgeInfo || other.bridgeInfo
        if let received = other.responseReceivedAt {
            responseReceivedAt = min(responseReceivedAt ?? received, received)
        }
    }
}
