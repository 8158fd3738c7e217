import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may change the bridge from the web page (log in, log out, fetch): clients on this machine,
/// Home Assistant's ingress proxy (which has authenticated the user already, as Home Assistant's
/// add-on documentation says), and clients presenting the configured password (`http.auth`).
public struct WebAccessPolicy: Sendable {
    public struct Credential: Sendable {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        /// A password is configured but was not presented (or was wrong): 401, so the browser asks.
        case credentialRequired
        /// Nothing would allow this client: 403 with a sentence saying how to allow it.
        case forbidden
    }

    /// `nil` trusts no proxy.
    public let ingressProxy: String?
    public let credential: Credential?

    public init(ingressProxy: String?, credential: Credential?) {
        self.ingressProxy = ingressProxy
        self.credential = credential
    }

    /// `clientAddress` is the peer's IP address as the socket reports it; `authorization` the
    /// request's `Authorization` header; `host` its `Host` (authority).
    ///
    /// A loopback client is trusted only while it calls the page by a loopback name: a web site whose
    /// name an attacker points at 127.0.0.1 (DNS rebinding) would otherwise be "this machine" too.
    public func decide(clientAddress: String?, authorization: String?, host: String?) -> Decision {
        if let clientAddress {
            let address = Self.unmapped(clientAddress)
            if Self.isLoopback(address), host.map(Self.isLoopbackAuthority) ?? true { return .allowed }
            if let ingressProxy, Self.sameAddress(address, Self.unmapped(ingressProxy)) { return .allowed }
        }
        guard let credential else { return .forbidden }
        return presents(credential, in: authorization) ? .allowed : .credentialRequired
    }

    /// `localhost`, `127.0.0.1:9465`, `[::1]:9465`: names that cannot be another site's.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = authority.lowercased()
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return false }
            host = String(host[host.index(after: host.startIndex)..<end])
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        if host.hasSuffix(".") { host.removeLast() }
        return host == "localhost" || host.hasSuffix(".localhost") || isLoopback(unmapped(host))
    }

    public static let forbiddenExplanation = """
        Logging in, logging out and fetching are allowed only from the machine the bridge runs on \
        (opened as http://127.0.0.1 or http://localhost), through Home Assistant's ingress, or with \
        a password. To allow this browser, set \
        `http.auth.username` and `http.auth.password_file` in the bridge's configuration, restart it, \
        and reload this page.
        """

    public static let credentialExplanation = """
        Logging in, logging out and fetching need the user name and password of `http.auth` in the \
        bridge's configuration. Reload this page and enter them when the browser asks.
        """

    // MARK: Addresses

    /// `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket) is `127.0.0.1`.
    static func unmapped(_ address: String) -> String {
        let lowered = address.lowercased()
        if lowered.hasPrefix("::ffff:"), lowered.dropFirst(7).contains(".") { return String(lowered.dropFirst(7)) }
        return lowered
    }

    static func isLoopback(_ address: String) -> Bool {
        if address == "::1" { return true }
        var v4 = in_addr()
        guard inet_pton(AF_INET, address, &v4) == 1 else { return false }
        // 127.0.0.0/8, in network byte order.
        return UInt32(bigEndian: v4.s_addr) >> 24 == 127
    }

    /// Compared as binary addresses, so that `::1` and `0:0::1` are one.
    static func sameAddress(_ a: String, _ b: String) -> Bool {
        guard let left = binary(a), let right = binary(b) else { return false }
        return left == right
    }

    private static func binary(_ address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    // MARK: Basic auth

    private func presents(_ credential: Credential, in authorization: String?) -> Bool {
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return false }
        let username = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        // Both compared, always, in constant time: the answer tells nothing about which was wrong.
        let userMatches = Self.constantTimeEqual(username, credential.username)
        let passwordMatches = Self.constantTimeEqual(password, credential.password)
        return userMatches && passwordMatches
    }

    /// Compares digests, so neither the content nor the length shows in the time taken.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = SHA256.hash(data: Data(a.utf8))
        let right = SHA256.hash(data: Data(b.utf8))
        var difference: UInt8 = 0
        for (x, y) in zip(left, right) { difference |= x ^ y }
        return difference == 0
    }
}
