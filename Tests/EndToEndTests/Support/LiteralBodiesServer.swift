import Foundation
import Synchronization
import TestSupport

/// Hand-written core data and meter data bodies served through `LiteralCKWServer`, whatever the
/// query: core data under `…/coredata`, meter data by metering point id under `…/meterdata/<id>`.
final class LiteralBodiesServer: Sendable {
    struct Bodies: Sendable {
        var coreData: String
        /// By metering point id.
        var meterData: [String: String]
    }

    private let server: LiteralCKWServer
    private let bodies: BodiesBox

    private final class BodiesBox: Sendable {
        let bodies: Mutex<Bodies>
        init(_ bodies: Bodies) { self.bodies = Mutex(bodies) }
    }

    private init(server: LiteralCKWServer, bodies: BodiesBox) {
        self.server = server
        self.bodies = bodies
    }

    /// The API's base URL (`http://127.0.0.1:PORT/api/`).
    var baseURL: URL { server.baseURL.appendingPathComponent("api/") }

    /// The paths asked for, with their queries, in order.
    var requests: [String] { server.requests.map { $0.path + ($0.query.map { "?" + $0 } ?? "") } }

    static func start(_ initial: Bodies) async throws -> LiteralBodiesServer {
        let box = BodiesBox(initial)
        let server = try await LiteralCKWServer.start { request, _ in
            let bodies = box.bodies.withLock { $0 }
            if request.path.hasSuffix("/coredata") { return .json(bodies.coreData) }
            if let range = request.path.range(of: "/meterdata/"), let body = bodies.meterData[String(request.path[range.upperBound...])] {
                return .json(body)
            }
            return .json(#"{"error":"not_found","message":"no such resource"}"#, status: 404)
        }
        return LiteralBodiesServer(server: server, bodies: box)
    }

    func replaceCoreData(with body: String) {
        bodies.bodies.withLock { $0.coreData = body }
    }

    func shutdown() async {
        await server.shutdown()
    }
}
