import Foundation
import HomeAssistant
import Logging
import OpenEnergy
import Timestamps

/// Reads core data, then asks the planner what is due and fetches it, paced by the API client's
/// pacer; saves the state after every applied batch and only then hands the new values to the
/// publisher. While a login is needed it spends no requests and watches the token file.
struct FetchLoop: Sendable {
    let runtime: BridgeRuntime
    let ckw: CKWConnection
    let store: StateStore
    let queue: PublishQueue
    let wakeup: Wakeup
    let meteringPointFilter: [String]?
    let options: BridgeOptions
    let logger: Logger
    /// `homeassistant.statistics`, when enabled: told about every saved batch.
    var statistics: StatisticsOutput? = nil
    /// Publications held back by a failed save.
    let unsaved = UnsavedPublications()
    /// Series left out and values not filed: each reported once per process, not per poll.
    let notices = ReportedOnce()

    private var clock: any OpenEnergyClock { options.clock }

    func run() async {
        var coreDataDue = clock.now
        var coreDataRetry = RetryDelay(initial: options.retryDelay, limit: options.retryDelayLimit)
        var coreDataNotBefore = ContinuousClock.now
        var loginWait = LoginWait()
        var publishedAuthentication = await runtime.authentication
        // Only the process's first round of requests is the backfill worth a progress display.
        var hadFirstRound = false
        var saveRetry = SaveRetry(limit: options.retryDelayLimit)
        var caughtUp = false
        var jumps = ClockJumpDetector(clock: clock)

        while !Task.isCancelled {
            await retryFailedSave(&saveRetry)
            if let jump = await noticeClockJump(&jumps) {
                coreDataDue = coreDataDue.addingTimeInterval(jump.seconds)
            }
            if await runtime.authentication == .loginRequired {
                if await loginWait.shouldRetry(tokenStore: ckw.tokenStore, options: options) {
                    await ckw.reloadTokens()
                    await runtime.setAuthentication(.unknown)
                    // As on SIGHUP: check the new login now and fetch what was missed meanwhile.
                    await runtime.requestRefresh(at: clock.now)
                } else {
                    // Set from outside the loop (a logout on the web page): published like any other.
                    if publishedAuthentication != .loginRequired {
                        queue.enqueue(PublishWork(allAvailability: true, bridgeInfo: true))
                        publishedAuthentication = .loginRequired
                        loginWait.begin(tokenStore: ckw.tokenStore)
                        options.emit(.loginRequired)
                    }
                    await wakeup.wait(until: clock.now.addingTimeInterval(86_400), on: clock, realTimeLimit: options.tokenCheckInterval,
                                      returningOnJumpOf: jumps, jumpCheckInterval: options.clockJumpCheckInterval)
                    continue
                }
            }

            var realTimeLimit: Duration?
            let hasCoreData = await runtime.hasCoreData
            if (!hasCoreData || clock.now >= coreDataDue), ContinuousClock.now >= coreDataNotBefore, await quotaPause() == nil {
                if await readCoreData() {
                    coreDataDue = clock.now.addingTimeInterval(options.coreDataInterval.timeInterval)
                    coreDataRetry.reset()
                } else {
                    let delay = coreDataRetry.next()
                    coreDataNotBefore = ContinuousClock.now + delay
                    realTimeLimit = delay
                }
            }
            if await runtime.hasCoreData, await runtime.authentication != .loginRequired {
                if await fetchDueRequests(showingProgress: !hadFirstRound) { hadFirstRound = true }
            }

            let authentication = await runtime.authentication
            if authentication != publishedAuthentication {
                // Every meter's availability follows the login.
                queue.enqueue(PublishWork(allAvailability: true, bridgeInfo: true))
                publishedAuthentication = authentication
                if authentication == .loginRequired {
                    loginWait.begin(tokenStore: ckw.tokenStore)
                    options.emit(.loginRequired)
                }
            }
            if authentication == .loginRequired { continue }

            await noteRequestsSent()
            let now = clock.now
            var nextFetch = await runtime.nextDecisionDate(after: now)
            let pausedUntil = await quotaPause()
            if let pausedUntil, let planned = nextFetch, planned < pausedUntil { nextFetch = pausedUntil }
            if await runtime.updateDailyUsage(at: now, pausedUntil: pausedUntil) { queue.enqueue(.info) }
            let next = min(nextFetch ?? .distantFuture, coreDataDue)
            if await runtime.setNextPlannedFetch(nextFetch) { queue.enqueue(.info) }
            if unsaved.isPending, saveRetry.due == nil { saveRetry.schedule() }
            if let due = saveRetry.due {
                let untilRetry = max(due - ContinuousClock.now, .zero)
                realTimeLimit = min(realTimeLimit ?? untilRetry, untilRetry)
            }
            if !caughtUp, await runtime.hasCoreData {
                caughtUp = true
                options.emit(.caughtUp)
            }
            if next > now || realTimeLimit != nil {
                await wakeup.wait(until: next, on: clock, realTimeLimit: realTimeLimit,
                                  returningOnJumpOf: jumps, jumpCheckInterval: options.clockJumpCheckInterval)
            }
        }
    }

