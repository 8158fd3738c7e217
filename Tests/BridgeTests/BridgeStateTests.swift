@testable import Bridge
import EnergyDomain
import Foundation
import HomeAssistant
import OpenEnergy
import Testing

@Suite("Bridge state: metering points and what gets published")
struct BridgeStateTests {
    static let id1 = "CH1008801234500000000000000000001"
    static let id2 = "CH1008801234500000000000000000002"

    static func bridgeState(ledger: MeterLedger = MeterLedger(retention: .seconds(4 * 86_400))) -> BridgeState {
        BridgeState(
            mapping: HomeAssistantMapping(configuration: .init(origin: Origin(softwareVersion: "test"))),
            publishesDiscovery: true, version: "test", saved: SavedBridgeState(ledger: ledger), policy: FetchPolicy())
    }

    static func meter(_ id: String, export: Bool = false) -> MeterDescription {
        MeterDescription(meteringPointID: id, meterNumber: "7\(id.suffix(3))", measuresImport: true, measuresExport: export)
    }

    @Test("after a connection: online, discovery, availability, states, info, in that order")
    func everythingInOrder() async throws {
        let bridgeState = Self.bridgeState()
        _ = await bridgeState.updateMeters([Self.meter(Self.id1)])
        let phases = await bridgeState.phases(for: .everything)
        #expect(phases.map(\.kind) == [.bridgeOnline, .discovery, .availability, .states, .info])
        #expect(phases[1].messages.map(\.topic) == [
            "homeassistant/device/ckw2mqtt_bridge/config", "homeassistant/device/ckw2mqtt_\(Self.id1)/config",
        ])
    }

    @Test("a metering point gone from core data is removed; an empty core data removes nothing")
    func removal() async throws {
        let bridgeState = Self.bridgeState()
        _ = await bridgeState.updateMeters([Self.meter(Self.id1), Self.meter(Self.id2)])
        let nothing = await bridgeState.updateMeters([])
        #expect(nothing.removed.isEmpty)
        #expect(await bridgeState.meteringPointIds == [Self.id1, Self.id2])

        let changes = await bridgeState.updateMeters([Self.meter(Self.id1)])
        #expect(changes.removed == [Self.id2])
        let phases = await bridgeState.phases(for: PublishWork(removals: [Self.id2]))
        #expect(phases.map(\.kind) == [.removals])
        #expect(phases[0].messages.allSatisfy { $0.isRetainedDeletion })
        #expect(phases[0].messages.first?.topic == "homeassistant/device/ckw2mqtt_\(Self.id2)/config")
        #expect(await bridgeState.ledger[Self.id2] == nil)
    }

    @Test("only metering points this bridge created are removed")
    func onlyOurs() async throws {
        let bridgeState = Self.bridgeState()
        // Never in core data and never in the ledger: not ours to remove.
        let changes = await bridgeState.updateMeters([Self.meter(Self.id1)])
        #expect(changes.removed.isEmpty)
        #expect(changes.added == [Self.id1])
    }

    @Test("a login problem turns every meter offline, the bridge's own availability untouched")
    func loginRequired() async throws {
        let bridgeState = Self.bridgeState()
        _ = await bridgeState.updateMeters([Self.meter(Self.id1)])
        await bridgeState.setAuthentication(.loginRequired, error: "Login required")
        let phases = await bridgeState.phases(for: PublishWork(allAvailability: true, bridgeInfo: true))
        #expect(phases.first { $0.kind == .availability }?.messages.map(\.payloadString) == ["offline"])
        #expect(phases.first { $0.kind == .info }?.messages.first?.payloadString.contains("\"auth\":\"login_required\"") == true)
    }

    static func productionData(_ id: String) -> MeterData {
        let start = Date(timeIntervalSince1970: 1_795_651_200)  // 2026-11-26T00:00:00Z
        return MeterData(meteringPointId: id, series: [
            MeterSeries(obis: "1-1:2.29.0", direction: .production, kind: .interval, unit: "kWh", resolution: .seconds(900),
                        readings: [MeterReading(start: start, end: start.addingTimeInterval(900), value: 0.25, quality: .measured)]),
        ])
    }

    static func discoveryPayload(_ bridgeState: BridgeState, _ id: String) async -> String? {
        await bridgeState.phases(for: PublishWork(meterDiscovery: [id])).first { $0.kind == .discovery }?.messages.last?.payloadString
    }

    @Test("a production series in the data adds the export entities to a meter core data called import-only")
    func directionAppears() async throws {
        let bridgeState = Self.bridgeState()
        _ = await bridgeState.updateMeters([Self.meter(Self.id1)])
        #expect(await Self.discoveryPayload(bridgeState, Self.id1)?.contains("energy_export_total") == false)
        #expect(await bridgeState.apply(Self.productionData(Self.id1)).addsEntities)
        #expect(await bridgeState.ledger[Self.id1]?.directions == [.consumption, .production])
        #expect(await Self.discoveryPayload(bridgeState, Self.id1)?.contains("energy_export_total") == true)
        #expect(await bridgeState.apply(Self.productionData(Self.id1)).addsEntities == false)
        // Core data still calling it import-only changes nothing: directions only add up.
        let changes = await bridgeState.updateMeters([Self.meter(Self.id1)])
        #expect(changes.isEmpty)
        #expect(await Self.discoveryPayload(bridgeState, Self.id1)?.contains("energy_export_total") == true)
    }

    @Test("the directions are the saved ledger's: after a restart an import-only core data keeps the export entities")
    func directionsSurviveRestart() async throws {
        var ledger = MeterLedger(retention: .seconds(4 * 86_400))
        ledger.track(Self.id1, adding: [.consumption, .production])
        let bridgeState = Self.bridgeState(ledger: ledger)
        let changes = await bridgeState.updateMeters([Self.meter(Self.id1)])
        #expect(changes.added == [Self.id1])
        #expect(await bridgeState.ledger[Self.id1]?.directions == [.consumption, .production])
        #expect(await Self.discoveryPayload(bridgeState, Self.id1)?.contains("energy_export_total") == true)
    }

    @Test("core data announcing a new direction changes the device and keeps what it replaced")
    func coreDataAddsDirection() async throws {
        let bridgeState = Self.bridgeState()
        _ = await bridgeState.updateMeters([Self.meter(Self.id1)])
        let changes = await bridgeState.updateMeters([Self.meter(Self.id1, export: true)])
        #expect(changes.changed == [Self.id1])
        #expect(await bridgeState.ledger[Self.id1]?.directions == [.consumption, .production])
        #expect(await Self.discoveryPayload(bridgeState, Self.id1)?.contains("energy_export_total") == true)
    }
}

