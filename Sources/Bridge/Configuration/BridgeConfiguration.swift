import Foundation
import Mosquitto
import OpenEnergy
import Logging
import OpenEnergy

/// The complete, validated configuration of the bridge.
///
/// Produced by `ConfigurationLoader` from the YAML file, `CKW2MQTT_*` environment variables and
/// command-line overrides (in that order of precedence, later wins). Every default "just works" for
/// the demo. `description` renders the effective configuration as YAML with secrets redacted, so
/// `ckw2mqtt check-config` can print it safely.
public struct BridgeConfiguration: Sendable, Equatable {
    public var mqtt: MQTTSettings
    public var homeAssistant: HomeAssistantSettings
    public var ckw: CKWSettings
    public var bridge: BridgeSettings
    public var logging: LoggingSettings
    public var http: HTTPSettings

    /// The defaults, with the given state directory (its default depends on the environment, see
    /// `BridgeSettings.defaultStateDirectory(environment:)`).
    public init(stateDirectory: String) {
        mqtt = MQTTSettings()
        homeAssistant = HomeAssistantSettings()
        ckw = CKWSettings()
        bridge = BridgeSettings(stateDirectory: stateDirectory)
        logging = LoggingSettings()
        http = HTTPSettings()
    }
}

// MARK: - mqtt

public struct MQTTSettings: Sendable, Equatable {
    public var host = "localhost"
    /// 1883, or 8883 when TLS is enabled and no port was given.
    public var port = 1883
    public var clientID = "ckw2mqtt"
    public var username: String?
    /// Resolved from `password` or the contents of `password_file`.
    public var password: Secret?
    /// Where `password` was read from, if it came from a file (shown by `check-config`).
    public var passwordFile: String?
    public var keepalive: Duration = .seconds(60)
    public var protocolVersion: MQTTProtocolVersion = .v5
    /// Root of the topics for people and scripts: `<base_topic>/bridge/state`, ...
    public var baseTopic = "ckw2mqtt"
    public var qos: MQTTQoS = .atLeastOnce
    public var tls = MQTTTLSSettings()
    /// Messages kept while the broker is unreachable; older ones are dropped beyond this.
    public var offlineQueueLimit = 1000

    public init() {}
}

public struct MQTTTLSSettings: Sendable, Equatable {
    public var enabled = false
    public var caFile: String?
    public var caPath: String?
    public var certFile: String?
    public var keyFile: String?
    /// Skips the check that the broker's certificate names the host; only for test brokers.
    public var insecureSkipVerifyHostname = false
    /// Skips every check of the broker's certificate (chain and host name); only for test brokers.
    public var insecureSkipVerify = false

    public init() {}
}

public enum MQTTProtocolVersion: String, Sendable, Equatable, CaseIterable {
    case v5 = "5"
    case v311 = "3.1.1"
}

// MARK: - homeassistant

public struct HomeAssistantSettings: Sendable, Equatable {
    /// Publish discovery configs; off for users who define their entities by hand.
    public var discovery = true
    public var discoveryPrefix = "homeassistant"
    /// Where Home Assistant announces `online` (birth) and `offline` (will).
    public var statusTopic = "homeassistant/status"
    /// The production-surplus binary sensor turns on when export minus import over the last
    /// interval, as average power, exceeds this.
    public var surplusThresholdWatts: Double = 0
    /// The optional second output: hourly long-term statistics with the true timestamps.
    public var statistics = HomeAssistantStatisticsSettings()

    public init() {}
}

/// Importing hourly energy statistics into Home Assistant's recorder over its websocket API, so the
/// Energy dashboard books every kWh to the hour it was used, however late CKW delivers it.
public struct HomeAssistantStatisticsSettings: Sendable, Equatable {
    public var enabled = false
    /// Where Home Assistant is, as opened in a browser: `http://homeassistant.local:8123`.
    public var url: URL?
    /// A long-lived access token of an administrator; resolved from `token` or `token_file`.
    public var token: Secret?
    public var tokenFile: String?
    /// How far back the first start imports history (in 31-day requests to CKW).
    public var backfill: Duration = .seconds(365 * 86_400)

    public init() {}
}

// MARK: - ckw

