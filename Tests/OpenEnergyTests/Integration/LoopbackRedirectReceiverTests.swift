import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenEnergy
import Testing

@Suite("Loopback redirect listener")
struct LoopbackRedirectReceiverTests {
    func get(_ url: String, with client: HTTPClient) async throws -> (status: UInt, body: String) {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 16)))
    }

    @Test("listens on 127.0.0.1 only, takes the first callback, ignores everything else")
    func oneCallback() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let receiver = try await LoopbackRedirectReceiver.start()
        do {
            let uri = receiver.redirectURI
            #expect(uri.host == "127.0.0.1")
            #expect(uri.path == "/callback")
            let base = "http://127.0.0.1:\(uri.port!)"

            #expect(try await get(base + "/favicon.ico", with: client).status == 404)
            #expect(try await get(base + "/callback", with: client).status == 400)
            let first = try await get(base + "/callback?code=one&state=s", with: client)
            #expect(first.status == 200)
            #expect(first.body.contains("close this window"))
            #expect(try await get(base + "/callback?code=two&state=s", with: client).status == 409)

            let redirect = try await receiver.waitForRedirect(timeout: 5)
            #expect(redirect.absoluteString == base + "/callback?code=one&state=s")
        } catch {
            Issue.record(error)
        }
        await receiver.close()
        try await client.shutdown()
    }

    @Test("gives up after the timeout with a clear error")
    func timeout() async throws {
        let receiver = try await LoopbackRedirectReceiver.start()
        await #expect(throws: OpenEnergyAuthError.redirectTimeout(seconds: 1)) {
            try await receiver.waitForRedirect(timeout: 0.2)
        }
        await receiver.close()
    }

    @Test("a configured port is used")
    func configuredPort() async throws {
        // Find a free port by binding an ephemeral one, then reuse its number.
        let probe = try await LoopbackRedirectReceiver.start()
        let port = probe.redirectURI.port!
        await probe.close()
        let receiver = try await LoopbackRedirectReceiver.start(port: port, callbackPath: "/cb")
        #expect(receiver.redirectURI.absoluteString == "http://127.0.0.1:\(port)/cb")
        await receiver.close()
    }
}
