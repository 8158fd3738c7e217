import Foundation
import HomeAssistant
import Testing

/// The exact messages, compared with the reviewed files in `Golden/`.
@Suite struct GoldenTests {
    let mapping = Fixtures.mapping

    @Test func discoveryOfAMeterWithBothDirections() throws {
        try GoldenFile.expectMatches(mapping.meterDiscovery(for: Fixtures.solarHouse), "discovery-meter-import-export.json")
    }

    @Test func discoveryOfAnImportOnlyMeter() throws {
        try GoldenFile.expectMatches(mapping.meterDiscovery(for: Fixtures.flat), "discovery-meter-import-only.json")
    }

    @Test func discoveryOfTheBridge() throws {
        try GoldenFile.expectMatches(mapping.bridgeDiscovery(), "discovery-bridge.json")
    }

    @Test func discoveryRemovingTheEntitiesOfALostDirection() throws {
        var withoutExport = Fixtures.solarHouse
        withoutExport.measuresExport = false
        let message = mapping.meterDiscovery(for: withoutExport, replacing: Fixtures.solarHouse)
        try GoldenFile.expectMatches(message, "discovery-meter-export-removed.json")
    }

    @Test func stateOfAMeterWithBothDirections() throws {
        let message = mapping.meterState(Fixtures.solarHouseSnapshot, of: Fixtures.solarHouse)
        try GoldenFile.expectMatches(message, "state-meter-import-export.json")
    }

    @Test func stateOfAnImportOnlyMeter() throws {
        try GoldenFile.expectMatches(mapping.meterState(Fixtures.flatSnapshot, of: Fixtures.flat), "state-meter-import-only.json")
    }

    @Test func stateOfAMeterBeforeAnyData() throws {
        let nothingYet = MeterSnapshot(importTotal: nil, exportTotal: nil, lastInterval: nil)
        try GoldenFile.expectMatches(mapping.meterState(nothingYet, of: Fixtures.solarHouse), "state-meter-no-data.json")
    }

    @Test func bridgeInfo() throws {
        try GoldenFile.expectMatches(mapping.bridgeInfo(Fixtures.bridgeSnapshot), "bridge-info.json")
    }

    @Test func bridgeInfoWhenALoginIsRequired() throws {
        let snapshot = BridgeSnapshot(
            version: "1.2.3",
            authentication: .loginRequired,
            lastSuccessfulFetch: nil,
            nextPlannedFetch: Fixtures.date("2026-11-27T07:00:00Z"),
            rateLimit: RateLimitSnapshot(),
            lastError: "CKW rejected the refresh token (invalid_grant); run `ckw2mqtt login`",
            meteringPointIDs: [Fixtures.solarHouseID]
        )
        try GoldenFile.expectMatches(mapping.bridgeInfo(snapshot), "bridge-info-login-required.json")
    }

    @Test func availability() throws {
        let messages = [
            mapping.bridgeAvailability(.online),
            mapping.bridgeAvailability(.offline),
            mapping.meterAvailability(.online, meteringPointID: Fixtures.solarHouseID),
            mapping.meterAvailability(.offline, meteringPointID: Fixtures.solarHouseID),
        ]
        try GoldenFile.expectMatches(messages, "availability.json")
    }

    @Test func removalOfAMeter() throws {
        try GoldenFile.expectMatches(mapping.meterRemoval(meteringPointID: Fixtures.solarHouseID), "removal-meter.json")
    }

    @Test func removalOfTheBridge() throws {
        try GoldenFile.expectMatches(mapping.bridgeRemoval(), "removal-bridge.json")
    }
}
