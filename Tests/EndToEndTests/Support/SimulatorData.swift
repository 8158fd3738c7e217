import AsyncHTTPClient
import Bridge
import EnergyDomain
import Foundation
import OpenEnergy
import OpenEnergySimulator
import TestSupport
import Timestamps

/// Reads the simulator's meter data with a login of its own, to compute what the bridge must show.
struct SimulatorData {
    let api: OpenEnergyClient
    let httpClient: HTTPClient
    let directory: TemporaryDirectory

    static func connect(to simulator: SimulatorServer) async throws -> SimulatorData {
        let directory = try TemporaryDirectory(prefix: "ckw2mqtt-e2e-reader")
        let httpClient = OpenEnergyHTTP.makeHTTPClient()
        let client = OIDCClientConfiguration(issuer: OIDCIssuer(simulator.issuerURL), clientID: "ckw2mqtt")
        let store = TokenStore(directory: URL(fileURLWithPath: directory.file("tokens")))
        try await AutomaticLogin.login(client: client, store: store, httpClient: httpClient)
        let metadata = try await OIDCDiscovery.fetch(issuer: client.issuer, httpClient: httpClient)
        let tokens = TokenManager(store: store, tokenEndpoint: TokenEndpoint(metadata: metadata, client: client, httpClient: httpClient))
        let api = OpenEnergyClient(
            configuration: OpenEnergyClientConfiguration(baseURL: simulator.clientAPIBaseURL), httpClient: httpClient, tokenProvider: tokens)
        return SimulatorData(api: api, httpClient: httpClient, directory: directory)
    }

    func close() async {
        try? await httpClient.shutdown()
        directory.remove()
    }

    /// The first metering point of the simulated household.
    func meteringPointId() async throws -> String {
        let coreData = try await api.coreData()
        guard let id = coreData.meteringPoints.first?.id else { throw TestFailure("core data lists no metering point") }
        return id
    }

    /// What the bridge must publish for the data delivered by the simulator's current instant in the
    /// look-back window: the lifetime total per direction (newest register reading plus the intervals
    /// after it) and the newest interval. Sums in Wh, so no rounding can hide a double count.
    struct Expected {
        var importTotalWh: Int64
        var exportTotalWh: Int64?
        var lastInterval: (start: Date, end: Date, importWh: Int64, exportWh: Int64?, quality: ValueQuality)?
        var qualities: [Date: ValueQuality]
    }

    func expected(for id: String, now: Date, lookback: TimeInterval = 3 * 86_400) async throws -> Expected {
        let to = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 900).rounded(.down) * 900)
        let from = Date(timeIntervalSince1970: (to.timeIntervalSince1970 - lookback))
        let data = try await api.meterData(meteringPointId: id, from: from, to: to)
        func series(_ direction: EnergyDirection, _ kind: SeriesKind) -> MeterSeries? {
            data.series.first { ($0.direction ?? ObisCode.direction(of: $0.obis)) == direction && ($0.kind ?? ObisCode.kind(of: $0.obis)) == kind }
        }
        func total(_ direction: EnergyDirection) -> Int64? {
            guard let intervals = series(direction, .interval) else { return nil }
            let registers = series(direction, .register)?.readings.filter { $0.value != nil } ?? []
            let anchor = registers.last
            let base = anchor.map { Self.wattHours($0.value!) } ?? 0
            let after = intervals.readings.filter { anchor == nil || $0.start >= anchor!.end }
            return base + after.reduce(0) { $0 + Self.wattHours($1.value ?? 0) }
        }
        let imports = series(.consumption, .interval)?.readings ?? []
        let exports = series(.production, .interval)?.readings
        var last: (Date, Date, Int64, Int64?, ValueQuality)?
        for reading in imports.reversed() where reading.value != nil {
            let export = exports?.first { $0.start == reading.start }
            if exports != nil, export?.value == nil { continue }
            let worst = [reading.quality, export?.quality ?? .measured].contains(.estimated) ? ValueQuality.estimated : .measured
            last = (reading.start, reading.end, Self.wattHours(reading.value!), export.map { Self.wattHours($0.value!) }, worst)
            break
        }
        var qualities: [Date: ValueQuality] = [:]
        for reading in imports { qualities[reading.start] = reading.quality }
        return Expected(
            importTotalWh: total(.consumption) ?? 0, exportTotalWh: total(.production),
            lastInterval: last.map { (start: $0.0, end: $0.1, importWh: $0.2, exportWh: $0.3, quality: $0.4) },
            qualities: qualities)
    }

    static func wattHours(_ kilowattHours: Double) -> Int64 { Int64((kilowattHours * 1000).rounded()) }
}

/// Published kWh (three decimals) as Wh.
func wattHours(_ value: Any?) -> Int64? {
    guard let number = value as? Double ?? (value as? Int).map(Double.init) else { return nil }
    return Int64((number * 1000).rounded())
}

func isoDate(_ value: Any?) -> Date? {
    guard let text = value as? String else { return nil }
    return ISO8601Timestamp.parse(text)
}
