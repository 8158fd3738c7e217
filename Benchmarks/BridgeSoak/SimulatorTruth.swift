import AsyncHTTPClient
import Bridge
import EnergyDomain
import Foundation
import OpenEnergy
import OpenEnergySimulator
import Timestamps

/// What the bridge must show, computed from the simulator's own data through its API with a login
/// of its own: per direction the newest register reading plus every interval after it, and the end
/// of the newest interval. Watt-hours, so no rounding can hide a lost or doubled interval.
struct SimulatorTruth {
    struct Expected: Equatable, CustomStringConvertible {
        var intervalEnd: Date?
        var importWh: Int64
        var exportWh: Int64?

        var description: String {
            "interval_end \(intervalEnd.map(ISO8601Timestamp.format) ?? "-"), import \(importWh) Wh, export \(exportWh.map(String.init) ?? "-") Wh"
        }
    }

    let api: OpenEnergyClient
    let httpClient: HTTPClient

    static func connect(to simulator: SimulatorServer, directory: String) async throws -> SimulatorTruth {
        let httpClient = OpenEnergyHTTP.makeHTTPClient()
        let client = OIDCClientConfiguration(issuer: OIDCIssuer(simulator.issuerURL), clientID: "ckw2mqtt")
        let store = TokenStore(directory: URL(fileURLWithPath: directory))
        try await AutomaticLogin.login(client: client, store: store, httpClient: httpClient)
        let metadata = try await OIDCDiscovery.fetch(issuer: client.issuer, httpClient: httpClient)
        let tokens = TokenManager(store: store, tokenEndpoint: TokenEndpoint(metadata: metadata, client: client, httpClient: httpClient))
        let api = OpenEnergyClient(
            configuration: OpenEnergyClientConfiguration(baseURL: simulator.clientAPIBaseURL), httpClient: httpClient, tokenProvider: tokens)
        return SimulatorTruth(api: api, httpClient: httpClient)
    }

    func meteringPointIds() async throws -> [String] {
        try await api.coreData().meteringPoints.map(\.id).sorted()
    }

    func expected(for id: String, now: Date) async throws -> Expected {
        let to = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 900).rounded(.down) * 900)
        let data = try await api.meterData(meteringPointId: id, from: to.addingTimeInterval(-3 * 86_400), to: to)
        func series(_ direction: EnergyDirection, _ kind: SeriesKind) -> MeterSeries? {
            data.series.first { ($0.direction ?? ObisCode.direction(of: $0.obis)) == direction && ($0.kind ?? ObisCode.kind(of: $0.obis)) == kind }
        }
        func total(_ direction: EnergyDirection) -> Int64? {
            guard let intervals = series(direction, .interval) else { return nil }
            let anchor = series(direction, .register)?.readings.last { $0.value != nil }
            let base = anchor.map { Self.wattHours($0.value!) } ?? 0
            return intervals.readings.filter { anchor == nil || $0.start >= anchor!.end }
                .reduce(base) { $0 + Self.wattHours($1.value ?? 0) }
        }
        let newest = series(.consumption, .interval)?.readings.last { $0.value != nil }?.end
        return Expected(intervalEnd: newest, importWh: total(.consumption) ?? 0, exportWh: total(.production))
    }

    /// A state payload as the same figures.
    static func shown(_ payload: String) -> Expected? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else { return nil }
        func wattHours(_ value: Any?) -> Int64? { (value as? Double).map { Int64(($0 * 1000).rounded()) } ?? (value as? Int).map { Int64($0) * 1000 } }
        return Expected(
            intervalEnd: (object["interval_end"] as? String).flatMap(ISO8601Timestamp.parse),
            importWh: wattHours(object["energy_import_total"]) ?? -1, exportWh: wattHours(object["energy_export_total"]))
    }

    static func wattHours(_ kilowattHours: Double) -> Int64 { Int64((kilowattHours * 1000).rounded()) }

    func close() async { try? await httpClient.shutdown() }
}
