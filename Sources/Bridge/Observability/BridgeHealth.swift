import Foundation
import HomeAssistant

/// Whether the bridge does its job, as `/healthz` reports it: connected to the broker, logged in,
/// and fetching as often as the schedule says.
public struct BridgeHealth: Sendable, Equatable {
    public var mqttConnected: Bool
    public var authentication: AuthenticationState
    /// On the bridge's clock (the simulator's in the demo), like `now`.
    public var lastSuccessfulFetch: Date?
    public var now: Date
    public var pollInterval: Duration

    public init(mqttConnected: Bool, authentication: AuthenticationState, lastSuccessfulFetch: Date?, now: Date, pollInterval: Duration) {
        self.mqttConnected = mqttConnected
        self.authentication = authentication
        self.lastSuccessfulFetch = lastSuccessfulFetch
        self.now = now
        self.pollInterval = pollInterval
    }

    /// The oldest a successful fetch may be: two poll intervals (one may be spent waiting for a rate
    /// limit to reset, or fail once) plus ten minutes for slow responses and retries.
    public var maximumFetchAge: Duration {
        pollInterval * 2 + .seconds(600)
    }

    /// `nil` when healthy, else why not, in one line.
    public var problem: String? {
        if !mqttConnected { return "not connected to the MQTT broker" }
        if authentication == .loginRequired { return "CKW login required: run `ckw2mqtt login`" }
        guard let lastSuccessfulFetch else { return "no successful fetch from CKW yet" }
        let age = now.timeIntervalSince(lastSuccessfulFetch)
        let limit = Double(maximumFetchAge.components.seconds)
        if age > limit {
            return "last successful fetch from CKW \(Int(age / 60)) minutes ago, more than the \(Int(limit / 60)) minutes the schedule allows"
        }
        return nil
    }
}
