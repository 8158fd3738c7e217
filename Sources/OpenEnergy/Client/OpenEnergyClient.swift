import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import Synchronization
import Timestamps

/// The OpenEnergy API: core data and meter data, paced, with one token refresh on 401.
///
/// Works for the Client API (tokens from the user's login) and the Backend API (app credential headers with
/// the user's token or id, or client_credentials tokens): the difference is the `AccessTokenProvider` and
/// the configuration.
public final class OpenEnergyClient: Sendable {
    public let configuration: OpenEnergyClientConfiguration
    private let httpClient: HTTPClient
    private let tokenProvider: any AccessTokenProvider
    private let pacer: RequestPacer
    private let clock: any OpenEnergyClock
    private let logger: Logger
    private let lastRateLimitStatus = Mutex<RateLimitStatus?>(nil)
    /// Patterns of decoding warnings already logged: each is logged once per process, not per poll.
    private let loggedWarnings = Mutex<Set<String>>([])

    /// - Parameters:
    ///   - httpClient: shared, owned and shut down by the caller (see `OpenEnergyHTTP.makeHTTPClient`).
    ///   - pacer: one per login; share it between clients that use the same login.
    public init(
        configuration: OpenEnergyClientConfiguration,
        httpClient: HTTPClient,
        tokenProvider: any AccessTokenProvider,
        pacer: RequestPacer? = nil,
        clock: any OpenEnergyClock = SystemClock(),
        logger: Logger = Logger(label: "ckw2mqtt.openenergy")
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.tokenProvider = tokenProvider
        self.pacer = pacer ?? RequestPacer(clock: clock)
        self.clock = clock
        self.logger = logger
    }

    /// The rate-limit headers of the most recent response (`nil` before the first one).
    public var rateLimitStatus: RateLimitStatus? { lastRateLimitStatus.withLock { $0 } }

    /// `GET v1/coredata`: the customer and the metering points this login may read.
    public func coreData() async throws -> CoreData {
        let endpoint = "GET \(OpenEnergyWire.coreDataPath)"
        let body = try await get(path: OpenEnergyWire.coreDataPath, query: [], endpoint: endpoint)
        let coreData = try OpenEnergyWireDecoding.coreData(from: body, endpoint: endpoint, options: configuration.decoding)
        logOnce(coreData.warnings)
        return coreData
    }

