import EnergyDomain
import Foundation
import OpenEnergy
import Timestamps

/// Files an API response into the ledger: interval series as 15-minute energies, the total register
/// as the lifetime counter, tariff registers beside it, each under its direction, all in kWh.
///
/// A series is left out (and reported once per OBIS code) when it is not one the bridge reads, or its
/// unit is neither energy nor power. A series without a unit takes the unit core data names; with
/// neither it is read as kWh, and values a household meter cannot produce are refused (see
/// `Settings`). Values that are not 15-minute intervals are reported, never dropped silently.
enum MeterDataApplying {
    struct Settings: Sendable, Equatable {
        /// Refuse an interval above this many kWh, and a register jump above this per 15 minutes, when
        /// the unit is only assumed to be kWh.
        var maximumIntervalKilowattHoursWithoutUnit: Double = 50
    }

    /// Something the operator should read once: `key` says what "once" means.
    struct Notice: Sendable, Equatable {
        var key: String
        var message: String
    }

    struct Summary: Sendable, Equatable {
        var outcome = ApplyOutcome()
        /// Directions that had any series in the response.
        var directions: Set<EnergyDirection> = []
        /// Tariff registers in the response, by direction.
        var tariffs: [EnergyDirection: Set<Int>] = [:]
        /// Series left out and values not filed, with why.
        var notices: [Notice] = []
    }

