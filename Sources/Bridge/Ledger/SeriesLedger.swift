import EnergyDomain
import Foundation

/// The intervals and register of one direction (consumption or production) of one metering point.
///
/// Intervals live in dense columns of slots on the quarter-hour grid (slot `n` starts at
/// `n * 900` seconds since 1970). Slots older than the retention window are folded into
/// `foldedSum`: the planner never asks for them again, so nothing can correct them any more, and
/// folding keeps memory bounded (384 slots per series for the default 3-day look-back plus a day).
struct SeriesLedger: Sendable, Equatable {
    static let intervalSeconds: Int64 = 900

    enum SlotState: Character, Sendable {
        case absent = "-"
        case missing = "x"
        case estimated = "e"
        case measured = "m"

        /// Whether the slot carries a value the API will not change without a correction.
        var hasValue: Bool { self == .estimated || self == .measured }
    }

    struct Slot: Sendable, Equatable {
        var energy: Int64
        var state: SlotState

        static let absent = Slot(energy: 0, state: .absent)
    }

    /// The newest register reading, and how to add intervals after it.
    struct RegisterAnchor: Sendable, Equatable, Codable {
        /// Seconds since 1970 of the reading.
        var timestamp: Int64
        /// The meter's counter at `timestamp`, in mWh.
        var reading: Int64
        /// Intervals after the reading that have since been folded out of the slots.
        var foldedAfter: Int64

        /// The first slot that starts at or after the reading.
        var firstSlotAfter: Int64 { SeriesLedger.ceilingDivide(timestamp, SeriesLedger.intervalSeconds) }
    }

    private(set) var firstSlot: Int64 = 0
    private(set) var slots = SlotColumns()
    /// The sum of every interval folded out of `slots`.
    private(set) var foldedSum: Int64 = 0
    /// Slots before this one were folded; readings for them are refused. `nil` until the first fold.
    private(set) var foldedBefore: Int64?
    private(set) var register: RegisterAnchor?
    /// The lifetime total as last reported (see `reconcileTotal`); `nil` until there is any data.
    private(set) var reportedTotal: Int64?
    /// The newest reading of each tariff register (`1.8.1` is tariff 1), kept apart: a tariff register
    /// is a part of the total, never added to it.
    private(set) var tariffs: [Int: TariffReading] = [:]

    /// A tariff register's newest reading.
    struct TariffReading: Sendable, Equatable, Codable {
        /// Seconds since 1970 of the reading.
        var timestamp: Int64
        /// The register's counter at `timestamp`, in mWh.
        var reading: Int64
    }

    init() {}

    var newestSlot: Int64? { slots.isEmpty ? nil : firstSlot + Int64(slots.count) - 1 }

    func slot(_ number: Int64) -> Slot? {
        guard number >= firstSlot, number < firstSlot + Int64(slots.count) else { return nil }
        return slots[Int(number - firstSlot)]
    }

    /// The total the data supports right now: newest register plus the intervals after it, or
    /// every interval the ledger has seen when there is no register.
    var computedTotal: Int64 {
        if let register {
            return register.reading + register.foldedAfter + sumOfSlots(from: register.firstSlotAfter)
        }
        return foldedSum + sumOfSlots(from: firstSlot)
    }

    private func sumOfSlots(from number: Int64) -> Int64 {
        let start = max(0, Int(clamping: number - firstSlot))
        guard start < slots.count else { return 0 }
        return slots.energySum(from: start)
    }

    // MARK: Intervals

    mutating func apply(_ readings: [IntervalReading], retentionSlots: Int64, outcome: inout ApplyOutcome) {
        let before = computedTotal
        for reading in readings {
            apply(reading, retentionSlots: retentionSlots, outcome: &outcome)
        }
        reconcileTotal(before: before, isCorrection: true)
    }

    private mutating func apply(_ reading: IntervalReading, retentionSlots: Int64, outcome: inout ApplyOutcome) {
        let start = reading.start.timeIntervalSince1970
        let length = reading.end.timeIntervalSince(reading.start)
        guard start.isFinite, start == start.rounded(), Int64(start) % Self.intervalSeconds == 0,
              length == TimeInterval(Self.intervalSeconds)
        else {
            outcome.ignored.append(IgnoredReading(timestamp: reading.start, reason: .notOnIntervalGrid))
            return
        }
        let incoming: Slot
        switch reading.quality {
        case .missing:
            incoming = Slot(energy: 0, state: .missing)
        case .measured, .estimated:
            guard let kilowattHours = reading.kilowattHours, kilowattHours >= 0,
                  let amount = EnergyAmount(kilowattHours: kilowattHours)
            else {
                outcome.ignored.append(IgnoredReading(timestamp: reading.start, reason: .invalidValue))
                return
            }
            incoming = Slot(energy: amount.milliwattHours, state: reading.quality == .measured ? .measured : .estimated)
        }
        guard let index = makeSlot(Int64(start) / Self.intervalSeconds, retentionSlots: retentionSlots) else {
            outcome.ignored.append(IgnoredReading(timestamp: reading.start, reason: .outsideRetention))
            return
        }
        let current = slots[index]
        if current == incoming {
            outcome.unchanged += 1
        } else if current.state == .absent || (current.state == .missing && incoming.state.hasValue) {
            slots[index] = incoming
            outcome.added += 1
        } else if incoming.state == .missing {
            // "missing" carries no information about the energy; keep the value we have.
            outcome.ignored.append(IgnoredReading(timestamp: reading.start, reason: .missingDoesNotReplaceValue))
        } else {
            slots[index] = incoming
            outcome.corrected += 1
        }
    }

