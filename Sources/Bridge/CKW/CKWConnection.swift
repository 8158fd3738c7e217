import AsyncHTTPClient
import Foundation
import Logging
import OpenEnergy
import Synchronization

/// Everything the bridge needs to talk to CKW, built from the configuration: the HTTP client, the
/// token provider of the configured mode and the paced API client.
final class CKWConnection: Sendable {
    let api: OpenEnergyClient
    /// The user's login on disk; `nil` where no person logs in (client credentials, or a backend that
    /// names the user by id).
    let tokenStore: TokenStore?
    /// The identity provider's client of this configuration (login, revocation).
    let oidcClient: OIDCClientConfiguration
    /// Shared with the API client: the configured trust settings.
    let httpClient: HTTPClient
    private let tokens: ReloadableTokenProvider
    /// Times of the requests sent since the last `takeSentRequests()`, for the login-wide budget.
    private let sentRequests = SentRequestLog()
    /// The login's hard daily limit; `nil` where the quota is per metering point (client credentials).
    let requestGate: LoginRequestGate?
    /// Where the last undecodable response is kept.
    let undecodableResponses: UndecodableResponseKeeper

    /// What the log line of a login problem tells the operator to do.
    static let loginHint = "Log in on the bridge's web page (`http.enabled`), or run `ckw2mqtt login` (with the same --config and --state-directory); the running bridge picks up the new login on SIGHUP or within seconds on its own."

    init(
        configuration: BridgeConfiguration, pacing: RequestPacer.Policy = RequestPacer.Policy(), logger: Logger,
        budgetClock: any OpenEnergyClock = SystemClock(),
        exchangeObserver: (@Sendable (OpenEnergyExchange) -> Void)? = nil
    ) throws(CKWSetupError) {
        let ckw = configuration.ckw
        guard let apiBaseURL = ckw.apiBaseURL else { throw .missing("ckw.api_base_url") }
        let httpClient: HTTPClient
        do {
            httpClient = try OpenEnergyHTTP.makeHTTPClient(readTimeout: ckw.requestTimeout.timeInterval, tls: ckw.tls.openEnergy)
        } catch {
            throw .tls(error)
        }
        let oidcClient = OIDCClientConfiguration(
            issuer: OIDCIssuer(ckw.issuer.url), clientID: ckw.clientID ?? "", clientSecret: ckw.clientSecret?.plaintext,
            redirectURI: ckw.redirectURI, scopes: ckw.scopes)
        let headerNames = (clientID: ckw.appCredentialHeaders.first ?? BackendCredentials.defaultClientIDHeader,
                           clientSecret: ckw.appCredentialHeaders.last ?? BackendCredentials.defaultClientSecretHeader)
        var credentialHeaders: BackendCredentials?
        var userIdentification = UserIdentification.bearerToken
        let tokenStore: TokenStore?
        let make: ReloadableTokenProvider.Factory
        if ckw.mode.needsUserLogin(ckw.userIdentification), ckw.clientID == nil {
            throw .missing("ckw.client_id")
        }
        switch ckw.mode {
        case .client, .backend:
            if ckw.mode == .backend {
                guard let appClientID = ckw.appClientID else { throw .missing("ckw.app_client_id") }
                credentialHeaders = BackendCredentials(
                    clientID: appClientID, clientSecret: ckw.appClientSecret?.plaintext,
                    clientIDHeader: headerNames.clientID, clientSecretHeader: headerNames.clientSecret)
                switch ckw.userIdentification {
                case .bearer: break
                case .header: userIdentification = .header(name: ckw.userIdentificationName ?? "", value: ckw.userID ?? "")
                case .query: userIdentification = .queryParameter(name: ckw.userIdentificationName ?? "", value: ckw.userID ?? "")
                }
            }
            let store = TokenStore(directory: URL(fileURLWithPath: configuration.bridge.stateDirectory, isDirectory: true))
            tokenStore = ckw.mode.needsUserLogin(ckw.userIdentification) ? store : nil
            make = {
                let metadata = try await OIDCDiscovery.fetch(issuer: oidcClient.issuer, httpClient: httpClient)
                return TokenManager(
                    store: store, tokenEndpoint: TokenEndpoint(metadata: metadata, client: oidcClient, httpClient: httpClient),
                    loginHint: Self.loginHint, logger: logger)
            }
        case .clientCredentials:
            guard ckw.clientID != nil else { throw .missing("ckw.client_id") }
            tokenStore = nil
            if ckw.sendCredentialHeaders {
                credentialHeaders = BackendCredentials(
                    clientID: oidcClient.clientID, clientSecret: ckw.clientSecret?.plaintext,
                    clientIDHeader: headerNames.clientID, clientSecretHeader: headerNames.clientSecret)
            }
            make = {
                let metadata = try await OIDCDiscovery.fetch(issuer: oidcClient.issuer, httpClient: httpClient)
                return ClientCredentialsTokenProvider(
                    tokenEndpoint: TokenEndpoint(metadata: metadata, client: oidcClient, httpClient: httpClient), logger: logger)
            }
        }
        let tokens = ReloadableTokenProvider(make: make)
        self.httpClient = httpClient
        self.oidcClient = oidcClient
        self.tokens = tokens
        self.tokenStore = tokenStore
        var apiConfiguration = OpenEnergyClientConfiguration(
            baseURL: apiBaseURL, backendCredentialHeaders: credentialHeaders, userIdentification: userIdentification,
            requestTimeout: ckw.requestTimeout.timeInterval, contract: ckw.contract)
        apiConfiguration.decoding = OpenEnergyDecodingOptions(timeZone: ckw.timeZone)
        let sentRequests = self.sentRequests
        let requestGate = ckw.mode == .clientCredentials ? nil : LoginRequestGate(limit: ckw.dailyRequestLimit, clock: budgetClock)
        self.requestGate = requestGate
        let keeper = UndecodableResponseKeeper(stateDirectory: configuration.bridge.stateDirectory, logger: logger)
        self.undecodableResponses = keeper
        self.api = OpenEnergyClient(
            configuration: apiConfiguration,
            httpClient: httpClient, tokenProvider: tokens, pacer: RequestPacer(policy: pacing, logger: logger), logger: logger,
            observer: OpenEnergyClientObserver(
                admit: { endpoint in try requestGate?.admit(endpoint: endpoint) },
                // Stamped on the clock the planner counts the day's budget on (the simulator's in the
                // demo and the fault tests; pacing and tokens keep real time regardless).
                requestSent: { _ in sentRequests.dates.withLock { $0.append(budgetClock.now) } },
                exchange: exchangeObserver,
                undecodableBody: { exchange, error in keeper.keep(exchange, error: error) }))
    }

    /// The times of the requests sent since the last call (every request of the login, retries
    /// and statistics included).
    func takeSentRequests() -> [Date] {
        sentRequests.dates.withLock { dates in
            defer { dates = [] }
            return dates
        }
    }

    /// Forget the cached login; the next request reads the token store again.
    func reloadTokens() async {
        await tokens.reload()
    }

    func shutdown() async {
        try? await httpClient.shutdown()
    }
}

extension CKWTLSSettings {
    /// The OpenEnergy client's form of these settings.
    public var openEnergy: OpenEnergyTLS {
        OpenEnergyTLS(caFile: caFile, insecureSkipVerify: insecureSkipVerify)
    }
}

/// The times of requests sent, shared between the client's observer and the fetch loop.
private final class SentRequestLog: Sendable {
    let dates = Mutex<[Date]>([])
}
