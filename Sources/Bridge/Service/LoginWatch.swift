import Foundation
import HomeAssistant
import OpenEnergy

/// The login side of the fetch loop: publishes every change of the login's state (each meter's
/// availability follows it) and, while a login is needed, waits without spending requests until a
/// new login can be tried.
struct LoginWatch: Sendable {
    let bridgeState: BridgeState
    let ckw: CKWConnection
    let wakeup: Wakeup
    let triggers: PublishTriggers
    let events: BridgeEvents
    let options: BridgeOptions
    /// The login state the broker was last told about.
    private(set) var published: AuthenticationState
    private var wait = LoginWait()

    init(
        bridgeState: BridgeState, ckw: CKWConnection, wakeup: Wakeup, triggers: PublishTriggers, events: BridgeEvents,
        options: BridgeOptions, published: AuthenticationState
    ) {
        self.bridgeState = bridgeState
        self.ckw = ckw
        self.wakeup = wakeup
        self.triggers = triggers
        self.events = events
        self.options = options
        self.published = published
    }

    /// While a login is needed, waits a while and returns `true`: the loop starts over without
    /// sending requests. Returns `false` when no login is needed, or a new one is there to try.
    mutating func waitWhileLoginRequired(returningOnJumpOf jumps: ClockJumpDetector) async -> Bool {
        guard await bridgeState.authentication == .loginRequired else { return false }
        if await wait.shouldRetry(tokenStore: ckw.tokenStore, options: options) {
            await ckw.reloadTokens()
            await bridgeState.setAuthentication(.unknown)
            // As on SIGHUP: check the new login now and fetch what was missed meanwhile.
            await bridgeState.requestRefresh(at: options.clock.now)
            return false
        }
        // Set from outside the loop (a logout on the web page): published like any other.
        if published != .loginRequired { announce(.loginRequired) }
        await wakeup.wait(until: options.clock.now.addingTimeInterval(86_400), on: options.clock, realTimeLimit: options.tokenCheckInterval,
                          returningOnJumpOf: jumps, jumpCheckInterval: options.clockJumpCheckInterval)
        return true
    }

    /// Publishes the login's state if it changed since last time; returns it.
    mutating func publishChange() async -> AuthenticationState {
        let authentication = await bridgeState.authentication
        if authentication != published { announce(authentication) }
        return authentication
    }

    private mutating func announce(_ authentication: AuthenticationState) {
        triggers.loginChanged()
        published = authentication
        if authentication == .loginRequired {
            wait.begin(tokenStore: ckw.tokenStore)
            events.emit(.loginRequired)
        }
    }
}
