import EnergyDomain
import Foundation
import Logging
import OpenEnergy
import Synchronization
import Timestamps

/// `ckw2mqtt probe`: with the stored login, reads core data and one day of meter data and tells,
/// per request, what CKW answered (status, rate-limit headers, time taken) and what the bridge made
/// of it (metering points, series, units, intervals, registers, values left out and why). With a
/// raw file, writes every exchange there, masked, for a bug report.
public struct ContractProbe: Sendable {
    public let configuration: BridgeConfiguration
    /// Lines for the person at the terminal.
    public let output: @Sendable (String) -> Void
    private let logger: Logger
    private let now: @Sendable () -> Date

    public init(configuration: BridgeConfiguration, logger: Logger,
                now: @escaping @Sendable () -> Date = { Date() }, output: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.logger = logger
        self.now = now
        self.output = output
    }

    /// Everything the probe saw; `succeeded` when every request was answered 2xx and decoded.
    public struct Result: Sendable {
        public var succeeded: Bool
        /// The masked text of every exchange, as `--raw` writes it.
        public var rawText: String
    }

    /// At most this many metering points get a meter data request (each one costs a request).
    static let meteringPointLimit = 3

    public func run() async throws -> Result {
        let masker = SensitiveDataMasker()
        let exchanges = Mutex<[OpenEnergyExchange]>([])
        // A probe must not hang on a spent quota for hours; the person can run it again later.
        let pacing = RequestPacer.Policy(reserve: 0, maximumAttempts: 3, maximumWait: 60, spreadsQuota: false)
        let ckw = try CKWConnection(
            configuration: configuration, pacing: pacing, logger: logger,
            exchangeObserver: { exchange in exchanges.withLock { $0.append(exchange) } })
        var succeeded = true
        var rawParts: [String] = []
        func takeExchanges(_ note: String? = nil) -> [OpenEnergyExchange] {
            let taken = exchanges.withLock { list in
                defer { list = [] }
                return list
            }
            for exchange in taken {
                printExchange(exchange, masker: masker)
                rawParts.append(RawExchangeText.format(exchange, masker: masker, note: note))
            }
            return taken
        }

        let contract = configuration.ckw.contract
        output("Probing \(configuration.ckw.apiBaseURL?.absoluteString ?? "?") (\(configuration.ckw.mode.rawValue) mode) with the login in \(configuration.bridge.stateDirectory)")
        output("Contract: core data `\(contract.resolvedCoreDataPath)`, meter data `\(contract.meterDataPath.replacingOccurrences(of: OpenEnergyContract.versionPlaceholder, with: contract.apiVersion))`?\(contract.fromParameter)=…&\(contract.toParameter)=… (\(contract.timeFormat.rawValue)), at most \(Int(contract.maximumRange / 86_400)) days per request, rate-limit reset read as \(contract.resetUnit.rawValue)")

        // Core data.
        output("")
        output("== Core data")
        var meteringPointIds: [String] = []
        var describedSeries: [String: [SeriesDescription]] = [:]
        do {
            let coreData = try await ckw.api.coreData()
            for point in coreData.meteringPoints { masker.register(meteringPointId: point.id) }
            _ = takeExchanges()
            describe(coreData, masker: masker)
            meteringPointIds = coreData.meteringPoints.map(\.id)
            describedSeries = Dictionary(coreData.meteringPoints.map { ($0.id, $0.series) }, uniquingKeysWith: { first, _ in first })
        } catch {
            succeeded = false
            _ = takeExchanges("could not be used: \(error)")
            describeFailure(error, masker: masker)
        }
        if let configured = configuration.ckw.meteringPoints {
            for id in configured { masker.register(meteringPointId: id) }
            if meteringPointIds.isEmpty {
                output("Using the metering points of `ckw.metering_points` instead.")
                meteringPointIds = configured
            } else {
                meteringPointIds = meteringPointIds.filter(configured.contains)
            }
        }

        // One local day of meter data per metering point.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = contract.timeZone
        let to = calendar.startOfDay(for: now())
        let from = calendar.date(byAdding: .day, value: -1, to: to)!
        for id in meteringPointIds.prefix(Self.meteringPointLimit) {
            output("")
            output("== Meter data of \(masker.mask(text: id)), \(ISO8601Timestamp.format(from)) to \(ISO8601Timestamp.format(to)) (yesterday in \(contract.timeZone.identifier))")
            do {
                let data = try await ckw.api.meterData(meteringPointId: id, from: from, to: to)
                let taken = takeExchanges()
                describe(data, requested: from..<to, exchanges: taken, described: describedSeries[id] ?? [], masker: masker)
            } catch {
                succeeded = false
                _ = takeExchanges("could not be used: \(error)")
                describeFailure(error, masker: masker)
            }
        }
        if meteringPointIds.count > Self.meteringPointLimit {
            output("(\(meteringPointIds.count - Self.meteringPointLimit) more metering points not probed, to spare the quota)")
        }
        if meteringPointIds.isEmpty {
            output("")
            output("No metering point to ask for meter data: core data listed none and `ckw.metering_points` is not set.")
        }
        await ckw.shutdown()
        return Result(succeeded: succeeded, rawText: rawParts.joined(separator: "\n"))
    }

