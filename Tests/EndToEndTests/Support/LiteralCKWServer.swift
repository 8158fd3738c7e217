import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A CKW look-alike that is not built from our wire types: it answers core data and meter data with
/// JSON strings written by hand in the test, whatever the query, and records the paths asked for.
final class LiteralCKWServer: Sendable {
    struct Bodies: Sendable {
        var coreData: String
        /// By metering point id.
        var meterData: [String: String]
    }

    private let channel: any Channel
    private let state: Mutex<(bodies: Bodies, requests: [String])>

    var baseURL: URL { URL(string: "http://127.0.0.1:\(channel.localAddress?.port ?? 0)/api/")! }
    var requests: [String] { state.withLock { $0.requests } }

    private init(channel: any Channel, bodies: Bodies) {
        self.channel = channel
        self.state = Mutex((bodies, []))
    }

    static func start(_ bodies: Bodies) async throws -> LiteralCKWServer {
        let box = Box()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(Handler(box: box))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        let server = LiteralCKWServer(channel: channel, bodies: bodies)
        box.server.withLock { $0 = server }
        return server
    }

    func replaceCoreData(with body: String) {
        state.withLock { $0.bodies.coreData = body }
    }

    func shutdown() async {
        try? await channel.close()
    }

    /// The response to `path`: 200 with the literal body, or 404.
    fileprivate func answer(path: String) -> (HTTPResponseStatus, String) {
        state.withLock { state in
            state.requests.append(path)
            let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
            if route.hasSuffix("/coredata") { return (.ok, state.bodies.coreData) }
            if let range = route.range(of: "/meterdata/") {
                let id = String(route[range.upperBound...])
                if let body = state.bodies.meterData[id] { return (.ok, body) }
            }
            return (.notFound, #"{"error":"not_found","message":"no such resource"}"#)
        }
    }

    private final class Box: Sendable {
        let server = Mutex<LiteralCKWServer?>(nil)
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let box: Box
        var path = ""

        init(box: Box) { self.box = box }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(head):
                path = head.uri
            case .body:
                break
            case .end:
                let (status, body) = box.server.withLock { $0 }?.answer(path: path) ?? (.serviceUnavailable, "{}")
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: "\(body.utf8.count)")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
