import EnergyDomain
import Foundation
import OpenEnergy

/// The four series of a household meter with solar panels (two without).
struct SimulatedSeries: Sendable {
    let obis: String
    let direction: EnergyDirection
    let isRegister: Bool

    var resolution: String { isRegister ? "P1D" : "PT15M" }

    var description: OpenEnergyWire.SeriesDescription {
        OpenEnergyWire.SeriesDescription(
            obis: obis,
            direction: direction == .consumption ? OpenEnergyWire.Direction.consumption : OpenEnergyWire.Direction.production,
            unit: "kWh",
            resolution: resolution
        )
    }

    static func all(hasSolar: Bool) -> [SimulatedSeries] {
        var kinds = [
            SimulatedSeries(obis: OpenEnergyWire.Obis.consumptionInterval, direction: .consumption, isRegister: false),
            SimulatedSeries(obis: OpenEnergyWire.Obis.consumptionRegister, direction: .consumption, isRegister: true),
        ]
        if hasSolar {
            kinds.insert(SimulatedSeries(obis: OpenEnergyWire.Obis.productionInterval, direction: .production, isRegister: false), at: 1)
            kinds.append(SimulatedSeries(obis: OpenEnergyWire.Obis.productionRegister, direction: .production, isRegister: true))
        }
        return kinds
    }
}