    // MARK: Printing

    private func printExchange(_ exchange: OpenEnergyExchange, masker: SensitiveDataMasker) {
        output("\(masker.mask(text: exchange.url))")
        output("  HTTP \(exchange.statusCode) in \(RawExchangeText.milliseconds(exchange.duration)) ms, \(exchange.body.count) bytes")
        let rateHeaders = exchange.headers.filter { header in
            let name = header.name.lowercased()
            return name.hasPrefix("x-ratelimit") || name.hasPrefix("ratelimit") || name == "retry-after"
        }
        if rateHeaders.isEmpty {
            output("  rate limit: no rate-limit headers")
        } else {
            output("  rate-limit headers: " + rateHeaders.map { "\($0.name): \($0.value)" }.joined(separator: ", "))
            output("  understood as: \(exchange.rateLimit)")
        }
    }

    private func describe(_ coreData: CoreData, masker: SensitiveDataMasker) {
        if let customer = coreData.customer {
            output("  customer: number \(customer.customerNumber.map { masker.mask(text: $0) } ?? "-"), name \(customer.name == nil ? "-" : "given")")
        } else {
            output("  customer: not in the response")
        }
        output("  metering points: \(coreData.meteringPoints.count)")
        for point in coreData.meteringPoints {
            output("  - \(masker.mask(text: point.id)): meter \(point.meterNumber == nil ? "-" : "given"), address \(point.address == nil ? "-" : "given"), \(point.series.count) series")
            for series in point.series {
                output("      \(series.obis): \(series.direction?.rawValue ?? "direction ?"), \(series.kind?.rawValue ?? "kind ?"), unit \(series.unit ?? "-"), resolution \(Self.describe(series.resolution))")
            }
        }
    }

