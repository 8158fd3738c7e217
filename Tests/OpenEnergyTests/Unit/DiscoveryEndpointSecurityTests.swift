import Foundation
@testable import OpenEnergy
import Testing

/// Discovery documents as an identity provider sends them (literal JSON): every endpoint a login or a
/// logout uses must be https unless the issuer itself is on this machine.
@Suite("Discovery endpoint security")
struct DiscoveryEndpointSecurityTests {
    static func document(tokenEndpoint: String, endSession: String = "https://idp.example.ch/auth/realms/CKW/protocol/openid-connect/logout") throws -> OIDCProviderMetadata {
        let json = """
            {"issuer":"https://idp.example.ch/auth/realms/CKW",
             "authorization_endpoint":"https://idp.example.ch/auth/realms/CKW/protocol/openid-connect/auth",
             "token_endpoint":"\(tokenEndpoint)",
             "jwks_uri":"https://idp.example.ch/auth/realms/CKW/protocol/openid-connect/certs",
             "end_session_endpoint":"\(endSession)",
             "code_challenge_methods_supported":["plain","S256"]}
            """
        return try JSONDecoder().decode(OIDCProviderMetadata.self, from: Data(json.utf8))
    }

    let remoteIssuer = OIDCIssuer(URL(string: "https://idp.example.ch/auth/realms/CKW")!)

    @Test("all https: accepted, and the end-session endpoint is read")
    func allHTTPS() throws {
        let metadata = try Self.document(tokenEndpoint: "https://idp.example.ch/auth/realms/CKW/protocol/openid-connect/token")
        #expect(metadata.insecureEndpoint(forIssuer: remoteIssuer) == nil)
        #expect(metadata.endSessionEndpoint?.absoluteString == "https://idp.example.ch/auth/realms/CKW/protocol/openid-connect/logout")
    }

    @Test("a plain http token endpoint of a remote issuer is named")
    func plainTokenEndpoint() throws {
        let metadata = try Self.document(tokenEndpoint: "http://idp.example.ch/auth/realms/CKW/protocol/openid-connect/token")
        let insecure = try #require(metadata.insecureEndpoint(forIssuer: remoteIssuer))
        #expect(insecure.name == "token_endpoint")
    }

    @Test("a plain http end-session endpoint of a remote issuer is named")
    func plainEndSession() throws {
        let metadata = try Self.document(
            tokenEndpoint: "https://idp.example.ch/auth/realms/CKW/protocol/openid-connect/token",
            endSession: "http://idp.example.ch/auth/realms/CKW/protocol/openid-connect/logout")
        #expect(metadata.insecureEndpoint(forIssuer: remoteIssuer)?.name == "end_session_endpoint")
    }

    @Test("plain http is fine when the issuer is on loopback", arguments: ["http://127.0.0.1:8080/auth/realms/CKW", "http://localhost:8080/auth/realms/CKW", "http://[::1]:8080/auth/realms/CKW"])
    func loopbackIssuer(issuer: String) throws {
        let metadata = try Self.document(tokenEndpoint: "http://127.0.0.1:8080/auth/realms/CKW/protocol/openid-connect/token")
        #expect(metadata.insecureEndpoint(forIssuer: OIDCIssuer(URL(string: issuer)!)) == nil)
    }

    @Test("loopback hosts", arguments: [("127.0.0.1", true), ("127.8.9.10", true), ("localhost", true), ("[::1]", true), ("::1", true),
                                        ("127.example.org", false), ("10.0.0.1", false), ("idp.ckw.ch", false)])
    func loopbackHosts(host: String, loopback: Bool) {
        #expect(LoopbackHost.contains(host) == loopback)
    }
}
