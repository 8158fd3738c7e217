import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import OpenEnergy

/// The OpenEnergy API per the wire contract, twice: the Client API (a user's token, the user's
/// customer only) under `api/client/` and the Backend API under `api/backend/`, which takes either an
/// app's client_credentials token (every customer), or a backend app's credential headers with a user's
/// token or user name (that user's customer).
struct APIRoutes: Sendable {
    enum Flavour: Sendable {
        case client
        case backend
    }

    let configuration: SimulatorConfiguration
    let store: AuthorizationStore
    let rateLimiter: RateLimiter
    let faults: FaultInjector
    let data: MeterDataService
    let clock: SimulatedClock
    let dailyQuota: DailyQuota
    let requestLog: RequestLog

    func addRoutes(to router: Router<SimulatorRequestContext>) {
        for (flavour, prefix) in [(Flavour.client, "api/client"), (.backend, "api/backend")] {
            let group = router.group(RouterPath(prefix))
            group.get(RouterPath(configuration.gateway.coreDataPath)) { request, context in
                await respond(request, context, flavour: flavour, isCoreData: true) { (principal) throws(APIError) -> Body in
                    try coreData(for: principal)
                }
            }
            group.get(RouterPath(configuration.gateway.meterDataRoute)) { request, context in
                await respond(request, context, flavour: flavour, isCoreData: false) { (principal) throws(APIError) -> Body in
                    try meterData(request, context, principal: principal)
                }
            }
        }
    }

    // MARK: Pipeline: authentication, rate limit, faults, answer

    private func respond(
        _ request: Request,
        _ context: SimulatorRequestContext,
        flavour: Flavour,
        isCoreData: Bool,
        answer: (AuthorizationStore.Principal) throws(APIError) -> Body
    ) async -> Response {
        let principal: AuthorizationStore.Principal
        do {
            principal = try authenticate(request, flavour: flavour)
        } catch {
            return error.response
        }
        if let login = principal.username { requestLog.record(login: login, at: clock.now) }
        if let token = BearerToken.extract(request.headers[.authorization]), store.refuseFreshlyRefreshed(token) {
            return APIError(status: .unauthorized, code: "invalid_token", message: "Invalid token (the gateway does not know it yet)").response
        }
        var rateLimitHeaders: HTTPFields = [:]
        if let decision = rateLimiter.admit(user: principal.subject) {
            rateLimitHeaders = quotaHeaders(limit: decision.limit, remaining: decision.remaining, resetMilliseconds: decision.resetMilliseconds)
            guard decision.allowed else {
                var error = APIError(status: .tooManyRequests, code: "too_many_requests", message: "Quota exceeded")
                error.headers = rateLimitHeaders
                return error.response
            }
        }
        // The daily quota is not announced (the headers, if any, are the short window's) until it
        // is used up: then 429 with the day's window in the headers.
        if let decision = dailyQuota.admit(user: principal.subject, limit: configuration.gateway.dailyRequestLimit, now: clock.now),
            !decision.allowed
        {
            var error = APIError(status: .tooManyRequests, code: "quota_exceeded", message: "Daily quota exceeded")
            error.headers = quotaHeaders(limit: decision.limit, remaining: 0, resetMilliseconds: decision.resetMilliseconds)
            return error.response
        }
        let fault = faults.next(isCoreData: isCoreData)
        switch fault {
        case .serverError(let status):
            let status = HTTPResponse.Status(code: status)
            return APIError(status: status, code: "server_error", message: "Simulated failure (\(status.code))").response
        case .tooManyRequests(let withHeaders, let resetMilliseconds, let retryAfterSeconds):
            guard withHeaders else { return Response(status: .tooManyRequests) }
            var headers = quotaHeaders(
                limit: rateLimiter.settings?.limit ?? 100, remaining: 0, resetMilliseconds: resetMilliseconds
            )
            if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
            var error = APIError(status: .tooManyRequests, code: "too_many_requests", message: "Quota exceeded")
            error.headers = headers
            return error.response
        case .slow(let milliseconds):
            try? await Task.sleep(for: .milliseconds(milliseconds))
        default:
            break
        }
        var body: Body
        do {
            body = try answer(principal)
        } catch {
            var response = error.response
            response.headers.append(contentsOf: rateLimitHeaders)
            return response
        }
        if case .meterData(var meterData, let from, let to) = body, let fault {
            MeterDataFaults.apply(fault, to: &meterData, from: from, to: to, catalog: data.catalog)
            body = .meterData(meterData, from: from, to: to)
        }
        var encoded = body.encoded()
        if case .meterData = body { encoded = configuration.variations.quotingValues(encoded) }
        switch fault {
        case .malformedJSON:
            return Responses.json(data: MeterDataFaults.malformed(encoded), headers: rateLimitHeaders)
        case .truncatedBody:
            return Self.truncated(encoded, headers: rateLimitHeaders, channel: context.channel)
        default:
            return Responses.json(data: encoded, headers: rateLimitHeaders)
        }
    }

