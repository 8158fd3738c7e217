import Foundation
import HomeAssistant
import OpenEnergy

/// What the web page shows: the login, the metering points with their values, the schedule, the
/// request budget and the last error, as the running bridge knows them.
public struct BridgeStatus: Sendable, Equatable {
    public enum Login: Sendable, Equatable {
        /// Backend mode: app credentials from the configuration, no user login.
        case appCredentials
        /// Client mode without stored tokens.
        case loggedOut
        /// Tokens are stored but not yet used since the start or the last login.
        case checking(obtainedAt: Date)
        /// CKW accepted the stored login.
        case loggedIn(obtainedAt: Date)
        /// Tokens are stored, but CKW no longer accepts them.
        case expired(obtainedAt: Date)
        /// The token store cannot be read; the message says why and how to fix it.
        case unreadable(String)
    }

    public struct Meter: Sendable, Equatable {
        public var description: MeterDescription
        public var readout: MeterReadout
        /// As published on its availability topic.
        public var available: Bool
        /// Meter data requests of the last 24 hours (the daily budget is per metering point).
        public var requestsLastDay: Int
    }

    public var version: String
    public var login: Login
    /// A login link was handed out and its redirect has not come back yet.
    public var loginInProgress: Bool
    public var mqttConnected: Bool
    public var bridge: BridgeSnapshot
    public var meters: [Meter]
    /// Core data was read for this login: an empty `meters` then means CKW lists none.
    public var hasCoreData: Bool
    /// The redirect URI registered at CKW (`ckw.redirect_uri`): a login ends at this address.
    public var redirectURI: URL
    /// On the bridge's clock, like every date here.
    public var now: Date

    /// A sentence for a situation the numbers alone do not explain, if any.
    public var notice: String? {
        switch login {
        case .loggedIn where hasCoreData && meters.isEmpty:
            return "CKW lists no metering point for this login. Is it the CKW account that has the meter? Log out and log in with that account (or check `ckw.metering_points`)."
        case .expired:
            return "CKW no longer accepts the stored login. Log in again; the bridge continues at once."
        case .loggedOut:
            return "Not logged in: the bridge fetches nothing until you log in to CKW."
        default:
            return nil
        }
    }
}

/// What the web page may ask of the running bridge.
public protocol BridgeControl: Sendable {
    func status() async -> BridgeStatus
    /// Starts a login attempt; returns the address to open at CKW.
    func startLogin() async throws(LoginProblem) -> URL
    /// Finishes the attempt with the address the browser ended on (pasted).
    func completeLogin(pastedAddress: String) async throws(LoginProblem)
    /// Finishes the attempt with the query of a redirect that arrived at the page's callback.
    func completeLogin(callbackQuery: String) async throws(LoginProblem)
    /// Revokes the login where CKW allows it and deletes the stored tokens.
    func logout() async throws(LoginProblem) -> OIDCLogout.Outcome
    /// Fetches what is due now, as the MQTT refresh request does. Returns `false` while a login is needed.
    func fetchNow() async -> Bool
}