public struct CKWSettings: Sendable, Equatable {
    public var mode: CKWMode = .client
    public var issuer: CKWIssuer = .production
    /// Required unless the caller (the demo) supplies the CKW side itself.
    public var apiBaseURL: URL?
    public var clientID: String?
    /// Resolved from `client_secret` or the contents of `client_secret_file`.
    public var clientSecret: Secret?
    public var clientSecretFile: String?
    public var redirectURI = URL(string: "http://127.0.0.1/callback")!
    public var scopes = ["openid", "offline_access"]
    /// `client_credentials` mode only: also send `client_id`/`client_secret` as headers.
    public var sendCredentialHeaders = false
    /// Backend mode: the app credentials CKW generated for the Backend API, sent with every request.
    public var appClientID: String?
    public var appClientSecret: Secret?
    public var appClientSecretFile: String?
    /// The header names of the app credentials (MuleSoft's client-id enforcement uses these).
    public var appCredentialHeaders = [BackendCredentials.defaultClientIDHeader, BackendCredentials.defaultClientSecretHeader]
    /// Backend mode: how a request names the user.
    public var userIdentification: CKWUserIdentification = .bearer
    /// The header or query parameter that carries `userID` (`header` and `query` identification).
    public var userIdentificationName: String?
    public var userID: String?
    /// Only these metering points are bridged; `nil` means every one in core data.
    public var meteringPoints: [String]?
    public var requestTimeout: Duration = .seconds(30)
    /// Where a timestamp CKW sends without a zone is read (`ckw.timezone`).
    public var timeZone: TimeZone = OpenEnergyDecodingOptions.swissTime
    /// An interval of a series whose unit neither meter data nor core data names is taken as kWh, and
    /// refused above this many kWh (`ckw.max_interval_kwh_without_unit`): a household interval of 15
    /// minutes is far below it, a value in Wh read as kWh far above.
    public var maximumIntervalKilowattHoursWithoutUnit: Double = 50
    /// Trust settings for the API and the identity provider.
    public var tls = CKWTLSSettings()
    /// `ckw.api.*`: paths, query names, time format, longest range and reset unit of the API, for
    /// adapting to what CKW really serves without a rebuild. Defaults: the assumed contract.
    public var contract = OpenEnergyContract()
    /// Requests one login may make per day, all metering points, core data, retries and statistics
    /// together (`ckw.api.daily_request_limit`).
    public var dailyRequestLimit = FetchPolicy.defaultDailyRequestBudget

    public init() {}
}

/// How the certificates of CKW's API and identity provider are checked: always, against the system's
/// CAs unless `caFile` names others.
public struct CKWTLSSettings: Sendable, Equatable {
    /// PEM file of the CAs that may sign the API's and the identity provider's certificates.
    public var caFile: String?
    /// Skips every certificate check; only for test endpoints (the tokens travel unprotected).
    public var insecureSkipVerify = false

    public init() {}
}

public enum CKWMode: String, Sendable, Equatable, CaseIterable {
    /// The user's own CKW login; the API is called with the user's token (Client API).
    case client
    /// CKW's Backend API as its portal describes it: the user logs in through CKW's single sign-on, and
    /// the API is called with the app credentials CKW generated, naming the user by token or id.
    case backend
    /// Keycloak's client credentials grant with the configured client id and secret; no user login.
    case clientCredentials = "client_credentials"

    /// Whether a person logs in with `ckw2mqtt login` (or the web page).
    public func needsUserLogin(_ identification: CKWUserIdentification) -> Bool {
        switch self {
        case .client: true
        case .backend: identification == .bearer
        case .clientCredentials: false
        }
    }
}

extension CKWSettings {
    /// In words: who logs in, and what every API request carries (printed by `check-config`).
    public var accessDescription: String {
        let headers = appCredentialHeaders.map { "`\($0)`" }.joined(separator: " and ")
        switch mode {
        case .client:
            return "Client API with your own CKW login: log in once (`ckw2mqtt login` or the web page); "
                + "every request carries your access token (Authorization: Bearer)."
        case .backend:
            let credentials = "the app credentials (headers \(headers))"
            switch userIdentification {
            case .bearer:
                return "Backend API: you log in once through CKW's single sign-on (`ckw2mqtt login` or the web page); "
                    + "every request carries \(credentials) and your access token (Authorization: Bearer)."
            case .header:
                return "Backend API: every request carries \(credentials) and your user id in the header "
                    + "`\(userIdentificationName ?? "?")`; no token is sent and no login is needed."
            case .query:
                return "Backend API: every request carries \(credentials) and your user id in the query parameter "
                    + "`\(userIdentificationName ?? "?")`; no token is sent and no login is needed."
            }
        case .clientCredentials:
            return "Keycloak client credentials: the bridge gets its own tokens with ckw.client_id and ckw.client_secret, no user login"
                + (sendCredentialHeaders ? "; every request also carries them as headers \(headers)." : ".")
        }
    }
}

