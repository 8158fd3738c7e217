import Bridge
import OpenEnergy
import Testing

@Suite("Login problems in words")
struct LoginProblemTests {
    @Test("each failure of the login machinery becomes a sentence of its kind", arguments: [
        (OpenEnergyAuthError.tokenEndpointError(status: 400, error: "invalid_grant", description: "Code not valid"), LoginProblem.Kind.codeExpired, "expires a minute after the login"),
        (.stateMismatch, .staleAttempt, "another login attempt"),
        (.authorizationDenied(error: "access_denied", description: nil), .denied, "cancelled or declined"),
        (.issuerMismatch(expected: "https://idp.ckw.ch/auth/realms/CKW", received: "https://idp.example/realms/x"), .wrongProvider, "another login service"),
        (.discoveryFailed(issuer: "https://idp.ckw.ch/auth/realms/CKW", reason: "connection refused"), .unreachable, "cannot be reached"),
        (.invalidRedirect("the URL has no query"), .notARedirect, "not the address"),
        (.missingAuthorizationCode, .notARedirect, "no login code"),
        (.tokenEndpointError(status: 401, error: "invalid_client", description: nil), .rejected, "ckw.client_id"),
        (.idTokenRejected(reason: "has expired"), .rejected, "security check"),
        (.tokenStoreFailure(path: "/var/lib/ckw2mqtt/tokens.json", reason: "No space left on device"), .storage, "No space left"),
    ] as [(OpenEnergyAuthError, LoginProblem.Kind, String)])
    func words(error: OpenEnergyAuthError, kind: LoginProblem.Kind, phrase: String) {
        let problem = LoginProblem(error)
        #expect(problem.kind == kind)
        #expect(problem.message.contains(phrase), "\(problem.message)")
    }

    @Test("a transport failure means CKW cannot be reached")
    func transport() {
        let problem = LoginProblem(OpenEnergyError.transport(endpoint: "POST https://idp.ckw.ch/token", reason: "connection refused"))
        #expect(problem.kind == .unreachable)
        #expect(problem.message.contains("cannot be reached"))
    }
}