    /// The index of slot `number`, growing the array (and folding old slots) as needed; `nil` when
    /// the slot lies before the retention window.
    private mutating func makeSlot(_ number: Int64, retentionSlots: Int64) -> Int? {
        if let foldedBefore, number < foldedBefore { return nil }
        let window = Int(clamping: retentionSlots)
        guard let newest = newestSlot else {
            firstSlot = number
            slots.appendAbsent(1, window: window)
            return 0
        }
        if number < firstSlot {
            guard newest - number < retentionSlots else { return nil }
            slots.prependAbsent(Int(firstSlot - number), window: window)
            firstSlot = number
        } else if number > newest {
            fold(before: number - retentionSlots + 1)
            let end = firstSlot + Int64(slots.count)
            slots.appendAbsent(Int(number - end + 1), window: window)
        }
        return Int(number - firstSlot)
    }

    /// Moves slots before `boundary` into the base sums. Totals do not change.
    private mutating func fold(before boundary: Int64) {
        guard boundary > firstSlot else { return }
        let count = min(Int(boundary - firstSlot), slots.count)
        for (offset, energy) in slots.energy.prefix(count).enumerated() {
            foldedSum += energy
            if var anchor = register, firstSlot + Int64(offset) >= anchor.firstSlotAfter {
                anchor.foldedAfter += energy
                register = anchor
            }
        }
        slots.removeFirst(count)
        firstSlot = boundary
        foldedBefore = boundary
    }

    // MARK: Registers

    mutating func apply(_ readings: [RegisterReading], outcome: inout ApplyOutcome) {
        let before = computedTotal
        for reading in readings.sorted(by: { $0.timestamp < $1.timestamp }) {
            let time = reading.timestamp.timeIntervalSince1970
            guard time.isFinite, abs(time) < 1e15, reading.kilowattHours >= 0,
                  let amount = EnergyAmount(kilowattHours: reading.kilowattHours)
            else {
                outcome.ignored.append(IgnoredReading(timestamp: reading.timestamp, reason: .invalidValue))
                continue
            }
            let candidate = RegisterAnchor(timestamp: Int64(time.rounded(.down)), reading: amount.milliwattHours, foldedAfter: 0)
            // Intervals after an older reading may be folded together with earlier ones: the sum
            // after it can no longer be told apart, so such a reading cannot anchor the total.
            if let foldedBefore, candidate.firstSlotAfter < foldedBefore {
                outcome.ignored.append(IgnoredReading(timestamp: reading.timestamp, reason: .outsideRetention))
                continue
            }
            if let current = register {
                if candidate.timestamp < current.timestamp {
                    outcome.ignored.append(IgnoredReading(timestamp: reading.timestamp, reason: .olderThanNewestRegister))
                    continue
                }
                if candidate.timestamp == current.timestamp {
                    if candidate.reading == current.reading {
                        outcome.unchanged += 1
                    } else {
                        register?.reading = candidate.reading
                        outcome.corrected += 1
                    }
                    continue
                }
            }
            register = candidate
            outcome.added += 1
        }
        reconcileTotal(before: before, isCorrection: false)
    }

    // MARK: Tariff registers

    /// Keeps the newest reading of tariff register `tariff`; older readings are ignored, a changed value
    /// at the same time corrects it.
    mutating func apply(_ readings: [RegisterReading], tariff: Int, outcome: inout ApplyOutcome) {
        for reading in readings.sorted(by: { $0.timestamp < $1.timestamp }) {
            let time = reading.timestamp.timeIntervalSince1970
            guard time.isFinite, abs(time) < 1e15, reading.kilowattHours >= 0,
                  let amount = EnergyAmount(kilowattHours: reading.kilowattHours)
            else {
                outcome.ignored.append(IgnoredReading(timestamp: reading.timestamp, reason: .invalidValue))
                continue
            }
            let candidate = TariffReading(timestamp: Int64(time.rounded(.down)), reading: amount.milliwattHours)
            if let current = tariffs[tariff] {
                if candidate.timestamp < current.timestamp {
                    outcome.ignored.append(IgnoredReading(timestamp: reading.timestamp, reason: .olderThanNewestRegister))
                    continue
                }
                if candidate == current {
                    outcome.unchanged += 1
                    continue
                }
                if candidate.timestamp == current.timestamp {
                    tariffs[tariff] = candidate
                    outcome.corrected += 1
                    continue
                }
            }
            tariffs[tariff] = candidate
            outcome.added += 1
        }
    }

