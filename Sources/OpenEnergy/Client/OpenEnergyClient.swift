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
    private let observer: OpenEnergyClientObserver
    private let lastRateLimitStatus = Mutex<RateLimitStatus?>(nil)
    /// Patterns of decoding warnings already logged: each is logged once per process, not per poll.
    private let loggedWarnings = Mutex<Set<String>>([])
    private let resetUnitLearner = Mutex(ResetUnitLearner())

    /// - Parameters:
    ///   - httpClient: shared, owned and shut down by the caller (see `OpenEnergyHTTP.makeHTTPClient`).
    ///   - pacer: one per login; share it between clients that use the same login.
    public init(
        configuration: OpenEnergyClientConfiguration,
        httpClient: HTTPClient,
        tokenProvider: any AccessTokenProvider,
        pacer: RequestPacer? = nil,
        clock: any OpenEnergyClock = SystemClock(),
        logger: Logger = Logger(label: "ckw2mqtt.openenergy"),
        observer: OpenEnergyClientObserver = OpenEnergyClientObserver()
    ) {
        self.observer = observer
        self.configuration = configuration
        self.httpClient = httpClient
        self.tokenProvider = tokenProvider
        self.pacer = pacer ?? RequestPacer(clock: clock)
        self.clock = clock
        self.logger = logger
    }

    /// The rate-limit headers of the most recent response (`nil` before the first one).
    public var rateLimitStatus: RateLimitStatus? { lastRateLimitStatus.withLock { $0 } }

    /// The earliest time the next request may go out, when the quota is spent until a reset.
    public var nextRequestNotBefore: Date? {
        get async { await pacer.nextRequestNotBefore }
    }

    /// How long the next request has to wait (monotonic time), when it has to.
    public var nextRequestWait: Duration? {
        get async { await pacer.nextRequestWait }
    }

    /// `GET v1/coredata` (or the configured path): the customer and the metering points this login may read.
    public func coreData() async throws -> CoreData {
        let path = configuration.contract.resolvedCoreDataPath
        let endpoint = "GET \(path)"
        let exchange = try await get(path: path, query: [], endpoint: endpoint)
        do {
            let coreData = try OpenEnergyWireDecoding.coreData(from: exchange.body, endpoint: endpoint, options: configuration.decoding)
            logOnce(coreData.warnings)
            return coreData
        } catch {
            observer.undecodableBody?(exchange, error)
            throw error
        }
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
        let contract = configuration.contract
        let path = contract.resolvedMeterDataPath(meteringPointId: meteringPointId)
        let endpoint = "GET \(path)"
        var pieces: [MeterData] = []
        for request in contract.requests(from: from, to: to) {
            let chunk = request.covers
            var query = [(contract.fromParameter, request.from), (contract.toParameter, request.to)]
            if let obis { query.append((contract.obisParameter, obis)) }
            let exchange = try await get(path: path, query: query, endpoint: endpoint)
            var piece: MeterData
            do {
                piece = try OpenEnergyWireDecoding.meterData(from: exchange.body, endpoint: endpoint, options: configuration.decoding)
            } catch {
                observer.undecodableBody?(exchange, error)
                throw error
            }
            logOnce(piece.warnings)
            // Data for another metering point must never be filed under this one.
            guard piece.meteringPointId == meteringPointId else {
                throw OpenEnergyError.decoding(OpenEnergyDecodingError(
                    endpoint: endpoint, path: "meteringPointId",
                    expected: "the requested metering point \"\(meteringPointId)\"",
                    found: "\"\(piece.meteringPointId)\", not the requested one"))
            }
            // Values outside the asked range belong to another chunk (or to none); keep what was asked
            // for. A register reading is a counter at its `end`, so it counts where its end lies:
            // midnight's reading begins the day before, which the polls of the new day never ask for.
            for index in piece.series.indices {
                let series = piece.series[index]
                if (series.kind ?? ObisCode.kind(of: series.obis)) == .register {
                    piece.series[index].readings.removeAll { !chunk.contains($0.start) && !(chunk.lowerBound...chunk.upperBound).contains($0.end) }
                } else {
                    piece.series[index].readings.removeAll { !chunk.contains($0.start) }
                }
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

    /// One GET through the pacer. The token is taken inside each attempt, after the pacer's wait: a
    /// token taken before a long wait may have expired by the time the request goes out. A 401 makes
    /// the next attempt refresh first; a 401 for the refreshed token is retried with backoff (see
    /// `RequestPacer.Outcome.rejectedToken`). Returns the 2xx exchange.
    private func get(path: String, query: [(String, String)], endpoint: String) async throws -> OpenEnergyExchange {
        var query = query
        if case .queryParameter(let name, let value) = configuration.userIdentification {
            query.append((name, value))
        }
        let url = try makeURL(path: path, query: query)
        let tokens = TokenAttempts()
        let exchange = try await pacedGET(url: url, endpoint: endpoint, tokens: tokens)
        guard (200..<300).contains(exchange.statusCode) else {
            throw error(for: exchange, endpoint: endpoint, refreshed: tokens.refreshed)
        }
        return exchange
    }

    /// What the attempts of one call know about the token: the one the API refused, and whether a
    /// refresh has been done since.
    private final class TokenAttempts: Sendable {
        private struct State {
            var rejected: String?
            var refreshed = false
        }
        private let state = Mutex(State())

        var refreshed: Bool { state.withLock { $0.refreshed } }

        func token(from provider: any AccessTokenProvider, logger: Logger, endpoint: String) async throws -> String {
            if let rejected = state.withLock({ $0.rejected }) {
                logger.info("access token rejected, refreshing", metadata: ["endpoint": "\(endpoint)"])
                let token = try await provider.refreshedAccessToken(after: rejected)
                state.withLock { $0.rejected = nil; $0.refreshed = true }
                return token
            }
            return try await provider.accessToken()
        }

        /// Notes a 401; returns whether the refused token was already a refreshed one. Then the
        /// next attempt uses it again rather than refreshing once more: the login is fine, the
        /// gateway has not caught up, and a refresh per retry would only spend refresh tokens.
        func rejected(_ token: String) -> Bool {
            state.withLock { state in
                if state.refreshed { return true }
                state.rejected = token
                return false
            }
        }
    }

    private func pacedGET(url: String, endpoint: String, tokens: TokenAttempts) async throws -> OpenEnergyExchange {
        let clock = clock
        let configuration = configuration
        let httpClient = httpClient
        let tokenProvider = tokenProvider
        let logger = logger
        let observer = observer
        return try await pacer.run(
            {
                // Named by id (Backend API without a token): no token is asked for or sent.
                let token = configuration.userIdentification == .bearerToken
                    ? try await tokens.token(from: tokenProvider, logger: logger, endpoint: endpoint) : nil
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
                // The hard limit of the login's quota: retries and every endpoint included.
                try observer.admit?(endpoint)
                let sentAt = clock.now
                let started = ContinuousClock.now
                observer.requestSent?(sentAt)
                let response = try await OpenEnergyHTTP.send(
                    request, with: httpClient, endpoint: endpoint,
                    timeout: configuration.requestTimeout, maximumBodySize: configuration.maximumBodySize
                )
                let headers = OpenEnergyHTTP.headerPairs(response.headers)
                let receivedAt = clock.now
                let status = RateLimitHeaderParser.parse(headers: headers, receivedAt: receivedAt, resetUnit: self.resetUnit(headers: headers, at: receivedAt))
                self.lastRateLimitStatus.withLock { $0 = status }
                let exchange = OpenEnergyExchange(
                    endpoint: endpoint, url: url, sentAt: sentAt, duration: (ContinuousClock.now - started).timeInterval,
                    statusCode: response.statusCode, headers: headers, body: response.body, rateLimit: status)
                observer.exchange?(exchange)
                // Without a token a 401 is no token problem: retried with backoff as a service error.
                let afterRefresh = response.statusCode == 401 ? token.map { tokens.rejected($0) } ?? true : false
                return PacedExchange(exchange: exchange, afterRefresh: afterRefresh)
            },
            classify: { paced in
                let exchange = paced.exchange
                if exchange.statusCode == 401 {
                    return .rejectedToken(rateLimit: exchange.rateLimit, afterRefresh: paced.afterRefresh)
                }
                return .response(statusCode: exchange.statusCode, rateLimit: exchange.rateLimit)
            },
            isRetryable: OpenEnergyHTTP.isRetryable
        ).exchange
    }

    private struct PacedExchange: Sendable {
        var exchange: OpenEnergyExchange
        var afterRefresh: Bool
    }

    /// The configured reset unit; with `auto`, the one consecutive responses revealed, if any.
    private func resetUnit(headers: [(name: String, value: String)], at date: Date) -> RateLimitResetUnit {
        let configured = configuration.contract.resetUnit
        guard configured == .auto else { return configured }
        return resetUnitLearner.withLock { learner in
            if let raw = RateLimitHeaderParser.rawReset(headers: headers) {
                learner.observe(raw, at: date.timeIntervalSince1970)
            }
            return learner.learned ?? .auto
        }
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

    /// Error bodies that are not `{ "error", "message" }` (a gateway's HTML page, plain text) are
    /// shown shortened, with metering point ids masked, rather than dropped.
    private func error(for exchange: OpenEnergyExchange, endpoint: String, refreshed: Bool) -> OpenEnergyError {
        if exchange.statusCode == 429 {
            return .rateLimited(endpoint: endpoint, status: rateLimitStatus)
        }
        if let body = OpenEnergyWireDecoding.errorBody(from: exchange.body) {
            var message = body.message
            if exchange.statusCode == 401, refreshed {
                message = (message.map { $0 + "; " } ?? "") + Self.rejectedAfterRefresh
            }
            return .httpStatus(endpoint: endpoint, status: exchange.statusCode, error: body.error, message: message)
        }
        var message = exchange.body.isEmpty ? nil : "body: " + SensitiveDataMasker().maskedExcerpt(of: exchange.body, limit: 300)
        if exchange.statusCode == 401, refreshed {
            message = Self.rejectedAfterRefresh + (message.map { "; " + $0 } ?? "")
        }
        return .httpStatus(endpoint: endpoint, status: exchange.statusCode, error: nil, message: message)
    }

    /// Why a 401 that outlives a refresh is not a login problem.
    public static var rejectedAfterRefreshText: String { rejectedAfterRefresh }
    static let rejectedAfterRefresh = "the API refused a token the identity provider had just refreshed (a gateway or key-cache problem on CKW's side, not the login)"
}

extension Duration {
    fileprivate var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
