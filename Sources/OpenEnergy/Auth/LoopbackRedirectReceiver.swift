import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback redirect URI as registered with the identity provider: `http://127.0.0.1:8765/callback`, or
/// without a port, which Keycloak (RFC 8252 7.3) matches with any port.
public struct LoopbackRedirect: Sendable, Equatable {
    /// The host exactly as registered (`127.0.0.1`, `localhost`, `[::1]`): the redirect URI sent must match it.
    public let host: String
    /// `nil`: the registration has no port, so any port is accepted and an ephemeral one is used.
    public let port: Int?
    public let path: String

    public init(host: String = "127.0.0.1", port: Int? = nil, path: String = "/callback") {
        self.host = host
        self.port = port
        self.path = path.isEmpty ? "/callback" : path
    }

    /// `registered` as a loopback redirect; `nil` when it points elsewhere (then only the paste flow or the
    /// bridge's web page can receive the redirect).
    public init?(registered: URL) {
        guard registered.scheme?.lowercased() == "http", let host = registered.host, LoopbackHost.contains(host) else { return nil }
        let bare = host.hasPrefix("[") ? host : (host.contains(":") ? "[\(host)]" : host)
        self.init(host: bare, port: registered.port, path: registered.path)
    }

    /// The address to listen on: `localhost` resolves to 127.0.0.1 in a browser first.
    var bindAddress: String {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" ? "127.0.0.1" : bare
    }

    func uri(port boundPort: Int) -> URL? {
        URL(string: "http://\(host):\(boundPort)\(path)")
    }
}

/// A one-shot HTTP listener on a loopback address that receives the login redirect (RFC 8252 loopback redirect).
///
/// Bound to a loopback address only, so nothing off the machine can reach it. The first request to the
/// callback path that carries `code`, `state` or `error` for this login attempt is taken and answered with a
/// small page; a response with another `state` (an old tab, a forged link) gets an error page and the listener
/// keeps waiting; other requests (favicon, probes) get 404 or 400. The caller closes the listener when done.
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
        try await start(for: LoopbackRedirect(port: port == 0 ? nil : port, path: callbackPath))
    }

    /// Starts listening for `redirect` as registered: on its port, or on an ephemeral one when the
    /// registration has none. The redirect URI keeps the registered host name.
    public static func start(for redirect: LoopbackRedirect) async throws -> LoopbackRedirectReceiver {
        let mailbox = RedirectMailbox()
        let callbackPath = redirect.path
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(CallbackHandler(callbackPath: callbackPath, mailbox: mailbox))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: redirect.bindAddress, port: redirect.port ?? 0).get()
        } catch {
            if let port = redirect.port {
                throw OpenEnergyAuthError.invalidRedirect(
                    "cannot listen on \(redirect.bindAddress):\(port) for the registered redirect URI (\(error)); "
                        + "stop what uses that port, or register the redirect URI without a port")
            }
            throw error
        }
        guard let boundPort = channel.localAddress?.port, let uri = redirect.uri(port: boundPort) else {
            try? await channel.close()
            throw OpenEnergyAuthError.invalidRedirect("cannot determine the loopback listener's port")
        }
        return LoopbackRedirectReceiver(redirectURI: uri, serverChannel: channel, mailbox: mailbox)
    }

    /// From now on only a callback whose `state` is `state` is taken; others get an error page.
    public func accept(state: String) {
        mailbox.expect(state: state)
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
    private let expectedState = Mutex<String?>(nil)

    func expect(state: String) {
        expectedState.withLock { $0 = state }
    }

    /// False only when a state is expected and `received` is another one.
    func isCurrentAttempt(state received: String?) -> Bool {
        expectedState.withLock { expected in expected == nil || expected == received }
    }

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
        let receivedState = components.queryItems?.first { $0.name == "state" }?.value
        guard mailbox.isCurrentAttempt(state: receivedState) else {
            return send(
                context: context, status: .badRequest,
                text: "This login response does not belong to the login ckw2mqtt is waiting for (an older tab or a link from elsewhere), "
                    + "so it was ignored. Open the login address the terminal shows now and log in there.")
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
