import Foundation
import HomeAssistant
import Logging
import OpenEnergy
import Timestamps

/// The fetch path's loop: waits while a login is needed, reads core data when due, fetches what the
/// planner says is due, and sleeps until the next decision. Each step is a type with one job
/// (`LoginWatch`, `CoreDataSchedule`, `CoreDataReader`, `MeterDataFetcher`, `StateSaver`,
/// `PublishTriggers`); this type orders them and decides when to wake.
struct FetchLoop: Sendable {
    let bridgeState: BridgeState
    let ckw: CKWConnection
    let wakeup: Wakeup
    let coreData: CoreDataReader
    let meterData: MeterDataFetcher
    let saver: StateSaver
    let triggers: PublishTriggers
    let quota: QuotaPause
    let sentRequests: SentRequestCounter
    let events: BridgeEvents
    let options: BridgeOptions
    let logger: Logger

    private var clock: any OpenEnergyClock { options.clock }

    init(
        bridgeState: BridgeState, ckw: CKWConnection, store: StateStore, queue: PublishQueue, wakeup: Wakeup,
        meteringPointFilter: [String]?, events: BridgeEvents, options: BridgeOptions, logger: Logger
    ) {
        let triggers = PublishTriggers(queue: queue)
        let sentRequests = SentRequestCounter(ckw: ckw, bridgeState: bridgeState)
        let quota = QuotaPause(ckw: ckw, clock: options.clock)
        let saver = StateSaver(
            bridgeState: bridgeState, store: store, triggers: triggers, sentRequests: sentRequests, events: events, logger: logger)
        let failures = FetchFailureHandler(bridgeState: bridgeState, ckw: ckw, triggers: triggers, logger: logger)
        self.bridgeState = bridgeState
        self.ckw = ckw
        self.wakeup = wakeup
        coreData = CoreDataReader(
            bridgeState: bridgeState, ckw: ckw, saver: saver, triggers: triggers, failures: failures,
            meteringPointFilter: meteringPointFilter, events: events, logger: logger)
        meterData = MeterDataFetcher(
            bridgeState: bridgeState, ckw: ckw, saver: saver, triggers: triggers, failures: failures, quota: quota, events: events,
            options: options, logger: logger)
        self.saver = saver
        self.triggers = triggers
        self.quota = quota
        self.sentRequests = sentRequests
        self.events = events
        self.options = options
        self.logger = logger
    }

    func run() async {
        var coreDataSchedule = CoreDataSchedule(now: clock.now, options: options)
        var login = LoginWatch(
            bridgeState: bridgeState, ckw: ckw, wakeup: wakeup, triggers: triggers, events: events, options: options,
            published: await bridgeState.authentication)
        // Only the process's first round of requests is the backfill worth a progress display.
        var hadFirstRound = false
        var saveRetry = SaveRetry(limit: options.retryDelayLimit)
        var caughtUp = false
        var jumps = ClockJumpDetector(clock: clock)

        while !Task.isCancelled {
            await saver.retryFailedSave(&saveRetry)
            if let jump = await noticeClockJump(&jumps) { coreDataSchedule.clockJumped(by: jump.seconds) }
            if await login.waitWhileLoginRequired(returningOnJumpOf: jumps) { continue }

            var realTimeLimit: Duration?
            let hasCoreData = await bridgeState.hasCoreData
            if coreDataSchedule.isDue(hasCoreData: hasCoreData, now: clock.now), await quota.pausedUntil() == nil {
                if await coreData.read() {
                    coreDataSchedule.succeeded(at: clock.now)
                } else {
                    realTimeLimit = coreDataSchedule.failed()
                }
            }
            if await bridgeState.hasCoreData, await bridgeState.authentication != .loginRequired {
                if await meterData.fetchDueRequests(showingProgress: !hadFirstRound) { hadFirstRound = true }
            }

            if await login.publishChange() == .loginRequired { continue }

            await sentRequests.count()
            let now = clock.now
            var nextFetch = await bridgeState.nextDecisionDate(after: now)
            let pausedUntil = await quota.pausedUntil()
            if let pausedUntil, let planned = nextFetch, planned < pausedUntil { nextFetch = pausedUntil }
            if await bridgeState.updateDailyUsage(at: now, pausedUntil: pausedUntil) { triggers.info() }
            let next = min(nextFetch ?? .distantFuture, coreDataSchedule.due)
            if await bridgeState.setNextPlannedFetch(nextFetch) { triggers.info() }
            if triggers.isHoldingBack, saveRetry.due == nil { saveRetry.schedule() }
            if let due = saveRetry.due {
                let untilRetry = max(due - ContinuousClock.now, .zero)
                realTimeLimit = min(realTimeLimit ?? untilRetry, untilRetry)
            }
            if !caughtUp, await bridgeState.hasCoreData {
                caughtUp = true
                events.emit(.caughtUp)
            }
            if next > now || realTimeLimit != nil {
                await wakeup.wait(until: next, on: clock, realTimeLimit: realTimeLimit,
                                  returningOnJumpOf: jumps, jumpCheckInterval: options.clockJumpCheckInterval)
            }
        }
    }

    /// Looks whether the wall clock was stepped since the last look; if so, says so once and moves
    /// the schedule's recorded times with the clock (waits run on the monotonic clock anyway).
    private func noticeClockJump(_ jumps: inout ClockJumpDetector) async -> ClockJump? {
        guard let jump = jumps.check(clock) else { return nil }
        // Requests sent before the step carry times of the old clock: they move with the others.
        await sentRequests.count()
        await bridgeState.clockJumped(jump)
        ckw.requestGate?.clockJumped(by: jump.seconds, recorded: jump.epochStart...max(jump.epochStart, jump.from))
        logger.warning("\(jump) (from \(ISO8601Timestamp.format(jump.from)) to \(ISO8601Timestamp.format(jump.to))); waits run on the monotonic clock, the schedule and the request budget moved with the clock, and the intervals to ask for follow the new time")
        events.emit(.clockJumped(seconds: jump.seconds))
        triggers.info()
        return jump
    }
}
