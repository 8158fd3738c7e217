import Foundation
import HomeAssistant

/// The recorder's statistics commands over one websocket connection.
public struct RecorderClient: Sendable {
    public let connection: HomeAssistantWebSocket

    /// Rows per `recorder/import_statistics` message: a month of hours, about 60 KB, well below
    /// Home Assistant's 4 MiB message limit.
    public static let rowsPerImport = 744

    public init(connection: HomeAssistantWebSocket) {
        self.connection = connection
    }

    /// `recorder/info`. Fails with `recorderNotLoaded` when Home Assistant runs without a recorder:
    /// the command only exists while the recorder integration is loaded.
    public func info() async throws(HomeAssistantConnectionError) -> RecorderInfo {
        do {
            return try await connection.request(Command(type: "recorder/info"), type: "recorder/info")
        } catch .commandFailed(_, "unknown_command", _) {
            throw .recorderNotLoaded(connection.endpoint)
        }
    }

    /// Imports (or overwrites: the same `start` replaces the stored row) hourly rows of an external
    /// statistic. Home Assistant queues the import and writes it within about a second.
    public func importStatistics(_ statistic: EnergyStatistic, rows: [HourlyStatistic]) async throws(HomeAssistantConnectionError) {
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + Self.rowsPerImport, rows.endIndex)
            let command = ImportStatistics(metadata: .init(statistic), stats: rows[start..<end].map(ImportStatistics.Row.init))
            do {
                try await connection.send(command, type: ImportStatistics.type)
            } catch .commandFailed(_, "unknown_command", _) {
                throw .recorderNotLoaded(connection.endpoint)
            }
            start = end
        }
    }

    /// Stored rows with `start` in `[from, to)`, oldest first, per statistic id (ids without rows
    /// are absent). `.day` rows are Home Assistant's reduction of the hours to its local days.
    public func statistics(
        _ statisticIDs: [String], from: Date, to: Date, period: StatisticsPeriod = .hour
    ) async throws(HomeAssistantConnectionError) -> [String: [StoredStatistic]] {
        let command = StatisticsDuringPeriod(
            startTime: Self.format(from), endTime: Self.format(to), statisticIds: statisticIDs,
            period: period.rawValue, types: ["state", "sum"])
        do {
            let result = try await connection.request(command, type: StatisticsDuringPeriod.type, as: [String: [StoredStatistic]].self)
            return result.filter { !$0.value.isEmpty }
        } catch .commandFailed(_, "unknown_command", _) {
            throw .recorderNotLoaded(connection.endpoint)
        }
    }

    /// The newest stored hourly row with `start` in `[notBefore, before)`: where a re-import starting
    /// at `before` continues the `sum` from. One query over days finds the newest day with data,
    /// a second one reads that day's hours, so the search costs two queries however far back it is.
    public func lastStatistic(
        _ statisticID: String, before: Date, notBefore: Date
    ) async throws(HomeAssistantConnectionError) -> StoredStatistic? {
        guard notBefore < before else { return nil }
        let days = try await statistics([statisticID], from: notBefore, to: before, period: .day)[statisticID] ?? []
        guard let newestDay = days.last else { return nil }
        let hours = try await statistics([statisticID], from: max(newestDay.start, notBefore), to: before)[statisticID] ?? []
        return hours.last
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

public enum StatisticsPeriod: String, Sendable {
    case hour, day
}

/// A row as `recorder/statistics_during_period` returns it.
public struct StoredStatistic: Sendable, Hashable, Decodable {
    public var start: Date
    public var end: Date
    public var state: Double?
    public var sum: Double?

    public init(start: Date, end: Date, state: Double?, sum: Double?) {
        self.start = start
        self.end = end
        self.state = state
        self.sum = sum
    }

    enum CodingKeys: String, CodingKey { case start, end, state, sum }

    /// Home Assistant sends `start` and `end` as milliseconds since 1970.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        start = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .start) / 1000)
        end = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .end) / 1000)
        state = try container.decodeIfPresent(Double.self, forKey: .state)
        sum = try container.decodeIfPresent(Double.self, forKey: .sum)
    }
}

/// `recorder/info`: whether the recorder runs and how far behind it is.
public struct RecorderInfo: Sendable, Hashable, Decodable {
    /// Events and imports waiting to be written.
    public var backlog: Int?
    public var recording: Bool
    public var threadRunning: Bool
    public var migrationInProgress: Bool

    enum CodingKeys: String, CodingKey {
        case backlog, recording
        case threadRunning = "thread_running"
        case migrationInProgress = "migration_in_progress"
    }
}

// MARK: Commands

private struct Command: Encodable, Sendable {
    var type: String
}

private struct ImportStatistics: Encodable, Sendable {
    static let type = "recorder/import_statistics"
    let type = Self.type
    var metadata: Metadata
    var stats: [Row]

    struct Metadata: Encodable, Sendable {
        var hasMean: Bool
        var hasSum: Bool
        var name: String?
        var source: String
        var statisticId: String
        var unitOfMeasurement: String

        init(_ statistic: EnergyStatistic) {
            hasMean = statistic.hasMean
            hasSum = statistic.hasSum
            name = statistic.name
            source = EnergyStatistic.source
            statisticId = statistic.statisticID
            unitOfMeasurement = statistic.unitOfMeasurement
        }

        enum CodingKeys: String, CodingKey {
            case hasMean = "has_mean", hasSum = "has_sum", name, source
            case statisticId = "statistic_id", unitOfMeasurement = "unit_of_measurement"
        }
    }

    struct Row: Encodable, Sendable {
        var start: String
        var state: Double
        var sum: Double

        init(_ row: HourlyStatistic) {
            start = RecorderClient.format(row.start)
            state = row.state
            sum = row.sum
        }
    }
}

private struct StatisticsDuringPeriod: Encodable, Sendable {
    static let type = "recorder/statistics_during_period"
    let type = Self.type
    var startTime: String
    var endTime: String
    var statisticIds: [String]
    var period: String
    var types: [String]

    enum CodingKeys: String, CodingKey {
        case type, period, types
        case startTime = "start_time", endTime = "end_time", statisticIds = "statistic_ids"
    }
}
