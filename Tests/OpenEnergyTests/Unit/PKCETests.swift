import Foundation
import Testing

@testable import OpenEnergy

@Suite("PKCE")
struct PKCETests {
    /// RFC 7636 Appendix B.
    @Test("the RFC 7636 example verifier gives the RFC's challenge")
    func rfcVector() throws {
        let octets: [UInt8] = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186,
                               22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121]
        let verifier = Base64URL.encode(octets)
        #expect(verifier == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        let pkce = try #require(PKCE(codeVerifier: verifier))
        #expect(pkce.codeChallenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(pkce.codeChallengeMethod == "S256")
    }

    @Test("fresh verifiers are valid, 43 characters and different each time")
    func freshVerifiers() {
        let verifiers = (0..<50).map { _ in PKCE().codeVerifier }
        #expect(verifiers.allSatisfy { $0.count == 43 && PKCE.isValidVerifier($0) })
        #expect(Set(verifiers).count == verifiers.count)
    }

    @Test("verifiers outside the RFC's length or alphabet are refused", arguments: [
        String(repeating: "a", count: 42), String(repeating: "a", count: 129), String(repeating: "a", count: 42) + "+",
    ])
    func invalidVerifiers(verifier: String) {
        #expect(PKCE(codeVerifier: verifier) == nil)
    }

    @Test("the description does not reveal the verifier")
    func descriptionHidesVerifier() {
        let pkce = PKCE()
        #expect(!pkce.description.contains(pkce.codeVerifier))
    }
}
