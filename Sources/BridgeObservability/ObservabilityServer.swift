import Bridge
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The optional HTTP endpoint (`http.enabled`): `GET /healthz` and `GET /metrics`.
///
/// A `Service` for the bridge's `ServiceGroup`: it stops with the group's graceful shutdown.
public struct ObservabilityServer: Service {
    public let host: String
    public let port: Int
    private let registry: PrometheusCollectorRegistry
    private let health: @Sendable () async -> BridgeHealth
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void

    /// `health` is asked on every `/healthz` request (`BridgeService.health`); `registry` is the one
    /// the Prometheus metrics factory was bootstrapped with. `onListening` receives the bound port
    /// (useful with port 0).
    public init(
        host: String, port: Int, registry: PrometheusCollectorRegistry,
        health: @escaping @Sendable () async -> BridgeHealth, logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.registry = registry
        self.health = health
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let router = Router()
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
        let onListening = self.onListening
        let logger = self.logger
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("health and metrics endpoint listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
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
