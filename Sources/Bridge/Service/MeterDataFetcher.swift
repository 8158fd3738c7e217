import Foundation
import Logging
import OpenEnergy
import Timestamps

/// Fetches the meter data the planner says is due, one request after the other (the API client
/// paces them), files each response and flushes the batch: saved, then published, at least every
/// `flushInterval` and at the end of the round.
struct MeterDataFetcher: Sendable {
    let bridgeState: BridgeState
    let ckw: CKWConnection
    let saver: StateSaver
    let triggers: PublishTriggers
    let failures: FetchFailureHandler
    let quota: QuotaPause
    let events: BridgeEvents
    let options: BridgeOptions
    let logger: Logger
    /// Series left out and values not filed: each reported once per process, not per poll.
    let notices = ReportedOnce()

    private var clock: any OpenEnergyClock { options.clock }

    /// Returns whether there was anything to fetch.
    func fetchDueRequests(showingProgress: Bool) async -> Bool {
        let issuedAt = clock.now
        let requests = await bridgeState.dueRequests(at: issuedAt)
        guard !requests.isEmpty else { return false }
        var progress = showingProgress
            ? BackfillProgress(requests: requests, display: .interactive(options.statusLine, otherwise: .log(logger)))
            : nil
        defer { progress?.finish() }
        var batch: Set<String> = []
        var oldestResponse: ContinuousClock.Instant?
        var lastFlush = ContinuousClock.now
        for (index, request) in requests.enumerated() {
            if Task.isCancelled {
                await bridgeState.withdraw(Array(requests[index...]), issuedAt: issuedAt)
                break
            }
            if await quota.pausedUntil() != nil {
                // The quota is spent until a reset far off: wait for it in the loop (where refresh
                // commands and shutdown are heard and `bridge/info` says so), not inside a request.
                await bridgeState.withdraw(Array(requests[index...]), issuedAt: issuedAt)
                break
            }
            let id = request.meteringPointId
            do {
                let data = try await ckw.api.meterData(meteringPointId: id, from: request.from, to: request.to)
                let received = ContinuousClock.now
                BridgeMetrics.requestSucceeded(endpoint: .meterData)
                let (summary, addsEntities) = await bridgeState.apply(data)
                await bridgeState.fetchSucceeded(id, at: clock.now, rateLimit: ckw.api.rateLimitStatus)
                if addsEntities {
                    logger.notice("metering point delivers a direction or tariff register core data did not announce; adding its entities", metadata: ["meteringPoint": "\(id)"])
                    triggers.entitiesAdded(of: id)
                }
                logApplied(summary, request: request)
                events.emit(.meterDataApplied(meteringPointId: id, added: summary.outcome.added, corrected: summary.outcome.corrected))
                BridgeMetrics.intervalsReceived(summary.outcome.added)
                batch.insert(id)
                oldestResponse = oldestResponse ?? received
                progress?.requestDone(request)
            } catch {
                if error is CancellationError || Task.isCancelled {
                    // Stopping: this answer and the rest are still needed at the next start.
                    await bridgeState.withdraw(Array(requests[index...]), issuedAt: issuedAt)
                    break
                }
                BridgeMetrics.requestFailed(endpoint: .meterData, error: error)
                let failure = FetchFailure.classify(error)
                await failures.handle(failure, meteringPointId: id)
                batch.insert(id)
                if failure.scope != .meteringPoint { break }
                progress?.requestDone(request)
            }
            if index == requests.count - 1 || ContinuousClock.now - lastFlush >= options.flushInterval {
                await saver.flush(batch, oldestResponse: oldestResponse)
                batch = []
                oldestResponse = nil
                lastFlush = ContinuousClock.now
            }
        }
        if !batch.isEmpty { await saver.flush(batch, oldestResponse: oldestResponse) }
        return true
    }

    private func logApplied(_ summary: MeterDataApplying.Summary, request: FetchRequest) {
        let outcome = summary.outcome
        logger.debug("meter data applied", metadata: [
            "meteringPoint": "\(request.meteringPointId)",
            "reason": "\(request.reason.rawValue)",
            "from": "\(ISO8601Timestamp.format(request.from))",
            "to": "\(ISO8601Timestamp.format(request.to))",
            "added": "\(outcome.added)", "corrected": "\(outcome.corrected)", "unchanged": "\(outcome.unchanged)",
            "ignored": "\(outcome.ignored.count)",
        ])
        for notice in summary.notices where notices.isFirst(notice.key) {
            logger.warning("\(notice.message) (reported once)", metadata: ["meteringPoint": "\(request.meteringPointId)"])
        }
    }
}
