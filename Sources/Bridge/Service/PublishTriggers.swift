/// What the fetch path has published on each occasion, in one place: work for the publisher now, or
/// held back until the state that shows it is saved (a failed save: read-only or full directory).
struct PublishTriggers: Sendable {
    let queue: PublishQueue
    /// Publications held back by a failed save.
    let unsaved = UnsavedPublications()

    /// Whether publications wait for a save that works.
    var isHoldingBack: Bool { unsaved.isPending }

    /// The login's state changed: every meter's availability follows it.
    func loginChanged() {
        queue.enqueue(PublishWork(allAvailability: true, bridgeInfo: true))
    }

    /// Core data was read: discovery of the bridge, everything of added and changed meters, the
    /// removal of those gone. `saved`: whether the metering points' change is on disk.
    func coreDataRead(_ changes: BridgeState.MeterChanges, saved: Bool) {
        let republished = Set(changes.added + changes.changed)
        let work = PublishWork(
            bridgeDiscovery: true, meterDiscovery: republished, removals: Set(changes.removed),
            availability: republished, states: republished, bridgeInfo: true)
        if saved { queue.enqueue(work) } else { unsaved.add(work) }
    }

    /// Core data cannot be decoded; the meters of `ckw.metering_points` are taken as they are.
    func metersConfiguredWithoutCoreData(_ changes: BridgeState.MeterChanges) {
        let republished = Set(changes.added + changes.changed)
        queue.enqueue(PublishWork(
            bridgeDiscovery: true, meterDiscovery: republished, availability: republished, states: republished, bridgeInfo: true))
    }

    /// A meter's data showed a direction or tariff register core data did not announce.
    func entitiesAdded(of id: String) {
        queue.enqueue(PublishWork(meterDiscovery: [id]))
    }

    /// Meter data of `ids` is saved: their states go out.
    func statesSaved(of ids: Set<String>, oldestResponse: ContinuousClock.Instant?) {
        queue.enqueue(.states(of: ids, responseReceivedAt: oldestResponse))
    }

    /// Meter data of `ids` could not be saved: their states wait for a save that works; their
    /// availability and `bridge/info` say what happened now.
    func saveFailed(of ids: Set<String>) {
        queue.enqueue(PublishWork(availability: ids, bridgeInfo: true))
        unsaved.add(.states(of: ids))
    }

    /// A save worked: what failed saves held back goes out. Returns it.
    func saved() -> PublishWork? {
        guard let heldBack = unsaved.take() else { return nil }
        queue.enqueue(heldBack)
        return heldBack
    }

    /// `bridge/info` changed (an error, the plan, the budget).
    func info() {
        queue.enqueue(.info)
    }
}