    /// The newest register reading in mWh: the anchor of the total, for plausibility checks.
    var newestRegister: (timestamp: Int64, reading: Int64)? {
        register.map { ($0.timestamp, $0.reading) }
    }

    // MARK: The reported total

    /// Moves the reported total towards the computed one without ever going backwards, except by
    /// a genuine correction.
    ///
    /// - Interval changes (`isCorrection`) move the reported total by the same amount when they
    ///   lower it (a value corrected downwards truly lowers the lifetime energy) and otherwise
    ///   let it rise to the computed total.
    /// - Register changes rebase the total. A register lower than our interval-based estimate
    ///   (rounding, a few Wh) does not pull the reported total down: it holds until the computed
    ///   total catches up, so Home Assistant's statistics never see a spurious negative step.
    private mutating func reconcileTotal(before: Int64, isCorrection: Bool) {
        guard !slots.isEmpty || register != nil || foldedBefore != nil else { return }
        let after = computedTotal
        guard let reported = reportedTotal else {
            reportedTotal = after
            return
        }
        let allowedDrop = isCorrection ? min(0, after - before) : 0
        reportedTotal = max(after, reported + allowedDrop)
    }

    // MARK: Fetch planning

    /// The first slot in `range` that has no value, is `missing` or only `estimated`; slots
    /// already folded are final and skipped.
    func firstSlotNeedingFetch(in range: Range<Int64>) -> Int64? {
        let start = max(range.lowerBound, foldedBefore ?? range.lowerBound)
        guard start < range.upperBound else { return nil }
        for number in start..<range.upperBound where slot(number)?.state != .measured {
            return number
        }
        return nil
    }

    static func ceilingDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor > 0 ? quotient + 1 : quotient
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}

// MARK: - Persistence

extension SeriesLedger: Codable {
    private enum CodingKeys: String, CodingKey {
        case firstSlot, energy, quality, foldedSum, foldedBefore, register, reportedTotal, tariffs
    }

    /// Compact: one number per slot and one character per slot's quality (`m`, `e`, `x`, `-`).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(firstSlot, forKey: .firstSlot)
        try container.encode(slots.energy, forKey: .energy)
        try container.encode(String(slots.states.map(\.rawValue)), forKey: .quality)
        try container.encode(foldedSum, forKey: .foldedSum)
        try container.encodeIfPresent(foldedBefore, forKey: .foldedBefore)
        try container.encodeIfPresent(register, forKey: .register)
        try container.encodeIfPresent(reportedTotal, forKey: .reportedTotal)
        if !tariffs.isEmpty { try container.encode(tariffs, forKey: .tariffs) }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        firstSlot = try container.decode(Int64.self, forKey: .firstSlot)
        let energy = try container.decode([Int64].self, forKey: .energy)
        let quality = try container.decode(String.self, forKey: .quality)
        guard energy.count == quality.count else {
            throw DecodingError.dataCorruptedError(forKey: .quality, in: container,
                debugDescription: "\(quality.count) quality flags for \(energy.count) values")
        }
        let states = try zip(energy, quality).map { energy, flag in
            guard let state = SlotState(rawValue: flag) else {
                throw DecodingError.dataCorruptedError(forKey: .quality, in: container, debugDescription: "unknown quality flag `\(flag)`")
            }
            guard energy >= 0, state != .absent || energy == 0 else {
                throw DecodingError.dataCorruptedError(forKey: .energy, in: container, debugDescription: "impossible value \(energy)")
            }
            return state
        }
        slots = SlotColumns(energy: energy, states: states)
        foldedSum = try container.decode(Int64.self, forKey: .foldedSum)
        foldedBefore = try container.decodeIfPresent(Int64.self, forKey: .foldedBefore)
        register = try container.decodeIfPresent(RegisterAnchor.self, forKey: .register)
        reportedTotal = try container.decodeIfPresent(Int64.self, forKey: .reportedTotal)
        tariffs = try container.decodeIfPresent([Int: TariffReading].self, forKey: .tariffs) ?? [:]
        if let foldedBefore, foldedBefore > firstSlot {
            throw DecodingError.dataCorruptedError(forKey: .foldedBefore, in: container,
                debugDescription: "folded slots overlap the retained ones")
        }
    }
}
