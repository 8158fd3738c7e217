import EnergyDomain
import Foundation
import OpenEnergySimulator
import Timestamps

/// Every quarter hour of the run, checked against the simulator's generator from the state
/// messages the bridge published.
///
/// A state message carries the lifetime totals and the newest interval only (its start, end and
/// energy per direction); the bridge publishes one per poll (20 minutes) and after reconnects, so
/// an interval that arrived in the same poll as a newer one is never shown on its own. Hence two
/// ways to account for an interval:
/// - *seen*: a state message shows it as its interval, with the generator's value;
/// - *accounted by total*: it lies between two seen intervals whose messages' totals both equal the
///   generator's lifetime register there, so the total stepped by exactly the intervals between.
/// Every other interval of the run is *missing*. Each message's total must equal the register at
/// the last local midnight plus the day's intervals up to its interval's end (the generator's
/// register boundary rule), and must never be lower than the total of the message before it. An
/// interval shown twice with different values or totals is *duplicated*.
struct IntervalAudit {
    struct Figures {
        var expected = 0
        var seen = 0
        var accountedByTotal = 0
        var missing = 0
        var duplicated = 0

        mutating func add(_ other: Figures) {
            expected += other.expected
            seen += other.seen
            accountedByTotal += other.accountedByTotal
            missing += other.missing
            duplicated += other.duplicated
        }

        var json: [String: Int] {
            ["expected": expected, "seen": seen, "accounted_by_total": accountedByTotal, "missing": missing, "duplicated": duplicated]
        }
    }

    enum Direction: String, CaseIterable {
        case `import`, export

        var simulated: EnergyDirection { self == .import ? .consumption : .production }
        var intervalField: String { "energy_\(rawValue)_interval" }
        var totalField: String { "energy_\(rawValue)_total" }
    }

    /// One state message's figures for one direction.
    private struct Shown {
        var start: Int
        var end: Int
        var valueWh: Int64?
        var totalWh: Int64?
    }

    var figures = Figures()
    /// Per metering point and direction (`<id> import`).
    var figuresByMeter: [String: Figures] = [:]
    /// Problems, each one line: wrong values, wrong or falling totals, a missing interval.
    var problems: [String] = []
    var messagesChecked = 0

    /// `from` is the start of the first interval the run must account for, `to` the end of the
    /// last (both on the quarter hour).
    init(messages: [StateObserver.Message], truth: SimulatorTruth, ids: [String], from: Int, to: Int) {
        for id in ids {
            let point = truth.point(id)
            let payloads = messages.filter { $0.topic == "ckw2mqtt/\(id)/state" }
                .compactMap { (try? JSONSerialization.jsonObject(with: Data($0.payload.utf8))) as? [String: Any] }
            for direction in Direction.allCases where direction == .import || point.hasSolar {
                let shown = payloads.compactMap { payload -> Shown? in
                    guard let start = (payload["interval_start"] as? String).flatMap(ISO8601Timestamp.parse),
                        let end = (payload["interval_end"] as? String).flatMap(ISO8601Timestamp.parse)
                    else { return nil }
                    return Shown(
                        start: Int(start.timeIntervalSince1970), end: Int(end.timeIntervalSince1970),
                        valueWh: SimulatorTruth.wattHours(payload[direction.intervalField]),
                        totalWh: SimulatorTruth.wattHours(payload[direction.totalField]))
                }
                messagesChecked += shown.count
                let result = Self.audit(shown, label: "\(id) \(direction.rawValue)", direction.simulated, point, truth.generator, from: from, to: to)
                figuresByMeter["\(id) \(direction.rawValue)"] = result.figures
                figures.add(result.figures)
                problems += result.problems
            }
        }
    }

    private static func audit(
        _ messages: [Shown], label: String, _ direction: EnergyDirection, _ point: SimulatedMeteringPoint,
        _ generator: MeterDataGenerator, from: Int, to: Int
    ) -> (figures: Figures, problems: [String]) {
        var figures = Figures()
        var problems: [String] = []
        func report(_ problem: String) {
            // The first 20 say what is wrong; a count says how much.
            if problems.count < 20 { problems.append("\(label): \(problem)") }
        }
        func time(_ epochSeconds: Int) -> String { ISO8601Timestamp.format(Date(timeIntervalSince1970: TimeInterval(epochSeconds))) }

        // Every message, in the order it came: its value, its total, the total's direction.
        var firstShown: [Int: Shown] = [:]
        var duplicated = Set<Int>()
        var previousTotal: Int64?
        for message in messages {
            let trueValue = generator.interval(direction, of: point, startingAt: message.start)?.wattHours
            if message.end - message.start != 900 || message.valueWh != trueValue {
                report("interval \(time(message.start)) shown as \(message.valueWh.map(String.init) ?? "null") Wh over \(message.end - message.start) s, the simulator's is \(trueValue.map(String.init) ?? "none") Wh")
            }
            let trueTotal = generator.lifetimeTotal(direction, of: point, at: message.end)
            if message.totalWh != trueTotal {
                report("total after \(time(message.end)) shown as \(message.totalWh.map(String.init) ?? "null") Wh, the register plus the intervals after it is \(trueTotal.map(String.init) ?? "none") Wh")
            }
            if let previousTotal, let total = message.totalWh, total < previousTotal {
                report("total went down from \(previousTotal) Wh to \(total) Wh (message for \(time(message.start)))")
            }
            previousTotal = message.totalWh ?? previousTotal
            if let earlier = firstShown[message.start] {
                if earlier.valueWh != message.valueWh || earlier.totalWh != message.totalWh {
                    if duplicated.insert(message.start).inserted {
                        report("interval \(time(message.start)) shown twice: \(earlier.valueWh.map(String.init) ?? "null") Wh with total \(earlier.totalWh.map(String.init) ?? "null") Wh, then \(message.valueWh.map(String.init) ?? "null") Wh with total \(message.totalWh.map(String.init) ?? "null") Wh")
                    }
                }
            } else {
                firstShown[message.start] = message
            }
        }

        func isRight(_ shown: Shown) -> Bool {
            shown.valueWh == generator.interval(direction, of: point, startingAt: shown.start)?.wattHours && shown.end == shown.start + 900
        }
        func totalIsRight(_ shown: Shown) -> Bool {
            shown.totalWh != nil && shown.totalWh == generator.lifetimeTotal(direction, of: point, at: shown.end)
        }

        // Every quarter hour of the run: seen, between two right totals, or missing.
        var previousSeen: Shown?
        var gap: [Int] = []
        var missing: [Int] = []
        for start in stride(from: from, to: to, by: 900) {
            figures.expected += 1
            if let shown = firstShown[start], isRight(shown) {
                figures.seen += 1
                if let previousSeen, totalIsRight(previousSeen), totalIsRight(shown) {
                    figures.accountedByTotal += gap.count
                } else {
                    missing += gap
                }
                gap = []
                previousSeen = shown
            } else {
                gap.append(start)
            }
        }
        // After the last interval shown nothing can account for the rest.
        missing += gap
        figures.missing = missing.count
        figures.duplicated = duplicated.count
        // Always said, however many problems came before.
        if let first = missing.first {
            problems.append("\(label): \(missing.count) interval(s) missing, the first \(time(first)), the last \(time(missing.last!))")
        }
        return (figures, problems)
    }
}
