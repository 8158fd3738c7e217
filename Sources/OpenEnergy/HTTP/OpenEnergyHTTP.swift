import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Creating the `HTTPClient` and running single HTTP exchanges with typed errors.
public enum OpenEnergyHTTP {
    /// An `HTTPClient` for the API and the identity provider: connect and read timeouts, TLS verification on
    /// (the default `TLSConfiguration.makeClientConfiguration()`), no redirects followed (an API or token
    /// endpoint that redirects is misconfigured). Whoever calls this shuts the client down.
    public static func makeHTTPClient(connectTimeout: TimeInterval = 10, readTimeout: TimeInterval = 30) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(
            connectTimeout: connectTimeout, readTimeout: readTimeout, tls: TLSConfiguration.makeClientConfiguration()))
    }

    /// The same with the trust settings of `tls` (a private CA, or verification off); throws when its
    /// CA file cannot be read.
    public static func makeHTTPClient(
        connectTimeout: TimeInterval = 10, readTimeout: TimeInterval = 30, tls: OpenEnergyTLS
    ) throws(OpenEnergyTLSError) -> HTTPClient {
        HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration(
            connectTimeout: connectTimeout, readTimeout: readTimeout, tls: try tls.clientConfiguration()))
    }

    private static func configuration(
        connectTimeout: TimeInterval, readTimeout: TimeInterval, tls: TLSConfiguration
    ) -> HTTPClient.Configuration {
        HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1_000)), read: .milliseconds(Int64(readTimeout * 1_000)))
        )
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
                throw OpenEnergyError.transport(endpoint: endpoint, reason: describe(error))
            }
        } catch let error as NIOTooManyBytesError {
            throw OpenEnergyError.transport(endpoint: endpoint, reason: "response body larger than \(error.maxBytes.map(String.init) ?? "allowed") bytes")
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as OpenEnergyError {
            throw error
        } catch {
            throw OpenEnergyError.transport(endpoint: endpoint, reason: describe(error))
        }
    }

    /// Starts the reason of a transport error whose cause is a server certificate that failed
    /// verification (callers add how to configure trust).
    public static let untrustedCertificateReason = "the server's TLS certificate is not trusted"

    /// A connection failure in words; BoringSSL's verification failure becomes a sentence instead of
    /// an error stack.
    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        guard text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") else { return text }
        return "\(untrustedCertificateReason) (certificate verify failed): it is not signed by a trusted CA, or not issued for this host"
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
