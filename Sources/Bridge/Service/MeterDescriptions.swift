import EnergyDomain
import Foundation
import HomeAssistant
import OpenEnergy

/// Core data's metering points as the Home Assistant devices and ledger entries they become.
enum MeterDescriptions {
    static func description(of point: MeteringPoint) -> MeterDescription {
        let directions = self.directions(of: point)
        var description = MeterDescription(
            meteringPointID: point.id,
            meterNumber: point.meterNumber,
            label: label(of: point.address),
            measuresImport: directions.contains(.consumption),
            measuresExport: directions.contains(.production))
        for series in point.series {
            guard let tariff = ObisCode.tariff(of: series.obis), (1...2).contains(tariff) else { continue }
            switch series.direction ?? ObisCode.direction(of: series.obis) {
            case .consumption: description.importTariffs.insert(tariff)
            case .production: description.exportTariffs.insert(tariff)
            case nil: break
            }
        }
        return description
    }

    /// The directions core data announces. A metering point without series information is taken as
    /// a plain consumption meter; a production series showing up in its data adds the direction.
    static func directions(of point: MeteringPoint) -> Set<EnergyDirection> {
        let directions = Set(point.series.compactMap { $0.direction ?? ObisCode.direction(of: $0.obis) })
        return directions.isEmpty ? [.consumption] : directions
    }

    static func directions(of description: MeterDescription) -> Set<EnergyDirection> {
        var directions = Set<EnergyDirection>()
        if description.measuresImport { directions.insert(.consumption) }
        if description.measuresExport { directions.insert(.production) }
        return directions
    }

    /// "Seestrasse 1, Luzern": how people tell their meters apart.
    static func label(of address: Address?) -> String? {
        guard let address else { return nil }
        let parts = [address.street, address.city].compactMap { $0?.isEmpty == false ? $0 : nil }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// The snapshot the Home Assistant mapping turns into a state payload.
    static func snapshot(of meteringPointId: String, in ledger: MeterLedger) -> MeterSnapshot {
        let point = ledger[meteringPointId]
        func tariffTotals(_ direction: EnergyDirection) -> [Int: Double] {
            guard let point else { return [:] }
            var totals: [Int: Double] = [:]
            for tariff in point.tariffs(direction) { totals[tariff] = point.tariffTotal(direction, tariff: tariff)?.kilowattHours }
            return totals
        }
        return MeterSnapshot(
            importTotal: ledger.lifetimeTotal(meteringPointId: meteringPointId, direction: .consumption)?.kilowattHours,
            exportTotal: ledger.lifetimeTotal(meteringPointId: meteringPointId, direction: .production)?.kilowattHours,
            lastInterval: ledger.lastCompleteInterval(meteringPointId: meteringPointId),
            importTariffTotals: tariffTotals(.consumption),
            exportTariffTotals: tariffTotals(.production))
    }
}
