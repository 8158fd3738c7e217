import Foundation
import HomeAssistant
import Logging
import OpenEnergy

/// Reads CKW's core data and takes its metering points (those of `ckw.metering_points`, when
/// given): new and removed ones are saved before they are published.
struct CoreDataReader: Sendable {
    let bridgeState: BridgeState
    let ckw: CKWConnection
    let saver: StateSaver
    let triggers: PublishTriggers
    let failures: FetchFailureHandler
    let meteringPointFilter: [String]?
    let events: BridgeEvents
    let logger: Logger

    /// Returns whether core data was read.
    func read() async -> Bool {
        let coreData: CoreData
        do {
            coreData = try await ckw.api.coreData()
            BridgeMetrics.requestSucceeded(endpoint: .coreData)
        } catch {
            BridgeMetrics.requestFailed(endpoint: .coreData, error: error)
            await failures.handle(FetchFailure.classify(error), meteringPointId: nil)
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
        await bridgeState.coreDataSucceeded(rateLimit: ckw.api.rateLimitStatus)
        await bridgeState.describeSeries(points)
        let changes = await bridgeState.updateMeters(points.map(MeterDescriptions.description(of:)))
        for id in changes.added { logger.info("metering point added", metadata: ["meteringPoint": "\(id)"]) }
        for id in changes.removed { logger.notice("metering point no longer in core data: removing its device", metadata: ["meteringPoint": "\(id)"]) }
        if points.isEmpty {
            logger.warning("CKW's core data lists no metering point for this login; nothing to bridge (devices created before are kept)")
        }
        events.emit(.coreDataApplied(meteringPoints: points.count))
        if !changes.added.isEmpty || !changes.removed.isEmpty {
            // The ledger's list of metering points is what "devices we created" means: on disk first.
            // The bridge's state knows the change already, so the next core data read would not repeat it.
            guard await saver.save() else {
                triggers.coreDataRead(changes, saved: false)
                return true
            }
        }
        triggers.coreDataRead(changes, saved: true)
        return true
    }

    /// Core data cannot be decoded, but `ckw.metering_points` names what to bridge: those are polled
    /// anyway (as consumption meters until their data shows more), while core data is retried.
    private func pollConfiguredMeteringPointsWithoutCoreData() async {
        guard let wanted = meteringPointFilter, !wanted.isEmpty, await !bridgeState.hasCoreData else { return }
        logger.warning("CKW's core data cannot be decoded; polling the metering points of ckw.metering_points without it", metadata: [
            "meteringPoints": "\(wanted.joined(separator: ", "))",
        ])
        let changes = await bridgeState.updateMeters(wanted.map {
            MeterDescription(meteringPointID: $0, meterNumber: nil, measuresImport: true, measuresExport: false)
        })
        triggers.metersConfiguredWithoutCoreData(changes)
    }
}
