import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A CKW look-alike for tests that is not built from ckw2mqtt's types: every answer is the literal
/// status, headers and body text a test hands it, so what the client decodes is what a person wrote,
/// not what our encoder produces. Serves plain HTTP on 127.0.0.1 (an ephemeral port) and records
/// every request it receives.
public final class LiteralCKWServer: Sendable {
    public struct Request: Sendable, Equatable {
        public var method: String
        /// `/api/v2/customer/core`
        public var path: String
        /// The raw query, `start=2026-11-26&end=2026-11-27`, or `nil`.
        public var query: String?
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: String

        /// A query parameter's value, percent-decoded.
        public func queryValue(_ name: String) -> String? {
            URLComponents(string: "http://x/?" + (query ?? ""))?.queryItems?.first { $0.name == name }?.value
        }

        /// A form field of a POST body (`grant_type=refresh_token&...`), decoded.
        public func formValue(_ name: String) -> String? {
            URLComponents(string: "http://x/?" + body.replacingOccurrences(of: "+", with: "%20"))?.queryItems?.first { $0.name == name }?.value
        }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: String

        public init(status: Int = 200, headers: [(String, String)] = [], body: String) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static func json(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> Reply {
            Reply(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
        }
    }

    /// The requests received so far; shared with the handler.
    private final class RequestLog: Sendable {
        let requests = Mutex<[Request]>([])
    }

    public let port: Int
    private let recorded: RequestLog
    private let serviceGroup: ServiceGroup
    private let serverTask: Task<Void, any Error>

    /// `http://127.0.0.1:PORT`
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Every request so far, in order.
    public var requests: [Request] { recorded.requests.withLock { $0 } }

    private init(port: Int, recorded: RequestLog, serviceGroup: ServiceGroup, serverTask: Task<Void, any Error>) {
        self.port = port
        self.recorded = recorded
        self.serviceGroup = serviceGroup
        self.serverTask = serverTask
    }

    /// Starts the server; `reply` answers each request (it sees the requests before it, too).
    public static func start(reply: @escaping @Sendable (_ request: Request, _ earlier: [Request]) -> Reply) async throws -> LiteralCKWServer {
        let recorded = RequestLog()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            // HTTP/1.1's Host arrives as the `:authority` pseudo-header.
            if headers["host"] == nil, let authority = request.head.authority { headers["host"] = authority }
            let received = Request(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                headers: headers, body: String(buffer: body))
            let earlier = recorded.requests.withLock { list in
                defer { list.append(received) }
                return list
            }
            let answer = reply(received, earlier)
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
        }
        var logger = Logger(label: "literal-ckw")
        logger.logLevel = .error
        let (running, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(services: [application], logger: logger))
        let serverTask = Task {
            defer { continuation.finish() }
            try await serviceGroup.run()
        }
        var iterator = running.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await serverTask.value
            throw TestFailure("the literal CKW server did not start")
        }
        return LiteralCKWServer(port: port, recorded: recorded, serviceGroup: serviceGroup, serverTask: serverTask)
    }

    public func shutdown() async {
        await serviceGroup.triggerGracefulShutdown()
        _ = await serverTask.result
    }

    /// An OpenID discovery document for an issuer at `issuerPath` on this server, its token endpoint
    /// at `tokenPath`: literal JSON, as Keycloak writes it.
    public static func discoveryDocument(origin: String, issuerPath: String, tokenPath: String) -> String {
        """
            {"issuer":"\(origin)\(issuerPath)","authorization_endpoint":"\(origin)\(issuerPath)/protocol/openid-connect/auth",\
            "token_endpoint":"\(origin)\(tokenPath)","jwks_uri":"\(origin)\(issuerPath)/protocol/openid-connect/certs",\
            "code_challenge_methods_supported":["plain","S256"],"grant_types_supported":["authorization_code","refresh_token"]}
            """
    }
}
