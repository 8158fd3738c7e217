import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The CKW look-alike: a Hummingbird server on 127.0.0.1 with a Keycloak-style realm and the
/// OpenEnergy Client and Backend APIs.
///
/// ```swift
/// let sim = try await SimulatorServer.start(SimulatorConfiguration(autoApprove: true))
/// defer { Task { await sim.shutdown() } }
/// // sim.issuerURL, sim.clientAPIBaseURL, sim.controls, sim.clock
/// ```
public final class SimulatorServer: Sendable {
    public let configuration: SimulatorConfiguration
    /// The bound port (the ephemeral one when the configuration asked for 0).
    public let port: Int
    public let controls: SimulatorControls
    /// Decides which data has been delivered; tokens ignore it.
    public let clock: SimulatedClock
    /// Customers and metering points of this simulation.
    public let catalog: MeteringPointCatalog

    private let serviceGroup: ServiceGroup
    private let serverTask: Task<Void, any Error>

    private init(
        configuration: SimulatorConfiguration, port: Int, controls: SimulatorControls, clock: SimulatedClock,
        catalog: MeteringPointCatalog, serviceGroup: ServiceGroup, serverTask: Task<Void, any Error>
    ) {
        self.configuration = configuration
        self.port = port
        self.controls = controls
        self.clock = clock
        self.catalog = catalog
        self.serviceGroup = serviceGroup
        self.serverTask = serverTask
    }

    /// `http://127.0.0.1:PORT` (`https` when the configuration has TLS)
    public var baseURL: URL { URL(string: Self.origin(port: port, tls: configuration.tls != nil))! }
    /// `http://127.0.0.1:PORT/auth/realms/CKW`
    public var issuerURL: URL { URL(string: Self.issuer(port: port, configuration: configuration))! }
    /// `http://127.0.0.1:PORT/api/client/`
    public var clientAPIBaseURL: URL { URL(string: "\(baseURL.absoluteString)/api/client/")! }
    /// `http://127.0.0.1:PORT/api/backend/`
    public var backendAPIBaseURL: URL { URL(string: "\(baseURL.absoluteString)/api/backend/")! }

    private static func origin(port: Int, tls: Bool) -> String {
        "\(tls ? "https" : "http")://127.0.0.1:\(port)"
    }

    private static func issuer(port: Int, configuration: SimulatorConfiguration) -> String {
        "\(origin(port: port, tls: configuration.tls != nil))/auth/realms/\(configuration.realm)"
    }

    /// Binds 127.0.0.1 and returns once the server accepts connections.
    public static func start(_ configuration: SimulatorConfiguration = SimulatorConfiguration()) async throws -> SimulatorServer {
        let boundPort = Atomic<Int>(configuration.port)
        let issuer: @Sendable () -> String = { Self.issuer(port: boundPort.load(ordering: .relaxed), configuration: configuration) }

        let store = AuthorizationStore(lifetimes: configuration.tokenLifetimes)
        let signingKey = try await SigningKey.shared()
        let rateLimiter = RateLimiter(settings: configuration.rateLimit)
        let faults = FaultInjector()
        let clock = SimulatedClock(start: configuration.clockStart ?? Date(), speed: configuration.clockSpeed)
        let data = MeterDataService(seed: configuration.seed, population: configuration.population, delivery: configuration.delivery)
        let requestLog = RequestLog()
        let controls = SimulatorControls(faults: faults, store: store, rateLimiter: rateLimiter, requestLog: requestLog)

        let router = Router(context: SimulatorRequestContext.self)
        OIDCProvider(
            configuration: configuration,
            store: store,
            tokens: TokenIssuer(
                store: store, signingKey: signingKey, lifetimes: configuration.tokenLifetimes, catalog: data.catalog, issuer: issuer
            ),
            signingKey: signingKey,
            issuer: issuer
        ).addRoutes(to: router)
        guard configuration.gateway.pathProblem == nil else { throw SimulatorError.badGateway(configuration.gateway.pathProblem!) }
        APIRoutes(
            configuration: configuration, store: store, rateLimiter: rateLimiter, faults: faults, data: data, clock: clock,
            dailyQuota: DailyQuota(), requestLog: requestLog)
            .addRoutes(to: router)
        ControlRoutes(controls: controls, clock: clock).addRoutes(to: router)

        let (running, runningContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            server: try Self.serverBuilder(configuration.tls),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                boundPort.store(port, ordering: .relaxed)
                runningContinuation.yield(port)
                runningContinuation.finish()
            },
            logger: configuration.logger
        )
        // A service group of its own (no signal handling: the embedding program decides), so that
        // shutdown can be graceful: requests in flight finish, idle keep-alive connections close.
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [application], logger: configuration.logger)
        )
        let serverTask = Task {
            // Ends the stream if the server never comes up (port taken), so that `start` can throw.
            defer { runningContinuation.finish() }
            try await serviceGroup.run()
        }
        var iterator = running.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The task already ended: its error explains why the server did not start.
            try await serverTask.value
            throw SimulatorError.serverDidNotStart
        }
        return SimulatorServer(
            configuration: configuration,
            port: port,
            controls: controls,
            clock: clock,
            catalog: data.catalog,
            serviceGroup: serviceGroup,
            serverTask: serverTask
        )
    }

    /// Plain HTTP/1.1, or HTTP/1.1 over TLS with the configured certificate.
    private static func serverBuilder(_ tls: SimulatorConfiguration.TLS?) throws -> HTTPServerBuilder {
        guard let tls else { return .http1() }
        let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChainFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: tls.privateKeyFile, format: .pem)
        return try .tls(.http1(), tlsConfiguration: TLSConfiguration.makeServerConfiguration(
            certificateChain: chain, privateKey: .privateKey(key)))
    }

    /// Stops accepting connections, lets requests in flight finish and closes the connections.
    public func shutdown() async {
        await serviceGroup.triggerGracefulShutdown()
        _ = await serverTask.result
    }

    /// Serves until the calling task is cancelled, then shuts down gracefully (for `ckw2mqtt simulate`).
    public func run() async {
        await withTaskCancellationHandler {
            _ = await serverTask.result
        } onCancel: {
            Task { await serviceGroup.triggerGracefulShutdown() }
        }
    }
}

public enum SimulatorError: Error, CustomStringConvertible {
    case serverDidNotStart
    case badGateway(String)

    public var description: String {
        switch self {
        case .serverDidNotStart: "The simulator's HTTP server stopped before it accepted connections"
        case .badGateway(let problem): "The simulator's API paths: \(problem)"
        }
    }
}
