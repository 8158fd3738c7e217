import AsyncHTTPClient
import Foundation
import JWTKit
import NIOHTTP1
import Timestamps

/// Checks an ID token: signature against the issuer's JWKS, then `iss`, `aud`/`azp`, `nonce` and `exp`.
public actor IDTokenVerifier {
    private let issuer: OIDCIssuer
    private let clientID: String
    private let jwksURI: URL
    private let httpClient: HTTPClient
    private let clock: any OpenEnergyClock
    /// Tolerated clock difference to the identity provider.
    private let leeway: TimeInterval
    private var keys: JWTKeyCollection?

    public init(issuer: OIDCIssuer, clientID: String, jwksURI: URL, httpClient: HTTPClient, clock: any OpenEnergyClock = SystemClock(), leeway: TimeInterval = 120) {
        self.issuer = issuer
        self.clientID = clientID
        self.jwksURI = jwksURI
        self.httpClient = httpClient
        self.clock = clock
        self.leeway = leeway
    }

    public func verify(_ idToken: String, expectedNonce: String) async throws -> IDTokenClaims {
        let claims = try await verifiedSignature(idToken)
        guard issuer.matches(claims.iss.value) else {
            throw OpenEnergyAuthError.idTokenRejected(reason: "was issued by '\(claims.iss.value)', expected '\(issuer)'")
        }
        guard claims.aud.value.contains(clientID) else {
            throw OpenEnergyAuthError.idTokenRejected(reason: "is meant for audience \(claims.aud.value), not for client '\(clientID)'")
        }
        if let azp = claims.azp, azp != clientID {
            throw OpenEnergyAuthError.idTokenRejected(reason: "was issued to authorized party '\(azp)', not to client '\(clientID)'")
        }
        guard claims.nonce == expectedNonce else {
            throw OpenEnergyAuthError.idTokenRejected(reason: "carries a nonce that does not belong to this login attempt (replayed or mixed-up token)")
        }
        guard claims.exp.value.addingTimeInterval(leeway) > clock.now else {
            throw OpenEnergyAuthError.idTokenRejected(reason: "expired at \(ISO8601Timestamp.format(claims.exp.value))")
        }
        return claims
    }

    /// Verifies the signature; on an unknown key id fetches the JWKS once more (the provider may have rotated keys).
    private func verifiedSignature(_ idToken: String) async throws -> IDTokenClaims {
        var refetched = false
        while true {
            let keys = try await currentKeys(refetch: refetched)
            do {
                return try await keys.verify(idToken, as: IDTokenClaims.self)
            } catch let error as JWTError {
                if error.errorType == .unknownKID, !refetched {
                    refetched = true
                    continue
                }
                throw OpenEnergyAuthError.idTokenRejected(reason: Self.describe(error))
            } catch {
                throw OpenEnergyAuthError.idTokenRejected(reason: "cannot be decoded (\(type(of: error)))")
            }
        }
    }

    private static func describe(_ error: JWTError) -> String {
        switch error.errorType {
        case .signatureVerificationFailed:
            "has a signature that does not verify against the issuer's published keys (JWKS)"
        case .unknownKID:
            "is signed with a key the issuer does not publish (key id \(error.kid?.string ?? "?"))"
        case .missingKIDHeader:
            "has no key id and the issuer publishes several keys"
        case .malformedToken:
            "is malformed"
        case .unsupportedAlgorithm:
            "uses an unsupported signature algorithm"
        default:
            "cannot be verified (\(error.errorType))"
        }
    }

    private func currentKeys(refetch: Bool) async throws -> JWTKeyCollection {
        if let keys, !refetch { return keys }
        var request = HTTPClientRequest(url: jwksURI.absoluteString)
        request.method = .GET
        let endpoint = "GET \(jwksURI.absoluteString)"
        let response = try await OpenEnergyHTTP.send(request, with: httpClient, endpoint: endpoint, timeout: 30, maximumBodySize: 1 << 20)
        guard response.statusCode == 200, let json = String(data: response.body, encoding: .utf8) else {
            throw OpenEnergyAuthError.idTokenRejected(reason: "cannot be checked: the issuer's JWKS answered HTTP \(response.statusCode)")
        }
        let collection = JWTKeyCollection()
        do {
            try await collection.add(jwksJSON: json)
        } catch {
            throw OpenEnergyAuthError.idTokenRejected(reason: "cannot be checked: the issuer's JWKS is unusable (\(error))")
        }
        keys = collection
        return collection
    }
}
