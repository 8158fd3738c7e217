import Bridge
import EnergyDomain
import Foundation
import HomeAssistant

/// `api/status`: the bridge's status as the page's script reads it. Dates are ISO 8601 in UTC (the
/// page shows them in the browser's time zone); absent values are left out.
struct StatusDocument: Encodable {
    struct Login: Encodable {
        /// `logged_in`, `checking`, `expired`, `logged_out`, `app_credentials` or `unreadable`.
        var state: String
        var obtainedAt: Date?
        var problem: String?
    }

    struct RateLimit: Encodable {
        var limit: Int?
        var remaining: Int?
        var used: Int?
        var reset: Date?
    }

    struct Meter: Encodable {
        var id: String
        var label: String?
        var meterNumber: String?
        var available: Bool
        var importTotalKwh: Double?
        var exportTotalKwh: Double?
        var importEnergyKwh: Double?
        var exportEnergyKwh: Double?
        var importPowerW: Int?
        var exportPowerW: Int?
        var netPowerW: Int?
        var intervalStart: Date?
        var intervalEnd: Date?
        var quality: String?
        var requestsLastDay: Int
    }

    var version: String
    var login: Login
    var loginInProgress: Bool
    /// Whether this client may log in, log out and fetch.
    var canAct: Bool
    /// Why not, when it may not.
    var accessNote: String?
    var mqttConnected: Bool
    var lastSuccessfulFetch: Date?
    var nextPlannedFetch: Date?
    var rateLimit: RateLimit
    var lastError: String?
    var notice: String?
    var redirectUri: String
    var meters: [Meter]
    var now: Date

    init(_ status: BridgeStatus, canAct: Bool, accessNote: String?) {
        version = status.version
        login = Self.login(status.login)
        loginInProgress = status.loginInProgress
        self.canAct = canAct
        self.accessNote = accessNote
        mqttConnected = status.mqttConnected
        lastSuccessfulFetch = status.bridge.lastSuccessfulFetch
        nextPlannedFetch = status.bridge.nextPlannedFetch
        let rate = status.bridge.rateLimit
        rateLimit = RateLimit(
            limit: rate.limit, remaining: rate.remaining,
            used: rate.limit.flatMap { limit in rate.remaining.map { max(limit - $0, 0) } }, reset: rate.resetAt)
        lastError = status.bridge.lastError
        notice = status.notice
        redirectUri = status.redirectURI.absoluteString
        meters = status.meters.map { meter in
            let readout = meter.readout
            return Meter(
                id: meter.description.meteringPointID, label: meter.description.label, meterNumber: meter.description.meterNumber,
                available: meter.available,
                importTotalKwh: readout.importTotal, exportTotalKwh: readout.exportTotal,
                importEnergyKwh: readout.importEnergy, exportEnergyKwh: readout.exportEnergy,
                importPowerW: readout.importPower, exportPowerW: readout.exportPower, netPowerW: readout.netPower,
                intervalStart: readout.intervalStart, intervalEnd: readout.intervalEnd, quality: readout.quality?.rawValue,
                requestsLastDay: meter.requestsLastDay)
        }
        now = status.now
    }

    private static func login(_ login: BridgeStatus.Login) -> Login {
        switch login {
        case .appCredentials: Login(state: "app_credentials")
        case .loggedOut: Login(state: "logged_out")
        case .checking(let at): Login(state: "checking", obtainedAt: at)
        case .loggedIn(let at): Login(state: "logged_in", obtainedAt: at)
        case .expired(let at): Login(state: "expired", obtainedAt: at)
        case .unreadable(let problem): Login(state: "unreadable", problem: problem)
        }
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}
