import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636) with the S256 method.
public struct PKCE: Sendable, Equatable, CustomStringConvertible {
    /// The secret sent only to the token endpoint.
    public let codeVerifier: String
    /// `BASE64URL(SHA256(ASCII(code_verifier)))`, sent in the login URL.
    public let codeChallenge: String
    public let codeChallengeMethod = "S256"

    /// A fresh verifier from 32 random bytes (43 characters, 256 bits of entropy).
    public init() {
        self.init(uncheckedVerifier: Base64URL.randomString(byteCount: 32))
    }

    /// A given verifier, which must be 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 section 4.1).
    public init?(codeVerifier: String) {
        guard PKCE.isValidVerifier(codeVerifier) else { return nil }
        self.init(uncheckedVerifier: codeVerifier)
    }

    private init(uncheckedVerifier verifier: String) {
        codeVerifier = verifier
        codeChallenge = Base64URL.encode(SHA256.hash(data: Data(verifier.utf8)))
    }

    public static func isValidVerifier(_ verifier: String) -> Bool {
        (43...128).contains(verifier.utf8.count) && verifier.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                true
            default:
                false
            }
        }
    }

    public var description: String { "PKCE(S256, challenge: \(codeChallenge))" }
}
