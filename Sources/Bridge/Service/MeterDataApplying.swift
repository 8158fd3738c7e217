import Foundation
import OpenEnergy

/// Files an API response into the ledger: interval series as 15-minute energies, register series
/// as lifetime counter readings, each under its direction. Series whose direction, kind or unit is
/// unknown are skipped (and reported), never guessed into a total.
enum MeterDataApplying {
    struct Summary: Sendable, Equatable {
        var outcome = ApplyOutcome()
        /// Directions that had any series in the response.
        var directions: Set<EnergyDirection> = []
        /// `obis: reason` of series left out.
        var skippedSeries: [String] = []
    }

    static func apply(_ data: MeterData, to ledger: inout MeterLedger) -> Summary {
        var summary = Summary()
        for series in data.series {
            guard let direction = direction(of: series) else {
                summary.skippedSeries.append("\(series.obis): unknown direction")
                continue
            }
            guard let kind = series.kind ?? ObisCode.kind(of: series.obis) else {
                summary.skippedSeries.append("\(series.obis): neither an interval nor a register series")
                continue
            }
            guard let toKilowattHours = kilowattHourFactor(unit: series.unit) else {
                summary.skippedSeries.append("\(series.obis): unit `\(series.unit ?? "")` is not an energy unit")
                continue
            }
            summary.directions.insert(direction)
            let outcome: ApplyOutcome
            switch kind {
            case .interval:
                let readings = series.readings.map { reading in
                    IntervalReading(
                        start: reading.start, end: reading.end,
                        kilowattHours: reading.value.map { $0 * toKilowattHours },
                        quality: quality(reading.quality))
                }
                outcome = ledger.apply(intervals: readings, direction: direction, meteringPointId: data.meteringPointId)
            case .register:
                // A register value is the counter at the end of its period; missing ones say nothing.
                let readings = series.readings.compactMap { reading in
                    reading.value.map { RegisterReading(timestamp: reading.end, kilowattHours: $0 * toKilowattHours) }
                }
                outcome = ledger.apply(registers: readings, direction: direction, meteringPointId: data.meteringPointId)
            }
            summary.outcome.added += outcome.added
            summary.outcome.corrected += outcome.corrected
            summary.outcome.unchanged += outcome.unchanged
            summary.outcome.ignored += outcome.ignored
        }
        return summary
    }

    static func direction(of series: MeterSeries) -> EnergyDirection? {
        switch series.direction ?? ObisCode.direction(of: series.obis) {
        case .consumption: .consumption
        case .production: .production
        case nil: nil
        }
    }

    /// Household meters report kWh; a missing unit is taken as kWh, which the contract promises.
    static func kilowattHourFactor(unit: String?) -> Double? {
        switch unit?.lowercased() {
        case nil, "kwh": 1
        case "wh": 0.001
        case "mwh": 1000
        default: nil
        }
    }

    static func quality(_ quality: ValueQuality) -> ReadingQuality {
        switch quality {
        case .measured: .measured
        case .estimated: .estimated
        case .missing: .missing
        }
    }
}
