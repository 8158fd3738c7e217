import EnergyDomain
import Foundation
import HomeAssistant
import Logging

/// Keeps Home Assistant's hourly energy statistics of each metering point equal to the meter's
/// 15-minute values, however late, corrected or repeated those arrive.
///
/// Home Assistant is the only record of what was imported, so a restart of the bridge, a restart
/// of Home Assistant or a lost state file all converge to the same numbers:
/// - **Catch-up** (once per metering point and process): from the hour after the newest stored row
///   before the look-back window (or from the configured backfill start when there is none), the
///   meter data is fetched in chunks through `IntervalSource`, paced, with a log line per chunk.
///   An interrupted catch-up resumes there on the next start.
/// - **Window** (every cycle, after the catch-up finished): the hours of the look-back window are
///   built from the bridge's intervals and compared with what is stored; from the first hour that
///   differs on, rows are imported again, their `sum` continuing from the stored row just before.
///   Unchanged windows write nothing; a correction rewrites its hour and shifts the later sums, so
///   bars never spike and never go negative.
public actor StatisticsImporter {
    public struct Settings: Sendable {
        public var endpoint: HomeAssistantEndpoint
        /// A long-lived access token of an administrator. Never logged.
        public var accessToken: String
        /// How far back the first catch-up starts.
        public var backfill: Duration
        /// Length of one catch-up request (the API serves at most 31 days per request).
        public var backfillChunk: Duration
        /// Wait between catch-up requests, on top of the API client's own rate-limit pacing.
        public var backfillPause: Duration
        /// How long to wait for Home Assistant to have written an import before reading on.
        public var writeTimeout: Duration
        public var connection: HomeAssistantWebSocket.Configuration

        public init(
            endpoint: HomeAssistantEndpoint, accessToken: String, backfill: Duration = .seconds(365 * 86_400),
            backfillChunk: Duration = .seconds(31 * 86_400), backfillPause: Duration = .seconds(2),
            writeTimeout: Duration = .seconds(30), connection: HomeAssistantWebSocket.Configuration = .init()
        ) {
            self.endpoint = endpoint
            self.accessToken = accessToken
            self.backfill = backfill
            self.backfillChunk = backfillChunk
            self.backfillPause = backfillPause
            self.writeTimeout = writeTimeout
            self.connection = connection
        }
    }

    /// A metering point to synchronize, with the intervals the bridge holds for the window.
    public struct Meter: Sendable {
        public var meteringPointID: String
        /// Readable name for the statistic (address or meter number).
        public var label: String?
        /// The bridge's intervals per direction; a direction the meter lacks is absent.
        public var intervals: [EnergyDirection: [IntervalReading]]

        public init(meteringPointID: String, label: String?, intervals: [EnergyDirection: [IntervalReading]]) {
            self.meteringPointID = meteringPointID
            self.label = label
            self.intervals = intervals
        }

        func statistic(_ direction: EnergyDirection) -> EnergyStatistic {
            EnergyStatistic(meteringPointID: meteringPointID, direction: direction, label: label)
        }
    }

    /// Meter data of `[from, to)` for the catch-up, per direction (the bridge fetches it from CKW).
    public typealias IntervalSource = @Sendable (_ meteringPointID: String, _ from: Date, _ to: Date) async throws
        -> [EnergyDirection: [IntervalReading]]

    /// Where a metering point's catch-up stands: told when it starts, after every chunk, and once
    /// more when it ends (`isOver`: done, paused by a failure, or cancelled).
    public struct CatchUpProgress: Sendable, Equatable {
        public var meteringPointID: String
        public var from: Date
        /// Imported up to here.
        public var through: Date
        /// Where the catch-up ends: the start of the look-back window.
        public var to: Date
        public var isOver: Bool

        public init(meteringPointID: String, from: Date, through: Date, to: Date, isOver: Bool) {
            self.meteringPointID = meteringPointID
            self.from = from
            self.through = through
            self.to = to
            self.isOver = isOver
        }
    }

    public let settings: Settings
    private let logger: Logger
    private let builder = HourlyStatisticsBuilder()
    /// Statistics whose catch-up finished in this process (per statistic: a meter may gain a direction).
    private var caughtUp: Set<String> = []
    /// The directions each metering point had in its latest cycle.
    private var seenDirections: [String: Set<EnergyDirection>] = [:]

    /// Rows are searched no further back than this: before smart meters, nothing to find.
    static let searchFloor = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01

    public init(settings: Settings, logger: Logger = Logger(label: "ckw2mqtt.statistics")) {
        self.settings = settings
        self.logger = logger
    }

    // MARK: Cycle

    /// One cycle: connects, checks the recorder, catches up where needed, then brings each meter's
    /// window `[windowStart, now)` up to date.
    ///
    /// - Throws: `StatisticsImportError` for Home Assistant problems (the cycle stops; the next one
    ///   retries). A failing catch-up fetch only postpones that meter's statistics.
    @discardableResult
    public func synchronize(
        _ meters: [Meter], windowStart: Date, now: Date, source: IntervalSource,
        progress: (@Sendable (CatchUpProgress) -> Void)? = nil
    ) async throws(HomeAssistantConnectionError) -> [StatisticReport] {
        let connection = try await HomeAssistantWebSocket.connect(
            to: settings.endpoint, accessToken: settings.accessToken, configuration: settings.connection, logger: logger)
        do {
            let recorder = RecorderClient(connection: connection)
            _ = try await recorder.info()
            // The bridge's intervals begin at the look-back, usually mid-hour: its first full hour
            // is where the window starts, and where the catch-up stops.
            let windowStart = Self.hourCeiling(windowStart)
            var reports: [StatisticReport] = []
            for meter in meters {
                let directions = meter.intervals.keys.sorted { meter.statistic($0).statisticID < meter.statistic($1).statisticID }
                seenDirections[meter.meteringPointID] = Set(directions)
                let pending = directions.filter { !caughtUp.contains(meter.statistic($0).statisticID) }
                if !pending.isEmpty {
                    guard try await catchUp(meter, directions: pending, before: windowStart, now: now, recorder: recorder, source: source,
                                            progress: progress) else { continue }
                    caughtUp.formUnion(pending.map { meter.statistic($0).statisticID })
                }
                for direction in directions {
                    let intervals = meter.intervals[direction, default: []].filter { $0.start >= windowStart && $0.end <= now }
                    reports.append(try await bringUpToDate(meter.statistic(direction), intervals: intervals, recorder: recorder))
                }
            }
            await connection.close()
            return reports
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Whether the catch-up of every statistic of the metering point finished in this process.
    public func hasCaughtUp(_ meteringPointID: String) -> Bool {
        guard let directions = seenDirections[meteringPointID], !directions.isEmpty else { return false }
        return directions.allSatisfy { caughtUp.contains(EnergyStatistic(meteringPointID: meteringPointID, direction: $0).statisticID) }
    }

    // MARK: Window

    /// Imports `intervals`' hours from the first one that differs from what is stored.
    func bringUpToDate(_ statistic: EnergyStatistic, intervals: [IntervalReading], recorder: RecorderClient) async throws(HomeAssistantConnectionError) -> StatisticReport {
        let unanchored = builder.build(from: intervals, continuingFrom: 0)
        var report = StatisticReport(statisticID: statistic.statisticID, incompleteHours: unanchored.incompleteHours.count,
                                     rejectedIntervals: unanchored.rejectedIntervals.count)
        guard let first = unanchored.rows.first, let last = unanchored.rows.last else { return report }

        // The stored rows of the window and the day before it: normally the base row is among them.
        let stored = try await recorder.statistics(
            [statistic.statisticID], from: first.start - 86_400, to: last.start + 3600)[statistic.statisticID] ?? []
        let base: Double
        if let row = stored.last(where: { $0.start < first.start }) {
            base = row.sum ?? 0
        } else {
            base = try await recorder.lastStatistic(statistic.statisticID, before: first.start, notBefore: Self.searchFloor)?.sum ?? 0
        }
        let rows = builder.build(from: intervals, continuingFrom: base).rows
        let storedByStart = Dictionary(stored.map { ($0.start, $0) }, uniquingKeysWith: { $1 })
        guard let firstChange = rows.firstIndex(where: { !Self.matches($0, storedByStart[$0.start]) }) else { return report }

        let changed = Array(rows[firstChange...])
        try await importAndWait(statistic, rows: changed, recorder: recorder)
        report.importedRows = changed.count
        report.firstChangedHour = changed.first?.start
        report.sum = changed.last?.sum
        logger.debug("statistics imported", metadata: [
            "statistic": "\(statistic.statisticID)", "rows": "\(changed.count)",
            "from": "\(changed[0].start.formatted(.iso8601))", "sum": "\(changed.last!.sum)",
        ])
        return report
    }

    // MARK: Catch-up

    /// Returns whether `directions` of the meter are caught up to `windowStart`.
    private func catchUp(
        _ meter: Meter, directions: [EnergyDirection], before windowStart: Date, now: Date,
        recorder: RecorderClient, source: IntervalSource, progress: (@Sendable (CatchUpProgress) -> Void)?
    ) async throws(HomeAssistantConnectionError) -> Bool {
        let backfillStart = Self.hourFloor(now - settings.backfill.seconds)
        var start = windowStart
        for direction in directions {
            let newest = try await recorder.lastStatistic(meter.statistic(direction).statisticID, before: windowStart, notBefore: Self.searchFloor)
            start = min(start, max(newest.map { $0.start + 3600 } ?? backfillStart, backfillStart))
        }
        guard start < windowStart else { return true }

        let chunk = settings.backfillChunk.seconds
        let chunks = Int(((windowStart.timeIntervalSince(start)) / chunk).rounded(.up))
        logger.info("statistics catch-up", metadata: [
            "meteringPoint": "\(meter.meteringPointID)", "from": "\(start.formatted(.iso8601))",
            "to": "\(windowStart.formatted(.iso8601))", "requests": "\(chunks)",
        ])
        var chunkStart = start
        var number = 0
        func report(isOver: Bool) {
            progress?(CatchUpProgress(meteringPointID: meter.meteringPointID, from: start, through: chunkStart, to: windowStart, isOver: isOver))
        }
        report(isOver: false)
        // However it ends (a Home Assistant error throws), the display learns that it did.
        defer { report(isOver: true) }
        while chunkStart < windowStart {
            if Task.isCancelled { return false }
            let chunkEnd = min(chunkStart + chunk, windowStart)
            number += 1
            let fetched: [EnergyDirection: [IntervalReading]]
            do {
                fetched = try await source(meter.meteringPointID, chunkStart, chunkEnd)
            } catch {
                logger.warning("statistics catch-up paused: meter data could not be fetched; the next cycle resumes", metadata: [
                    "meteringPoint": "\(meter.meteringPointID)", "from": "\(chunkStart.formatted(.iso8601))", "error": "\(error)",
                ])
                return false
            }
            var imported = 0
            for direction in directions {
                let intervals = (fetched[direction] ?? []).filter { $0.start >= chunkStart && $0.end <= chunkEnd }
                imported += try await bringUpToDate(meter.statistic(direction), intervals: intervals, recorder: recorder).importedRows
            }
            logger.info("statistics catch-up progress", metadata: [
                "meteringPoint": "\(meter.meteringPointID)", "request": "\(number)/\(chunks)",
                "through": "\(chunkEnd.formatted(.iso8601))", "rows": "\(imported)",
            ])
            chunkStart = chunkEnd
            if chunkStart < windowStart {
                report(isOver: false)
                try? await Task.sleep(for: settings.backfillPause)
            }
        }
        return true
    }

    // MARK: Helpers

    /// Imports, then waits until Home Assistant has written the last row: the recorder queues imports,
    /// and the next read (this meter's other direction, the next chunk) must see them.
    private func importAndWait(_ statistic: EnergyStatistic, rows: [HourlyStatistic], recorder: RecorderClient) async throws(HomeAssistantConnectionError) {
        try await recorder.importStatistics(statistic, rows: rows)
        guard let last = rows.last else { return }
        let deadline = ContinuousClock.now + settings.writeTimeout
        while true {
            let stored = try await recorder.statistics([statistic.statisticID], from: last.start, to: last.start + 3600)[statistic.statisticID]
            if Self.matches(last, stored?.first) { return }
            guard ContinuousClock.now < deadline else {
                throw .timedOut(command: "recorder/import_statistics (waiting for the rows to be written)", after: settings.writeTimeout)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Equal up to float noise far below the 1 mWh resolution of the values.
    static func matches(_ row: HourlyStatistic, _ stored: StoredStatistic?) -> Bool {
        guard let stored, stored.start == row.start, let sum = stored.sum, let state = stored.state else { return false }
        return abs(sum - row.sum) < 5e-7 && abs(state - row.state) < 5e-7
    }

    static func hourFloor(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
    }

    static func hourCeiling(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3600).rounded(.up) * 3600)
    }
}

/// What one cycle did to one statistic.
public struct StatisticReport: Sendable, Equatable {
    public var statisticID: String
    /// Rows written (0 when Home Assistant already had exactly these numbers).
    public var importedRows = 0
    public var firstChangedHour: Date?
    /// The `sum` of the newest row written.
    public var sum: Double?
    /// Hours left out because not all their values have arrived.
    public var incompleteHours = 0
    public var rejectedIntervals = 0
}

extension Duration {
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
