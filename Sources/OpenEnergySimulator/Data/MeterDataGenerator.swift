import EnergyDomain
import Foundation

/// The energy of one quarter hour, in whole Wh (CKW reports kWh with three decimals).
public struct GeneratedInterval: Sendable, Hashable {
    /// Epoch seconds.
    public let start: Int
    public let end: Int
    public let wattHours: Int64
}

/// The "true" (finally measured) readings of a simulated meter: pure functions of seed, metering point
/// and time, computed on demand.
///
/// To keep registers and intervals in exact agreement without summing years of intervals, the register
/// is defined first, in closed form: a seasonal curve integrated analytically plus bounded daily noise
/// (for solar: clouds). A day's total is the difference of two register readings, and the day's
/// quarter hours share that total in proportion to a daily profile (for solar: the sun's elevation over
/// Lucerne), in whole Wh by the largest-remainder method. So `register(d) = start + Σ intervals` holds
/// exactly, and a register reading costs O(1).
public struct MeterDataGenerator: Sendable {
    public let seed: UInt64
    let localTime: LocalTime
    let sun: SolarPosition

    public init(seed: UInt64) {
        self.seed = seed
        self.localTime = .zurich
        self.sun = .lucerne
    }

    // MARK: Registers

    /// The register reading (Wh) at local midnight at the start of `localDay`, or `nil` before installation.
    public func registerReading(
        _ direction: EnergyDirection, of point: SimulatedMeteringPoint, atStartOfLocalDay localDay: Int
    ) -> Int64? {
        guard localDay >= point.installationDay else { return nil }
        switch direction {
        case .consumption:
            return point.consumptionRegisterStart + growth(direction, point, localDay)
        case .production:
            guard point.hasSolar else { return nil }
            return point.productionRegisterStart + growth(direction, point, localDay)
        }
    }

    /// Energy counted since installation, in Wh (0 on the installation day).
    private func growth(_ direction: EnergyDirection, _ point: SimulatedMeteringPoint, _ day: Int) -> Int64 {
        cumulative(direction, point, day) - cumulative(direction, point, point.installationDay)
    }

    private struct SeasonalCurve {
        /// Mean energy per day in Wh.
        var mean: Double
        /// Relative seasonal swing of the daily energy.
        var amplitude: Double
        /// Day number (since 1970-01-01) of the seasonal maximum.
        var peakDay: Double
        /// The daily energy may deviate by up to this share of the seasonal value (for solar: clouds).
        var noiseShare: Double
        var noiseStream: RandomStream

        static let yearLength = 365.2425

        func daily(_ day: Double) -> Double {
            mean * (1 + amplitude * cos(2 * Double.pi * (day - peakDay) / Self.yearLength))
        }

        /// ∫ daily from 0 to `day`, up to a constant.
        func integral(_ day: Double) -> Double {
            mean * (day + amplitude * Self.yearLength / (2 * Double.pi) * sin(2 * Double.pi * (day - peakDay) / Self.yearLength))
        }
    }

    private func curve(_ direction: EnergyDirection, _ point: SimulatedMeteringPoint) -> SeasonalCurve {
        switch direction {
        case .consumption:
            // More in winter (heating, light), maximum mid-January.
            return SeasonalCurve(
                mean: point.annualConsumptionKWh * 1000 / SeasonalCurve.yearLength,
                amplitude: 0.25,
                peakDay: 14,
                noiseShare: 0.35,
                noiseStream: .consumptionDay
            )
        case .production:
            // About 1,000 kWh per kWp and year on the Swiss plateau, maximum at the June solstice.
            return SeasonalCurve(
                mean: point.solarPeakKW * 1_000_000 / SeasonalCurve.yearLength,
                amplitude: 0.68,
                peakDay: 171,
                noiseShare: 0.7,
                noiseStream: .solarDay
            )
        }
    }

    /// Monotone in `day`: the noise term stays below the smallest daily increase of the curve
    /// (`noiseShare < 1 - amplitude` relative to the day's seasonal value), so no day goes negative.
    private func cumulative(_ direction: EnergyDirection, _ point: SimulatedMeteringPoint, _ day: Int) -> Int64 {
        let curve = curve(direction, point)
        let noise = curve.noiseShare * curve.daily(Double(day))
            * SplitMix64.unit(seed, curve.noiseStream.rawValue, UInt64(point.index), UInt64(bitPattern: Int64(day)))
        return Int64((curve.integral(Double(day)) + noise).rounded(.down))
    }

    /// The lifetime register at an interval boundary `epochSeconds` (a multiple of 900): the reading
    /// at the local midnight before it plus that day's intervals up to it. What a bridge that lost
    /// and doubled nothing shows as its total after the interval ending there.
    public func lifetimeTotal(_ direction: EnergyDirection, of point: SimulatedMeteringPoint, at epochSeconds: Int) -> Int64? {
        let day = localTime.localDay(containing: epochSeconds - 1)
        guard let register = registerReading(direction, of: point, atStartOfLocalDay: day) else { return nil }
        return intervals(direction, of: point, localDay: day).filter { $0.end <= epochSeconds }.reduce(register) { $0 + $1.wattHours }
    }

