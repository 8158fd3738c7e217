import HomeAssistant
import Logging
import OpenEnergy

/// What a failed request does to the bridge's state and log: a login failure makes the bridge wait
/// for a login; any other marks the metering point (or the service) as failing, said once loudly.
struct FetchFailureHandler: Sendable {
    let bridgeState: BridgeState
    let ckw: CKWConnection
    let triggers: PublishTriggers
    let logger: Logger

    func handle(_ failure: FetchFailure, meteringPointId: String?) async {
        switch failure.scope {
        case .login:
            let already = await bridgeState.authentication == .loginRequired
            await bridgeState.setAuthentication(.loginRequired, error: failure.message)
            if !already {
                // The one line an operator needs: what happened and which command fixes it.
                logger.error("CKW login required, meters are unavailable until then: \(failure.message)")
            }
        case .meteringPoint, .service:
            if ckw.undecodableResponses.hasKept {
                await bridgeState.noteUndecodableResponse(keptAt: ckw.undecodableResponses.path)
            }
            let turnedOffline = await bridgeState.fetchFailed(meteringPointId, error: failure.message, rateLimit: ckw.api.rateLimitStatus)
            var metadata: Logger.Metadata = [:]
            if let meteringPointId { metadata["meteringPoint"] = "\(meteringPointId)" }
            if turnedOffline || meteringPointId == nil {
                logger.warning("\(failure.message)", metadata: metadata)
            } else {
                logger.debug("\(failure.message)", metadata: metadata)
            }
            triggers.info()
        }
    }
}
