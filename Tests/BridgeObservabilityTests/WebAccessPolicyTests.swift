import BridgeObservability
import Foundation
import Testing

@Suite("Who may log in, log out and fetch on the web page")
struct WebAccessPolicyTests {
    private static let ownerCredential = WebAccessPolicy.Credential(username: "owner", password: "correct horse")
    private let open = WebAccessPolicy(ingressProxy: "172.30.32.2", credential: nil)
    private let guarded = WebAccessPolicy(ingressProxy: "172.30.32.2", credential: WebAccessPolicyTests.ownerCredential)

    private static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test("loopback clients may act, over IPv4, IPv6 and IPv4-mapped IPv6", arguments: [
        "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1",
    ])
    func loopback(address: String) {
        #expect(open.decide(clientAddress: address, authorization: nil, host: nil) == .allowed)
    }

    @Test("Home Assistant's ingress proxy may act; other addresses may not", arguments: [
        ("172.30.32.2", true), ("::ffff:172.30.32.2", true), ("172.30.32.1", false), ("172.30.33.2", false),
        ("192.168.1.20", false), ("10.0.0.1", false), ("fe80::1", false), ("0.0.0.0", false),
    ])
    func ingressProxy(address: String, allowed: Bool) {
        #expect(open.decide(clientAddress: address, authorization: nil, host: nil) == (allowed ? .allowed : .forbidden))
    }

    @Test("a loopback client must call the page by a loopback name (no DNS rebinding)", arguments: [
        ("127.0.0.1:9465", true), ("localhost:9465", true), ("LOCALHOST", true), ("[::1]:9465", true), ("127.0.0.1", true),
        ("app.localhost:9465", true), ("attacker.example:9465", false), ("attacker.example", false),
        ("127.0.0.1.attacker.example", false), ("[fe80::1]:9465", false), ("192.168.1.20:9465", false),
    ])
    func loopbackHost(host: String, allowed: Bool) {
        #expect(open.decide(clientAddress: "127.0.0.1", authorization: nil, host: host) == (allowed ? .allowed : .forbidden))
        // The ingress proxy's requests carry the add-on's name: it is trusted by its address alone.
        #expect(open.decide(clientAddress: "172.30.32.2", authorization: nil, host: host) == .allowed)
    }

    @Test("the ingress proxy can be another address, or none")
    func configuredProxy() {
        let other = WebAccessPolicy(ingressProxy: "10.200.0.2", credential: nil)
        #expect(other.decide(clientAddress: "10.200.0.2", authorization: nil, host: nil) == .allowed)
        #expect(other.decide(clientAddress: "172.30.32.2", authorization: nil, host: nil) == .forbidden)
        let none = WebAccessPolicy(ingressProxy: nil, credential: nil)
        #expect(none.decide(clientAddress: "172.30.32.2", authorization: nil, host: nil) == .forbidden)
        #expect(none.decide(clientAddress: "127.0.0.1", authorization: nil, host: nil) == .allowed)
    }

    @Test("an unknown peer is never trusted")
    func unknownPeer() {
        #expect(open.decide(clientAddress: nil, authorization: nil, host: nil) == .forbidden)
        #expect(guarded.decide(clientAddress: nil, authorization: Self.basic("owner", "correct horse"), host: nil) == .allowed)
    }

    @Test("with a password, other clients must present exactly it", arguments: [
        (basic("owner", "correct horse"), true),
        ("basic " + Data("owner:correct horse".utf8).base64EncodedString(), true),
        (basic("owner", "correct horse "), false),
        (basic("owner", "wrong"), false),
        (basic("other", "correct horse"), false),
        (basic("owner", ""), false),
        ("Bearer correct horse", false),
        ("Basic not-base64!", false),
        ("Basic " + Data("no colon".utf8).base64EncodedString(), false),
        ("", false),
    ])
    func credential(authorization: String, allowed: Bool) {
        let decision = guarded.decide(clientAddress: "192.168.1.20", authorization: authorization, host: nil)
        #expect(decision == (allowed ? .allowed : .credentialRequired))
    }

    @Test("without a password configured, presenting one does not help")
    func noConfiguredCredential() {
        #expect(open.decide(clientAddress: "192.168.1.20", authorization: Self.basic("owner", "correct horse"), host: nil) == .forbidden)
    }

    @Test("the refusals say how to allow it")
    func explanations() {
        #expect(WebAccessPolicy.forbiddenExplanation.contains("http.auth.password_file"))
        #expect(WebAccessPolicy.forbiddenExplanation.contains("ingress"))
        #expect(WebAccessPolicy.credentialExplanation.contains("http.auth"))
    }
}

@Suite("The page's CSRF token and ingress path")
struct WebPageTokenTests {
    @Test("only the exact token is accepted")
    func csrf() {
        let token = CSRFToken()
        #expect(token.value.count >= 43)
        #expect(token.accepts(token.value))
        #expect(!token.accepts(nil))
        #expect(!token.accepts(""))
        #expect(!token.accepts(String(token.value.dropLast())))
        #expect(!token.accepts(token.value + "x"))
        #expect(!token.accepts(CSRFToken().value))
    }

    @Test("X-Ingress-Path becomes the page's base; anything but a plain path is ignored", arguments: [
        ("/api/hassio_ingress/abc-DEF_123", "/api/hassio_ingress/abc-DEF_123/"),
        ("/api/hassio_ingress/abc/", "/api/hassio_ingress/abc/"),
        ("/", "/"),
        (nil, nil),
        ("", nil),
        ("api/hassio_ingress/abc", nil),
        ("//evil.example/x", nil),
        ("https://evil.example/", nil),
        ("/a\"><script>alert(1)</script>", nil),
        ("/a b", nil),
    ] as [(String?, String?)])
    func ingressPath(header: String?, base: String?) {
        #expect(IngressPath.baseHref(header) == base)
    }
}
