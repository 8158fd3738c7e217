import EnergyDomain
import Foundation
import HomeAssistant
import OpenEnergy

/// The bridge's state while it runs, in one place: the ledger and the planner (saved as
/// `SavedBridgeState`), the metering points core data describes, and the health shown on
/// `bridge/info`. The fetch loop changes it;
/// the publisher reads it to build messages, so what goes out is always the newest state.
actor BridgeState {
    let mapping: HomeAssistantMapping
    let publishesDiscovery: Bool
    let version: String

    private(set) var ledger: MeterLedger
    private var planner: FetchPlanner
    private var lastSuccessfulFetch: Date?
    /// Metering points as described by the latest core data; `nil` until core data was read. Their
    /// directions are the ledger's (`MeteringPointLedger.directions`), kept only there.
    private var meters: [String: CoreDataMeter]?
    /// What a meter's discovery looked like before its description changed, until republished.
    private var replacedDescriptions: [String: MeterDescription] = [:]
    /// Metering points whose last fetch failed: their availability is offline.
    private var failing: Set<String> = []
    private(set) var authentication: AuthenticationState = .unknown
    private var lastError: String?
    private var nextPlannedFetch: Date?
    private var rateLimit = RateLimitSnapshot()
    /// The series core data describes per metering point: their units fill in for meter data without one.
    private var describedSeries: [String: [SeriesDescription]] = [:]
    private let applying: MeterDataApplying.Settings
    private var lastUndecodableResponse: String?
    /// Set while the pacer holds every request back until the quota's window resets.
    private var pausedUntil: Date?

    init(
        mapping: HomeAssistantMapping, publishesDiscovery: Bool, version: String, saved: SavedBridgeState, policy: FetchPolicy,
        applying: MeterDataApplying.Settings = MeterDataApplying.Settings()
    ) {
        self.applying = applying
        self.mapping = mapping
        self.publishesDiscovery = publishesDiscovery
        self.version = version
        self.ledger = saved.ledger
        self.planner = FetchPlanner(policy: policy, schedule: saved.schedule)
        self.lastSuccessfulFetch = saved.lastSuccessfulFetch
        // Metering points only the saved state knows keep being planned once core data confirms them.
        for id in planner.meteringPointIds where saved.ledger[id] == nil { planner.remove(id) }
    }

    var savedState: SavedBridgeState {
        SavedBridgeState(ledger: ledger, schedule: planner.schedule, lastSuccessfulFetch: lastSuccessfulFetch)
    }

    var hasCoreData: Bool { meters != nil }
    var meteringPointIds: [String] { meters.map { $0.keys.sorted() } ?? [] }

    // MARK: Core data

    struct MeterChanges: Sendable, Equatable {
        var added: [String] = []
        var changed: [String] = []
        var removed: [String] = []
        var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }
    }

    /// Takes the metering points of fresh core data. Devices disappear only if this bridge created
    /// them (they are in its ledger), and never all at once: an empty list is far more likely a
    /// glitch than a household that lost every meter, and removing would forget their totals.
    func updateMeters(_ descriptions: [MeterDescription]) -> MeterChanges {
        var changes = MeterChanges()
        let previous = meters ?? [:]
        var next: [String: CoreDataMeter] = [:]
        for description in descriptions {
            let id = description.meteringPointID
            let before = previous[id].map { self.description(of: id, $0) }
            // Directions only add up: a meter does not lose its solar panels in core data, and
            // directions seen in data before (also before a restart) stay.
            ledger.track(id, adding: MeterDescriptions.directions(of: description))
            planner.track(id)
            // So do tariff registers announced before.
            let meter = CoreDataMeter(
                meterNumber: description.meterNumber, label: description.label,
                importTariffs: description.importTariffs.union(previous[id]?.importTariffs ?? []),
                exportTariffs: description.exportTariffs.union(previous[id]?.exportTariffs ?? []))
            next[id] = meter
            if let before {
                if before != self.description(of: id, meter) {
                    replacedDescriptions[id] = replacedDescriptions[id] ?? before
                    changes.changed.append(id)
                }
            } else {
                changes.added.append(id)
            }
        }
        let created = Set(ledger.meteringPointIds).union(previous.keys)
        let gone = created.subtracting(next.keys)
        if !gone.isEmpty, !descriptions.isEmpty {
            for id in gone.sorted() {
                ledger.remove(id)
                planner.remove(id)
                failing.remove(id)
                replacedDescriptions[id] = nil
                changes.removed.append(id)
            }
        } else if !gone.isEmpty {
            // Keep the old ones described so they stay published.
            for id in gone { if let known = previous[id] { next[id] = known } }
        }
        meters = next
        return changes
    }

    /// The Home Assistant device of a metering point: core data's facts, the ledger's directions,
    /// and the tariff registers core data announced or the ledger holds readings of.
    private func description(of id: String, _ meter: CoreDataMeter) -> MeterDescription {
        let point = ledger[id]
        let directions = point?.effectiveDirections ?? []
        var description = MeterDescription(
            meteringPointID: id, meterNumber: meter.meterNumber, label: meter.label,
            measuresImport: directions.contains(.consumption), measuresExport: directions.contains(.production))
        description.importTariffs = meter.importTariffs.union(point?.tariffs(.consumption) ?? [])
        description.exportTariffs = meter.exportTariffs.union(point?.tariffs(.production) ?? [])
        return description
    }

    private func description(of id: String) -> MeterDescription? {
        meters?[id].map { description(of: id, $0) }
    }

    private var descriptions: [String: MeterDescription] {
        guard let meters else { return [:] }
        return Dictionary(uniqueKeysWithValues: meters.map { ($0.key, description(of: $0.key, $0.value)) })
    }

    // MARK: Fetching

    func dueRequests(at now: Date) -> [FetchRequest] {
        planner.dueRequests(at: now, ledger: ledger)
    }

    func withdraw(_ requests: [FetchRequest], issuedAt: Date) {
        planner.withdraw(requests, issuedAt: issuedAt)
    }

    func nextDecisionDate(after now: Date) -> Date? {
        planner.nextDecisionDate(after: now)
    }

    /// A step of the wall clock: what was recorded on the clock before it moves with it.
    func clockJumped(_ jump: ClockJump) {
        let recorded = jump.epochStart...max(jump.epochStart, jump.from)
        planner.moveRecordedTimes(by: jump.seconds, recorded: recorded)
        if let last = lastSuccessfulFetch, recorded.contains(last) { lastSuccessfulFetch = last.addingTimeInterval(jump.seconds) }
        nextPlannedFetch = nil
    }

    func requestRefresh(at now: Date) {
        planner.requestRefresh(at: now)
    }

    /// Counts requests the login sent against its one daily budget.
    func noteRequestsSent(_ dates: [Date]) {
        planner.noteRequestsSent(dates)
    }

    /// The login's requests of the last 24 hours and what the budget leaves, for `bridge/info`.
    func updateDailyUsage(at now: Date, pausedUntil: Date?) -> Bool {
        let before = (rateLimit.usedToday, rateLimit.leftToday, self.pausedUntil)
        rateLimit.usedToday = planner.loginRequestCount(inDayBefore: now)
        rateLimit.leftToday = planner.requestsLeft(at: now)
        self.pausedUntil = pausedUntil
        rateLimit.pausedUntil = pausedUntil
        return before != (rateLimit.usedToday, rateLimit.leftToday, pausedUntil)
    }

    func noteUndecodableResponse(keptAt path: String) {
        lastUndecodableResponse = path
    }

    /// Files meter data into the ledger. `addsEntities` says the data showed a direction or tariff
    /// register the meter's device did not have (core data called it import-only, say): its
    /// discovery must be published again.
    func apply(_ data: MeterData) -> (summary: MeterDataApplying.Summary, addsEntities: Bool) {
        let id = data.meteringPointId
        let before = description(of: id)
        let summary = MeterDataApplying.apply(data, described: describedSeries[id] ?? [], settings: applying, to: &ledger)
        guard let before else { return (summary, false) }
        ledger.track(id, adding: summary.directions)
        guard let after = description(of: id), after != before else { return (summary, false) }
        replacedDescriptions[id] = replacedDescriptions[id] ?? before
        return (summary, true)
    }

    /// Keeps what core data says about each metering point's series (units, resolutions).
    func describeSeries(_ points: [MeteringPoint]) {
        describedSeries = Dictionary(points.map { ($0.id, $0.series) }, uniquingKeysWith: { first, _ in first })
    }

    func fetchSucceeded(_ id: String, at now: Date, rateLimit status: RateLimitStatus?) {
        failing.remove(id)
        lastSuccessfulFetch = now
        BridgeMetrics.fetchSucceeded(at: now)
        lastError = nil
        authentication = .ok
        record(status)
    }

    /// Returns whether the metering point just turned unavailable.
    func fetchFailed(_ id: String?, error: String, rateLimit status: RateLimitStatus?) -> Bool {
        lastError = error
        record(status)
        guard let id else { return false }
        return failing.insert(id).inserted
    }

    func coreDataSucceeded(rateLimit status: RateLimitStatus?) {
        authentication = .ok
        record(status)
    }

    func setAuthentication(_ state: AuthenticationState, error: String? = nil) {
        authentication = state
        if let error { lastError = error }
    }

    func setNextPlannedFetch(_ date: Date?) -> Bool {
        defer { nextPlannedFetch = date }
        return nextPlannedFetch != date
    }

    private func record(_ status: RateLimitStatus?) {
        guard let status, !status.isEmpty else { return }
        rateLimit.limit = status.limit
        rateLimit.remaining = status.remaining
        rateLimit.resetAt = status.resetAt
        BridgeMetrics.rateLimit(remaining: status.remaining)
    }

    // MARK: Messages

    /// The messages of `work`, in the order they must reach the broker: each phase is published and
    /// acknowledged before the next starts (removals, discovery, availability, states, info).
    func phases(for work: PublishWork) -> [PublishPhase] {
        let meters = self.meters ?? [:]
        var phases: [PublishPhase] = []
        if work.bridgeOnline {
            phases.append(PublishPhase(kind: .bridgeOnline, messages: [mapping.bridgeAvailability(.online)]))
        }
        let removals = work.removals.sorted().filter { meters[$0] == nil }
        phases.append(PublishPhase(
            kind: .removals, messages: removals.flatMap { mapping.meterRemoval(meteringPointID: $0) }, meteringPointIds: removals))
        if publishesDiscovery {
            var discovery: [OutgoingMessage] = []
            if work.bridgeDiscovery || work.allMeterDiscovery { discovery.append(mapping.bridgeDiscovery()) }
            let ids = (work.allMeterDiscovery ? Set(meters.keys) : work.meterDiscovery).sorted().filter { meters[$0] != nil }
            for id in ids {
                discovery.append(mapping.meterDiscovery(for: description(of: id, meters[id]!), replacing: replacedDescriptions.removeValue(forKey: id)))
            }
            phases.append(PublishPhase(kind: .discovery, messages: discovery, meteringPointIds: ids))
        }
        let availabilityIds = (work.allAvailability ? Set(meters.keys).union(ledger.meteringPointIds) : work.availability)
            .sorted().filter { meters[$0] != nil || ledger[$0] != nil }
        phases.append(PublishPhase(kind: .availability, messages: availabilityIds.map { id in
            mapping.meterAvailability(isAvailable(id) ? .online : .offline, meteringPointID: id)
        }, meteringPointIds: availabilityIds))
        let stateIds = (work.allStates ? Set(meters.keys) : work.states).sorted().filter { meters[$0] != nil }
        phases.append(PublishPhase(kind: .states, messages: stateIds.map { id in
            mapping.meterState(MeterDescriptions.snapshot(of: id, in: ledger), of: description(of: id, meters[id]!))
        }, meteringPointIds: stateIds))
        if work.bridgeInfo {
            phases.append(PublishPhase(kind: .info, messages: [mapping.bridgeInfo(bridgeSnapshot)]))
        }
        return phases.filter { !$0.messages.isEmpty }
    }

    var bridgeSnapshot: BridgeSnapshot {
        BridgeSnapshot(
            version: version, authentication: authentication, lastSuccessfulFetch: lastSuccessfulFetch,
            nextPlannedFetch: nextPlannedFetch, rateLimit: rateLimit, lastError: lastError,
            meteringPointIDs: meteringPointIds, lastUndecodableResponse: lastUndecodableResponse)
    }

    /// Online while its data can be fetched: the login works, core data lists it, its last fetch did
    /// not fail.
    private func isAvailable(_ id: String) -> Bool {
        authentication != .loginRequired && meters?[id] != nil && !failing.contains(id)
    }

    /// Every metering point core data describes, with its values, for the web page.
    func meterStatuses(at now: Date) -> [BridgeStatus.Meter] {
        let meters = descriptions
        return meters.keys.sorted().map { id in
            let meter = meters[id]!
            let requests = planner.schedule.entries[id]?.recentRequests.count { now.timeIntervalSince($0.at) < 86_400 } ?? 0
            return BridgeStatus.Meter(
                description: meter,
                readout: mapping.readout(of: MeterDescriptions.snapshot(of: id, in: ledger), for: meter),
                available: isAvailable(id), requestsLastDay: requests)
        }
    }

    func readout(of id: String) -> MeterReadout? {
        guard let meter = description(of: id) else { return nil }
        return mapping.readout(of: MeterDescriptions.snapshot(of: id, in: ledger), for: meter)
    }
}
