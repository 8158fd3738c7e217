import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A one-shot HTTP listener on 127.0.0.1 that receives the login redirect (RFC 8252 loopback redirect).
///
/// Bound to the IPv4 loopback address only, so nothing off the machine can reach it. The first request to the
/// callback path that carries `code`, `state` or `error` is taken and answered with a small page; other
/// requests (favicon, probes) get 404 or 400. The caller closes the listener when done.
public final class LoopbackRedirectReceiver: Sendable {
    public let redirectURI: URL
    private let serverChannel: any Channel
    private let mailbox: RedirectMailbox

    private init(redirectURI: URL, serverChannel: any Channel, mailbox: RedirectMailbox) {
        self.redirectURI = redirectURI
        self.serverChannel = serverChannel
        self.mailbox = mailbox
    }

    /// Starts listening on `127.0.0.1:port` (0: an ephemeral port).
    public static func start(port: Int = 0, callbackPath: String = "/callback") async throws -> LoopbackRedirectReceiver {
        let mailbox = RedirectMailbox()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(CallbackHandler(callbackPath: callbackPath, mailbox: mailbox))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        guard let boundPort = channel.localAddress?.port, let uri = URL(string: "http://127.0.0.1:\(boundPort)\(callbackPath)") else {
            try? await channel.close()
            throw OpenEnergyAuthError.invalidRedirect("cannot determine the loopback listener's port")
        }
        return LoopbackRedirectReceiver(redirectURI: uri, serverChannel: channel, mailbox: mailbox)
    }

    /// The full URL of the redirect the browser delivered (with the listener's scheme, host and port).
    public func waitForRedirect(timeout: TimeInterval) async throws -> URL {
        let mailbox = mailbox
        let target = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await mailbox.next() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeout * 1_000)))
                throw OpenEnergyAuthError.redirectTimeout(seconds: Int(timeout.rounded(.up)))
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        guard let url = URL(string: target, relativeTo: redirectURI)?.absoluteURL else {
            throw OpenEnergyAuthError.invalidRedirect("the redirect request target is not a URL")
        }
        return url
    }

    public func close() async {
        try? await serverChannel.close()
    }
}

/// Hands the first callback request target from the event loop to the waiting task.
private final class RedirectMailbox: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<String, any Error>)
        case delivered(String)
        case taken
    }

    private let state = Mutex(State.empty)

    /// Returns false when a callback was already accepted.
    func deliver(_ target: String) -> Bool {
        let (accepted, waiter): (Bool, CheckedContinuation<String, any Error>?) = state.withLock { state in
            switch state {
            case .empty:
                state = .delivered(target)
                return (true, nil)
            case let .waiting(continuation):
                state = .taken
                return (true, continuation)
            case .delivered, .taken:
                return (false, nil)
            }
        }
        waiter?.resume(returning: target)
        return accepted
    }

    var hasDelivery: Bool {
        state.withLock { state in
            switch state {
            case .delivered, .taken: true
            case .empty, .waiting: false
            }
        }
    }

    func next() async throws -> String {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: String? = state.withLock { state in
                    if case let .delivered(target) = state {
                        state = .taken
                        return target
                    }
                    state = .waiting(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter: CheckedContinuation<String, any Error>? = state.withLock { state in
                guard case let .waiting(continuation) = state else { return nil }
                state = .empty
                return continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

private final class CallbackHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let callbackPath: String
    private let mailbox: RedirectMailbox
    private var target: String?
    private var method: HTTPMethod = .GET

    init(callbackPath: String, mailbox: RedirectMailbox) {
        self.callbackPath = callbackPath
        self.mailbox = mailbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            target = head.uri
            method = head.method
        case .body:
            break
        case .end:
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        guard let target, method == .GET, let components = URLComponents(string: target) else {
            return send(context: context, status: .methodNotAllowed, text: "Only the login redirect is served here.")
        }
        guard components.path == callbackPath else {
            return send(context: context, status: .notFound, text: "Not found.")
        }
        let names = Set((components.queryItems ?? []).map(\.name))
        guard !names.isDisjoint(with: ["code", "state", "error"]) else {
            return send(context: context, status: .badRequest, text: "This is not a login redirect.")
        }
        if mailbox.deliver(target) {
            send(context: context, status: .ok, text: "ckw2mqtt received the CKW login response. You can close this window; the terminal shows whether the login succeeded.")
        } else {
            send(context: context, status: .conflict, text: "A login response was already received; this one is ignored.")
        }
    }

    private func send(context: ChannelHandlerContext, status: HTTPResponseStatus, text: String) {
        let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>ckw2mqtt login</title></head>"
            + "<body><p>\(text)</p></body></html>"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
        headers.add(name: "Content-Length", value: String(html.utf8.count))
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Cache-Control", value: "no-store")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: html)))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}