    private func describe(
        _ data: MeterData, requested: Range<Date>, exchanges: [OpenEnergyExchange], described: [SeriesDescription], masker: SensitiveDataMasker
    ) {
        // What the responses held before the client kept only the range asked for.
        var sent: [String: (count: Int, outside: Int)] = [:]
        for exchange in exchanges where (200..<300).contains(exchange.statusCode) {
            guard let raw = try? OpenEnergyWireDecoding.meterData(from: exchange.body, endpoint: exchange.endpoint) else { continue }
            for series in raw.series {
                let outside = series.readings.count { !requested.contains($0.start) }
                let previous = sent[series.obis] ?? (0, 0)
                sent[series.obis] = (previous.count + series.readings.count, previous.outside + outside)
            }
        }
        output("  series: \(data.series.count)")
        var ledger = MeterLedger(retention: .seconds(400 * 86_400))
        ledger.track(data.meteringPointId, adding: Set(EnergyDirection.allCases))
        for series in data.series {
            let kind = series.kind ?? ObisCode.kind(of: series.obis)
            let qualities = Dictionary(grouping: series.readings, by: \.quality).mapValues(\.count)
            let qualityText = ValueQuality.allCases.compactMap { quality in qualities[quality].map { "\($0) \(quality.rawValue)" } }.joined(separator: ", ")
            output("  - \(series.obis): \(kind?.rawValue ?? "neither interval nor register"), direction \((series.direction ?? ObisCode.direction(of: series.obis))?.rawValue ?? "?"), unit \(series.unit ?? "- (taken as kWh)"), resolution \(Self.describe(series.resolution))")
            var line = "      \(series.readings.count) values"
            if let first = series.readings.first, let last = series.readings.last {
                line += " from \(ISO8601Timestamp.format(first.start)) to \(ISO8601Timestamp.format(last.end))"
            }
            if !qualityText.isEmpty { line += " (\(qualityText))" }
            output(line)
            if let raw = sent[series.obis], raw.count > series.readings.count {
                output("      left out: \(raw.outside) outside the day asked for, \(raw.count - raw.outside - series.readings.count) repeated")
            }
            if kind == .register, let last = series.readings.last(where: { $0.value != nil }) {
                output("      register reading at \(ISO8601Timestamp.format(last.end)): \(last.value!) \(series.unit ?? "kWh")")
            }
            if kind == .interval {
                let total = series.readings.compactMap(\.value).reduce(0, +)
                output("      sum of the day: \(total) \(series.unit ?? "kWh")")
            }
        }
        for warning in data.warnings { output("  read with a warning: \(masker.mask(text: "\(warning)"))") }
        let summary = MeterDataApplying.apply(data, described: described, to: &ledger)
        output("  the bridge would file: \(summary.outcome.added) values")
        for notice in summary.notices { output("  \(masker.mask(text: notice.message))") }
        let ignored = Dictionary(grouping: summary.outcome.ignored, by: \.reason).mapValues(\.count)
        for (reason, count) in ignored.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            output("  values left out: \(count) (\(Self.describe(reason)))")
        }
    }

    private func describeFailure(_ error: any Error, masker: SensitiveDataMasker) {
        switch error {
        case let OpenEnergyError.decoding(failure):
            output("  FAILED to decode \(masker.mask(text: failure.endpoint)): at `\(failure.path)`: expected \(masker.mask(text: failure.expected)), found \(masker.mask(text: failure.found))")
            output("  The body is in the --raw file (masked). Please send it with a bug report; until ckw2mqtt reads it, `ckw.api.*` may adapt paths and query names.")
        case let error as OpenEnergyError:
            output("  FAILED: \(masker.mask(text: error.description))")
            if error.httpStatus == 404 {
                output("  A 404 often means another path: see `ckw.api.core_data_path` and `ckw.api.meter_data_path`.")
            } else if error.httpStatus == 400 {
                output("  A 400 often means other query names or time formats: see `ckw.api.from_parameter`, `to_parameter`, `time_format`.")
            }
        default:
            output("  FAILED: \(masker.mask(text: "\(error)"))")
        }
    }

    private static func describe(_ resolution: SeriesResolution?) -> String {
        switch resolution {
        case .seconds(let seconds)?: seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
        case .days(let days)?: "\(days) d"
        case nil: "-"
        }
    }

    private static func describe(_ reason: IgnoredReading.Reason) -> String {
        switch reason {
        case .notOnIntervalGrid: "not a whole 15-minute interval on the quarter-hour grid"
        case .invalidValue: "negative, not finite or absurdly large"
        case .outsideRetention: "older than the bridge keeps"
        case .missingDoesNotReplaceValue: "missing values never replace a value"
        case .olderThanNewestRegister: "a register reading older than a newer one"
        }
    }
}