    /// Saves again once the retry is due, when publications wait for a save that failed.
    private func retryFailedSave(_ retry: inout SaveRetry) async {
        guard unsaved.isPending else {
            retry.succeeded()
            return
        }
        guard let due = retry.due, ContinuousClock.now >= due else { return }
        if await save() {
            logger.notice("the state is saved again; publishing what was held back")
            retry.succeeded()
        } else {
            retry.schedule()
        }
    }

    /// When the pacer holds every request back for more than a minute (the quota is spent until
    /// its reset). The pacer keeps real time: only comparable when the bridge does too (not in the demo).
    private func quotaPause() async -> Date? {
        guard clock is SystemClock, let wait = await ckw.api.nextRequestWait, wait > .seconds(60) else { return nil }
        return clock.now.addingTimeInterval(wait.timeInterval)
    }

    /// Looks whether the wall clock was stepped since the last look; if so, says so once and moves
    /// the schedule's recorded times with the clock (waits run on the monotonic clock anyway).
    private func noticeClockJump(_ jumps: inout ClockJumpDetector) async -> ClockJump? {
        guard let jump = jumps.check(clock) else { return nil }
        // Requests sent before the step carry times of the old clock: they move with the others.
        await noteRequestsSent()
        await runtime.clockJumped(jump)
        logger.warning("\(jump) (from \(ISO8601Timestamp.format(jump.from)) to \(ISO8601Timestamp.format(jump.to))); waits run on the monotonic clock, the schedule and the request budget moved with the clock, and the intervals to ask for follow the new time")
        options.emit(.clockJumped(seconds: jump.seconds))
        queue.enqueue(.info)
        return jump
    }

    /// Counts what the API client sent since the last call against the login's budget.
    private func noteRequestsSent() async {
        let sent = ckw.takeSentRequests()
        if !sent.isEmpty { await runtime.noteRequestsSent(sent) }
    }

    // MARK: Core data

    /// Returns whether core data was read.
    private func readCoreData() async -> Bool {
        let coreData: CoreData
        do {
            coreData = try await ckw.api.coreData()
            BridgeMetrics.requestSucceeded(endpoint: .coreData)
        } catch {
            BridgeMetrics.requestFailed(endpoint: .coreData, error: error)
            await handle(FetchFailure.classify(error), meteringPointId: nil)
            if case OpenEnergyError.decoding = error { await pollConfiguredMeteringPointsWithoutCoreData() }
            return false
        }
        var points = coreData.meteringPoints
        if let wanted = meteringPointFilter {
            let available = Set(points.map(\.id))
            for id in wanted where !available.contains(id) {
                logger.warning("metering point from ckw.metering_points is not in CKW's core data for this login", metadata: ["meteringPoint": "\(id)"])
            }
            let wantedSet = Set(wanted)
            points = points.filter { wantedSet.contains($0.id) }
        }
        await runtime.coreDataSucceeded(rateLimit: ckw.api.rateLimitStatus)
        await runtime.describeSeries(points)
        let changes = await runtime.updateMeters(points.map(MeterDescriptions.description(of:)))
        for id in changes.added { logger.info("metering point added", metadata: ["meteringPoint": "\(id)"]) }
        for id in changes.removed { logger.notice("metering point no longer in core data: removing its device", metadata: ["meteringPoint": "\(id)"]) }
        if points.isEmpty {
            logger.warning("CKW's core data lists no metering point for this login; nothing to bridge (devices created before are kept)")
        }
        options.emit(.coreDataApplied(meteringPoints: points.count))
        let republished = Set(changes.added + changes.changed)
        let work = PublishWork(
            bridgeDiscovery: true, meterDiscovery: republished, removals: Set(changes.removed),
            availability: republished, states: republished, bridgeInfo: true)
        if !changes.added.isEmpty || !changes.removed.isEmpty {
            // The ledger's list of metering points is what "devices we created" means: on disk first.
            // The runtime knows the change already, so the next core data read would not repeat it.
            guard await save() else {
                unsaved.add(work)
                return true
            }
        }
        queue.enqueue(work)
        return true
    }

