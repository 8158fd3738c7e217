import EnergyDomain
import Foundation
import HomeAssistant
import OpenEnergy

/// The 15-minute values the statistics importer books into hours, from the bridge's two sources:
/// the ledger (the look-back window, every cycle) and raw API responses (the catch-up).
enum StatisticsIntervals {
    /// The ledger's intervals of one metering point in `[from, to)`, per direction it has.
    static func window(of point: MeteringPointLedger, from: Date, to: Date) -> [EnergyDirection: [IntervalReading]] {
        var result: [EnergyDirection: [IntervalReading]] = [:]
        let slots = MeteringPointLedger.slotRange(from: from, to: to)
        for direction in point.effectiveDirections {
            result[direction] = slots.compactMap { slot in
                let start = MeteringPointLedger.date(ofSlot: slot)
                guard let (energy, quality) = point.interval(direction, startingAt: start) else { return nil }
                return IntervalReading(
                    start: start, end: MeteringPointLedger.date(ofSlot: slot + 1),
                    kilowattHours: quality == .missing ? nil : energy.kilowattHours, quality: quality)
            }
        }
        return result
    }

    /// The interval series of an API response, per direction, in kWh; registers and series of
    /// unknown direction or unit are left out, as `MeterDataApplying` leaves them out of the ledger.
    static func response(_ data: MeterData) -> [EnergyDirection: [IntervalReading]] {
        var result: [EnergyDirection: [IntervalReading]] = [:]
        for series in data.series {
            guard let direction = MeterDataApplying.direction(of: series),
                  (series.kind ?? ObisCode.kind(of: series.obis)) == .interval,
                  let unit = SeriesUnit(name: series.unit ?? SeriesUnit.kilowattHours.rawValue)
            else { continue }
            var seconds: Int?
            if case let .seconds(value)? = series.resolution { seconds = value }
            if unit.isPower, seconds == nil { continue }
            result[direction, default: []] += series.readings.map { reading in
                let kilowattHours = reading.value.flatMap { unit.kilowattHours($0, overSeconds: seconds) }
                return IntervalReading(
                    start: reading.start, end: reading.end,
                    kilowattHours: kilowattHours, quality: kilowattHours == nil ? .missing : reading.quality)
            }
        }
        return result
    }
}
