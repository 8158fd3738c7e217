import Bridge
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The optional HTTP endpoint (`http.enabled`): `GET /healthz`, `GET /metrics` and, given a bridge
/// to control, the web page at the root (status, login, logout, fetch; see `WebPage`).
///
/// A `Service` for the bridge's `ServiceGroup`: it stops with the group's graceful shutdown.
public struct ObservabilityServer: Service {
    /// What the web page needs: the bridge and who may change it.
    public struct Web: Sendable {
        public var control: any BridgeControl
        public var policy: WebAccessPolicy
        public var csrf: CSRFToken

        public init(control: any BridgeControl, policy: WebAccessPolicy, csrf: CSRFToken = CSRFToken()) {
            self.control = control
            self.policy = policy
            self.csrf = csrf
        }
    }

    public let host: String
    public let port: Int
    private let registry: PrometheusCollectorRegistry
    private let health: @Sendable () async -> BridgeHealth
    private let web: Web?
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void

    /// `health` is asked on every `/healthz` request (`BridgeService.health`); `registry` is the one
    /// the Prometheus metrics factory was bootstrapped with. Without `web` there is no page.
    /// `onListening` receives the bound port (useful with port 0).
    public init(
        host: String, port: Int, registry: PrometheusCollectorRegistry,
        health: @escaping @Sendable () async -> BridgeHealth, web: Web? = nil, logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.health = health
        self.web = web
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let router = Router(context: WebRequestContext.self)
        let health = self.health
        let registry = self.registry
        router.get("healthz") { _, _ -> Response in
            let problem = await health().problem
            return Self.text(problem.map { "unhealthy: \($0)\n" } ?? "ok\n", status: problem == nil ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        if let web {
            WebPage(control: web.control, policy: web.policy, csrf: web.csrf).addRoutes(to: router)
        }
        let onListening = self.onListening
        let logger = self.logger
        let hasPage = web != nil
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info(hasPage ? "web page, health and metrics endpoint listening" : "health and metrics endpoint listening",
                            metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
                onListening(port)
            },
            logger: logger)
        try await application.run()
    }

    private static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            // Health answers must never come from a cache.
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
