import Crypto
import CryptoExtras
import Foundation
import JWTKit

/// The realm's RS256 key pair (generated at start, like a fresh Keycloak realm) and its JWKS document.
struct SigningKey: Sendable {
    let keyID: String
    let keys: JWTKeyCollection
    /// `{"keys":[{"kid":…,"kty":"RSA","alg":"RS256","use":"sig","n":…,"e":…}]}`
    let jwksJSON: String

    /// The process's realm key: generated at the first start and kept, as a Keycloak realm keeps its key
    /// across restarts. Generating a 2048-bit RSA key takes a noticeable fraction of a second, which
    /// tests that start dozens of simulators in parallel should not pay each time.
    static func shared() async throws -> SigningKey {
        try await sharedKey.value
    }

    private static let sharedKey = Task { try await generate() }

    static func generate() async throws -> SigningKey {
        let privateKey = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        let (modulus, exponent) = try privateKey.publicKey.getKeyPrimitives()
        // Keycloak's kids are opaque strings; a hash of the modulus is stable for the key and unique enough.
        let kid = String(Data(SHA256.hash(data: modulus)).base64URLEncoded.prefix(22))
        let keys = JWTKeyCollection()
        await keys.add(rsa: privateKey, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        let document = JWKSDocument(keys: [
            .init(kid: kid, kty: "RSA", alg: "RS256", use: "sig", n: modulus.base64URLEncoded, e: exponent.base64URLEncoded)
        ])
        let json = String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
        return SigningKey(keyID: kid, keys: keys, jwksJSON: json)
    }

    func sign(_ payload: some JWTPayload) async throws -> String {
        try await keys.sign(payload, kid: JWKIdentifier(string: keyID))
    }

    private struct JWKSDocument: Encodable {
        struct Key: Encodable {
            var kid: String
            var kty: String
            var alg: String
            var use: String
            var n: String
            var e: String
        }
        var keys: [Key]
    }
}

extension Data {
    /// Base64url without padding (RFC 7515).
    var base64URLEncoded: String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: some StringProtocol) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