@Suite("Publish work, failures, retries")
struct BridgeServicePartsTests {
    @Test("work merges; a metering point discovered again is not removed")
    func merging() {
        let early = ContinuousClock.now
        var work = PublishWork.states(of: ["a"], responseReceivedAt: early.advanced(by: .seconds(1)))
        work.merge(PublishWork(removals: ["b"]))
        work.merge(.states(of: ["c"], responseReceivedAt: early))
        work.merge(PublishWork(meterDiscovery: ["b"]))
        #expect(work.states == ["a", "c"])
        #expect(work.removals.isEmpty)
        #expect(work.responseReceivedAt == early)
        #expect(PublishWork().isEmpty)
    }

    @Test("failures are classified by who can fix them")
    func classification() {
        #expect(FetchFailure.classify(OpenEnergyAuthError.loginRequired(reason: "gone", hint: "log in")).scope == .login)
        // A 401 reaches the bridge only after the client's refresh worked (a refused refresh is
        // `loginRequired`): the gateway's trouble, retried, not a login to redo.
        #expect(FetchFailure.classify(OpenEnergyError.httpStatus(endpoint: "GET x", status: 401, error: nil, message: nil)).scope == .service)
        #expect(FetchFailure.classify(OpenEnergyError.httpStatus(endpoint: "GET x", status: 404, error: nil, message: nil)).scope == .meteringPoint)
        #expect(FetchFailure.classify(OpenEnergyError.httpStatus(endpoint: "GET x", status: 503, error: nil, message: nil)).scope == .service)
        #expect(FetchFailure.classify(OpenEnergyError.timeout(endpoint: "GET x")).scope == .service)
        #expect(FetchFailure.classify(OpenEnergyAuthError.tokenEndpointError(status: 401, error: "invalid_client", description: nil)).scope == .login)
    }

    @Test("retry delays double up to their limit and start over after a success")
    func retryDelay() {
        var delay = RetryDelay(initial: .seconds(30), limit: .seconds(100))
        #expect([delay.next(), delay.next(), delay.next(), delay.next()] == [.seconds(30), .seconds(60), .seconds(100), .seconds(100)])
        delay.reset()
        #expect(delay.next() == .seconds(30))
    }

