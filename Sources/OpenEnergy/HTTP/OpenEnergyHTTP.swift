import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Creating the `HTTPClient` and running single HTTP exchanges with typed errors.
public enum OpenEnergyHTTP {
    /// An `HTTPClient` for the API and the identity provider: connect and read timeouts, TLS verification on
    /// (the default `TLSConfiguration.makeClientConfiguration()`), no redirects followed (an API or token
    /// endpoint that redirects is misconfigured). Whoever calls this shuts the client down.
    public static func makeHTTPClient(connectTimeout: TimeInterval = 10, readTimeout: TimeInterval = 30) -> HTTPClient {
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1_000)), read: .milliseconds(Int64(readTimeout * 1_000)))
        )
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A response with its whole body.
    struct Response: Sendable {
        var statusCode: Int
        var headers: HTTPHeaders
        var body: Data
    }

    /// Sends `request` and collects the body; maps timeouts and connection failures to `OpenEnergyError`.
    static func send(
        _ request: HTTPClientRequest,
        with httpClient: HTTPClient,
        endpoint: String,
        timeout: TimeInterval,
        maximumBodySize: Int
    ) async throws -> Response {
        do {
            let response = try await httpClient.execute(request, timeout: .milliseconds(Int64(timeout * 1_000)))
            let buffer = try await response.body.collect(upTo: maximumBodySize)
            return Response(statusCode: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
        } catch let error as HTTPClientError {
            switch error {
            case .connectTimeout, .readTimeout, .deadlineExceeded, .writeTimeout:
                throw OpenEnergyError.timeout(endpoint: endpoint)
            default:
                throw OpenEnergyError.transport(endpoint: endpoint, reason: String(describing: error))
            }
        } catch let error as NIOTooManyBytesError {
            throw OpenEnergyError.transport(endpoint: endpoint, reason: "response body larger than \(error.maxBytes.map(String.init) ?? "allowed") bytes")
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as OpenEnergyError {
            throw error
        } catch {
            throw OpenEnergyError.transport(endpoint: endpoint, reason: String(describing: error))
        }
    }

    /// Whether a failed exchange is worth retrying: timeouts and broken connections are.
    static func isRetryable(_ error: any Error) -> Bool {
        switch error as? OpenEnergyError {
        case .timeout, .transport: true
        default: false
        }
    }

    static func headerPairs(_ headers: HTTPHeaders) -> [(name: String, value: String)] {
        headers.map { (name: $0.name, value: $0.value) }
    }
}
