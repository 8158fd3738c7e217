import Foundation
import Logging

/// Everything the simulator can be set up with before it starts. Every field has a default that gives a
/// working CKW look-alike with one demo household; tests change only what they exercise.
public struct SimulatorConfiguration: Sendable {
    /// TCP port on 127.0.0.1; 0 picks an ephemeral port (see ``SimulatorServer/port``).
    public var port: Int
    /// Keycloak realm name, part of the issuer URL (`/auth/realms/<realm>`).
    public var realm: String
    /// Seed of every generated value: the same seed gives the same households and readings.
    public var seed: UInt64
    /// OAuth clients allowed to use the authorization code flow.
    public var clients: [OAuthClient]
    /// Applications allowed to use `client_credentials` and the Backend API.
    public var backendApps: [BackendApp]
    /// Whether the Backend API also wants the app credentials in `client_id` / `client_secret` headers.
    public var requireBackendCredentialHeaders: Bool
    /// Users who can log in; the first one is logged in by ``autoApprove``.
    public var users: [User]
    /// Skip the login page: the authorization endpoint redirects at once with a code for the first user.
    public var autoApprove: Bool
    /// Whether discovery names the revocation endpoint (RFC 7009); without it a client logs out at the
    /// end-session endpoint.
    public var advertisesRevocation: Bool
    public var tokenLifetimes: TokenLifetimes
    /// Per-user rate limit of the API; `nil` switches rate limiting off.
    public var rateLimit: RateLimit?
    public var population: Population
    public var delivery: DeliverySchedule
    /// The simulated instant at start; `nil` starts at the real current time.
    public var clockStart: Date?
    /// Simulated seconds per real second.
    public var clockSpeed: Double
    /// Serve HTTPS with this certificate instead of plain HTTP (for the TLS verification tests).
    public var tls: TLS?
    public var logger: Logger
    /// Meter data in shapes other than the assumed contract (local offsets, Wh, tariff registers,
    /// numbers as strings); none by default.
    public var variations = WireVariations()
    /// Paths, reset unit, daily quota and refresh behaviour of the gateway; the assumed contract by default.
    public var gateway = GatewayShape()

    public init(
        port: Int = 0,
        realm: String = "CKW",
        seed: UInt64 = 0x434B_5732_4D51_5454,
        clients: [OAuthClient] = [OAuthClient()],
        backendApps: [BackendApp] = [BackendApp()],
        requireBackendCredentialHeaders: Bool = false,
        users: [User] = [User()],
        autoApprove: Bool = false,
        advertisesRevocation: Bool = true,
        tokenLifetimes: TokenLifetimes = TokenLifetimes(),
        rateLimit: RateLimit? = RateLimit(),
        population: Population = Population(),
        delivery: DeliverySchedule = DeliverySchedule(),
        clockStart: Date? = nil,
        clockSpeed: Double = 1,
        tls: TLS? = nil,
        logger: Logger = Logger(label: "OpenEnergySimulator")
    ) {
        self.port = port
        self.realm = realm
        self.seed = seed
        self.clients = clients
        self.backendApps = backendApps
        self.requireBackendCredentialHeaders = requireBackendCredentialHeaders
        self.users = users
        self.autoApprove = autoApprove
        self.advertisesRevocation = advertisesRevocation
        self.tokenLifetimes = tokenLifetimes
        self.rateLimit = rateLimit
        self.population = population
        self.delivery = delivery
        self.clockStart = clockStart
        self.clockSpeed = clockSpeed
        self.tls = tls
        self.logger = logger
    }
}

extension SimulatorConfiguration {
    /// The server's certificate chain and private key, PEM files.
    public struct TLS: Sendable, Hashable {
        public var certificateChainFile: String
        public var privateKeyFile: String

        public init(certificateChainFile: String, privateKeyFile: String) {
            self.certificateChainFile = certificateChainFile
            self.privateKeyFile = privateKeyFile
        }
    }
}

