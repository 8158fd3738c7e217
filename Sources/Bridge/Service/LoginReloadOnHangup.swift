import ServiceLifecycle
import UnixSignals

/// Reloads the bridge's login on SIGHUP (`systemctl reload ckw2mqtt` after `ckw2mqtt login`). Runs
/// next to the bridge in the same `ServiceGroup`; SIGTERM and SIGINT are the group's own business.
public struct LoginReloadOnHangup: Service {
    let bridge: BridgeService

    public init(bridge: BridgeService) {
        self.bridge = bridge
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            for await _ in hangups {
                await bridge.reloadLogin()
            }
        }
    }
}
