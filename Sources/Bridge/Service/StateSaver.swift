import Foundation
import HomeAssistant
import Logging

/// Saves the state, then lets the publisher show it: values the broker has seen are always on disk,
/// so a restart can never show a total lower than one published before. A failed save holds the
/// publications back and is tried again (`SaveRetry`) until one works.
struct StateSaver: Sendable {
    let bridgeState: BridgeState
    let store: StateStore
    let triggers: PublishTriggers
    let sentRequests: SentRequestCounter
    let events: BridgeEvents
    let logger: Logger

    /// Saves again once the retry is due, when publications wait for a save that failed.
    func retryFailedSave(_ retry: inout SaveRetry) async {
        guard triggers.isHoldingBack else {
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

    /// Saves the meter data of `ids` filed since the last flush, then publishes their states.
    func flush(_ ids: Set<String>, oldestResponse: ContinuousClock.Instant?) async {
        guard await save() else {
            triggers.saveFailed(of: ids)
            return
        }
        triggers.statesSaved(of: ids, oldestResponse: oldestResponse)
        events.emit(.meterDataSaved(meteringPointIds: ids))
    }

    /// Saves the whole state; on success also publishes what earlier failed saves held back.
    func save() async -> Bool {
        await sentRequests.count()
        let state = await bridgeState.savedState
        do {
            try store.save(state)
            events.emit(.stateSaved)
            await writeInfoFile()
            if let heldBack = triggers.saved(), !heldBack.states.isEmpty {
                events.emit(.meterDataSaved(meteringPointIds: heldBack.states))
            }
            return true
        } catch {
            logger.error("\(error)")
            _ = await bridgeState.fetchFailed(nil, error: error.description, rateLimit: nil)
            return false
        }
    }

    private func writeInfoFile() async {
        let payload = await bridgeState.mapping.bridgeInfo(bridgeState.bridgeSnapshot).payload
        do {
            try BridgeInfoFile(directory: store.directory).write(payload)
        } catch {
            logger.debug("cannot write \(BridgeInfoFile.fileName): \(error)")
        }
    }
}
