import Foundation
import Timestamps

/// The parts of the wire contract that can be adapted without a rebuild: where the two endpoints
/// are, how the meter data range is asked for, and how the rate-limit reset is read. The defaults
/// are the assumed contract of `OpenEnergyWire` (docs/openenergy-api.md).
public struct OpenEnergyContract: Sendable, Equatable {
    /// How `from` and `to` are written in the meter data query.
    public enum TimeFormat: String, Sendable, Equatable, CaseIterable {
        /// `2026-11-26T23:00:00Z`
        case utc
        /// `2026-11-27T00:00:00+01:00`, in `timeZone`.
        case localOffset = "local_offset"
        /// `2026-11-27`: local days in `timeZone`; `to` is the first day not wanted (exclusive).
        /// Ranges are widened to whole days; values outside the range asked for are dropped.
        case dateOnly = "date_only"
    }

    /// The assumed contract, as `OpenEnergyWire` spells it (a test keeps the two in step).
    public static let assumed = OpenEnergyContract()

    /// The placeholder of the major version in the paths.
    public static let versionPlaceholder = "{version}"
    /// The placeholder of the metering point id in the meter data path.
    public static let meteringPointPlaceholder = "{meteringPointId}"

    /// The major version segment, `v1`.
    public var apiVersion: String
    /// Relative to the base URL; may contain `{version}`.
    public var coreDataPath: String
    /// Relative to the base URL; contains `{meteringPointId}` and may contain `{version}`.
    public var meterDataPath: String
    public var fromParameter: String
    public var toParameter: String
    public var obisParameter: String
    public var timeFormat: TimeFormat
    /// The zone of `localOffset` and `dateOnly` (CKW's days are days in Zurich).
    public var timeZone: TimeZone
    /// The longest range one meter data request may ask for; longer ranges are split.
    public var maximumRange: TimeInterval
    public var resetUnit: RateLimitResetUnit

    public init(
        apiVersion: String = "v1",
        coreDataPath: String = "{version}/coredata",
        meterDataPath: String = "{version}/meterdata/{meteringPointId}",
        fromParameter: String = "from",
        toParameter: String = "to",
        obisParameter: String = "obis",
        timeFormat: TimeFormat = .utc,
        timeZone: TimeZone = TimeZone(identifier: "Europe/Zurich")!,
        maximumRange: TimeInterval = 31 * 86_400,
        resetUnit: RateLimitResetUnit = .auto
    ) {
        self.apiVersion = apiVersion
        self.coreDataPath = coreDataPath
        self.meterDataPath = meterDataPath
        self.fromParameter = fromParameter
        self.toParameter = toParameter
        self.obisParameter = obisParameter
        self.timeFormat = timeFormat
        self.timeZone = timeZone
        self.maximumRange = maximumRange
        self.resetUnit = resetUnit
    }

    // MARK: Paths

    /// The core data path with the version filled in.
    public var resolvedCoreDataPath: String {
        coreDataPath.replacingOccurrences(of: Self.versionPlaceholder, with: apiVersion)
    }

    /// The meter data path of one metering point.
    public func resolvedMeterDataPath(meteringPointId: String) -> String {
        meterDataPath
            .replacingOccurrences(of: Self.versionPlaceholder, with: apiVersion)
            .replacingOccurrences(of: Self.meteringPointPlaceholder, with: meteringPointId)
    }

    // MARK: Ranges

    /// One meter data request: the query values, and the part of the asked range it covers (values
    /// outside it are dropped).
    public struct RangeRequest: Sendable, Equatable {
        public var from: String
        public var to: String
        public var covers: Range<Date>
    }

    /// The requests that cover `[from, to)`, each no longer than `maximumRange` (at least a day
    /// with `dateOnly`).
    public func requests(from: Date, to: Date) -> [RangeRequest] {
        guard from < to else { return [] }
        switch timeFormat {
        case .utc, .localOffset:
            return DateRangeChunker.chunks(from: from, to: to, maximumLength: maximumRange).map {
                RangeRequest(from: format($0.lowerBound), to: format($0.upperBound), covers: $0)
            }
        case .dateOnly:
            let calendar = self.calendar
            let firstDay = calendar.startOfDay(for: from)
            var lastDay = calendar.startOfDay(for: to)
            if lastDay < to { lastDay = calendar.date(byAdding: .day, value: 1, to: lastDay)! }
            let daysPerRequest = max(1, Int((maximumRange / 86_400).rounded(.down)))
            var result: [RangeRequest] = []
            var start = firstDay
            while start < lastDay {
                let end = min(calendar.date(byAdding: .day, value: daysPerRequest, to: start)!, lastDay)
                let covered = max(start, from)..<min(end, to)
                result.append(RangeRequest(from: dayText(start), to: dayText(end), covers: covered))
                start = end
            }
            return result
        }
    }

    /// A range bound as the query writes it.
    public func format(_ date: Date) -> String {
        switch timeFormat {
        case .utc:
            return ISO8601Timestamp.format(date)
        case .localOffset:
            let offset = timeZone.secondsFromGMT(for: date)
            let local = ISO8601Timestamp.format(date.addingTimeInterval(TimeInterval(offset)))
            // `ISO8601Timestamp.format` writes `...Z`; the local wall time gets its offset instead.
            let sign = offset < 0 ? "-" : "+"
            let minutes = abs(offset) / 60
            return String(local.dropLast()) + sign + Self.twoDigits(minutes / 60) + ":" + Self.twoDigits(minutes % 60)
        case .dateOnly:
            return dayText(calendar.startOfDay(for: date))
        }
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private func dayText(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(parts.year!)-\(Self.twoDigits(parts.month!))-\(Self.twoDigits(parts.day!))"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    // MARK: Checks

    /// Problems with a path template, in words for `check-config`; empty when it is usable.
    public static func problems(ofPath path: String, requiresMeteringPoint: Bool) -> [String] {
        var problems: [String] = []
        if path.hasPrefix("/") {
            problems.append("is relative to `ckw.api_base_url` and must not start with `/` (write `\(path.drop { $0 == "/" })`)")
        }
        if path.contains("?") || path.contains("#") {
            problems.append("is a path only; query parameters are named by `ckw.api.from_parameter`, `to_parameter` and `obis_parameter`")
        }
        if path.contains(" ") {
            problems.append("must not contain spaces")
        }
        var rest = Substring(path)
        var placeholders: [String] = []
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                problems.append("has a `{` without `}`")
                break
            }
            placeholders.append(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        for placeholder in placeholders where placeholder != versionPlaceholder && placeholder != meteringPointPlaceholder {
            problems.append("has the unknown placeholder `\(placeholder)`; known are `\(versionPlaceholder)` and `\(meteringPointPlaceholder)`")
        }
        let meteringPoints = placeholders.count { $0 == meteringPointPlaceholder }
        if requiresMeteringPoint, meteringPoints != 1 {
            problems.append("must contain `\(meteringPointPlaceholder)` exactly once, where the metering point id goes")
        } else if !requiresMeteringPoint, meteringPoints > 0 {
            problems.append("is the same for every metering point and cannot contain `\(meteringPointPlaceholder)`")
        }
        return problems
    }

    /// Whether `name` can be a query parameter name as written (letters, digits, `-`, `_`, `.`, `~`, `[`, `]`).
    public static func isParameterName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.~[]".contains($0)) }
    }
}