    enum Body {
        case coreData(OpenEnergyWire.CoreData)
        case meterData(OpenEnergyWire.MeterData, from: Int, to: Int)

        /// Streamed (see ``StreamingJSONEncoder``): Foundation's encoder would cost most of a request's CPU time.
        func encoded() -> Data {
            let encoder = StreamingJSONEncoder()
            // The wire types hold only strings and finite numbers, so encoding cannot fail.
            switch self {
            case .coreData(let value): return Data((try? encoder.encode(value)) ?? Array("{}".utf8))
            case .meterData(let value, _, _): return Data((try? encoder.encode(value)) ?? Array("{}".utf8))
            }
        }
    }

    /// The Backend API names a user without a token in this header or query parameter (the user name).
    static let userIDHeader = "X-User-Id"
    static let userIDQueryParameter = "userId"

    private func authenticate(_ request: Request, flavour: Flavour) throws(APIError) -> AuthorizationStore.Principal {
        guard let token = BearerToken.extract(request.headers[.authorization]) else {
            if flavour == .backend, let principal = try userNamedByID(request) { return principal }
            throw .invalidToken("Missing bearer token")
        }
        switch store.checkAccessToken(token) {
        case .invalid(let reason):
            throw .invalidToken(reason)
        case .valid(let principal):
            switch flavour {
            case .client:
                guard !principal.isBackendApp else { throw .forbidden("The Client API needs a user's token") }
            case .backend where principal.isBackendApp:
                // Keycloak's client credentials grant.
                if configuration.requireBackendCredentialHeaders {
                    guard let app = appPresented(request), app.clientID == principal.clientID else {
                        throw APIError(status: .unauthorized, code: "invalid_client", message: "Missing or wrong client_id/client_secret headers")
                    }
                }
            case .backend:
                // The portal's model: a user's token, and the app credentials of a backend.
                guard appPresented(request) != nil else {
                    throw APIError(status: .unauthorized, code: "invalid_client", message: "The Backend API needs the app's client_id/client_secret headers")
                }
            }
            return principal
        }
    }

    /// The backend app whose credentials the request carries in the `client_id`/`client_secret` headers.
    private func appPresented(_ request: Request) -> SimulatorConfiguration.BackendApp? {
        let id = request.headers[HTTPField.Name(OpenEnergyWire.BackendHeaders.clientID)!]
        let secret = request.headers[HTTPField.Name(OpenEnergyWire.BackendHeaders.clientSecret)!]
        return configuration.backendApps.first { $0.clientID == id && $0.clientSecret == secret }
    }