    /// Meter data of one metering point in `[from, to)`, optionally for one OBIS code only.
    ///
    /// Ranges longer than the API allows are fetched in consecutive requests and merged per series.
    public func meterData(meteringPointId: String, from: Date, to: Date, obis: String? = nil) async throws -> MeterData {
        guard from < to else {
            throw OpenEnergyError.invalidRequest("meter data range is empty: from \(ISO8601Timestamp.format(from)) is not before to \(ISO8601Timestamp.format(to))")
        }
        guard !meteringPointId.isEmpty,
              meteringPointId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            throw OpenEnergyError.invalidRequest("metering point id '\(meteringPointId)' has characters a path segment cannot hold")
        }
        let path = OpenEnergyWire.meterDataPath(meteringPointId: meteringPointId)
        let endpoint = "GET \(path)"
        var pieces: [MeterData] = []
        for chunk in DateRangeChunker.chunks(from: from, to: to, maximumLength: configuration.maximumRangePerRequest) {
            var query = [
                (OpenEnergyWire.MeterDataQuery.from, ISO8601Timestamp.format(chunk.lowerBound)),
                (OpenEnergyWire.MeterDataQuery.to, ISO8601Timestamp.format(chunk.upperBound)),
            ]
            if let obis { query.append((OpenEnergyWire.MeterDataQuery.obis, obis)) }
            let body = try await get(path: path, query: query, endpoint: endpoint)
            var piece = try OpenEnergyWireDecoding.meterData(from: body, endpoint: endpoint, options: configuration.decoding)
            logOnce(piece.warnings)
            // Data for another metering point must never be filed under this one.
            guard piece.meteringPointId == meteringPointId else {
                throw OpenEnergyError.decoding(OpenEnergyDecodingError(
                    endpoint: endpoint, path: "meteringPointId",
                    expected: "the requested metering point \"\(meteringPointId)\"",
                    found: "\"\(piece.meteringPointId)\", not the requested one"))
            }
            // Values outside the asked range belong to another chunk (or to none); keep what was asked for.
            for index in piece.series.indices {
                piece.series[index].readings.removeAll { !chunk.contains($0.start) }
            }
            pieces.append(piece)
        }
        return MeterDataMerger.merge(pieces, meteringPointId: meteringPointId)
    }

    /// Logs each decoding warning the first time its pattern appears.
    private func logOnce(_ warnings: [OpenEnergyDecodingWarning]) {
        guard !warnings.isEmpty else { return }
        let fresh = loggedWarnings.withLock { logged in warnings.filter { logged.insert($0.pattern).inserted } }
        for warning in fresh {
            logger.warning("\(warning) (reported once)")
        }
    }

    // MARK: Requests

    /// One GET through the pacer, retried once with a refreshed token after a 401. Returns a 2xx body.
    private func get(path: String, query: [(String, String)], endpoint: String) async throws -> Data {
        var query = query
        if case .queryParameter(let name, let value) = configuration.userIdentification {
            query.append((name, value))
        }
        let url = try makeURL(path: path, query: query)
        guard configuration.userIdentification == .bearerToken else {
            let response = try await pacedGET(url: url, token: nil, endpoint: endpoint)
            guard (200..<300).contains(response.statusCode) else { throw error(for: response, endpoint: endpoint) }
            return response.body
        }
        var token = try await tokenProvider.accessToken()
        var response = try await pacedGET(url: url, token: token, endpoint: endpoint)
        if response.statusCode == 401 {
            logger.info("access token rejected, refreshing once", metadata: ["endpoint": "\(endpoint)"])
            token = try await tokenProvider.refreshedAccessToken(after: token)
            response = try await pacedGET(url: url, token: token, endpoint: endpoint)
        }
        guard (200..<300).contains(response.statusCode) else {
            throw error(for: response, endpoint: endpoint)
        }
        return response.body
    }

    private func pacedGET(url: String, token: String?, endpoint: String) async throws -> OpenEnergyHTTP.Response {
        let clock = clock
        let configuration = configuration
        let httpClient = httpClient
        return try await pacer.run(
            {
                var request = HTTPClientRequest(url: url)
                request.method = .GET
                if let token {
                    request.headers.add(name: "Authorization", value: "Bearer \(token)")
                }
                request.headers.add(name: "Accept", value: "application/json")
                if let credentials = configuration.backendCredentialHeaders {
                    request.headers.add(name: credentials.clientIDHeader, value: credentials.clientID)
                    if let secret = credentials.clientSecret {
                        request.headers.add(name: credentials.clientSecretHeader, value: secret)
                    }
                }
                if case .header(let name, let value) = configuration.userIdentification {
                    request.headers.add(name: name, value: value)
                }
                let response = try await OpenEnergyHTTP.send(
                    request, with: httpClient, endpoint: endpoint,
                    timeout: configuration.requestTimeout, maximumBodySize: configuration.maximumBodySize
                )
                let status = RateLimitHeaderParser.parse(headers: OpenEnergyHTTP.headerPairs(response.headers), receivedAt: clock.now)
                self.lastRateLimitStatus.withLock { $0 = status }
                return PacedResponse(response: response, rateLimit: status)
            },
            classify: { .response(statusCode: $0.response.statusCode, rateLimit: $0.rateLimit) },
            isRetryable: OpenEnergyHTTP.isRetryable
        ).response
    }

    private struct PacedResponse: Sendable {
        var response: OpenEnergyHTTP.Response
        var rateLimit: RateLimitStatus
    }

    private func makeURL(path: String, query: [(String, String)]) throws -> String {
        var base = configuration.baseURL.absoluteString
        if !base.hasSuffix("/") { base += "/" }
        guard var components = URLComponents(string: base + path) else {
            throw OpenEnergyError.invalidRequest("cannot form a URL from base '\(base)' and path '\(path)'")
        }
        if !query.isEmpty {
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            // `+` would read as a space on the server side. (Not `replacingOccurrences`: that is
            // NSString code, which the daemon would otherwise not need between polls.)
            components.percentEncodedQuery = components.percentEncodedQuery.map { query in
                var escaped = ""
                for character in query {
                    if character == "+" { escaped += "%2B" } else { escaped.append(character) }
                }
                return escaped
            }
        }
        guard let url = components.string else {
            throw OpenEnergyError.invalidRequest("cannot form a URL from base '\(base)' and path '\(path)'")
        }
        return url
    }

    private func error(for response: OpenEnergyHTTP.Response, endpoint: String) -> OpenEnergyError {
        if response.statusCode == 429 {
            return .rateLimited(endpoint: endpoint, status: rateLimitStatus)
        }
        let body = OpenEnergyWireDecoding.errorBody(from: response.body)
        return .httpStatus(endpoint: endpoint, status: response.statusCode, error: body?.error, message: body?.message)
    }
}
