import Foundation
import Logging
import NIOWebSocket
import WSClient

/// One authenticated connection to Home Assistant's websocket API: sends commands, matches each
/// answer to its command by id, and fails every waiting command when the connection ends.
///
/// ```swift
/// let connection = try await HomeAssistantWebSocket.connect(to: endpoint, accessToken: token, logger: logger)
/// defer { Task { await connection.close() } }
/// let info: RecorderInfo = try await connection.request(["type": "recorder/info"], type: "recorder/info")
/// ```
public actor HomeAssistantWebSocket {
    public struct Configuration: Sendable {
        /// How long connecting and authenticating may take.
        public var handshakeTimeout: Duration
        /// How long a command may take; reading a year of statistics from a slow disk takes seconds.
        public var commandTimeout: Duration
        /// The largest message accepted in either direction (Home Assistant's own limit is 4 MiB).
        public var maximumMessageSize: Int

        public init(handshakeTimeout: Duration = .seconds(30), commandTimeout: Duration = .seconds(120), maximumMessageSize: Int = 16 << 20) {
            self.handshakeTimeout = handshakeTimeout
            self.commandTimeout = commandTimeout
            self.maximumMessageSize = maximumMessageSize
        }
    }

    public nonisolated let endpoint: HomeAssistantEndpoint
    private let configuration: Configuration
    private let logger: Logger
    /// Texts to send, written by the connection's handler in order.
    private nonisolated let outgoing: AsyncStream<String>
    private nonisolated let outgoingContinuation: AsyncStream<String>.Continuation

    private enum State {
        case connecting(CheckedContinuation<Void, any Error>?)
        case open
        case closed(HomeAssistantConnectionError)
    }

    private var state: State = .connecting(nil)
    /// The version Home Assistant announced (`2025.4.4`).
    public private(set) var homeAssistantVersion: String?
    private var nextID = 1
    private var pending: [Int: PendingCommand] = [:]
    private var runTask: Task<Void, Never>?
    private var handshakeTimer: Task<Void, Never>?

    private struct PendingCommand {
        var type: String
        var continuation: CheckedContinuation<Data, any Error>
        var timeout: Task<Void, Never>
    }

    private init(endpoint: HomeAssistantEndpoint, configuration: Configuration, logger: Logger) {
        self.endpoint = endpoint
        self.configuration = configuration
        self.logger = logger
        (outgoing, outgoingContinuation) = AsyncStream<String>.makeStream()
    }

    /// Connects and authenticates with a (long-lived) access token.
    public static func connect(
        to endpoint: HomeAssistantEndpoint,
        accessToken: String,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "ckw2mqtt.homeassistant")
    ) async throws(HomeAssistantConnectionError) -> HomeAssistantWebSocket {
        let connection = HomeAssistantWebSocket(endpoint: endpoint, configuration: configuration, logger: logger)
        try await connection.open(accessToken: accessToken)
        return connection
    }

    // MARK: Commands

    /// Sends a command and decodes its `result`.
    public func request<Result: Decodable & Sendable>(
        _ command: some Encodable & Sendable, type: String, as _: Result.Type = Result.self
    ) async throws(HomeAssistantConnectionError) -> Result {
        let data = try await exchange(command, type: type)
        do {
            return try JSONDecoder().decode(WebSocketMessages.ResultBody<Result>.self, from: data).result
        } catch {
            throw .unexpectedResponse(command: type, reason: "\(error)")
        }
    }

    /// Sends a command whose result does not matter (only that it succeeded).
    public func send(_ command: some Encodable & Sendable, type: String) async throws(HomeAssistantConnectionError) {
        _ = try await exchange(command, type: type)
    }

    /// Closes the connection; commands still waiting fail with `connectionClosed`.
    public func close() async {
        outgoingContinuation.finish()
        await runTask?.value
    }

    private func exchange(_ command: some Encodable & Sendable, type: String) async throws(HomeAssistantConnectionError) -> Data {
        switch state {
        case .closed(let error): throw error
        case .connecting: throw .connectionClosed(endpoint, reason: "not connected")
        case .open: break
        }
        let id = nextID
        nextID += 1
        let text: String
        do {
            text = try WebSocketMessages.encode(WebSocketMessages.Identified(id: id, command: command))
        } catch {
            throw .unexpectedResponse(command: type, reason: "cannot encode the command: \(error)")
        }
        let data: Data
        do {
            data = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
                    let limit = configuration.commandTimeout
                    let timeout = Task { [weak self] in
                        guard (try? await Task.sleep(for: limit)) != nil else { return }
                        await self?.finishCommand(id, with: .failure(HomeAssistantConnectionError.timedOut(command: type, after: limit)))
                    }
                    pending[id] = PendingCommand(type: type, continuation: continuation, timeout: timeout)
                    outgoingContinuation.yield(text)
                }
            } onCancel: {
                Task { await self.finishCommand(id, with: .failure(CancellationError())) }
            }
        } catch let error as HomeAssistantConnectionError {
            throw error
        } catch {
            throw .connectionClosed(endpoint, reason: "cancelled")
        }

        let envelope: WebSocketMessages.Envelope
        do {
            envelope = try JSONDecoder().decode(WebSocketMessages.Envelope.self, from: data)
        } catch {
            throw .unexpectedResponse(command: type, reason: "\(error)")
        }
        guard envelope.success == true else {
            let code = envelope.error?.code ?? "unknown_error"
            let message = envelope.error?.message ?? "no message"
            switch code {
            case "unauthorized": throw .notAdministrator(endpoint, command: type)
            default: throw .commandFailed(command: type, code: code, message: message)
            }
        }
        return data
    }

    private func finishCommand(_ id: Int, with result: Result<Data, any Error>) {
        guard let command = pending.removeValue(forKey: id) else { return }
        command.timeout.cancel()
        command.continuation.resume(with: result)
    }

    // MARK: Connection

    private func open(accessToken: String) async throws(HomeAssistantConnectionError) {
        let limit = configuration.handshakeTimeout
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state = .connecting(continuation)
                runTask = Task { await self.run(accessToken: accessToken) }
                handshakeTimer = Task { [weak self] in
                    guard (try? await Task.sleep(for: limit)) != nil else { return }
                    await self?.handshakeTimedOut(after: limit)
                }
            }
        } catch let error as HomeAssistantConnectionError {
            await close()
            throw error
        } catch {
            await close()
            throw .unreachable(endpoint, reason: "\(error)")
        }
    }

    private func handshakeTimedOut(after limit: Duration) {
        guard case .connecting = state else { return }
        finishHandshake(.failure(HomeAssistantConnectionError.unreachable(endpoint, reason: "no answer within \(limit)")))
        outgoingContinuation.finish()
        runTask?.cancel()
    }

    private func finishHandshake(_ result: Result<String?, HomeAssistantConnectionError>) {
        guard case .connecting(let continuation) = state else { return }
        handshakeTimer?.cancel()
        switch result {
        case .success(let version):
            state = .open
            homeAssistantVersion = version
            logger.debug("connected to Home Assistant", metadata: ["url": "\(endpoint)", "version": "\(version ?? "unknown")"])
            continuation?.resume()
        case .failure(let error):
            state = .closed(error)
            continuation?.resume(throwing: error)
        }
    }

    /// The end of the connection, for whatever reason: everything still waiting fails.
    private func connectionEnded(_ error: (any Error)?) {
        let failure: HomeAssistantConnectionError
        switch state {
        case .connecting:
            failure = Self.classify(error, endpoint: endpoint)
            finishHandshake(.failure(failure))
        case .open:
            failure = .connectionClosed(endpoint, reason: error.map { "\($0)" } ?? "closed")
            state = .closed(failure)
        case .closed(let previous):
            failure = previous
        }
        outgoingContinuation.finish()
        for id in pending.keys.sorted() { finishCommand(id, with: .failure(failure)) }
    }

    private func received(_ data: Data) {
        guard let envelope = try? JSONDecoder().decode(WebSocketMessages.Envelope.self, from: data) else {
            logger.debug("ignoring a websocket message that is not a JSON object")
            return
        }
        guard envelope.type == "result", let id = envelope.id else { return }
        finishCommand(id, with: .success(data))
    }

    // MARK: The socket (runs in the websocket client's handler)

    private nonisolated func run(accessToken: String) async {
        let maximum = configuration.maximumMessageSize
        let client = WebSocketClient(
            url: endpoint.webSocketURL, configuration: WebSocketClientConfiguration(maxFrameSize: maximum), logger: logger
        ) { inbound, outbound, _ in
            try await self.session(inbound: inbound, outbound: outbound, accessToken: accessToken, maximumMessageSize: maximum)
        }
        do {
            try await client.run()
            await connectionEnded(nil)
        } catch {
            await connectionEnded(error)
        }
    }

    private nonisolated func session(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, accessToken: String, maximumMessageSize: Int
    ) async throws {
        var messages = inbound.messages(maxSize: maximumMessageSize).makeAsyncIterator()

        // auth_required -> auth -> auth_ok | auth_invalid
        let greeting = try await Self.nextEnvelope(&messages)
        guard greeting?.type == "auth_required" else {
            await finishHandshake(.failure(.notHomeAssistant(endpoint, reason: "it did not ask for authentication")))
            return
        }
        try await outbound.write(.text(WebSocketMessages.encode(WebSocketMessages.Authentication(accessToken: accessToken))))
        let answer = try await Self.nextEnvelope(&messages)
        switch answer?.type {
        case "auth_ok":
            await finishHandshake(.success(answer?.haVersion ?? greeting?.haVersion))
        case "auth_invalid":
            await finishHandshake(.failure(.authenticationFailed(endpoint, message: answer?.message ?? "auth_invalid")))
            return
        default:
            await finishHandshake(.failure(.notHomeAssistant(endpoint, reason: "unexpected answer `\(answer?.type ?? "none")` to auth")))
            return
        }

        let outgoing = self.outgoing
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in outgoing { try await outbound.write(.text(text)) }
                try await outbound.close(.normalClosure, reason: nil)
            }
            while let message = try await messages.next() {
                if case .text(let text) = message { await self.received(Data(text.utf8)) }
            }
            group.cancelAll()
        }
    }

    private static func nextEnvelope(_ messages: inout WebSocketInboundMessageStream.AsyncIterator) async throws -> WebSocketMessages.Envelope? {
        guard let message = try await messages.next() else { return nil }
        guard case .text(let text) = message else { return nil }
        return try? JSONDecoder().decode(WebSocketMessages.Envelope.self, from: Data(text.utf8))
    }

    /// Errors before authentication: either nothing answered, or something that is not Home Assistant.
    private static func classify(_ error: (any Error)?, endpoint: HomeAssistantEndpoint) -> HomeAssistantConnectionError {
        guard let error else { return .notHomeAssistant(endpoint, reason: "it closed the connection") }
        if let error = error as? HomeAssistantConnectionError { return error }
        if let error = error as? WebSocketClientError {
            return error == .webSocketUpgradeFailed
                ? .notHomeAssistant(endpoint, reason: "no websocket at \(endpoint.webSocketURL)")
                : .notHomeAssistant(endpoint, reason: error.description)
        }
        return .unreachable(endpoint, reason: "\(error)")
    }
}
