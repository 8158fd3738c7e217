import Foundation
import HomeAssistant
import HomeAssistantRecorder
import Logging
import OpenEnergy
import ServiceLifecycle
import Timestamps

/// The optional second output (`homeassistant.statistics`): after every saved batch of meter data
/// (`BridgeEvent.Kind.meterDataSaved` in the bridge's events), the affected metering points' hourly
/// statistics are brought up to date in Home Assistant.
///
/// A service of its own, so a slow Home Assistant or a long catch-up never holds up the MQTT side.
/// A failed cycle is retried after growing waits (also without new data), so a Home Assistant
/// restart or a fixed token converges without a bridge restart.
final class StatisticsOutput: Service {
    private let importer: StatisticsImporter
    private let bridgeState: BridgeState
    private let api: OpenEnergyClient
    private let lookback: Duration
    private let options: BridgeOptions
    private let logger: Logger
    private let progress: StatisticsBackfillProgress
    private let events: AsyncStream<BridgeEvent>

    /// - Parameter events: the bridge's events, taken before it runs.
    init(settings: HomeAssistantStatisticsSettings, lookback: Duration, bridgeState: BridgeState, api: OpenEnergyClient,
         events: AsyncStream<BridgeEvent>, options: BridgeOptions, logger: Logger) throws(HomeAssistantConnectionError) {
        guard let url = settings.url, let token = settings.token else {
            throw .invalidURL(settings.url?.absoluteString ?? "", reason: "homeassistant.statistics needs url and token")
        }
        importer = StatisticsImporter(
            settings: .init(endpoint: try HomeAssistantEndpoint(url: url), accessToken: token.plaintext, backfill: settings.backfill),
            logger: logger)
        self.bridgeState = bridgeState
        self.api = api
        self.lookback = lookback
        self.options = options
        self.logger = logger
        progress = StatisticsBackfillProgress(display: .interactive(options.statusLine, otherwise: .none))
        self.events = events
    }

    func run() async {
        var due = Set(await bridgeState.ledger.meteringPointIds)
        var retry = RetryDelay(initial: options.retryDelay, limit: .seconds(30 * 60))
        var iterator = events.makeAsyncIterator()
        var lastError: HomeAssistantConnectionError?
        while !Task.isCancelled {
            if !due.isEmpty {
                do {
                    try await cycle(due)
                    if lastError != nil { logger.notice("statistics import works again") }
                    lastError = nil
                    retry.reset()
                    due = []
                } catch {
                    // The first occurrence as an error, repetitions quietly: one line says what to fix.
                    if error != lastError { logger.error("statistics not imported: \(error)") }
                    lastError = error
                    // Events arriving meanwhile wait in the stream's buffer.
                    try? await Task.sleep(for: retry.next())
                    continue
                }
            }
            guard let saved = await Self.nextSavedMeterData(&iterator) else { return }
            due.formUnion(saved)
        }
    }

    /// The metering points of the next `meterDataSaved` event; `nil` when the bridge stopped.
    private static func nextSavedMeterData(_ iterator: inout AsyncStream<BridgeEvent>.Iterator) async -> Set<String>? {
        while let event = await iterator.next() {
            if case let .meterDataSaved(ids) = event.kind { return ids }
        }
        return nil
    }

    private func cycle(_ ids: Set<String>) async throws(HomeAssistantConnectionError) {
        let ledger = await bridgeState.ledger
        let now = options.clock.now
        let windowStart = now.addingTimeInterval(-lookback.timeInterval)
        let meters = ids.sorted().compactMap { id -> StatisticsImporter.Meter? in
            guard let point = ledger[id] else { return nil }
            return StatisticsImporter.Meter(
                meteringPointID: id, label: nil, intervals: StatisticsIntervals.window(of: point, from: windowStart, to: now))
        }
        guard !meters.isEmpty else { return }
        let api = api
        let logger = logger
        let reports = try await importer.synchronize(meters, windowStart: windowStart, now: now, source: { id, from, to in
            do {
                return StatisticsIntervals.response(try await api.meterData(meteringPointId: id, from: from, to: to))
            } catch let error as OpenEnergyError where error.httpStatus == 400 {
                // CKW refuses ranges it keeps no data for: the backfill reached as far back as the API
                // allows. Nothing to import there; the catch-up goes on with newer data.
                logger.notice("CKW has no meter data this far back; the statistics start later", metadata: [
                    "meteringPoint": "\(id)", "from": "\(ISO8601Timestamp.format(from))", "error": "\(error)",
                ])
                return [:]
            }
        }, progress: { [progress] in progress.report($0) })
        let changed = reports.filter { $0.importedRows > 0 }
        guard let earliest = changed.compactMap(\.firstChangedHour).min() else { return }
        logger.info("statistics imported", metadata: [
            "statistics": "\(changed.count)", "rows": "\(changed.map(\.importedRows).reduce(0, +))",
            "from": "\(ISO8601Timestamp.format(earliest))",
        ])
    }
}
