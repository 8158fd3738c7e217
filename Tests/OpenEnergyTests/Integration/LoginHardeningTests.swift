import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OpenEnergy
import OpenEnergySimulator
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of the login flow an attacker on the same machine or network would try: replaying an
/// authorization code, reaching the loopback listener from outside, or talking to it after the login.
@Suite("Login flow hardening")
struct LoginHardeningTests {
    @Test("a replayed authorization code is refused without the code in the error")
    func replayedCode() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let login = OIDCLogin(client: harness.clientConfiguration, httpClient: harness.httpClient)
            let pending = try await login.start(redirectURI: URL(string: "http://127.0.0.1:9/callback")!)
            // The provider approves at once; its redirect carries the code.
            let response = try await harness.makeBrowserClient().execute(HTTPClientRequest(url: pending.loginURL.absoluteString), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            let location = try #require(response.headers.first(name: "Location"))
            let redirect = try #require(URL(string: location))
            let code = try #require(URLComponents(url: redirect, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "code" }?.value)

            _ = try await login.finish(pending, redirect: redirect)
            do {
                _ = try await login.finish(pending, redirect: redirect)
                Issue.record("the same code was accepted twice")
            } catch let error as OpenEnergyAuthError {
                guard case let .tokenEndpointError(_, errorCode, _) = error else {
                    Issue.record("expected the token endpoint's refusal, got \(error)")
                    return
                }
                #expect(errorCode == "invalid_grant")
                #expect(!"\(error)".contains(code))
            }
        }
    }

    @Test("the loopback listener cannot be reached on any other address of the machine")
    func loopbackOnly() async throws {
        let receiver = try await LoopbackRedirectReceiver.start()
        let port = try #require(receiver.redirectURI.port)
        #expect(TCPProbe.accepts(host: "127.0.0.1", port: port))
        // 127.0.0.2 always exists (all of 127.0.0.0/8 is this machine's loopback): a listener bound to
        // every address answers there, so this check can fail even on a machine with no other interface.
        #expect(try Self.listenerOnEveryAddressAnswers(at: "127.0.0.2"), "127.0.0.2 is not reachable here")
        let others = ["127.0.0.2"] + TCPProbe.nonLoopbackAddresses()
        for address in others {
            #expect(!TCPProbe.accepts(host: address, port: port), "the listener answers on \(address)")
        }
        #expect(!TCPProbe.accepts(host: "::1", port: port), "the listener answers on ::1")
        await receiver.close()
    }

    /// Whether a listener bound to every address (0.0.0.0) is reached at `host`.
    static func listenerOnEveryAddressAnswers(at host: String) throws -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = INADDR_ANY
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 1) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ready else { throw POSIXError(.EADDRNOTAVAIL) }
        return TCPProbe.accepts(host: host, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("after the one callback the listener is closed")
    func closedAfterLogin() async throws {
        try await withSimulator({ $0.autoApprove = true }) { harness in
            let browser = harness.browser()
            let redirectPort = Mutex<Int?>(nil)
            let login = OIDCLogin(client: harness.clientConfiguration, httpClient: harness.httpClient)
            _ = try await login.loginWithLoopback(timeout: 10) { url in
                let redirectURI = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "redirect_uri" }?.value
                redirectPort.withLock { $0 = redirectURI.flatMap(URL.init(string:))?.port }
                Task { try? await browser.open(url) }
            }
            let port = try #require(redirectPort.withLock { $0 })
            #expect(!TCPProbe.accepts(host: "127.0.0.1", port: port), "the listener still accepts connections after the login")
        }
    }
}

/// Plain TCP connects, to see who listens where.
enum TCPProbe {
    /// Whether a TCP connection to `host:port` is accepted (refused or unreachable: `false`).
    static func accepts(host: String, port: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let info = result else { return false }
        defer { freeaddrinfo(result) }
        let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0
    }

    /// Every IPv4 and IPv6 address of this machine's interfaces other than loopback (link-local
    /// IPv6 left out: it needs a scope to connect to).
    static func nonLoopbackAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("127.") || text == "::1" || text.lowercased().hasPrefix("fe80") { continue }
            addresses.append(text)
        }
        return addresses
    }
}
