import EnergyDomain
import Foundation
import OpenEnergySimulator
import Timestamps

/// What the bridge must show, computed from the simulator's generator itself (not through the API,
/// our client and its decoder, so a decoder bug cannot hide on both sides): per direction the
/// lifetime register at an interval boundary and the value of every quarter hour. Watt-hours, so no
/// rounding can hide a lost or doubled interval. The soak's simulator delivers every interval as
/// soon as it ends.
struct SimulatorTruth {
    struct Expected: Equatable, CustomStringConvertible {
        var intervalEnd: Date?
        var importWh: Int64
        var exportWh: Int64?

        var description: String {
            "interval_end \(intervalEnd.map(ISO8601Timestamp.format) ?? "-"), import \(importWh) Wh, export \(exportWh.map(String.init) ?? "-") Wh"
        }
    }

    let generator: MeterDataGenerator
    let catalog: MeteringPointCatalog

    init(simulator: SimulatorServer) {
        generator = MeterDataGenerator(seed: simulator.configuration.seed)
        catalog = simulator.catalog
    }

    var meteringPointIds: [String] {
        (0..<catalog.count).map { catalog.meteringPoint(at: $0).id }.sorted()
    }

    func point(_ id: String) -> SimulatedMeteringPoint {
        guard let point = catalog.meteringPoint(id: id) else { preconditionFailure("\(id) is not one of the simulator's metering points") }
        return point
    }

    /// The state a bridge that caught up shows at `now`: the newest complete quarter hour and the totals after it.
    func expected(for id: String, now: Date) -> Expected {
        let end = Self.quarterHour(atOrBefore: now)
        let point = point(id)
        return Expected(
            intervalEnd: Date(timeIntervalSince1970: TimeInterval(end)),
            importWh: generator.lifetimeTotal(.consumption, of: point, at: end) ?? 0,
            exportWh: generator.lifetimeTotal(.production, of: point, at: end))
    }

    static func quarterHour(atOrBefore date: Date) -> Int {
        Int((date.timeIntervalSince1970 / 900).rounded(.down)) * 900
    }

    /// A state payload as the same figures.
    static func shown(_ payload: String) -> Expected? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else { return nil }
        return Expected(
            intervalEnd: (object["interval_end"] as? String).flatMap(ISO8601Timestamp.parse),
            importWh: wattHours(object["energy_import_total"]) ?? -1, exportWh: wattHours(object["energy_export_total"]))
    }

    /// kWh with three decimals as published, in Wh.
    static func wattHours(_ value: Any?) -> Int64? {
        (value as? Double).map { Int64(($0 * 1000).rounded()) } ?? (value as? Int).map { Int64($0) * 1000 }
    }
}