/// How a Backend API request names the user.
public enum CKWUserIdentification: String, Sendable, Equatable, CaseIterable {
    /// The user's access token from the login, as `Authorization: Bearer`.
    case bearer
    /// A header named by `ckw.user_identification_name` holding `ckw.user_id`.
    case header
    /// A query parameter named by `ckw.user_identification_name` holding `ckw.user_id`.
    case query
}

public enum CKWIssuer: Sendable, Equatable {
    case production
    case test
    case custom(URL)

    /// The Keycloak realm URL; discovery lives under `.well-known/openid-configuration`.
    public var url: URL {
        switch self {
        case .production: URL(string: "https://idp.ckw.ch/auth/realms/CKW")!
        case .test: URL(string: "https://idp-int.ckw.ch/auth/realms/CKW")!
        case .custom(let url): url
        }
    }
}

// MARK: - bridge

public struct BridgeSettings: Sendable, Equatable {
    public var stateDirectory: String
    /// How far back the bridge fetches on start and in the correction sweep.
    public var lookback: Duration = .seconds(3 * 86_400)
    /// One meter data request per metering point this often.
    public var pollInterval: Duration = .seconds(20 * 60)
    public var correctionSweep: CorrectionSweep = .every(.seconds(86_400))
    /// While a login is needed, the token file is looked at this often for a new `ckw2mqtt login`
    /// (SIGHUP and the web page's login take effect at once).
    public var loginCheckInterval: Duration = .seconds(5)

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// systemd's `$STATE_DIRECTORY` (its first entry), else `~/.local/state/ckw2mqtt`; `nil` when
    /// neither is known (no `HOME`).
    public static func defaultStateDirectory(environment: [String: String]) -> String? {
        if let systemd = environment["STATE_DIRECTORY"], !systemd.isEmpty {
            // systemd passes a colon-separated list when a unit declares several directories.
            return String(systemd.split(separator: ":", omittingEmptySubsequences: true).first ?? "")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".local/state/ckw2mqtt")
    }
}

/// How often the whole look-back window is fetched again to pick up corrections.
public enum CorrectionSweep: Sendable, Equatable {
    case off
    case every(Duration)

    public var interval: Duration? {
        switch self {
        case .off: nil
        case .every(let interval): interval
        }
    }
}

// MARK: - logging, http

public struct LoggingSettings: Sendable, Equatable {
    public var level: Logger.Level = .info
    public var format: LogFormat = .text

    public init() {}
}

public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    case text
    case json
}

/// The HTTP endpoint: health, metrics, and the web page (status, login, logout, fetch).
public struct HTTPSettings: Sendable, Equatable {
    public var enabled = false
    public var host = "127.0.0.1"
    public var port = 9465
    /// The address of Home Assistant's ingress proxy (the Supervisor), whose requests may log in,
    /// log out and fetch like loopback clients; `nil` trusts no proxy.
    public var ingressProxy: String? = HTTPSettings.supervisorAddress
    /// The password other clients present (HTTP basic auth) to do the same.
    public var auth = HTTPAuthSettings()

    /// Where Home Assistant's Supervisor proxies ingress requests from (its add-on documentation).
    public static let supervisorAddress = "172.30.32.2"

    public init() {}
}

/// A user name and password for the web page's actions (HTTP basic auth), for clients that are
/// neither on this machine nor Home Assistant's ingress proxy.
public struct HTTPAuthSettings: Sendable, Equatable {
    public var username: String?
    /// Resolved from `password` or the contents of `password_file`.
    public var password: Secret?
    public var passwordFile: String?

    public init() {}
}