    static func apply(
        _ data: MeterData, described: [SeriesDescription] = [], settings: Settings = Settings(), to ledger: inout MeterLedger
    ) -> Summary {
        var summary = Summary()
        let id = data.meteringPointId
        // Tariff register readings in kWh by direction and tariff, for a total when CKW sends none.
        var tariffReadings: [EnergyDirection: [Int: [RegisterReading]]] = [:]
        var directionsWithTotalRegister: Set<EnergyDirection> = []
        for series in data.series {
            func skip(_ reason: String) {
                summary.notices.append(Notice(key: "series \(series.obis)", message: "series \(series.obis) is ignored: \(reason)"))
            }
            guard let direction = direction(of: series) else {
                skip("not energy imported (OBIS C group 1) or exported (2)")
                continue
            }
            guard let kind = series.kind ?? ObisCode.kind(of: series.obis) else {
                skip("not a series ckw2mqtt reads (15-minute energy x.29.0, registers x.8.0, tariff registers x.8.1 and x.8.2)")
                continue
            }
            let tariff = ObisCode.tariff(of: series.obis)
            if let tariff, tariff > 2 {
                skip("tariff register \(tariff): only tariffs 1 and 2 (high and low) are published")
                continue
            }
            let description = described.first { $0.obis == series.obis }
            let unitName = series.unit ?? description?.unit
            let unit: SeriesUnit
            if let unitName {
                guard let known = SeriesUnit(name: unitName) else {
                    skip("unit `\(unitName)` is neither energy (Wh, kWh, MWh) nor power (W, kW)")
                    continue
                }
                unit = known
            } else {
                unit = .kilowattHours
            }
            let unitAssumed = unitName == nil
            var seconds: Int?
            if case let .seconds(value)? = series.resolution ?? description?.resolution { seconds = value }
            if unit.isPower {
                guard kind == .interval else {
                    skip("a register in the power unit \(unit.rawValue)")
                    continue
                }
                guard seconds != nil else {
                    skip("power in \(unit.rawValue) without a known resolution cannot be turned into energy")
                    continue
                }
            }
            summary.directions.insert(direction)
            let limit = settings.maximumIntervalKilowattHoursWithoutUnit
            func refuse(_ reading: MeterReading, _ why: String) {
                summary.notices.append(Notice(
                    key: "refused \(series.obis) \(reading.end.timeIntervalSince1970)",
                    message: "\(series.obis) value of \(ISO8601Timestamp.format(reading.start))–\(ISO8601Timestamp.format(reading.end)) is not filed: \(why); the series names no unit, so it was read as kWh (if CKW names the unit in core data or meter data, it is used)"))
            }
            switch kind {
            case .interval:
                var readings: [IntervalReading] = []
                readings.reserveCapacity(series.readings.count)
                for reading in series.readings {
                    let kilowattHours = reading.value.flatMap { unit.kilowattHours($0, overSeconds: seconds) }
                    if unitAssumed, let kilowattHours, kilowattHours > limit {
                        refuse(reading, "\(kilowattHours) kWh in one interval is above the limit of \(limit) kWh (ckw.max_interval_kwh_without_unit)")
                        continue
                    }
                    readings.append(IntervalReading(
                        start: reading.start, end: reading.end, kilowattHours: kilowattHours, quality: reading.quality))
                }
                let outcome = ledger.apply(intervals: readings, direction: direction, meteringPointId: id)
                let offGrid = outcome.ignored.filter { $0.reason == .notOnIntervalGrid }
                if let first = offGrid.first {
                    let resolution = series.resolution.map(describe) ?? "intervals"
                    summary.notices.append(Notice(
                        key: "off-grid \(series.obis)",
                        message: "series \(series.obis) delivers \(resolution), not 15-minute intervals on the quarter-hour grid (\(offGrid.count) values from \(ISO8601Timestamp.format(first.timestamp))): they are not filed; totals come from the 15-minute series and the registers"))
                }
                add(outcome, to: &summary)
            case .register:
                var readings: [RegisterReading] = []
                var previous = tariff == nil ? ledger[id]?.newestRegister(direction) : nil
                for reading in series.readings {
                    guard let value = reading.value, let kilowattHours = unit.kilowattHours(value, overSeconds: seconds) else { continue }
                    let register = RegisterReading(timestamp: reading.end, kilowattHours: kilowattHours)
                    if unitAssumed, let last = previous {
                        let elapsed = register.timestamp.timeIntervalSince1970 - Double(last.timestamp)
                        let jump = kilowattHours - Double(last.reading) / 1_000_000
                        let allowed = limit * max(elapsed, 0) / 900
                        if elapsed > 0, jump > allowed {
                            refuse(reading, "the register rose by \(jump) kWh in \(Int(elapsed / 60)) minutes, more than \(limit) kWh per 15 minutes (ckw.max_interval_kwh_without_unit) allow")
                            continue
                        }
                    }
                    if unitAssumed, let amount = EnergyAmount(kilowattHours: kilowattHours) {
                        previous = (Int64(register.timestamp.timeIntervalSince1970.rounded(.down)), amount.milliwattHours)
                    }
                    readings.append(register)
                }
                if let tariff {
                    summary.tariffs[direction, default: []].insert(tariff)
                    tariffReadings[direction, default: [:]][tariff, default: []] += readings
                    add(ledger.apply(tariffRegisters: readings, tariff: tariff, direction: direction, meteringPointId: id), to: &summary)
                } else {
                    directionsWithTotalRegister.insert(direction)
                    add(ledger.apply(registers: readings, direction: direction, meteringPointId: id), to: &summary)
                }
            }
        }
        // Only tariff registers: the total is their sum, at each time every one of them has a reading.
        for (direction, byTariff) in tariffReadings where !directionsWithTotalRegister.contains(direction) {
            var sums: [Date: (sum: Double, count: Int)] = [:]
            for readings in byTariff.values {
                for reading in readings {
                    let current = sums[reading.timestamp] ?? (0, 0)
                    sums[reading.timestamp] = (current.sum + reading.kilowattHours, current.count + 1)
                }
            }
            let totals = sums.filter { $0.value.count == byTariff.count }
                .map { RegisterReading(timestamp: $0.key, kilowattHours: $0.value.sum) }
                .sorted { $0.timestamp < $1.timestamp }
            add(ledger.apply(registers: totals, direction: direction, meteringPointId: id), to: &summary)
        }
        return summary
    }

    private static func add(_ outcome: ApplyOutcome, to summary: inout Summary) {
        summary.outcome.added += outcome.added
        summary.outcome.corrected += outcome.corrected
        summary.outcome.unchanged += outcome.unchanged
        summary.outcome.ignored += outcome.ignored
    }

    private static func describe(_ resolution: SeriesResolution) -> String {
        switch resolution {
        case let .seconds(seconds) where seconds % 3_600 == 0: "\(seconds / 3_600)-hour values"
        case let .seconds(seconds) where seconds % 60 == 0: "\(seconds / 60)-minute values"
        case let .seconds(seconds): "\(seconds)-second values"
        case let .days(days): days == 1 ? "daily values" : "\(days)-day values"
        }
    }

    static func direction(of series: MeterSeries) -> EnergyDirection? {
        series.direction ?? ObisCode.direction(of: series.obis)
    }
}
