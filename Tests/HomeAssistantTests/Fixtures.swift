import EnergyDomain
import Foundation
import HomeAssistant

/// Inputs shared by the tests: a household with solar panels, a flat without, and the bridge.
enum Fixtures {
    static let solarHouseID = "CH1008801234500000000000000012345"
    static let flatID = "CH1008801234500000000000000067890"

    static let solarHouse = MeterDescription(
        meteringPointID: solarHouseID,
        meterNumber: "71234567",
        label: "Seestrasse 1, Luzern",
        measuresImport: true,
        measuresExport: true
    )

    static let flat = MeterDescription(
        meteringPointID: flatID,
        meterNumber: "71239876",
        measuresImport: true,
        measuresExport: false
    )

    static let intervalStart = date("2026-11-26T23:00:00Z")
    static let intervalEnd = date("2026-11-26T23:15:00Z")

    /// Noon-like values: 0.123 kWh in, 0.456 kWh out in 15 minutes.
    static let solarHouseSnapshot = MeterSnapshot(
        importTotal: 12_345.678_4,
        exportTotal: 2_345.678_1,
        lastInterval: CompletedInterval(
            start: intervalStart,
            end: intervalEnd,
            consumption: 0.123,
            production: 0.456,
            quality: .measured
        )
    )

    static let flatSnapshot = MeterSnapshot(
        importTotal: 4_321.5,
        exportTotal: nil,
        lastInterval: CompletedInterval(
            start: intervalStart,
            end: intervalEnd,
            consumption: 0.25,
            production: nil,
            quality: .estimated
        )
    )

    static let origin = Origin(softwareVersion: "1.2.3", supportURL: "https://example.org/ckw2mqtt/issues")

    static let mapping = HomeAssistantMapping(configuration: .init(origin: origin))

    static let bridgeSnapshot = BridgeSnapshot(
        version: "1.2.3",
        authentication: .ok,
        lastSuccessfulFetch: date("2026-11-27T06:30:12Z"),
        nextPlannedFetch: date("2026-11-27T07:00:00Z"),
        rateLimit: RateLimitSnapshot(limit: 100, remaining: 57, resetAt: date("2026-11-27T07:12:00Z")),
        lastError: nil,
        meteringPointIDs: [solarHouseID, flatID]
    )

    static func date(_ text: String) -> Date {
        guard let date = try? Date(text, strategy: .iso8601) else { fatalError("bad fixture date \(text)") }
        return date
    }

    static func mapping(threshold: Double) -> HomeAssistantMapping {
        HomeAssistantMapping(configuration: .init(origin: origin, surplusThresholdWatts: threshold))
    }

    /// A 15-minute interval of the solar house with the given energies.
    static func solarHouseSnapshot(importKWh: Double?, exportKWh: Double?, minutes: Double = 15) -> MeterSnapshot {
        MeterSnapshot(
            importTotal: 1,
            exportTotal: 1,
            lastInterval: CompletedInterval(
                start: intervalStart,
                end: intervalStart.addingTimeInterval(minutes * 60),
                consumption: importKWh,
                production: exportKWh,
                quality: .measured
            )
        )
    }
}