    /// Core data cannot be decoded, but `ckw.metering_points` names what to bridge: those are polled
    /// anyway (as consumption meters until their data shows more), while core data is retried.
    private func pollConfiguredMeteringPointsWithoutCoreData() async {
        guard let wanted = meteringPointFilter, !wanted.isEmpty, await !runtime.hasCoreData else { return }
        logger.warning("CKW's core data cannot be decoded; polling the metering points of ckw.metering_points without it", metadata: [
            "meteringPoints": "\(wanted.joined(separator: ", "))",
        ])
        let changes = await runtime.updateMeters(wanted.map {
            MeterDescription(meteringPointID: $0, meterNumber: nil, measuresImport: true, measuresExport: false)
        })
        let republished = Set(changes.added + changes.changed)
        queue.enqueue(PublishWork(
            bridgeDiscovery: true, meterDiscovery: republished, availability: republished, states: republished, bridgeInfo: true))
    }

    // MARK: Meter data

    /// Returns whether there was anything to fetch.
    private func fetchDueRequests(showingProgress: Bool) async -> Bool {
        let issuedAt = clock.now
        let requests = await runtime.dueRequests(at: issuedAt)
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
                await runtime.withdraw(Array(requests[index...]), issuedAt: issuedAt)
                break
            }
            if await quotaPause() != nil {
                // The quota is spent until a reset far off: wait for it in the loop (where refresh
                // commands and shutdown are heard and `bridge/info` says so), not inside a request.
                await runtime.withdraw(Array(requests[index...]), issuedAt: issuedAt)
                break
            }
            let id = request.meteringPointId
            do {
                let data = try await ckw.api.meterData(meteringPointId: id, from: request.from, to: request.to)
                let received = ContinuousClock.now
                BridgeMetrics.requestSucceeded(endpoint: .meterData)
                let summary = await runtime.apply(data)
                await runtime.fetchSucceeded(id, at: clock.now, rateLimit: ckw.api.rateLimitStatus)
                if await runtime.noteDirections(summary.directions, tariffs: summary.tariffs, of: id) {
                    logger.notice("metering point delivers a direction or tariff register core data did not announce; adding its entities", metadata: ["meteringPoint": "\(id)"])
                    queue.enqueue(PublishWork(meterDiscovery: [id]))
                }
                logApplied(summary, request: request)
                options.emit(.meterDataApplied(meteringPointId: id, added: summary.outcome.added, corrected: summary.outcome.corrected))
                BridgeMetrics.intervalsReceived(summary.outcome.added)
                batch.insert(id)
                oldestResponse = oldestResponse ?? received
                progress?.requestDone(request)
            } catch {
                if error is CancellationError || Task.isCancelled {
                    // Stopping: this answer and the rest are still needed at the next start.
                    await runtime.withdraw(Array(requests[index...]), issuedAt: issuedAt)
                    break
                }
                BridgeMetrics.requestFailed(endpoint: .meterData, error: error)
                let failure = FetchFailure.classify(error)
                await handle(failure, meteringPointId: id)
                batch.insert(id)
                if failure.scope != .meteringPoint { break }
                progress?.requestDone(request)
            }
            if index == requests.count - 1 || ContinuousClock.now - lastFlush >= options.flushInterval {
                await flush(batch, oldestResponse: oldestResponse)
                batch = []
                oldestResponse = nil
                lastFlush = ContinuousClock.now
            }
        }
        if !batch.isEmpty { await flush(batch, oldestResponse: oldestResponse) }
        return true
    }

    /// Saves, then publishes: values the broker has seen are always on disk, so a restart can never
    /// show a total lower than one published before.
    private func flush(_ ids: Set<String>, oldestResponse: ContinuousClock.Instant?) async {
        guard await save() else {
            queue.enqueue(PublishWork(availability: ids, bridgeInfo: true))
            unsaved.add(.states(of: ids))
            return
        }
        queue.enqueue(.states(of: ids, responseReceivedAt: oldestResponse))
        statistics?.meterDataSaved(ids)
    }

    /// Saves the whole state; on success also publishes what earlier failed saves held back.
    private func save() async -> Bool {
        await noteRequestsSent()
        let state = await runtime.persistentState
        do {
            try store.save(state)
            options.emit(.stateSaved)
            await writeInfoFile()
            if let heldBack = unsaved.take() {
                queue.enqueue(heldBack)
                if !heldBack.states.isEmpty { statistics?.meterDataSaved(heldBack.states) }
            }
            return true
        } catch {
            logger.error("\(error)")
            _ = await runtime.fetchFailed(nil, error: error.description, rateLimit: nil)
            return false
        }
    }

    private func writeInfoFile() async {
        let payload = await runtime.mapping.bridgeInfo(runtime.bridgeSnapshot).payload
        do {
            try BridgeInfoFile(directory: store.directory).write(payload)
        } catch {
            logger.debug("cannot write \(BridgeInfoFile.fileName): \(error)")
        }
    }

    // MARK: Failures

    private func handle(_ failure: FetchFailure, meteringPointId: String?) async {
        switch failure.scope {
        case .login:
            let already = await runtime.authentication == .loginRequired
            await runtime.setAuthentication(.loginRequired, error: failure.message)
            if !already {
                // The one line an operator needs: what happened and which command fixes it.
                logger.error("CKW login required, meters are unavailable until then: \(failure.message)")
            }
        case .meteringPoint, .service:
            if ckw.undecodableResponses.hasKept {
                await runtime.noteUndecodableResponse(keptAt: ckw.undecodableResponses.path)
            }
            let turnedOffline = await runtime.fetchFailed(meteringPointId, error: failure.message, rateLimit: ckw.api.rateLimitStatus)
            var metadata: Logger.Metadata = [:]
            if let meteringPointId { metadata["meteringPoint"] = "\(meteringPointId)" }
            if turnedOffline || meteringPointId == nil {
                logger.warning("\(failure.message)", metadata: metadata)
            } else {
                logger.debug("\(failure.message)", metadata: metadata)
            }
            queue.enqueue(.info)
        }
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

/// Exponential waits after failures: `initial`, twice that, ..., at most `limit`.
struct RetryDelay: Sendable {
    let initial: Duration
    let limit: Duration
    private var current: Duration?

    init(initial: Duration, limit: Duration) {
        self.initial = initial
        self.limit = limit
    }

    mutating func next() -> Duration {
        let delay = current.map { min($0 * 2, limit) } ?? initial
        current = delay
        return delay
    }

    mutating func reset() { current = nil }
}

/// Decides when to try again while a login is needed: as soon as the token file changes (a new
/// `ckw2mqtt login`), or, in backend mode where there is no token file, after growing waits.
struct LoginWait: Sendable {
    private var signature: TokenFileSignature?
    private var backendRetry: RetryDelay?
    private var backendRetryAt: ContinuousClock.Instant?

    mutating func begin(tokenStore: TokenStore?) {
        signature = tokenStore.flatMap { TokenFileSignature.of(path: $0.fileURL.path) }
    }

    mutating func shouldRetry(tokenStore: TokenStore?, options: BridgeOptions) async -> Bool {
        if let tokenStore {
            return TokenFileSignature.of(path: tokenStore.fileURL.path) != signature
        }
        var retry = backendRetry ?? RetryDelay(initial: options.retryDelay, limit: options.retryDelayLimit)
        defer { backendRetry = retry }
        guard let at = backendRetryAt else {
            backendRetryAt = ContinuousClock.now + retry.next()
            return false
        }
        guard ContinuousClock.now >= at else { return false }
        backendRetryAt = ContinuousClock.now + retry.next()
        return true
    }
}