    /// A Backend API request without a token that names its user by id; `nil` when it names none.
    private func userNamedByID(_ request: Request) throws(APIError) -> AuthorizationStore.Principal? {
        let named = request.headers[HTTPField.Name(Self.userIDHeader)!]
            ?? request.uri.queryParameters[Substring(Self.userIDQueryParameter)].map(String.init)
        guard let named else { return nil }
        guard let app = appPresented(request) else {
            throw APIError(status: .unauthorized, code: "invalid_client", message: "The Backend API needs the app's client_id/client_secret headers")
        }
        guard let user = configuration.users.first(where: { $0.username == named }) else {
            throw .forbidden("Unknown user \(named)")
        }
        return AuthorizationStore.Principal(
            subject: StableIdentifier.uuid(seed: configuration.seed, name: "user-" + user.username),
            customerIndex: user.customerIndex, username: user.username, clientID: app.clientID, sessionID: nil)
    }

    /// MuleSoft's headers, the reset in the gateway's unit.
    func quotaHeaders(limit: Int, remaining: Int, resetMilliseconds: Int) -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Ratelimit-Limit")!] = String(limit)
        headers[HTTPField.Name("X-Ratelimit-Remaining")!] = String(remaining)
        headers[HTTPField.Name("X-Ratelimit-Reset")!] = String(configuration.gateway.resetValue(milliseconds: resetMilliseconds))
        return headers
    }

    // MARK: Endpoints

    private func coreData(for principal: AuthorizationStore.Principal) throws(APIError) -> Body {
        if let customerIndex = principal.customerIndex {
            guard customerIndex < configuration.population.customers else {
                throw .forbidden("The user has no customer")
            }
            return .coreData(data.coreData(customerIndex: customerIndex))
        }
        return .coreData(data.coreDataOfAllCustomers())
    }

    private func meterData(
        _ request: Request, _ context: SimulatorRequestContext, principal: AuthorizationStore.Principal
    ) throws(APIError) -> Body {
        let id = context.parameters.get("meteringPointId") ?? ""
        guard let point = data.catalog.meteringPoint(id: id) else {
            throw .notFound("Unknown metering point \(id)")
        }
        if let customerIndex = principal.customerIndex, point.customerIndex != customerIndex {
            throw .forbidden("Metering point \(id) does not belong to the user")
        }
        let query = request.uri.queryParameters
        guard let fromText = query[Substring(OpenEnergyWire.MeterDataQuery.from)],
            let toText = query[Substring(OpenEnergyWire.MeterDataQuery.to)]
        else {
            throw .badRequest("Query parameters \(OpenEnergyWire.MeterDataQuery.from) and \(OpenEnergyWire.MeterDataQuery.to) are required")
        }
        guard let from = UTCTimestamp.parse(fromText) else { throw .badRequest("Unparsable from: \(fromText)") }
        guard let to = UTCTimestamp.parse(toText) else { throw .badRequest("Unparsable to: \(toText)") }
        guard from < to else { throw .badRequest("from must be before to") }
        guard TimeInterval(to - from) <= OpenEnergyWire.maximumMeterDataRange else {
            throw .badRequest("The range may span at most \(Int(OpenEnergyWire.maximumMeterDataRange / 86400)) days")
        }
        var obis: String?
        if let requested = query[Substring(OpenEnergyWire.MeterDataQuery.obis)], !requested.isEmpty {
            guard data.hasSeries(String(requested), point: point) else {
                throw .badRequest("Metering point \(id) has no series \(requested)")
            }
            obis = String(requested)
        }
        let now = Int(clock.now.timeIntervalSince1970)
        var generated = data.meterData(point: point, from: from, to: to, obis: obis, now: now)
        faults.omitIntervals(from: &generated)
        let meterData = configuration.variations.apply(to: generated)
        return .meterData(meterData, from: from, to: to)
    }

    // MARK: Truncation

    /// Declares the whole body's length, sends half of it and closes the connection: the client sees
    /// the connection end mid-body, as with a proxy that gave up.
    private static func truncated(_ body: Data, headers: HTTPFields, channel: any Channel) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.contentLength] = String(body.count)
        let half = ByteBuffer(bytes: body.prefix(body.count / 2))
        return Response(
            status: .ok,
            headers: headers,
            body: ResponseBody { writer in
                try await writer.write(half)
                try await channel.close()
            }
        )
    }
}