    @Test("publications held back by failed saves are merged and handed out once")
    func unsavedPublications() {
        let unsaved = UnsavedPublications()
        #expect(!unsaved.isPending)
        unsaved.add(.states(of: [BridgeStateTests.id1]))
        unsaved.add(PublishWork(meterDiscovery: [BridgeStateTests.id2], states: [BridgeStateTests.id2]))
        #expect(unsaved.isPending)
        let work = unsaved.take()
        #expect(work?.states == [BridgeStateTests.id1, BridgeStateTests.id2])
        #expect(work?.meterDiscovery == [BridgeStateTests.id2])
        #expect(!unsaved.isPending)
        #expect(unsaved.take() == nil)
    }

    @Test("a failed save is retried after 5 s, then less often up to the limit, and not at all after a success")
    func saveRetry() {
        var retry = SaveRetry(limit: .seconds(12))
        #expect(retry.due == nil)
        let before = ContinuousClock.now
        retry.schedule()
        #expect(retry.due.map { $0 - before >= .seconds(5) && $0 - before < .seconds(6) } == true)
        retry.schedule()
        retry.schedule()
        #expect(retry.due.map { $0 - before >= .seconds(12) && $0 - before < .seconds(13) } == true)
        retry.succeeded()
        #expect(retry.due == nil)
        retry.schedule()
        #expect(retry.due.map { $0 - before < .seconds(6) } == true)
    }
}

@Suite("Meter data into the ledger")
struct MeterDataApplyingTests {
    static let id = "CH1008801234500000000000000000001"
    static let start = Date(timeIntervalSince1970: 1_795_651_200)  // 2026-11-26T00:00:00Z

    static func interval(_ offset: Int, _ value: Double?, _ quality: ValueQuality = .measured) -> MeterReading {
        MeterReading(start: start.addingTimeInterval(Double(offset) * 900), end: start.addingTimeInterval(Double(offset + 1) * 900), value: value, quality: quality)
    }

    @Test("intervals and registers land under their direction; Wh are converted; a register anchors at its end")
    func applying() {
        var ledger = MeterLedger(retention: .seconds(4 * 86_400))
        let data = MeterData(meteringPointId: Self.id, series: [
            MeterSeries(obis: "1-1:1.29.0", direction: nil, kind: nil, unit: "Wh", resolution: .seconds(900),
                        readings: [Self.interval(0, 250), Self.interval(1, 500)]),
            MeterSeries(obis: "1-1:1.8.0", direction: .consumption, kind: .register, unit: "kWh", resolution: .days(1),
                        readings: [MeterReading(start: Self.start.addingTimeInterval(-86_400), end: Self.start.addingTimeInterval(900), value: 1000, quality: .measured)]),
            MeterSeries(obis: "1-1:2.29.0", direction: .production, kind: .interval, unit: "kWh", resolution: .seconds(900),
                        readings: [Self.interval(0, 0.1), Self.interval(1, nil, .missing)]),
        ])
        let summary = MeterDataApplying.apply(data, to: &ledger)
        #expect(summary.directions == [.consumption, .production])
        #expect(summary.notices.isEmpty)
        // Register 1000 kWh at 00:15, plus the interval 00:15-00:30 (0.5 kWh).
        #expect(ledger.lifetimeTotal(meteringPointId: Self.id, direction: .consumption) == EnergyAmount(kilowattHours: 1000.5))
        #expect(ledger.lifetimeTotal(meteringPointId: Self.id, direction: .production) == EnergyAmount(kilowattHours: 0.1))
    }

    @Test("series of unknown direction, kind or unit are skipped, not guessed")
    func skipping() {
        var ledger = MeterLedger(retention: .seconds(4 * 86_400))
        let data = MeterData(meteringPointId: Self.id, series: [
            MeterSeries(obis: "1-1:3.29.0", direction: nil, kind: .interval, unit: "kWh", resolution: nil, readings: [Self.interval(0, 1)]),
            MeterSeries(obis: "1-1:1.99.0", direction: .consumption, kind: nil, unit: "kWh", resolution: nil, readings: [Self.interval(0, 1)]),
            MeterSeries(obis: "1-1:1.29.0", direction: .consumption, kind: .interval, unit: "kvarh", resolution: nil, readings: [Self.interval(0, 1)]),
        ])
        let summary = MeterDataApplying.apply(data, to: &ledger)
        #expect(summary.notices.count == 3)
        #expect(ledger.lifetimeTotal(meteringPointId: Self.id, direction: .consumption) == nil)
    }
}