    /// The final value of the quarter hour starting at `epochSeconds`, or `nil` where the meter has none.
    public func interval(_ direction: EnergyDirection, of point: SimulatedMeteringPoint, startingAt epochSeconds: Int) -> GeneratedInterval? {
        intervals(direction, of: point, localDay: localTime.localDay(containing: epochSeconds)).first { $0.start == epochSeconds }
    }

    // MARK: Intervals

    /// The quarter hours of one local day (92, 96 or 100 of them) with their final values; empty before
    /// installation or for production without solar panels.
    public func intervals(_ direction: EnergyDirection, of point: SimulatedMeteringPoint, localDay: Int) -> [GeneratedInterval] {
        guard let first = registerReading(direction, of: point, atStartOfLocalDay: localDay),
            let last = registerReading(direction, of: point, atStartOfLocalDay: localDay + 1)
        else { return [] }
        let dayStart = localTime.midnight(localDay: localDay)
        let dayEnd = localTime.midnight(localDay: localDay + 1)
        let count = (dayEnd - dayStart) / 900
        var weights = [Double]()
        weights.reserveCapacity(count)
        // The offset changes within the day only on the two DST days.
        let constantOffset: Int? = {
            let offset = localTime.utcOffset(at: dayStart)
            return offset == localTime.utcOffset(at: dayEnd - 1) ? offset : nil
        }()
        for i in 0..<count {
            let start = dayStart + i * 900
            let middle = start + 450
            let wallClock: Int
            if let constantOffset {
                wallClock = middle + constantOffset - localDay * 86400
            } else {
                wallClock = localTime.wallClockSeconds(at: middle)
            }
            weights.append(weight(direction, point, intervalStart: start, middle: middle, wallClockHours: Double(wallClock) / 3600))
        }
        let shares = Self.distribute(last - first, over: weights)
        return (0..<count).map { i in
            GeneratedInterval(start: dayStart + i * 900, end: dayStart + (i + 1) * 900, wattHours: shares[i])
        }
    }

    private func weight(
        _ direction: EnergyDirection, _ point: SimulatedMeteringPoint, intervalStart: Int, middle: Int, wallClockHours h: Double
    ) -> Double {
        let key = UInt64(bitPattern: Int64(intervalStart / 900))
        switch direction {
        case .consumption:
            func bump(_ centre: Double, _ width: Double) -> Double {
                exp(-0.5 * ((h - centre) / width) * ((h - centre) / width))
            }
            // Base load, breakfast, lunch and the evening peak.
            let profile = 0.55 + 0.9 * bump(7.25, 0.9) + 0.5 * bump(12.25, 0.7) + 1.3 * bump(19, 1.6)
            let noise = 0.65 + 0.7 * SplitMix64.unit(seed, RandomStream.consumptionInterval.rawValue, UInt64(point.index), key)
            guard point.hasSolar else { return profile * noise }
            // Own solar power covers part of the daytime demand, so less is imported.
            let sun = max(0, min(1, sun.sineOfElevation(at: middle) / 0.9))
            return profile * noise * (1 - 0.65 * sun)
        case .production:
            let elevation = sun.sineOfElevation(at: middle)
            guard elevation > 0 else { return 0 }
            let clouds = 0.7 + 0.3 * SplitMix64.unit(seed, RandomStream.solarInterval.rawValue, UInt64(point.index), key)
            return pow(elevation, 1.3) * clouds
        }
    }

    /// Splits `total` into whole parts proportional to `weights` whose sum is exactly `total`
    /// (largest remainder; ties go to the earlier interval).
    static func distribute(_ total: Int64, over weights: [Double]) -> [Int64] {
        let sum = weights.reduce(0, +)
        guard sum > 0 else {
            // No weight at all (cannot happen for the profiles above): put everything in the middle.
            var parts = [Int64](repeating: 0, count: weights.count)
            if !parts.isEmpty { parts[parts.count / 2] = total }
            return parts
        }
        var parts = [Int64]()
        parts.reserveCapacity(weights.count)
        var remainders = [(fraction: Double, index: Int)]()
        remainders.reserveCapacity(weights.count)
        var assigned: Int64 = 0
        for (index, weight) in weights.enumerated() {
            let exact = Double(total) * weight / sum
            let whole = Int64(exact.rounded(.down))
            parts.append(whole)
            assigned += whole
            // Only intervals with weight may receive a remainder (no sunshine at night, ever).
            if weight > 0 { remainders.append((exact - Double(whole), index)) }
        }
        var missing = Int(total - assigned)
        if missing > 0 {
            remainders.sort { $0.fraction != $1.fraction ? $0.fraction > $1.fraction : $0.index < $1.index }
            var next = 0
            while missing > 0 {
                parts[remainders[next % remainders.count].index] += 1
                missing -= 1
                next += 1
            }
        }
        return parts
    }
}