extension SimulatorConfiguration {
    /// A Keycloak client for the authorization code flow.
    public struct OAuthClient: Sendable, Hashable {
        public var id: String
        /// `nil` for a public client (PKCE only); otherwise a confidential client that must authenticate.
        public var secret: String?
        /// Exact redirect URIs accepted in addition to loopback ones.
        public var redirectURIs: [String]
        /// Accept `http://127.0.0.1` and `http://localhost` with any port and path (RFC 8252 loopback redirects).
        public var allowsLoopbackRedirects: Bool
        /// Reject authorization requests without an S256 code challenge (Keycloak's per-client PKCE switch).
        public var requiresPKCE: Bool
        /// Whether the client may ask for `offline_access`; otherwise such a login ends with `invalid_scope`.
        public var allowsOfflineAccess: Bool

        public init(
            id: String = "ckw2mqtt",
            secret: String? = nil,
            redirectURIs: [String] = [],
            allowsLoopbackRedirects: Bool = true,
            requiresPKCE: Bool = true,
            allowsOfflineAccess: Bool = true
        ) {
            self.id = id
            self.secret = secret
            self.redirectURIs = redirectURIs
            self.allowsLoopbackRedirects = allowsLoopbackRedirects
            self.requiresPKCE = requiresPKCE
            self.allowsOfflineAccess = allowsOfflineAccess
        }
    }

    /// App credentials for the Backend API (`client_credentials`).
    public struct BackendApp: Sendable, Hashable {
        public var clientID: String
        public var clientSecret: String

        public init(clientID: String = "ckw2mqtt-backend", clientSecret: String = "backend-secret") {
            self.clientID = clientID
            self.clientSecret = clientSecret
        }
    }

    /// A CKW customer's login.
    public struct User: Sendable, Hashable {
        public var username: String
        public var password: String
        /// Index of the customer (0 ..< population.customers) whose metering points the user may read.
        public var customerIndex: Int

        public init(username: String = "demo", password: String = "demo", customerIndex: Int = 0) {
            self.username = username
            self.password = password
            self.customerIndex = customerIndex
        }
    }

    /// Keycloak's token and session lifetimes. Tokens always run on real time, never on the simulated clock.
    public struct TokenLifetimes: Sendable, Hashable {
        public var accessToken: Duration
        /// A normal (online) refresh token dies when the session was idle this long ...
        public var ssoSessionIdle: Duration
        /// ... or this long after login, whichever comes first.
        public var ssoSessionMax: Duration
        /// An offline token (`offline_access` scope) dies when unused this long.
        public var offlineSessionIdle: Duration
        public var authorizationCode: Duration
        /// How long the login page waits for the user.
        public var loginPage: Duration

        public init(
            accessToken: Duration = .seconds(300),
            ssoSessionIdle: Duration = .seconds(30 * 60),
            ssoSessionMax: Duration = .seconds(10 * 3600),
            offlineSessionIdle: Duration = .seconds(30 * 24 * 3600),
            authorizationCode: Duration = .seconds(60),
            loginPage: Duration = .seconds(30 * 60)
        ) {
            self.accessToken = accessToken
            self.ssoSessionIdle = ssoSessionIdle
            self.ssoSessionMax = ssoSessionMax
            self.offlineSessionIdle = offlineSessionIdle
            self.authorizationCode = authorizationCode
            self.loginPage = loginPage
        }
    }

    /// MuleSoft-style fixed window per user: the window starts with the user's first request.
    public struct RateLimit: Sendable, Hashable, Codable {
        public var limit: Int
        public var window: Duration

        public init(limit: Int = 1000, window: Duration = .seconds(60)) {
            self.limit = limit
            self.window = window
        }
    }

    /// How many customers and metering points exist. Everything about them is derived from the seed on
    /// demand, so large populations cost no memory.
    public struct Population: Sendable, Hashable {
        public var customers: Int
        public var meteringPointsPerCustomer: Int
        /// Share of metering points with solar panels (feed-in series). The first customer's first point always has them.
        public var solarShare: Double

        public init(customers: Int = 3, meteringPointsPerCustomer: Int = 1, solarShare: Double = 0.4) {
            self.customers = customers
            self.meteringPointsPerCustomer = meteringPointsPerCustomer
            self.solarShare = solarShare
        }

        public var meteringPoints: Int { customers * meteringPointsPerCustomer }
    }
}
